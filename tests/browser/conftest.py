"""Browser tests: Playwright for Python driving Chromium against a live server on the seeded
test database (`site`, in the suite's conftest).

They skip, saying why, when no Chromium is found; with REQUIRE_BROWSER=1 (as in CI) they fail
instead. Full-page screenshots go to `screenshots/` (ignored by git); with README_IMAGES=<dir>
the tour tests also write the README's images there (`make screenshots`)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


def chromium_path():
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser")]
    return next((path for path in candidates if path and Path(path).exists()), None)


def require_browser():
    return os.environ.get("REQUIRE_BROWSER", "").strip() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def chromium():
    path = chromium_path()
    if path is None:
        reason = (
            "no Chromium found (looked at $CHROMIUM_PATH, /usr/bin/chromium and PATH); "
            "install Debian's `chromium` package to run the browser tests"
        )
        if require_browser():
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - a dev dependency
        if require_browser():
            raise
        pytest.skip(f"Playwright for Python is not installed: {error}")
    # Playwright's sync API keeps an event loop in this thread, which Django takes for an async
    # context; the tests' own database reads happen between its calls, never inside the loop.
    # Only while a module's browser runs (hence the module scope): other tests keep the guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Reported to the console by the script below, on every page, for every refusal.
REFUSAL = "content security policy refused"
WATCH_POLICY = (
    "document.addEventListener('securitypolicyviolation', (event) => console.error("
    f"'{REFUSAL}: ' + event.effectiveDirective + ' ' + event.blockedURI + ' at ' + "
    "event.sourceFile + ':' + event.lineNumber + ' on ' + location.pathname))"
)
# Refusals the site means: Redoc's credit fetches its logo from Redocly's CDN, and the policy
# keeps the page from loading anything from another host (the API docs' style hides the gap).
MEANT_REFUSALS = ("img-src https://cdn.redoc.ly/",)


def open_context(chromium, site, viewport):
    """A browser context on `viewport` that lets a page reach the test server only: every
    request to another host is refused and remembered in `context.off_site`, so a page that
    would fetch a font, script or image from elsewhere is caught. Every refusal of the site's
    content security policy (an inline script or style, an attribute handler) is remembered in
    `context.refused`. `assert_clean(context)` fails on either."""
    from urllib.parse import urlsplit

    context = chromium.new_context(viewport=viewport, locale="en-GB")
    context.off_site = []
    context.refused = []
    context.add_init_script(WATCH_POLICY)

    def remember_refusal(message):
        text = message.text
        if text.startswith(REFUSAL) and not any(meant in text for meant in MEANT_REFUSALS):
            context.refused.append(text.removeprefix(f"{REFUSAL}: "))

    context.on("console", remember_refusal)
    own = urlsplit(site.url).netloc

    def guard(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == own:
            route.continue_()
        else:
            context.off_site.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


def assert_clean(context):
    """Fail on any request to another host and any refusal of the content security policy."""
    off_site, refused = list(context.off_site), list(context.refused)
    assert not off_site, f"requests to other hosts: {off_site}"
    assert not refused, f"refused by the content security policy: {refused}"


def visit(page, address):
    """Open `address` and wait until the page has finished rendering: loaded, the network
    quiet, web fonts ready."""
    response = page.goto(address)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return response


@pytest.fixture
def page(chromium, site, db, request):
    context = open_context(chromium, site, DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert_clean(context)


@pytest.fixture(scope="module")
def data_release(site, django_db_blocker, tmp_path_factory):
    """A data release of the seed, in a releases folder of its own that the live server reads
    while the module runs, for the pages under /data/."""
    from django.test import override_settings

    from policytracker.releases.builder import build_release

    with override_settings(RELEASES_DIR=tmp_path_factory.mktemp("releases")):
        # Nothing is written meanwhile: no need to wait for writes to settle.
        with override_settings(CHANGES_SETTLE_SECONDS=0), django_db_blocker.unblock():
            made = build_release(origin=site.url)
        yield made


@pytest.fixture
def url(site):
    def build(path):
        return f"{site.url}{path}"

    return build


def shoot(page, name, *, readme=False):
    """Full-page screenshot to screenshots/<name>.png (and the README's image folder when
    README_IMAGES is set and `readme` is true)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    folder = os.environ.get("README_IMAGES")
    if readme and folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)
