import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Event
from policytracker.core.dates import PartialDate
from policytracker.web.events_chart import EVENT_STYLES, MAX_MARKS, Mark, layout
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    StatusChangeFactory,
)
from tests.helpers.filters import position_queries
from tests.helpers.seed import SEED_EVENTS

pytestmark = pytest.mark.django_db

LIST = reverse("web:event-list")
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def listed(response):
    return [event.slug for _, events in response.context["groups"] for event in events]


def svg_of(response):
    match = re.search(r'<div class="tl-canvas">.*?</svg>.*?</svg>', response.content.decode(), re.S)
    assert match, "no timeline on the page"
    return match.group(0)


def event_links(svg):
    return re.findall(r'href="/events/([^/"]+)/"', svg)


def detail(slug):
    return reverse("web:event-detail", args=[slug])


# -- the list -----------------------------------------------------------------------------------


def test_list_shows_the_seed_newest_first_grouped_by_year(seeded, client):
    response = client.get(LIST)
    assert response.status_code == 200
    # 30 events: 25 on the first page, the rest on the second; every seed event once. The
    # Paris AI Action Summit (10 February 2025) is one record.
    second = client.get(LIST, {"page": "2"})
    assert second.status_code == 200
    assert len(listed(response)) == 25
    assert sorted(listed(response) + listed(second)) == sorted(SEED_EVENTS)
    assert [year for year, _ in response.context["groups"]] == [2026, 2025]
    assert [year for year, _ in second.context["groups"]] == [2025, 2024, 2023]
    html = response.content.decode()
    headings = re.findall(r'<h2 id="year-[^"]+" class="year-heading">([^<]+)</h2>', html)
    assert headings == ["2026", "2025"]
    headings = re.findall(
        r'<h2 id="year-[^"]+" class="year-heading">([^<]+)</h2>', second.content.decode()
    )
    assert headings == ["2025", "2024", "2023"]
    assert listed(response)[:3] == [
        "un-global-dialogue-geneva-2026",
        "eu-omnibus-ai-parliament-vote-2026",
        "tw-national-ai-strategy-special-committee-2026",
    ]
    assert listed(response)[-1] == "us-congress-push-to-ban-chinese-ai-from-federal-use"
    assert listed(second) == [
        "gb-ai-safety-institute-renamed-2025",
        "intl-ai-action-summit-paris-2025",
        "ai-seoul-summit-2024",
        "asean-digital-ministers-meeting-2024",
        "intl-ai-safety-summit-2023",
    ]
    # Every seed event is dated; the undated ones' group is in test_detail_of_an_undated_event.
    assert "Date not stated" not in html + second.content.decode()
    assert response.context["breadcrumbs"] == [{"label": "Events", "url": None}]
    assert 'href="/api/v1/events/?format=csv"' in html


def test_kind_filter(seeded, client):
    response = client.get(LIST, {"kind": "summit"})
    assert response.status_code == 200
    assert set(listed(response)) == {
        "intl-ai-safety-summit-2023",
        "ai-seoul-summit-2024",
        "intl-ai-action-summit-paris-2025",
        "kr-apec-leaders-gyeongju-2025",
        "timor-leste-joins-asean-2025",
        "in-ai-impact-summit-2026",
    }
    assert "Kind: Summit" in response.content.decode()


KR_EVENTS = {
    "kratsios-urges-asia-to-reject-eu-regulation",  # host
    "cn-xi-proposes-waico-apec-2025",  # host
    "kr-apec-digital-ai-ministerial-2025",  # host
    "in-ai-impact-summit-2026",  # participant
    "ai-seoul-summit-2024",  # host and participant
}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # host of three, participant of one, host and participant of another (counted once)
        ("KR", KR_EVENTS),
        ("kr", KR_EVENTS),
        # co-host and participant of Seoul (counted once), host of two, participant of one
        (
            "GB",
            {
                "ai-seoul-summit-2024",
                "intl-ai-safety-summit-2023",
                "gb-ai-safety-institute-renamed-2025",
                "in-ai-impact-summit-2026",
            },
        ),
        ("TL", {"timor-leste-joins-asean-2025"}),  # participant
    ],
)
def test_jurisdiction_filter_reads_host_co_hosts_and_participants(seeded, client, code, expected):
    response = client.get(LIST, {"jurisdiction": code})
    assert response.status_code == 200
    assert set(listed(response)) == expected
    assert len(listed(response)) == len(expected)


def test_jurisdiction_filter_reads_a_co_host_alone(seeded, client):
    # No seed jurisdiction is a co-host only (GB also took part in Seoul): one made here is.
    co_host = JurisdictionFactory(code="QC")
    EventFactory(slug="co-hosted").co_hosts.add(co_host)
    response = client.get(LIST, {"jurisdiction": "QC"})
    assert response.status_code == 200
    assert listed(response) == ["co-hosted"]


def test_search_and_date_range_filters(seeded, client):
    response = client.get(LIST, {"q": "Seoul"})
    assert response.status_code == 200
    assert "ai-seoul-summit-2024" in listed(response)
    response = client.get(LIST, {"date_after": "2025-07-01", "date_before": "2025-08-31"})
    assert set(listed(response)) == {
        "kratsios-urges-asia-to-reject-eu-regulation",
        "kr-apec-digital-ai-ministerial-2025",
        "li-qiang-calls-for-international-ai-governance-body",
    }
    # kept through the filter form, which has no control for them
    assert '<input type="hidden" name="date_after" value="2025-07-01">' in (
        response.content.decode()
    )


def test_year_filter(seeded, client):
    response = client.get(LIST, {"year": "2024"})
    assert response.status_code == 200
    assert listed(response) == ["ai-seoul-summit-2024", "asean-digital-ministers-meeting-2024"]
    assert [year for year, _ in response.context["groups"]] == [2024]


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ({"kind": "foo"}, "kind", "“foo” is not allowed"),
        ({"year": "abc"}, "year", "Enter a year as four digits"),
        ({"jurisdiction": "ZZZ"}, "jurisdiction", "“ZZZ” is not the code"),
        ({"page": "x"}, "page", "Enter a page number (1 or more) or “last”"),
        ({"kinds": "summit"}, "kinds", "Did you mean “kind”?"),
    ],
)
def test_bad_values_are_a_400_naming_the_parameter(seeded, client, query, parameter, message):
    response = client.get(LIST, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<code>{parameter}</code>" in html
    assert message in html


def test_sorting_by_title_drops_the_year_headings(seeded, client):
    response = client.get(LIST, {"ordering": "title"})
    assert response.status_code == 200
    assert listed(response) == sorted(
        listed(response), key=lambda slug: Event.objects.get(slug=slug).title
    )
    assert 'class="year-heading"' not in response.content.decode()


def test_an_empty_result_says_which_filter_emptied_it(seeded, client):
    # No summit, and no event at all, in 2022: only removing the year brings results back.
    response = client.get(LIST, {"kind": "summit", "year": "2022"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No event matches these filters." in html
    assert re.search(r"Removing <a href=\"\?kind=summit\">Year: 2022</a>", html)
    assert "tl-canvas" not in html


def test_partial_dates_show_at_their_precision(empty, client):
    EventFactory(slug="by-year", date=datetime.date(2024, 1, 1), date_precision="year")
    EventFactory(slug="by-month", date=datetime.date(2023, 5, 1), date_precision="month")
    response = client.get(LIST)
    html = response.content.decode()
    assert '<time datetime="2024">2024</time>' in html
    assert '<time datetime="2023-05">May 2023</time>' in html
    assert "1 January 2024" not in html
    assert "1 May 2023" not in html
    # drawn hollow, with the legend saying what hollow means
    svg = svg_of(response)
    assert svg.count("tl-hollow") == 2
    assert "date known only to the year" in svg
    assert "Hollow: date known only to the month or year" in html

    page = client.get(detail("by-year")).content.decode()
    assert '<time datetime="2024">2024</time>' in page
    assert "(known only to the year)" in page
    assert "January" not in page


# -- the timeline -------------------------------------------------------------------------------


def test_timeline_has_a_mark_per_dated_event_and_the_instrument_milestones(seeded, client):
    response = client.get(LIST)
    svg = svg_of(response)
    assert '<svg class="timeline-svg" role="img"' in svg
    # the marks' links are for pointers: the list is their keyboard and screen-reader version
    assert '<svg class="tl-links" aria-hidden="true"' in svg
    assert 'aria-labelledby="timeline-svg-title"' in svg
    assert '<title id="timeline-svg-title">' in svg
    assert "is the text version of it" in svg
    # every seed event is dated: each has its mark, and none is said to be in the list only
    # (an undated one is: test_detail_of_an_undated_event)
    assert sorted(event_links(svg)) == sorted(SEED_EVENTS)
    assert "has no stated date" not in response.content.decode()
    # milestones: own dates and status changes, each step once (Vietnam's AI law's adoption,
    # 10 December 2025, and entry into force, 1 March 2026, are both)
    assert svg.count('href="/instruments/vn-law-on-artificial-intelligence/"') == 2
    assert "Law on Artificial Intelligence" in svg
    # the milestones drawn are the 200 most recent (of 315), from 8 January 2025 on: the AI
    # Act's (2024) are not among them
    assert 'href="/instruments/eu-ai-act/"' not in svg
    assert "Only the 200 most recent instrument milestones are drawn." in " ".join(
        response.content.decode().split()
    )
    # one axis with a tick label per year: from the first event (2023) to the last milestone
    # drawn (2027)
    for year in range(2023, 2028):
        assert f">{year}</text>" in svg
    assert ">2022</text>" not in svg
    # shapes differ by kind, not only colours
    assert EVENT_STYLES["summit"].path in svg
    assert EVENT_STYLES["statement"].path in svg
    assert ">A</text>" in svg
    assert ">E</text>" in svg


def test_timeline_milestones_follow_the_jurisdiction_and_year_filters(seeded, client):
    svg = svg_of(client.get(LIST, {"jurisdiction": "KR"}))
    assert 'href="/instruments/kr-ai-framework-act/"' in svg
    assert 'href="/instruments/eu-ai-act/"' not in svg

    svg = svg_of(client.get(LIST, {"year": "2024"}))
    assert 'href="/instruments/eu-ai-act/"' in svg
    assert 'href="/instruments/vn-law-on-artificial-intelligence/"' not in svg
    assert ">2024</text>" in svg
    assert ">2025</text>" not in svg


def test_titles_are_escaped_in_the_list_and_the_chart(empty, client):
    EventFactory(slug="xss", title=SCRIPT, date=datetime.date(2024, 5, 21), date_precision="day")
    instrument = InstrumentFactory(slug="xss-law", title=SCRIPT)
    StatusChangeFactory(instrument=instrument)
    response = client.get(LIST)
    html = response.content.decode()
    assert SCRIPT not in html
    svg = svg_of(response)
    assert f"<title>{ESCAPED_SCRIPT}: Summit, 21 May 2024</title>" in svg
    assert f"<title>{ESCAPED_SCRIPT}: adopted, 21 May 2024</title>" in svg
    listing = html.split("</svg>", 1)[1]
    assert f">{ESCAPED_SCRIPT}</a></h3>" in listing
    assert SCRIPT not in client.get(detail("xss")).content.decode()


def test_timeline_is_bounded_and_says_so(empty, client):
    host = JurisdictionFactory()
    EventFactory.create_batch(MAX_MARKS + 3, host=host)
    response = client.get(LIST)
    svg = svg_of(response)
    assert len(event_links(svg)) == MAX_MARKS
    html = response.content.decode()
    assert f"Only the {MAX_MARKS} most recent of the {MAX_MARKS + 3} dated events are drawn" in html


def test_partial_dates_sit_at_the_start_of_their_period():
    def mark(day, precision, title="x"):
        return Mark("event", EVENT_STYLES["summit"], PartialDate(day, precision), title, "/")

    by_year = mark(datetime.date(2024, 1, 1), "year")
    by_day = mark(datetime.date(2024, 7, 2), "day")
    timeline = layout([by_year, by_day], [])
    ticks = {tick.label: tick for tick in timeline.ticks if tick.label}
    assert by_year.hollow
    assert not by_day.hollow
    assert by_year.x == timeline.ticks[0].x == timeline.plot_left
    assert ticks["2024"].label_x == pytest.approx(by_day.x, abs=2)
    assert by_year.y == by_day.y  # far apart: one row


def test_crowded_marks_stack_in_rows():
    day = datetime.date(2024, 5, 21)
    marks = [
        Mark("event", EVENT_STYLES["summit"], PartialDate(day, "day"), str(n), "/")
        for n in range(3)
    ]
    timeline = layout(marks, [])
    assert len({mark.y for mark in marks}) == 3
    assert timeline.events.rows == 3
    assert all(mark.y < timeline.axis_y for mark in marks)


# -- the detail page ----------------------------------------------------------------------------


def test_detail_shows_every_field_with_its_citations(seeded, client):
    response = client.get(detail("ai-seoul-summit-2024"))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<h1 id="record-title">AI Seoul Summit<sup class="cite">', html)
    assert '<time datetime="2024-05-21">21 May 2024</time>' in html
    assert "United Kingdom" in html  # co-host
    record = response.context["provenance"]
    for name in ("title", "kind", "date", "host", "co_hosts", "participants", "location"):
        anchor = record.fields[name][0].anchor
        assert f'href="#{anchor}"' in html, name
        assert f'id="{anchor}"' in html
    assert "The Seoul Declaration from the 2024 AI Seoul Summit" in html
    # no source states when it was reported, nor any actor
    assert re.search(r"<dt>Reported on</dt><dd><span class=\"not-stated\">not stated", html)
    assert re.search(r"<dt>Actors</dt><dd><span class=\"not-stated\">not stated", html)
    assert response.context["breadcrumbs"] == [
        {"label": "Events", "url": LIST},
        {"label": "AI Seoul Summit", "url": None},
    ]


def test_detail_of_an_undated_event(seeded, client):
    # Every seed event is dated now (the proposed ban the article reported on 8 August 2025
    # is dated 25 June 2025): an undated one, known from a report of that day, is added.
    EventFactory(
        slug="undated-ban",
        kind="proposed_ban",
        date=None,
        date_precision="",
        reported_on=datetime.date(2025, 8, 8),
    )
    html = client.get(detail("undated-ban")).content.decode()
    assert re.search(r"<dt>Date</dt><dd><span class=\"not-stated\">not stated", html)
    assert '<time datetime="2025-08-08">8 August 2025</time>' in html
    # In the list it comes last, under its own heading, with the day it was reported.
    response = client.get(LIST, {"page": "last"})
    assert listed(response)[-1] == "undated-ban"
    assert response.context["groups"][-1][0] is None
    html = response.content.decode()
    headings = re.findall(r'<h2 id="year-[^"]+" class="year-heading">([^<]+)</h2>', html)
    assert headings[-1] == "Date not stated"
    assert "date not stated</span> (reported" in html
    assert "1 event has no stated date and is listed below only." in html


def test_unknown_slug_is_a_404(seeded, client):
    assert client.get(detail("no-such-event")).status_code == 404


# -- query counts -------------------------------------------------------------------------------


def make_events(count, involved):
    """`count` events a year apart from 2019, each with co-hosts, participants (`involved`
    among them), actors and an instrument with an own date and a status change."""
    for n in range(count):
        instrument = InstrumentFactory(
            adopted_on=datetime.date(2019 + n % 6, 3, 1), adopted_on_precision="month"
        )
        StatusChangeFactory(instrument=instrument, date=datetime.date(2019 + n % 6, 6, 1))
        event = EventFactory(date=datetime.date(2019 + n % 6, 1 + n % 12, 1), date_precision="day")
        event.co_hosts.add(JurisdictionFactory())
        event.participants.add(JurisdictionFactory(), involved)
        event.actors.add(ActorFactory())
        event.instruments.add(instrument)


def queries_for(client, url, query=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
    assert response.status_code == 200
    assert response.context["paginator"].count
    return len(captured)


@pytest.mark.parametrize("query", [{}, {"jurisdiction": "QM", "year": "2021"}, {"kind": "summit"}])
def test_list_query_count_does_not_grow_with_the_data(empty, client, query):
    involved = JurisdictionFactory(code="QM")
    make_events(3, involved)
    small = queries_for(client, LIST, query)
    make_events(30, involved)
    assert queries_for(client, LIST, query) == small


def test_list_query_count(empty, client, django_assert_num_queries):
    make_events(4, JurisdictionFactory(code="QM"))
    # count, rows, co-hosts, participants, actors, instruments; three facets; the chart:
    # event counts, event marks, three own-date columns, status changes; the database's
    # position on PostgreSQL
    with django_assert_num_queries(15 + position_queries()):
        client.get(LIST)


@pytest.mark.parametrize("size", [1, 8, 20])
def test_detail_query_count_is_fixed(empty, client, django_assert_max_num_queries, size):
    event = EventFactory(slug="sized")
    for _ in range(size):
        event.participants.add(JurisdictionFactory())
        event.co_hosts.add(JurisdictionFactory())
        event.actors.add(ActorFactory())
        event.instruments.add(InstrumentFactory())
        CitationFactory(instrument=None, event=event, fields=["title", "participants"])
    # event with its host; co-hosts, participants, actors, instruments, citations; the days it
    # changed (its earlier versions) (7); the edit history of the event and its citations: one
    # per history table, the rows before the changed ones, the event's four many-to-many
    # histories, and the records the entries and their fields name, model by model (at most
    # 14: a model no entry names costs nothing).
    with django_assert_max_num_queries(21):
        response = client.get(detail("sized"))
    assert response.status_code == 200
    assert response.content.decode().count('class="cite"') >= 2


def test_event_list_as_of_a_day(seeded, client):
    response = client.get("/events/?as_of=2025-08-04")
    assert response.status_code == 200
    slugs = {event.slug for event in response.context["object_list"]}
    assert "kratsios-urges-asia-to-reject-eu-regulation" not in slugs
    assert "ai-seoul-summit-2024" in slugs
    assert 'name="as_of" value="2025-08-04"' in response.content.decode()
    assert client.get("/events/?as_of=yesterday").status_code == 400
