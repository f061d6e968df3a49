"""Record pages as the tracker published them on a day (`?known_at=YYYY-MM-DD`)."""

import datetime
import html
import re
from unittest import mock

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from instruments.models import Instrument
from policytracker.web.views import instruments as view
from tests.factories import (
    CitationFactory,
    InstrumentFactory,
    RelationFactory,
    StatusChangeFactory,
    TopicFactory,
)
from tests.helpers.known_at import BEFORE, FIRST, FOURTH, SECOND, THIRD, on, tell_story


@pytest.fixture
def story(empty):
    return tell_story()


def text(response):
    """The page's text, tags dropped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def page(client, path, **query):
    return client.get(path, query)


def test_an_instrument_page_shows_each_day_as_it_was_published(story, client):
    first = page(client, "/instruments/xa-ai-act/", known_at=FIRST.isoformat())
    assert first.status_code == 200
    shown = text(first)
    assert "As published on 3 March 2025 — this is how the tracker stated this record" in shown
    assert shown.startswith("AI Act (as published on 3 March 2025) · Policy Tracker")
    assert first.context["instrument"].title == "AI Act"
    assert "Licensing" in shown
    assert "Brobdingnag" not in shown
    # The record is gone now: the banner says so instead of linking to it.
    assert "it is no longer in the tracker" in shown

    second = text(page(client, "/instruments/xa-ai-act/", known_at=SECOND.isoformat()))
    assert "Artificial Intelligence Act" in second
    assert "Brobdingnag" in second
    assert "The Act was adopted." in second
    assert "Xanadu AI Summit" in second

    third = page(client, "/instruments/xa-ai-act/", known_at=THIRD.isoformat())
    said = text(third)
    assert "The Act was adopted." not in said
    assert "Licences" in said
    assert "Xanadu Republic" in said
    steps = [step["change"].status for step in third.context["steps"]]
    assert steps == ["adopted", "in_effect"]
    # The cited address is the version's; the cite text says which day it reads.
    assert "(as published on 17 March 2025)" in third.context["cite_text"]
    assert "?known_at=2025-03-17" in third.context["cite_text"]


def test_a_current_page_links_to_its_earlier_versions(story, client):
    response = page(client, "/jurisdictions/XA/")
    html = response.content.decode()
    assert "Earlier versions (2)" in html
    assert 'href="/jurisdictions/XA/?known_at=2025-03-17"' in html
    assert 'href="/jurisdictions/XA/?known_at=2025-03-03"' in html
    assert response.context["known_at"] is None
    # A version marks itself among them and links the others.
    version = page(client, "/jurisdictions/XA/", known_at="2025-03-12")
    html = version.content.decode()
    assert re.search(r'<strong aria-current="page"><time datetime="2025-03-03">', html)
    assert 'href="/jurisdictions/XA/?known_at=2025-03-17"' in html
    assert 'href="/jurisdictions/XA/">see the current record</a>' in html


def test_the_versions_filter_gives_a_records_address_on_a_day(story):
    template = Template("{% load tracker %}{{ record|known_at_url:time }}")
    xa = story.jurisdiction
    moment = datetime.datetime(2025, 3, 10, 23, 59, tzinfo=datetime.UTC)
    rendered = template.render(Context({"record": xa, "time": moment}))
    assert rendered == "/jurisdictions/XA/?known_at=2025-03-10"
    assert template.render(Context({"record": story.topic, "time": moment})) == ""


def test_a_record_not_yet_or_no_longer_in_the_tracker_is_a_404_saying_so(story, client):
    early = page(client, "/events/xa-summit/", known_at=FIRST.isoformat())
    assert early.status_code == 404
    said = text(early)
    assert "Not in the tracker on 3 March 2025" in said
    assert "the tracker held no event at /events/xa-summit/" in said
    assert 'href="/events/xa-summit/">See the current record</a>' in early.content.decode()

    gone = page(client, "/instruments/xa-ai-act/", known_at=FOURTH.isoformat())
    assert gone.status_code == 404
    assert "No instrument is at this address today either" in text(gone)
    assert page(client, "/instruments/never-was/", known_at=SECOND.isoformat()).status_code == 404


@pytest.mark.parametrize(
    ("query", "names", "message"),
    [
        ({"known_at": "2025-3-10"}, ["known_at"], "Enter a date as YYYY-MM-DD."),
        ({"known_at": "2025-02-30"}, ["known_at"], "Enter a date as YYYY-MM-DD."),
        ({"known_at": BEFORE.isoformat()}, ["known_at"], "history begins on 3 March 2025"),
        ({"known_at": "2999-01-01"}, ["known_at"], "is in the future"),
        ({"known_at": SECOND.isoformat(), "as_of": "2025-13-01"}, ["as_of"], "YYYY-MM-DD"),
    ],
)
def test_bad_days_are_a_400_naming_the_parameter(story, client, query, names, message):
    response = page(client, "/instruments/xa-ai-act/", **query)
    assert response.status_code == 400
    assert list(response.context["errors"]) == names
    assert message in text(response)


def test_an_empty_known_at_is_the_current_record(story, client):
    response = page(client, "/jurisdictions/XA/", known_at="")
    assert response.status_code == 200
    assert response.context["known_at"] is None


@pytest.mark.parametrize("path", ["/events/xa-summit/", "/sources/gazette/"])
def test_as_of_with_known_at_is_refused_where_there_is_no_status_or_approach(story, client, path):
    response = page(client, path, known_at=THIRD.isoformat(), as_of="2025-03-01")
    assert response.status_code == 400
    assert set(response.context["errors"]) == {"as_of", "known_at"}


def test_both_clocks_read_the_status_on_a_day_by_the_timeline_then(story, client):
    day = "2025-03-16"
    second = text(page(client, "/instruments/xa-ai-act/", known_at=SECOND.isoformat(), as_of=day))
    assert "Legally as of 16 March 2025 · as published on 10 March 2025" in second
    assert (
        "Status on 16 March 2025, by the timeline as then recorded: Adopted (since 15 January"
        in (second)
    )
    assert "Adopted (since 15 January 2025 )." in second
    third = text(page(client, "/instruments/xa-ai-act/", known_at=THIRD.isoformat(), as_of=day))
    # (`text` puts a space where each tag was.)
    assert "by the timeline as then recorded: In effect (since 15 March 2025 )." in third
    before = text(
        page(client, "/instruments/xa-ai-act/", known_at=THIRD.isoformat(), as_of="2024-06-01")
    )
    assert "by the timeline as then recorded: not in existence yet by it ." in before


def test_a_jurisdiction_page_reads_its_approach_and_laws_then(story, client):
    second = page(client, "/jurisdictions/XA/", known_at=SECOND.isoformat())
    said = text(second)
    assert second.context["jurisdiction"].name == "Xanadu"
    assert "No binding AI law of its own is in effect on 10 March 2025" in said
    assert [item.title for item in second.context["binding"]["items"]] == [
        "Artificial Intelligence Act"
    ]
    assert [event.slug for event in second.context["events"]] == ["xa-summit"]

    third = page(client, "/jurisdictions/XA/", known_at=THIRD.isoformat())
    said = text(third)
    assert "Xanadu Republic" in said
    assert "1 binding law of its own in effect on 17 March 2025" in said
    assert third.context["current"]["assessment"].approach == "binding"

    both = text(page(client, "/jurisdictions/XA/", known_at=THIRD.isoformat(), as_of="2025-03-01"))
    assert "Legally as of 1 March 2025 · as published on 17 March 2025" in both
    assert "Approach on 1 March 2025, by the assessments then recorded: Voluntary" in both
    assert "No binding AI law of its own is in effect on 1 March 2025" in both

    # Its law was deleted on the fourth day: the page of that day no longer lists it.
    fourth = page(client, "/jurisdictions/XA/", known_at=FOURTH.isoformat())
    assert fourth.context["binding"]["total"] == 0


def test_a_lower_case_code_keeps_the_day_when_it_redirects(story, client):
    response = page(client, "/jurisdictions/xa/", known_at=SECOND.isoformat())
    assert response.status_code == 301
    assert response["Location"] == "/jurisdictions/XA/?known_at=2025-03-10"


def test_a_source_page_lists_the_records_that_then_cited_it(story, client):
    second = page(client, "/sources/gazette/", known_at=SECOND.isoformat())
    assert second.context["citation_count"] == 1
    assert "Artificial Intelligence Act" in text(second)
    third = page(client, "/sources/gazette/", known_at=THIRD.isoformat())
    assert third.context["citation_count"] == 0
    assert "No record cites this source yet." in text(third)


def test_an_event_page_then(story, client):
    response = page(client, "/events/xa-summit/", known_at=SECOND.isoformat())
    assert response.status_code == 200
    said = text(response)
    assert "As published on 10 March 2025" in said
    assert "Artificial Intelligence Act" in said
    assert "see the current record" in said


@pytest.mark.parametrize(
    "path", ["/instruments/", "/jurisdictions/", "/events/", "/sources/", "/map/", "/compare/"]
)
def test_lists_refuse_known_at(story, client, path):
    response = page(client, path, known_at=SECOND.isoformat())
    assert response.status_code == 400
    assert list(response.context["errors"]) == ["known_at"]
    assert "Read on a record's page only" in text(response)


def test_the_edit_link_is_left_off_a_past_version(story, admin_client):
    current = page(admin_client, "/jurisdictions/XA/")
    assert "/admin/jurisdictions/jurisdiction/" in current.content.decode()
    version = page(admin_client, "/jurisdictions/XA/", known_at=SECOND.isoformat())
    assert "/admin/jurisdictions/jurisdiction/" not in version.content.decode()


def _instrument_with(size, day):
    with on(day):
        instrument = InstrumentFactory()
        for index in range(size):
            CitationFactory(instrument=instrument)
            change = StatusChangeFactory(instrument=instrument, date=f"2024-0{index % 9 + 1}-01")
            CitationFactory(instrument=None, status_change=change)
            instrument.topics.add(TopicFactory())
            RelationFactory(from_instrument=instrument)
    return instrument


def test_a_version_costs_the_same_queries_whatever_the_records_size(empty, client):
    small, large = _instrument_with(1, FIRST), _instrument_with(8, FIRST)
    counts = []
    # The edit history block reads its own queries (tests/instruments/test_history.py).
    reader = next(name for name in ("record_changes", "record_history") if hasattr(view, name))
    with mock.patch.object(view, reader, return_value=[]):
        for instrument in (small, large):
            with CaptureQueriesContext(connection) as queries:
                response = page(client, instrument.get_absolute_url(), known_at=SECOND.isoformat())
            assert response.status_code == 200
            assert (
                len(response.context["steps"])
                == Instrument.objects.get(pk=instrument.pk).status_changes.count()
            )
            counts.append(len(queries))
    # The tracker's first day; the record now and then; its timeline, identifiers, relations,
    # citations and their sources, topics and parties (links, then records), jurisdiction,
    # related instruments and events; the days of its versions.
    assert counts == [15, 15]


def test_the_methodology_explains_the_two_clocks(story, client):
    said = text(client.get("/about/"))
    assert "Two clocks: as_of and known_at" in said
    assert "what was legally true on that day, by what the tracker knows today" in said
    assert "what the tracker said on that day, whatever it has learned since" in said
    assert "The tracker's history begins on 3 March 2025" in said


def _listed(context):
    groups = {
        force: (context[force]["total"], [item.slug for item in context[force]["items"]])
        for force in ("binding", "pending", "voluntary")
    }
    subdivisions = [
        (
            item["jurisdiction"].code,
            item["total"],
            [instrument.slug for instrument in item["instruments"]],
            item["jurisdiction"].binds_by_law,
            item["jurisdiction"].binding_laws_in_force,
        )
        for item in context["subdivisions"]
    ]
    bound = context["bound_by_law"]
    return (
        groups,
        subdivisions,
        [event.slug for event in context["events"]],
        context["event_count"],
        (bound.binds_by_law, bound.binding_laws_in_force, bound.subdivisions_binding_by_law),
        [item["assessment"].pk for item in context["assessments"]],
        [membership.pk for membership in context["jurisdiction"].memberships.all()],
    )


@pytest.mark.parametrize("code", ["US", "VN", "ASEAN", "EU", "KR", "JP"])
def test_a_seeded_jurisdiction_reads_today_as_its_page_lists_it(seeded, client, code):
    """The seed's history holds every record as it was written: what a jurisdiction's page
    lists, rebuilt from it for today, is what the page lists from the tables."""
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    live = page(client, f"/jurisdictions/{code}/")
    then = page(client, f"/jurisdictions/{code}/", known_at=today)
    assert then.status_code == 200
    assert _listed(then.context) == _listed(live.context)
