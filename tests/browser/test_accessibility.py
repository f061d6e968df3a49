"""Every page, as a reader's browser shows it: an axe-core scan (WCAG 2.0 to 2.2 A and AA, and
best practice) finds no serious or critical violation at desktop and phone widths, and no page
scrolls sideways on a phone (320 and 375 px). A request to another host fails any of them."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import DESKTOP, assert_clean, open_context, shoot, visit

# The pages under /data/ list and show a release made for the module.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("data_release")]

PAGES = [
    "/",
    "/about/",
    "/map/",
    "/map/?as_of=2025-11-01",
    "/jurisdictions/",
    "/jurisdictions/?binding_law_in_force=true&as_of=2025-08-08",
    "/jurisdictions/VN/",
    "/jurisdictions/ASEAN/",
    "/instruments/",
    "/instruments/?binding=false&member_of=ASEAN",
    "/instruments/?binding=true&as_of=2025-08-08",
    "/instruments/vn-law-on-artificial-intelligence/",
    "/instruments/eu-ai-act/",
    "/events/",
    "/events/?as_of=2025-08-08&kind=statement",
    "/events/ai-seoul-summit-2024/",
    "/compare/",
    "/compare/?jurisdiction=CN&jurisdiction=SG&jurisdiction=JP",
    "/api/",
    "/sources/?ordering=-citation_count",
    "/search/?q=sandbox",
    "/sources/",
    "/sources/us-asia-ai-governance-2025-08-08/",
    "/data/",
    # The newest release's own page, by its stable address.
    "/data/latest/",
    "/instruments/?type=nonsense",
    "/no/such/page/",
    # 400 for an address holding a NUL: in the path (no way back to it), and in a parameter.
    "/jurisdictions/%00/",
    "/search/?q=a%00b",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = {"desktop": DESKTOP["width"], "phone": 375}


def screenshot_name(prefix, path):
    return prefix + (path.strip("/").replace("/", "_").replace("?", "_") or "home")


@pytest.fixture(scope="module", params=list(WIDTHS))
def width(request):
    return WIDTHS[request.param]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(chromium, site, db, width, path):
    context = open_context(chromium, site, {"width": width, "height": 900})
    page = context.new_page()
    visit(page, f"{site.url}{path}")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    if serious:
        shoot(page, screenshot_name(f"axe-{width}-", path))
    context.close()
    assert not serious, "\n".join(serious)
    assert_clean(context)


@pytest.mark.parametrize("phone_width", [320, 375])
def test_no_page_scrolls_sideways_on_a_phone(chromium, site, db, phone_width):
    context = open_context(chromium, site, {"width": phone_width, "height": 800})
    page = context.new_page()
    wide = []
    for path in PAGES:
        visit(page, f"{site.url}{path}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > phone_width:
            wide.append(f"{path}: {scroll_width}px")
            shoot(page, screenshot_name(f"wide-{phone_width}-", path))
    context.close()
    assert not wide, f"pages wider than {phone_width}px: {wide}"
    assert_clean(context)


def over_the_pages_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "pages": "1/minute",
        },
    }


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_the_pages_that_refuse_a_client_read_well(chromium, site, db, settings, width_name):
    """The 429 pages: over the pages' rate, and a sign-in locked after wrong passwords."""
    from django.core.cache import cache

    width = WIDTHS[width_name]
    context = open_context(chromium, site, {"width": width, "height": 900})
    page = context.new_page()
    failures = []
    over_the_pages_rate(settings)
    cache.clear()
    visit(page, f"{site.url}/about/")
    response = visit(page, f"{site.url}/about/")
    assert response.status == 429
    assert "Too many requests" in page.content()
    pages = [("rate", page.content())]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    failures += [
        v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= max(width, 375), scroll_width
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "pages": "100000/hour",
        },
    }
    # The lock falls on an address of its own, not on this machine's, which the tests that sign
    # in next share (what the live server writes outlives this test's transaction).
    settings.AXES_CLIENT_IP_CALLABLE = lambda request: "192.0.2.99"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        visit(page, f"{site.url}/admin/login/")
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
        page.wait_for_load_state("networkidle")
    assert "Sign-in locked for now" in page.content()
    pages.append(("locked", page.content()))
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    failures += [
        v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ]
    shoot(page, f"locked-out-{width}")
    context.close()
    assert not failures, failures
    assert_clean(context)
