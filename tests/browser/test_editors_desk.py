"""The editor's path in a browser: a fresh editor (not a superuser) signs in, adds China's AI
content labelling measures with their timeline and citations on one page, is told in words what
is wrong with a first try, submits the change for review; readers do not see it; a reviewer reads
what publishing writes and publishes it; then readers do. At 1280 and 375 px.

The live server's writes are committed, so the module takes the seeded measures out first and
puts the database back exactly as it was after (`tests.helpers.restore`)."""

import pytest
from django.core.management import call_command

from instruments.models import Citation, Event, Instrument, InstrumentRelation, Source, StatusChange
from tests.browser.conftest import DESKTOP, PHONE, assert_clean, open_context, shoot, visit
from tests.helpers.desk import (
    DRAFT_STEP,
    EFFECT_CITATION,
    IN_EFFECT_STEP,
    LABELLING,
    PASSWORD,
    RECORD_CITATION,
    person,
)
from tests.helpers.restore import restored

# The database is written by the live server, and put back by the `desk` fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGE = f"/instruments/{LABELLING['slug']}/"


@pytest.fixture(scope="module")
def desk(site, django_db_blocker):
    """The seed without the measures, a fresh editor and a reviewer; all undone after."""
    with django_db_blocker.unblock():
        instrument = Instrument.objects.filter(slug=LABELLING["slug"])
        steps = StatusChange.objects.filter(instrument__in=instrument)
        taken = [
            instrument,
            steps,
            Citation.objects.filter(instrument__in=instrument),
            Citation.objects.filter(status_change__in=steps),
            InstrumentRelation.objects.filter(from_instrument__in=instrument),
            InstrumentRelation.objects.filter(to_instrument__in=instrument),
            Event.instruments.through.objects.filter(instrument__in=instrument),
        ]
        with restored(*taken):
            person("ella", staff=False)
            call_command("create_editor_token", "ella", "--add-to-editors")
            call_command("create_editor_token", person("rosa").username, "--add-to-reviewers")
            sources = {
                slug: Source.objects.get(slug=slug).title
                for slug in (
                    DRAFT_STEP["citation"]["source"],
                    IN_EFFECT_STEP["citation"]["source"],
                )
            }
            yield sources


def sign_in(page, site, username):
    visit(page, f"{site.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")


def choose(page, select_id, typed, option_text):
    """Pick a value in one of the admin's autocomplete boxes, as a person does."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.click(f".select2-results__option:has-text({option_text!r})")


def add_step(page, index, step, source_title):
    page.click("#status_changes-group .add-row a")
    row = f"#id_status_changes-{index}"
    page.select_option(f"{row}-status", step["status"])
    page.fill(f"{row}-date", step["date"])
    page.fill(f"{row}-note", step["note"])
    page.select_option(f"{row}-cite_source", label=source_title)
    page.fill(f"{row}-cite_quote", step["citation"]["quote"])
    page.fill(f"{row}-cite_locator", step["citation"]["locator"])


def test_an_editor_adds_the_measures_in_one_pass_and_a_reviewer_publishes_them(
    chromium, site, desk
):
    editor = open_context(chromium, site, DESKTOP)
    page = editor.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, site, "ella")
    visit(page, f"{site.url}/admin/instruments/instrument/add/")
    page.fill("#id_title", LABELLING["title"])
    # The admin fills the slug from the title when the title box is left; then it is ours.
    page.press("#id_title", "Tab")
    page.fill("#id_slug", LABELLING["slug"])
    page.fill("#id_short_name", LABELLING["short_name"])
    choose(page, "id_jurisdiction", "China", "China")
    page.select_option("#id_type", LABELLING["type"])
    page.fill("#id_issuing_body", LABELLING["issuing_body"])
    for topic in ("Content labelling", "Transparency"):
        choose(page, "id_topics", topic, topic)
    page.fill("#id_adopted_on", LABELLING["adopted_on"])
    page.fill("#id_effective_on", LABELLING["effective_on"])
    add_step(page, 0, DRAFT_STEP, desk[DRAFT_STEP["citation"]["source"]])
    page.click("#citations-group .add-row a")
    choose(page, "id_citations-0-source", RECORD_CITATION["source"], "China launches")
    page.fill("#id_citations-0-quote", RECORD_CITATION["quote"])
    page.fill("#id_citations-0-locator", RECORD_CITATION["locator"])
    for field in RECORD_CITATION["fields"]:
        page.check(f"input[name='citations-0-fields'][value='{field}']")
    page.click("#citations-group .add-row a")
    choose(page, "id_citations-1-source", EFFECT_CITATION["source"], "China launches")
    page.fill("#id_citations-1-quote", EFFECT_CITATION["quote"])
    page.fill("#id_citations-1-locator", EFFECT_CITATION["locator"])
    page.check("input[name='citations-1-fields'][value='effective_on']")

    # A binding law left "draft" is refused, in words, and nothing is saved.
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    assert "a binding law cannot be draft" in page.inner_text("#content")
    shoot(page, "desk-refused-1280")

    add_step(page, 1, IN_EFFECT_STEP, desk[IN_EFFECT_STEP["citation"]["source"]])
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    assert "is waiting for a reviewer" in page.inner_text("body")
    shoot(page, "desk-submitted-1280")
    assert_clean(editor)

    reader = open_context(chromium, site, PHONE).new_page()
    assert visit(reader, f"{site.url}{PAGE}").status == 404

    for viewport, name in ((DESKTOP, "1280"), (PHONE, "375")):
        context = open_context(chromium, site, viewport)
        review = context.new_page()
        sign_in(review, site, "rosa")
        visit(review, f"{site.url}/admin/instruments/revision/")
        review.click(f"text={LABELLING['title']}")
        review.wait_for_load_state("networkidle")
        text = review.inner_text("#content")
        assert "What publishing it writes" in text
        assert "Took effect" in text
        shoot(review, f"desk-review-{name}", readme=name == "1280")
        width = review.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1 or name == "375"
        if name == "375":
            review.click("input[name=publish]")
            review.wait_for_load_state("networkidle")
            assert "Published: readers now see" in review.inner_text(".messagelist")
        assert_clean(context)
        context.close()

    assert visit(reader, f"{site.url}{PAGE}").status == 200
    assert LABELLING["title"] in reader.inner_text("h1")
    shoot(reader, "desk-published-375")
    editor.close()
