import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.history import (
    KINDS,
    changes,
    format_cursor,
    latest_changes,
    parse_cursor,
    record_history,
)
from instruments.models import Instrument
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    IdentifierFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    RelationFactory,
    SourceFactory,
    StatusChangeFactory,
    TopicFactory,
)

T0 = datetime.datetime(2025, 8, 8, 10, 0, tzinfo=datetime.UTC)


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


def save_at(instance, minutes):
    """Save `instance` with its history row dated `minutes` after T0."""
    instance._history_date = at(minutes)
    instance.save()
    del instance._history_date


def created_at(factory, minutes, **kwargs):
    instance = factory.build(**kwargs)
    save_at(instance, minutes)
    return instance


def of(entries, kind):
    return [entry for entry in entries if entry.kind == kind]


def test_create_change_and_delete_of_an_instrument(empty):
    jurisdiction = created_at(JurisdictionFactory, 0, code="XA", name="Xanadu")
    instrument = created_at(
        InstrumentFactory, 1, slug="xa-ai-act", title="AI Act", jurisdiction=jurisdiction
    )
    instrument.status = "in_effect"
    instrument.effective_on = datetime.date(2026, 1, 22)
    instrument.effective_on_precision = "day"
    save_at(instrument, 2)
    instrument._history_date = at(3)
    instrument.delete()

    entries = of(changes(), "instrument")
    assert [entry.action for entry in entries] == ["created", "changed", "deleted"]
    created, changed, deleted = entries
    assert {entry.key for entry in entries} == {"xa-ai-act"}
    assert created.natural_key == ("xa-ai-act",)
    assert created.title == "AI Act"
    assert created.time == at(1)
    assert created.changed_fields == ()
    # Named in the model's field order; the timestamps every save moves are left out.
    assert changed.changed_fields == ("status", "effective_on", "effective_on_precision")
    assert changed.changed_labels == ("Status", "Effective on", "Effective on precision")
    assert deleted.changed_fields == ()
    # The instrument's page is gone; the history still names it.
    assert [entry.url for entry in entries] == [None, None, None]
    assert deleted.title == "AI Act"


def test_entries_link_to_the_page_of_the_record_or_its_parent(empty):
    instrument = InstrumentFactory(slug="xa-ai-act", jurisdiction=JurisdictionFactory(code="XA"))
    step = StatusChangeFactory(instrument=instrument, status="in_effect")
    citation = CitationFactory(
        instrument=None, status_change=step, source=SourceFactory(slug="src"), quote="Q/uote"
    )
    membership = MembershipFactory(member=instrument.jurisdiction, bloc__code="BLOCX")
    EventFactory(slug="summit")
    TopicFactory(slug="licensing")

    everything = changes()
    entries = {entry.kind: entry for entry in everything}
    assert entries["instrument"].url == "/instruments/xa-ai-act/"
    jurisdictions = {entry.key: entry for entry in of(everything, "jurisdiction")}
    assert jurisdictions["XA"].url == "/jurisdictions/XA/"
    assert jurisdictions["XA"].title == f"{instrument.jurisdiction.name} (XA)"
    assert entries["status_change"].key == "xa-ai-act/in_effect/2024-05-21"
    assert entries["status_change"].natural_key == step.natural_key()
    assert entries["status_change"].title == f"{instrument.title}: In effect (21 May 2024)"
    # A timeline step is shown on its parent's page, in the section that lists the timeline.
    assert entries["status_change"].url == "/instruments/xa-ai-act/#status-timeline"
    assert entries["citation"].key == "src/status_change/xa-ai-act/in_effect/2024-05-21/Q/uote"
    assert entries["citation"].url == "/instruments/xa-ai-act/#status-timeline"
    assert entries["citation"].natural_key == (
        "src",
        "status_change",
        *step.natural_key(),
        "Q/uote",
    )
    assert citation.natural_key()[0] == "src"
    assert entries["membership"].key == f"XA/BLOCX/member/{membership.started_on.isoformat()}"
    assert entries["membership"].url == "/jurisdictions/XA/#memberships"
    assert entries["event"].url == "/events/summit/"
    assert entries["source"].url == "/sources/src/"
    assert entries["topic"].url == "/instruments/?topic=licensing"


def test_a_child_of_a_deleted_parent_keeps_the_parents_key(empty):
    identifier = IdentifierFactory(instrument__slug="gone-act", value="Law No. 1")
    identifier.instrument.delete()  # takes the identifier with it

    entries = of(changes(), "instrument_identifier")
    assert [entry.action for entry in entries] == ["created", "deleted"]
    assert {entry.key for entry in entries} == {"gone-act/law_number/Law No. 1"}
    assert {entry.url for entry in entries} == {None}


def test_many_to_many_changes_are_named(empty):
    instrument = InstrumentFactory()
    instrument.topics.add(TopicFactory())
    instrument.parties.add(JurisdictionFactory())

    entries = of(changes(), "instrument")
    assert [entry.changed_fields for entry in entries] == [(), ("topics",), ("parties",)]


def test_a_save_that_changes_nothing_is_a_change_without_fields(empty):
    instrument = InstrumentFactory()
    instrument.save()
    assert [entry.changed_fields for entry in of(changes(), "instrument")] == [(), ()]


def test_the_editor_is_recorded(empty):
    editor = get_user_model().objects.create_user("editor")
    instrument = InstrumentFactory.build(jurisdiction=JurisdictionFactory())
    instrument._history_user = editor
    instrument.save()
    (entry,) = of(changes(), "instrument")
    assert entry.user == "editor"
    assert of(changes(), "jurisdiction")[0].user is None


def test_entries_are_ordered_by_time_then_kind_then_id(empty):
    jurisdiction = created_at(JurisdictionFactory, 5)
    first = created_at(InstrumentFactory, 1, jurisdiction=jurisdiction)
    second = created_at(InstrumentFactory, 1, jurisdiction=jurisdiction)
    source = created_at(SourceFactory, 1)
    event = created_at(EventFactory, 0, host=jurisdiction)

    entries = changes()
    assert [(entry.kind, entry.key) for entry in entries] == [
        ("event", event.slug),
        ("instrument", first.slug),
        ("instrument", second.slug),
        ("source", source.slug),
        ("jurisdiction", jurisdiction.code),
    ]
    assert entries == sorted(entries, key=lambda entry: entry.cursor)
    newest = latest_changes(limit=3)
    assert [entry.key for entry in newest] == [jurisdiction.code, source.slug, second.slug]


def test_a_cursor_resumes_exactly_after_the_last_entry_seen(empty):
    jurisdiction = created_at(JurisdictionFactory, 0)
    for minutes in (1, 1, 1, 2, 3):
        created_at(InstrumentFactory, minutes, jurisdiction=jurisdiction)
    created_at(SourceFactory, 1)
    created_at(EventFactory, 1, host=jurisdiction)
    everything = changes()
    assert len(everything) == 8

    pages, after = [], None
    while True:
        page = changes(after=after, limit=3)
        if not page:
            break
        pages.append(page)
        after = page[-1].cursor
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [entry for page in pages for entry in page] == everything

    # A cursor survives a trip through a URL.
    cursor = everything[3].cursor
    assert parse_cursor(format_cursor(cursor)) == cursor
    assert changes(after=parse_cursor(format_cursor(cursor))) == everything[4:]


@pytest.mark.parametrize("text", ["", "nonsense", "2025-08-08T10:00:00.000000Z~planet~1", None])
def test_a_bad_cursor_is_refused(text):
    with pytest.raises(ValueError, match="cursor"):
        parse_cursor(text)


def test_since_and_until_bound_the_entries(empty):
    jurisdiction = created_at(JurisdictionFactory, 0)
    for minutes in (1, 2, 3, 4):
        created_at(InstrumentFactory, minutes, jurisdiction=jurisdiction)

    assert [entry.time for entry in changes(since=at(2))] == [at(2), at(3), at(4)]
    assert [entry.time for entry in changes(since=at(2), until=at(4))] == [at(2), at(3)]
    # A naive time is read as UTC.
    naive = at(3).replace(tzinfo=None)
    assert [entry.time for entry in changes(since=naive)] == [at(3), at(4)]
    assert changes(since=at(5)) == []


def test_limit_must_be_positive(empty):
    with pytest.raises(ValueError, match="limit"):
        changes(limit=0)


def make_records(count):
    """`count` of every kind of record, each created, changed once, and some deleted."""
    for n in range(count):
        instrument = InstrumentFactory()
        instrument.title += " (amended)"
        instrument.save()
        instrument.topics.add(TopicFactory())
        StatusChangeFactory(instrument=instrument)
        IdentifierFactory(instrument=instrument)
        RelationFactory(from_instrument=instrument, to_instrument=InstrumentFactory())
        CitationFactory(instrument=instrument)
        event = EventFactory(host=instrument.jurisdiction)
        event.participants.add(JurisdictionFactory())
        MembershipFactory(member=instrument.jurisdiction)
        if n % 2:
            InstrumentFactory().delete()


def count_queries(function):
    with CaptureQueriesContext(connection) as context:
        result = function()
    return len(context.captured_queries), result


def test_query_count_does_not_grow_with_the_entries(empty):
    make_records(2)
    few_queries, few = count_queries(lambda: changes(limit=1000))
    latest_few_queries, _ = count_queries(lambda: latest_changes(limit=1000))
    make_records(8)
    many_queries, many = count_queries(lambda: changes(limit=1000))
    latest_many_queries, _ = count_queries(lambda: latest_changes(limit=1000))
    assert len(many) > 3 * len(few)
    assert many_queries == few_queries
    assert latest_many_queries == latest_few_queries
    # One per history table, at most: previous rows of each, the tracked many-to-many fields,
    # and the parents of each kind (live rows, then deleted ones).
    assert few_queries <= len(KINDS) * 3 + 6


def test_every_kind_is_read_from_the_seed(seeded):
    entries = changes(limit=10_000)
    assert {entry.kind for entry in entries} == set(KINDS)
    # The seed writes one history entry per record.
    keys = [(entry.kind, entry.key) for entry in entries if entry.action == "created"]
    assert len(keys) == len(set(keys))
    article = "us-asia-ai-governance-2025-08-08"
    assert any(entry.key == article and entry.kind == "source" for entry in entries)


def test_record_history_lists_one_records_changes_newest_first(empty, django_assert_num_queries):
    instrument = created_at(
        InstrumentFactory, 0, title="Old title", jurisdiction=JurisdictionFactory()
    )
    other = created_at(InstrumentFactory, 1, jurisdiction=instrument.jurisdiction)
    instrument.title = "New title"
    save_at(instrument, 2)
    instrument.status = "in_effect"
    save_at(instrument, 3)
    save_at(other, 4)

    # Its history rows, then one query per tracked many-to-many field (parties, topics), and
    # one for the jurisdiction its `jurisdiction` field names.
    with django_assert_num_queries(4):
        entries = record_history(instrument)
    assert [(entry.action, entry.changed_fields) for entry in entries] == [
        ("changed", ("status",)),
        ("changed", ("title",)),
        ("created", ()),
    ]
    assert entries[0].title == "New title"
    assert entries[-1].title == "Old title"
    assert {entry.url for entry in entries} == {f"/instruments/{instrument.slug}/"}

    # The oldest shown is still compared with the row before it.
    assert [entry.changed_fields for entry in record_history(instrument, limit=2)] == [
        ("status",),
        ("title",),
    ]


def test_record_history_of_a_record_without_many_to_many_fields_is_one_query(
    empty, django_assert_num_queries
):
    jurisdiction = JurisdictionFactory()
    jurisdiction.name = "Renamed"
    jurisdiction.save()
    with django_assert_num_queries(1):
        entries = record_history(jurisdiction)
    assert [entry.changed_fields for entry in entries] == [("name",), ()]


def test_record_history_of_a_seeded_instrument(seeded):
    instrument = Instrument.objects.get(slug="cn-interim-measures-generative-ai")
    (entry,) = record_history(instrument)
    assert entry.action == "created"
    assert entry.key == instrument.slug


@pytest.mark.parametrize(
    "history_id", ["-1", "+1", "1_0", " 1", "\u0663", "99999999999999999999", ""]
)
def test_a_cursor_holds_a_plain_history_id(history_id):
    with pytest.raises(ValueError, match="cursor"):
        parse_cursor(f"2025-08-08T10:00:00.000000Z~instrument~{history_id}")


def test_entries_name_the_record_the_api_shows_them_in(empty):
    instrument = InstrumentFactory(slug="xa-ai-act", jurisdiction=JurisdictionFactory(code="XA"))
    step = StatusChangeFactory(instrument=instrument, status="in_effect")
    CitationFactory(
        instrument=None, status_change=step, source=SourceFactory(slug="src"), quote="Quote"
    )
    MembershipFactory(member=instrument.jurisdiction, bloc__code="BLOCX")
    RelationFactory(from_instrument=instrument, to_instrument__slug="other-act")
    ActorFactory(slug="minister", jurisdiction=instrument.jurisdiction)
    ActorFactory(slug="gone", jurisdiction=instrument.jurisdiction).delete()
    TopicFactory(slug="licensing")

    resources = {(entry.kind, entry.key, entry.action): entry.resource for entry in changes()}
    assert resources[("instrument", "xa-ai-act", "created")] == ("instrument", "xa-ai-act")
    assert resources[("jurisdiction", "XA", "created")] == ("jurisdiction", "XA")
    assert resources[("status_change", "xa-ai-act/in_effect/2024-05-21", "created")] == (
        "instrument",
        "xa-ai-act",
    )
    citation = "src/status_change/xa-ai-act/in_effect/2024-05-21/Quote"
    assert resources[("citation", citation, "created")] == ("instrument", "xa-ai-act")
    membership = next(key for kind, key, _ in resources if kind == "membership")
    assert resources[("membership", membership, "created")] == ("jurisdiction", "XA")
    assert resources[("instrument_relation", "xa-ai-act/other-act/amends", "created")] == (
        "instrument",
        "xa-ai-act",
    )
    assert resources[("actor", "minister", "created")] == ("actor", "minister")
    # An actor's page is its jurisdiction's, which still exists; the actor does not.
    assert resources[("actor", "gone", "deleted")] is None
    assert resources[("topic", "licensing", "created")] == ("topic", "licensing")
    assert resources[("source", "src", "created")] == ("source", "src")


def test_an_entry_names_the_record_at_its_current_key_and_none_once_gone(empty):
    instrument = InstrumentFactory(slug="old-slug")
    step = StatusChangeFactory(instrument=instrument)
    instrument.slug = "new-slug"
    instrument.save()

    entries = changes()
    assert {entry.resource for entry in of(entries, "instrument")} == {("instrument", "new-slug")}
    assert of(entries, "status_change")[0].resource == ("instrument", "new-slug")

    instrument.delete()
    entries = changes()
    assert {entry.resource for entry in of(entries, "instrument")} == {None}
    assert {entry.resource for entry in of(entries, "status_change")} == {None}
    assert step.natural_key()[0] == "new-slug"


def test_a_change_of_key_names_the_key_before(empty):
    jurisdiction = JurisdictionFactory(code="XA")
    instrument = InstrumentFactory(slug="old-slug", jurisdiction=jurisdiction)
    StatusChangeFactory(instrument=instrument)
    instrument.title = "Retitled"
    instrument.save()
    instrument.slug = "new-slug"
    instrument.save()
    jurisdiction.code = "XB"
    jurisdiction.save()

    assert [(entry.key, entry.previous_key) for entry in of(changes(), "instrument")] == [
        ("old-slug", None),
        ("old-slug", None),
        ("new-slug", "old-slug"),
    ]
    assert [(entry.key, entry.previous_key) for entry in of(changes(), "jurisdiction")] == [
        ("XA", None),
        ("XB", "XA"),
    ]
    # A child's key is built from its parent's current key: renaming the parent renames no
    # child entry.
    (step,) = of(changes(), "status_change")
    assert (step.key.split("/")[0], step.previous_key) == ("new-slug", None)


def test_kinds_keeps_the_entries_of_those_kinds_only(empty):
    jurisdiction = created_at(JurisdictionFactory, 0)
    for minutes in (1, 2, 3):
        created_at(InstrumentFactory, minutes, jurisdiction=jurisdiction)
        created_at(SourceFactory, minutes)
    everything = changes()

    sources = changes(kinds=["source"])
    assert sources == of(everything, "source")
    assert changes(kinds=("source", "jurisdiction")) == [
        entry for entry in everything if entry.kind in {"source", "jurisdiction"}
    ]
    # A cursor marks the same place whatever the kinds asked.
    assert changes(after=everything[2].cursor, kinds=["source"]) == [
        entry for entry in everything[3:] if entry.kind == "source"
    ]
    # Only their history tables are read.
    queries, _ = count_queries(lambda: changes(kinds=["source"]))
    assert queries == 2  # the history rows, then the sources they refer to
    with pytest.raises(ValueError, match="kinds"):
        changes(kinds=["planet"])
