"""`known_at`: records rebuilt from the history tables as the tracker stated them on a day."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.known_at import (
    end_of,
    event_then,
    first_history_day,
    instrument_then,
    jurisdiction_events_then,
    jurisdiction_instruments_then,
    jurisdiction_subdivisions_then,
    jurisdiction_then,
    known_at_url,
    read_known_at,
    record_versions,
    source_then,
    status_on,
)
from instruments.models import Instrument
from instruments.querysets import with_binding_laws
from jurisdictions.models import Jurisdiction
from policytracker.core.params import BadParameters
from tests.factories import (
    ActorFactory,
    ApproachAssessmentFactory,
    BlocFactory,
    CitationFactory,
    CoverageReviewFactory,
    EventFactory,
    IdentifierFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    RelationFactory,
    StatusChangeFactory,
    TopicFactory,
)
from tests.helpers.known_at import BEFORE, FIRST, FOURTH, SECOND, THIRD, on, tell_story


@pytest.fixture
def story(empty):
    return tell_story()


def names(manager):
    return [str(record) for record in manager.all()]


def test_a_day_ends_at_midnight_utc():
    assert end_of(datetime.date(2026, 3, 3)) == datetime.datetime(2026, 3, 4, tzinfo=datetime.UTC)


def test_the_day_is_read_strictly(story):
    assert read_known_at(None) is None
    assert read_known_at("") is None
    assert read_known_at(FIRST.isoformat()) == FIRST
    for bad in ("2025-3-10", "10/03/2025", "2025-02-30", "yesterday"):
        with pytest.raises(BadParameters) as refused:
            read_known_at(bad)
        assert refused.value.errors == {"known_at": ["Enter a date as YYYY-MM-DD."]}


def test_a_day_before_the_history_or_in_the_future_is_refused(story):
    assert first_history_day() == FIRST
    with pytest.raises(BadParameters) as refused:
        read_known_at(BEFORE.isoformat())
    assert refused.value.errors["known_at"] == [
        "The tracker's history begins on 3 March 2025 (2025-03-03): give that day or a later one."
    ]
    tomorrow = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=1)
    with pytest.raises(BadParameters) as refused:
        read_known_at(tomorrow.isoformat())
    assert "is in the future" in refused.value.errors["known_at"][0]


def test_a_day_is_refused_while_there_is_no_history(empty):
    with pytest.raises(BadParameters) as refused:
        read_known_at("2025-03-03")
    assert refused.value.errors == {"known_at": ["The tracker has no history yet: leave it out."]}


def test_an_instrument_reads_as_it_stood_at_the_end_of_each_day(story):
    first = instrument_then("xa-ai-act", FIRST).record
    assert first.title == "AI Act"
    assert first.status == "adopted"
    assert names(first.topics) == ["Licensing"]
    assert names(first.parties) == []
    assert [c.natural_key()[1:] for c in first.status_changes.all()] == [("adopted", "2025-01-15")]
    assert names(first.identifiers) == ["Official law or act number: Law No. 1/2025"]
    assert list(first.citations.all()) == []
    assert list(first.events.all()) == []
    assert first.jurisdiction.name == "Xanadu"
    assert (first.status_since, first.timeline_status) == (datetime.date(2025, 1, 15), "adopted")

    second = instrument_then("xa-ai-act", SECOND).record
    assert second.title == "Artificial Intelligence Act"
    assert names(second.topics) == ["Licensing", "Sandboxes"]
    assert [party.code for party in second.parties.all()] == ["XB"]
    [citation] = second.citations.all()
    assert (citation.quote, citation.source.title, citation.source_title) == (
        "The Act was adopted.",
        "Official Gazette",
        "Official Gazette",
    )
    assert [event.slug for event in second.events.all()] == ["xa-summit"]

    third = instrument_then("xa-ai-act", THIRD).record
    assert third.status == "in_effect"
    assert [(c.status, c.date.isoformat()) for c in third.status_changes.all()] == [
        ("adopted", "2025-01-20"),
        ("in_effect", "2025-03-15"),
    ]
    assert list(third.citations.all()) == []
    # Renamed since: each day says the name it had then.
    assert names(third.topics) == ["Licences", "Sandboxes"]
    assert third.jurisdiction.name == "Xanadu Republic"
    assert (third.status_since, third.first_in_effect_on) == (
        datetime.date(2025, 3, 15),
        datetime.date(2025, 3, 15),
    )


def test_an_instrument_not_yet_created_or_already_deleted_is_not_there(story):
    gone = instrument_then("xa-ai-act", FOURTH)
    assert gone.record is None
    assert gone.current is None
    assert instrument_then("no-such-act", THIRD).record is None


def test_the_current_record_is_found_by_the_key_it_had_or_has(empty):
    with on(FIRST):
        act = InstrumentFactory(slug="old-slug", title="Old")
    with on(SECOND):
        act.slug, act.title = "new-slug", "New"
        act.save()
    # By the key it had then, and by the key it has now.
    for slug in ("old-slug", "new-slug"):
        then = instrument_then(slug, FIRST)
        assert then.record.title == "Old"
        assert then.current.pk == act.pk
        assert then.current_url == "/instruments/new-slug/"
    # Once renamed, the old key names no record, then or now.
    assert instrument_then("old-slug", SECOND).record is None
    assert instrument_then("new-slug", SECOND).record.title == "New"


def test_status_on_a_day_reads_the_timeline_as_then_recorded(story):
    # On 16 March 2025 the act was in effect; on 10 March the tracker did not know it yet.
    day = datetime.date(2025, 3, 16)
    assert instrument_then("xa-ai-act", SECOND, as_of=day).extras["status_on"].status == "adopted"
    third = instrument_then("xa-ai-act", THIRD, as_of=day)
    said = third.extras["status_on"]
    assert (said.status, str(said.since), said.partial) == ("in_effect", "15 March 2025", False)
    assert third.record.as_of_status == "in_effect"
    # Before its first step it did not exist yet.
    early = instrument_then("xa-ai-act", THIRD, as_of=datetime.date(2024, 12, 31))
    assert not early.extras["status_on"].existed


def test_status_on_agrees_with_as_of_on_every_seeded_instrument(seeded):
    """The same rules as `InstrumentQuerySet.as_of`, read in Python from a rebuilt timeline."""
    today = datetime.datetime.now(datetime.UTC).date()
    for day in (datetime.date(2025, 8, 8), datetime.date(2026, 1, 1), datetime.date(2024, 1, 1)):
        expected = {
            row.slug: (row.as_of_status, row.as_of_status_on, row.as_of_partial)
            for row in Instrument.objects.as_of(day)
        }
        for slug in ("kr-ai-framework-act", "ph-hb-2827", "sg-ai-verify-toolkit", "eu-ai-act"):
            then = instrument_then(slug, today).record
            said = status_on(then, list(then.status_changes.all()), day)
            if slug in expected:
                assert said.existed, (slug, day)
                assert (said.status, said.on, said.partial) == expected[slug], (slug, day)
            else:
                assert not said.existed, (slug, day)


def test_an_instrument_costs_the_same_queries_whatever_its_size(empty):
    def instrument_with(size):
        instrument = InstrumentFactory()
        for index in range(size):
            CitationFactory(instrument=instrument)
            change = StatusChangeFactory(instrument=instrument, date=f"2024-0{index % 9 + 1}-01")
            CitationFactory(instrument=None, status_change=change)
            instrument.topics.add(TopicFactory())
            instrument.parties.add(JurisdictionFactory())
            RelationFactory(from_instrument=instrument)
            RelationFactory(to_instrument=instrument)
            IdentifierFactory(instrument=instrument)
        return instrument

    small, large = instrument_with(1), instrument_with(8)
    today = datetime.datetime.now(datetime.UTC).date()
    counts = []
    for instrument in (small, large):
        with CaptureQueriesContext(connection) as queries:
            then = instrument_then(instrument.slug, today)
        counts.append(len(queries))
        assert len(then.record.citations.all()) >= 1
    # The record now and then; its timeline, identifiers, relations, citations, their sources;
    # the links to topics and parties and those records; its jurisdiction; the instruments it
    # relates to; the events about it.
    assert counts == [14, 14]


def test_a_jurisdiction_and_its_page_cost_the_same_queries_whatever_its_size(empty):
    def jurisdiction_with(code, size):
        nation = JurisdictionFactory(code=code, kind="national")
        for index in range(size):
            state = JurisdictionFactory(code=f"{code}-S{index}", kind="subnational", parent=nation)
            law = InstrumentFactory(jurisdiction=state, type="binding_law", status="")
            StatusChangeFactory(instrument=law, status="in_effect", date="2024-01-01")
            InstrumentFactory(jurisdiction=nation).parties.add(state)
            ApproachAssessmentFactory(jurisdiction=nation, date=f"202{index}-01-01")
            MembershipFactory(member=nation, bloc=BlocFactory())
            review = CoverageReviewFactory(
                jurisdiction=nation, reviewed_on=datetime.date(2026, 1, 1 + index)
            )
            CitationFactory(instrument=None, coverage_review=review, fields=["law_in_force"])
            EventFactory(host=nation)
            ActorFactory(jurisdiction=nation)
        return nation

    small, large = jurisdiction_with("XU", 1), jurisdiction_with("XV", 8)
    today = datetime.datetime.now(datetime.UTC).date()
    counts = []
    for nation in (small, large):
        with CaptureQueriesContext(connection) as queries:
            then = jurisdiction_then(nation.code, today)
            jurisdiction_instruments_then(then)
            jurisdiction_events_then(then)
            subdivisions = jurisdiction_subdivisions_then(then)
        counts.append(len(queries))
        assert all(item["jurisdiction"].binds_by_law for item in subdivisions)
    assert then.record.subdivisions_binding_by_law == 8
    # The record now and then; sub-national jurisdictions, reviews, assessments, memberships,
    # actors, citations and their sources, blocs; binding laws and their timelines (5);
    # instruments by force (counts, first by title, issuers: 4), events (2), and each
    # sub-national jurisdiction's instruments (2).
    assert counts == [20, 20]


def test_rebuilt_records_read_nothing_but_history(story):
    """Reading everything a page and the API show of a rebuilt record queries no live table:
    nothing of today can slip in."""
    then = instrument_then("xa-ai-act", THIRD)
    instrument = then.record
    read = []
    with CaptureQueriesContext(connection) as queries:
        read.append(instrument.jurisdiction.name)
        for manager in ("topics", "parties", "identifiers", "citations", "events"):
            read += [str(record) for record in getattr(instrument, manager).all()]
        for step in instrument.status_changes.all():
            read.append(step.instrument.title)
            read += [citation.source.title for citation in step.citations.all()]
        for relation in (*instrument.relations_out.all(), *instrument.relations_in.all()):
            read += [relation.from_instrument.title, relation.to_instrument.title]
    assert not queries.captured_queries
    assert "Xanadu Republic" in read


def test_a_jurisdiction_reads_its_approach_memberships_and_laws_then(story):
    second = jurisdiction_then("xa", SECOND)
    xa = second.record
    assert xa.name == "Xanadu"
    assert [step.approach for step in xa.approach_assessments.all()] == ["voluntary"]
    assert (xa.as_of_approach, xa.binds_by_law, xa.binding_laws_in_force) == ("voluntary", False, 0)

    third = jurisdiction_then("XA", THIRD).record
    assert third.name == "Xanadu Republic"
    assert [step.approach for step in third.approach_assessments.all()] == ["binding", "voluntary"]
    assert (third.as_of_approach, third.binds_by_law, third.binding_laws_in_force) == (
        "binding",
        True,
        1,
    )
    assert third.binding_law_since == datetime.date(2025, 3, 15)
    # As of 1 March 2025, by the timeline recorded on 17 March.
    back = jurisdiction_then("XA", THIRD, as_of=datetime.date(2025, 3, 1))
    assert back.record.as_of_approach == "voluntary"
    assert back.record.binds_by_law is False
    # The law is deleted on the fourth day: no law of its own binds AI there by then.
    assert jurisdiction_then("XA", FOURTH).record.binds_by_law is False


def test_binding_laws_agree_with_the_database_on_every_seeded_jurisdiction(seeded):
    today = datetime.datetime.now(datetime.UTC).date()
    live = {
        row.code: (
            row.binds_by_law,
            row.binding_laws_in_force,
            row.binding_law_since,
            row.subdivisions_binding_by_law,
        )
        for row in with_binding_laws(Jurisdiction.objects.all(), today)
    }
    for code, expected in live.items():
        then = jurisdiction_then(code, today).record
        said = (
            then.binds_by_law,
            then.binding_laws_in_force,
            then.binding_law_since,
            then.subdivisions_binding_by_law,
        )
        assert said == expected, code


def test_what_a_jurisdiction_page_lists_then(story):
    then = jurisdiction_then("XA", SECOND)
    groups = jurisdiction_instruments_then(then)
    assert groups["binding"]["own"] == 1
    assert [item.title for item in groups["binding"]["items"]] == ["Artificial Intelligence Act"]
    party = jurisdiction_instruments_then(jurisdiction_then("XB", SECOND))
    assert party["binding"]["party"] == 1
    [item] = party["binding"]["items"]
    assert item.as_party
    assert item.jurisdiction.name == "Xanadu"
    events, count = jurisdiction_events_then(then)
    assert count == 1
    assert events[0].hosted_here
    assert jurisdiction_subdivisions_then(then) == []
    assert jurisdiction_instruments_then(jurisdiction_then("XA", FOURTH))["binding"]["own"] == 0


def test_an_event_and_a_source_then(story):
    event = event_then("xa-summit", SECOND).record
    assert event.host.name == "Xanadu"
    assert [i.title for i in event.instruments.all()] == ["Artificial Intelligence Act"]
    assert event_then("xa-summit", FIRST).record is None
    # The instrument's jurisdiction was renamed on the third day: that day's version says so.
    xa = event_then("xa-summit", THIRD).record
    assert [(i.title, i.jurisdiction.name) for i in xa.instruments.all()] == [
        ("Artificial Intelligence Act", "Xanadu Republic")
    ]
    # Deleted on the fourth, it went from the event's page with its link (deleting a record
    # deletes the links to it, and writes no history row of the event).
    assert list(event_then("xa-summit", FOURTH).record.instruments.all()) == []

    second = source_then("gazette", SECOND)
    assert (second.record.citation_count, second.record.record_count) == (1, 1)
    [citation] = second.extras["citations"]
    assert citation.record.title == "Artificial Intelligence Act"
    assert source_then("gazette", THIRD).record.citation_count == 0


def test_versions_are_the_days_the_record_or_its_rows_changed(story):
    xa = Jurisdiction.objects.get(code="XA")
    assert record_versions(xa) == [THIRD, FIRST]
    assert known_at_url(xa, FIRST) == "/jurisdictions/XA/?known_at=2025-03-03"
    moment = datetime.datetime(2025, 3, 3, 23, 30, tzinfo=datetime.UTC)
    assert known_at_url(xa, moment) == "/jurisdictions/XA/?known_at=2025-03-03"
    with on(THIRD):
        act = InstrumentFactory(slug="xa-second-act", jurisdiction=xa)
    with on(FOURTH):
        change = StatusChangeFactory(instrument=act, status="adopted")
    with on(datetime.date(2025, 3, 31)):
        CitationFactory(instrument=None, status_change=change)
    assert record_versions(act) == [datetime.date(2025, 3, 31), FOURTH, THIRD]
