"""A reader's walks through the site, in a real browser."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import PHONE, assert_clean, open_context, shoot, visit

pytestmark = pytest.mark.browser


def query(page):
    return parse_qs(urlsplit(page.url).query)


def result_count(page):
    text = page.locator(".result-summary").inner_text()
    return int(re.match(r"(\d+)", text).group(1))


def test_home_to_a_quote(page, url):
    page.goto(url("/"))
    shoot(page, "home", readme=True)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jurisdictions").click()
    page.wait_for_url(re.compile(r"/jurisdictions/$"))
    shoot(page, "jurisdictions", readme=True)
    page.get_by_role("link", name="Vietnam", exact=True).first.click()
    page.wait_for_url(re.compile(r"/jurisdictions/VN/$"))
    assert "Risk-based" in page.locator(".approach-now").inner_text()
    shoot(page, "jurisdiction-vn", readme=True)
    page.locator(".instrument-items").get_by_role(
        "link", name="Law on Artificial Intelligence", exact=True
    ).first.click()
    page.wait_for_url(re.compile(r"/instruments/vn-law-on-artificial-intelligence/$"))
    shoot(page, "instrument-vn-law", readme=True)
    # The title's citation marker leads to the quote that backs it.
    marker = page.locator("h1 .cite a").first
    target = marker.get_attribute("href")
    marker.click()
    quote = page.locator(target)
    assert quote.is_visible()
    assert quote.locator(".citation-meta").inner_text()
    shoot(page, "instrument-vn-law-quote")


def test_filtering_voluntary_then_asean_members(page, url):
    page.goto(url("/instruments/"))
    everything = result_count(page)
    page.get_by_role("group", name="Binding").get_by_label(re.compile("^Voluntary")).check()
    page.wait_for_url(re.compile(r"binding=false"))
    voluntary = result_count(page)
    assert 0 < voluntary < everything
    asean = page.get_by_role("group", name="Issued by members of").get_by_label(
        re.compile("^Association of Southeast Asian Nations|^ASEAN")
    )
    expected = int(re.search(r"(\d+)", asean.locator("xpath=..").inner_text()).group(1))
    asean.check()
    page.wait_for_url(re.compile(r"member_of=ASEAN"))
    assert result_count(page) == expected
    assert query(page) == {"binding": ["false"], "member_of": ["ASEAN"]}
    shoot(page, "instruments-voluntary-asean", readme=True)
    shared = page.url
    # The URL is the whole state: open it fresh and get the same list.
    other = page.context.new_page()
    other.goto(shared)
    assert result_count(other) == expected
    other.close()
    # The back button restores the previous list.
    page.go_back()
    assert query(page) == {"binding": ["false"]}, page.url
    assert result_count(page) == voluntary
    # Each active filter can be removed alone.
    page.go_forward()
    page.get_by_role("link", name=re.compile("^Voluntary texts")).click()
    page.wait_for_url(re.compile(r"member_of=ASEAN"))
    assert query(page) == {"member_of": ["ASEAN"]}, page.url


COMELEC = (
    "COMELEC Resolution No. 11064: Guidelines on the use of social media, artificial "
    "intelligence and internet technology for digital election campaigns"
)


def test_the_same_filter_as_of_the_article_day_and_today(page, url):
    page.goto(url("/instruments/?binding=true&member_of=ASEAN"))
    today = {a.inner_text() for a in page.locator(".record-list h3 a").all()}
    assert today == {
        COMELEC,
        "Decree No. 142/2026/ND-CP detailing the Law on Artificial Intelligence",
        "Law on Artificial Intelligence",
        "Law on Digital Technology Industry",
    }
    page.fill("#f-as_of", "2025-08-08")
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url(re.compile(r"as_of=2025-08-08"))
    # Vietnam's AI Law and its decree did not exist yet; its 2025 law had been adopted.
    then = {a.inner_text() for a in page.locator(".record-list h3 a").all()}
    assert then == {COMELEC, "Law on Digital Technology Industry"}
    assert result_count(page) == 2
    shoot(page, "instruments-binding-asean-2025-08-08")


def test_compare_three(page, url):
    page.goto(url("/compare/?jurisdiction=CN&jurisdiction=SG&jurisdiction=JP"))
    text = page.locator("main").inner_text()
    for name in ("China", "Singapore", "Japan"):
        assert name in text
    shoot(page, "compare-cn-sg-jp", readme=True)


def test_search_sandbox(page, url):
    page.goto(url("/"))
    page.get_by_role("searchbox", name="Search the tracker").fill("sandbox")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=sandbox"))
    assert page.locator("mark").count() > 0
    shoot(page, "search-sandbox", readme=True)


def test_filter_form_by_keyboard_alone(page, url):
    page.goto(url("/instruments/"))
    # From the skip link, Tab reaches the filter form's first field.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    focused = ""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused.startswith("f-binding-"):
            break
    assert focused == "f-binding-any"
    # Arrow keys move within the radio group; the page does not reload under the reader.
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "f-binding-true"
    assert page.is_checked("#f-binding-true")
    assert urlsplit(page.url).query == ""
    while page.evaluate("document.activeElement.textContent") != "Apply filters":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"binding=true"))
    assert query(page) == {"binding": ["true"]}
    assert result_count(page) > 0


def test_a_table_wider_than_a_phone_scrolls_in_its_box_and_shows_it(chromium, site, db):
    context = open_context(chromium, site, PHONE)
    phone = context.new_page()
    visit(phone, f"{site.url}/jurisdictions/")
    box = phone.locator(".table-wrap").first
    # The table is wider than its box, which scrolls; the page itself does not.
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The box shows there is more: a shadow at the edge that has more (scrolling backgrounds).
    backgrounds = box.evaluate("el => getComputedStyle(el).backgroundImage")
    assert backgrounds.count("gradient") == 4
    assert "scroll" in box.evaluate("el => getComputedStyle(el).backgroundAttachment")
    shoot(phone, "phone-jurisdictions")
    context.close()
    assert_clean(context)


def test_a_printed_list_keeps_its_active_filters(page, url):
    page.goto(url("/instruments/?binding=false&member_of=ASEAN"))
    page.emulate_media(media="print")
    chips = page.locator(".active-filters .chip")
    assert chips.count() == 2
    assert chips.first.is_visible()
    assert "Voluntary texts" in page.locator(".active-filters").inner_text()
    # Its controls are not printed.
    assert not page.locator(".active-filters .clear-all").is_visible()
    assert not page.locator("form.filters, .filters").first.is_visible()


def test_back_shows_the_filters_of_the_page_shown_and_adds_no_hidden_one(page, url):
    visit(page, url("/instruments/"))
    page.locator("#f-type-binding_law").click()
    page.wait_for_url(re.compile(r"type=binding_law"))
    page.go_back()
    page.wait_for_url(re.compile(r"/instruments/$"))
    page.wait_for_load_state("networkidle")
    # The form shows the list shown (no filter), not the box ticked before.
    assert not page.is_checked("#f-type-binding_law")
    page.locator("#f-type-declaration").click()
    page.wait_for_url(re.compile(r"type=declaration"))
    assert query(page) == {"type": ["declaration"]}


def test_skip_to_results_apply_at_the_top_and_focus_on_the_count(page, url):
    visit(page, url("/instruments/"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to results"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "result-count"
    # "Apply filters" comes before the first filter of the panel.
    first_button, first_fieldset = page.evaluate(
        """() => {
            const form = document.querySelector("form.filters");
            const all = [...form.querySelectorAll("button, fieldset")];
            return [all.findIndex(e => e.tagName === "BUTTON"),
                    all.findIndex(e => e.tagName === "FIELDSET")];
        }"""
    )
    assert first_button < first_fieldset
    # Choose by keyboard, apply with the top button: focus lands on the new count.
    page.locator("#f-type-declaration").focus()
    page.keyboard.press("Space")
    page.locator(".filter-actions-top button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"type=declaration"))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "result-count"
    assert "12 instruments" in page.evaluate("document.activeElement.textContent")


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_the_api_documentation_renders_from_this_server_alone(page, url, path):
    # The page fixture fails the test on any request to another host.
    visit(page, url(path))
    selector = "h1" if "redoc" in path else ".swagger-ui .info"
    page.wait_for_selector(selector, timeout=30_000)
    assert page.locator(selector).first.inner_text().strip()


def test_the_map_links_each_country_to_its_page(page, url):
    visit(page, url("/map/"))
    shoot(page, "map", readme=True)
    china = page.locator('a.tracked[aria-label="China: Binding"]').first
    assert china.is_visible()
    china.click()
    page.wait_for_url(re.compile(r"/jurisdictions/CN/$"))
    assert "Binding AI law in force" in page.locator("main").inner_text()
