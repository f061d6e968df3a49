"""Record pages as the tracker published them on a day (`?known_at=`), in a real browser: the
axe-core scan and the phone widths every page passes (tests/browser/test_accessibility.py), and
a reader's walk from a record to one of its earlier versions and back.

The seed writes every record's history when it is loaded, so the seeded test database's history
begins on the day the suite started: that day is the one the versions here are read on."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from instruments.known_at import first_history_day
from tests.browser.conftest import DESKTOP, PHONE, assert_clean, open_context, shoot, visit
from tests.browser.test_accessibility import AXE_TAGS, screenshot_name

pytestmark = pytest.mark.browser

PAGES = [
    "/instruments/eu-ai-act/?known_at={day}",
    "/instruments/kr-ai-framework-act/?known_at={day}&as_of=2025-08-08",
    "/jurisdictions/VN/?known_at={day}",
    "/jurisdictions/US/?known_at={day}&as_of=2025-08-08",
    "/events/ai-seoul-summit-2024/?known_at={day}",
    "/sources/us-asia-ai-governance-2025-08-08/?known_at={day}",
    # 400: a day before the tracker's history, and the pair an event page refuses.
    "/instruments/eu-ai-act/?known_at=2000-01-01",
    "/events/ai-seoul-summit-2024/?known_at={day}&as_of=2025-08-08",
]
WIDTHS = {"desktop": DESKTOP["width"], "phone": PHONE["width"]}


def addresses():
    day = first_history_day().isoformat()
    return [path.format(day=day) for path in PAGES]


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_no_serious_accessibility_violation_on_a_version(chromium, site, db, width_name):
    width = WIDTHS[width_name]
    context = open_context(chromium, site, {"width": width, "height": 900})
    page = context.new_page()
    serious = []
    for path in addresses():
        visit(page, f"{site.url}{path}")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        found = [
            f"{path}: {violation['id']} ({violation['impact']}): {violation['help']}"
            for violation in results.response["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]
        if found:
            shoot(page, screenshot_name(f"axe-{width}-", path))
        serious += found
    context.close()
    assert not serious, "\n".join(serious)
    assert_clean(context)


@pytest.mark.parametrize("phone_width", [320, 375])
def test_no_version_scrolls_sideways_on_a_phone(chromium, site, db, phone_width):
    context = open_context(chromium, site, {"width": phone_width, "height": 800})
    page = context.new_page()
    wide = []
    for path in addresses():
        visit(page, f"{site.url}{path}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > phone_width:
            wide.append(f"{path}: {scroll_width}px")
            shoot(page, screenshot_name(f"wide-{phone_width}-", path))
    context.close()
    assert not wide, f"pages wider than {phone_width}px: {wide}"
    assert_clean(context)


def test_from_a_record_to_an_earlier_version_and_back(page, url):
    day = first_history_day()
    page.goto(url("/instruments/kr-ai-framework-act/"))
    versions = page.locator("details.versions")
    versions.locator("summary").click()
    link = versions.get_by_role("link", name=f"{day.day} {day:%B %Y}")
    assert link.is_visible()
    link.click()
    page.wait_for_url(re.compile(rf"/instruments/kr-ai-framework-act/\?known_at={day}$"))
    banner = page.locator(".known-at")
    assert f"As published on {day.day} {day:%B %Y}" in banner.inner_text()
    assert page.locator("h1").inner_text().startswith("Framework Act")
    # The version shown is marked in the list, not linked.
    page.locator("details.versions summary").click()
    assert page.locator("details.versions [aria-current=page]").inner_text() == (
        f"{day.day} {day:%B %Y}"
    )
    shoot(page, "instrument-kr-known-at")
    banner.get_by_role("link", name="see the current record").click()
    page.wait_for_url(re.compile(r"/instruments/kr-ai-framework-act/$"))
    assert not page.locator(".known-at").count()


def test_both_clocks_side_by_side_on_a_phone(chromium, site, db):
    day = first_history_day()
    context = open_context(chromium, site, PHONE)
    page = context.new_page()
    visit(page, f"{site.url}/instruments/kr-ai-framework-act/?known_at={day}&as_of=2025-08-08")
    banner = page.locator(".known-at").inner_text()
    assert f"Legally as of 8 August 2025 · as published on {day.day} {day:%B %Y}" in banner
    assert "Status on 8 August 2025, by the timeline as then recorded: Adopted" in banner
    shoot(page, "instrument-kr-both-clocks-phone")
    context.close()
    assert_clean(context)
