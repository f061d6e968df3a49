"""The change feed of the API (`/api/v1/changes/`): a client keeps a copy in sync with it."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from instruments.history import KINDS, changes, format_cursor
from instruments.models import Instrument
from policytracker.api.changes import ChangeViewSet
from tests.factories import (
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
    StatusChangeFactory,
    TopicFactory,
)
from tests.helpers.api import (
    all_rows,
    assert_bad_parameter,
    count_queries,
    csv_table,
    expected_cells,
    get_json,
)

CHANGES = reverse("api:change-list")
INSTRUMENTS = reverse("api:instrument-list")

ENTRY_FIELDS = [
    "time",
    "kind",
    "key",
    "action",
    "changed_fields",
    "fields",
    "previous_key",
    "natural_key",
    "title",
    "resource_kind",
    "resource_key",
    "url",
    "html_url",
    "cursor",
]

T0 = datetime.datetime(2025, 8, 8, 10, 0, tzinfo=datetime.UTC)


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


def save_at(instance, minutes):
    """Save `instance` with its history row dated `minutes` after T0."""
    instance._history_date = at(minutes)
    instance.save()
    del instance._history_date
    return instance


def stamp(value):
    return value.isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def no_settling(settings):
    """Serve changes the moment they are made (the settling delay has its own test)."""
    settings.CHANGES_SETTLE_SECONDS = 0


def feed(client, url=CHANGES, **params):
    data = get_json(client, url, **params)
    assert list(data) == ["next", "cursor", "has_more", "results"]
    return data


def read_all(client, url=CHANGES, **params):
    """Every entry from `url` on, following `next` while `has_more`; and the last answer."""
    entries = []
    data = feed(client, url, **params)
    entries += data["results"]
    while data["has_more"]:
        data = feed(client, data["next"])
        entries += data["results"]
    return entries, data


def api_detail(kind, key):
    """The absolute address of a record in the API, or None while the API has no detail
    route for its kind."""
    try:
        return "http://testserver" + reverse(f"api:{kind}-detail", args=[key])
    except NoReverseMatch:
        return None


# -- a client's copy ---------------------------------------------------------------------------


class InstrumentsCopy:
    """What a client keeps: every instrument as the API shows it, by slug, and where to ask
    next. It applies the entries the way the view's docstring tells clients to."""

    def __init__(self, client):
        self.client = client
        self.records = {}
        self.next = CHANGES
        self.seen = []

    def sync(self):
        while True:
            # A page size that splits the seed's entries unevenly; `next` keeps it.
            params = {"page_size": 37} if self.next == CHANGES else {}
            data = feed(self.client, self.next, **params)
            self.apply(data["results"])
            self.next = data["next"]
            assert data["cursor"] in self.next.replace("%3A", ":")
            if not data["has_more"]:
                return

    def apply(self, entries):
        stale = {}
        for entry in entries:
            self.seen.append(entry)
            if entry["kind"] == "instrument" and entry["action"] == "deleted":
                self.records.pop(entry["key"], None)
                stale.pop(entry["key"], None)
            if entry["kind"] == "instrument" and entry["previous_key"]:
                self.records.pop(entry["previous_key"], None)
                stale.pop(entry["previous_key"], None)
            if entry["resource_kind"] == "instrument":
                assert entry["url"] == api_detail("instrument", entry["resource_key"])
                stale[entry["resource_key"]] = entry["url"]
            if entry["kind"] == "instrument_relation" and entry["action"] != "deleted":
                # The other instrument lists the relation too.
                other = entry["natural_key"][1]
                stale.setdefault(other, api_detail("instrument", other))
        self.refresh(stale)

    def refresh(self, stale):
        """Fetch the records named in one answer: by their `url` where the API has one, else
        from the list, once for all of them."""
        if not stale:
            return
        listed = None
        for slug, url in stale.items():
            if url:
                response = self.client.get(url)
                if response.status_code == 404:
                    continue  # deleted since: a later entry says so
                assert response.status_code == 200, response.content
                record = response.json()
            else:
                if listed is None:
                    listed = {row["slug"]: row for row in all_rows(self.client, INSTRUMENTS)}
                record = listed.get(slug)
                if record is None:
                    continue
            self.records[record["slug"]] = record


def server_instruments(client):
    """Every instrument as the server shows it now, the way the copy fetches them."""
    slugs = [row["slug"] for row in all_rows(client, INSTRUMENTS)]
    if api_detail("instrument", "x") is None:
        return {row["slug"]: row for row in all_rows(client, INSTRUMENTS)}
    return {slug: get_json(client, api_detail("instrument", slug)) for slug in slugs}


def test_a_copy_kept_by_the_feed_equals_the_server_across_create_update_and_delete(seeded, client):
    copy = InstrumentsCopy(client)
    copy.sync()
    assert copy.records == server_instruments(client)
    assert len(copy.records) == Instrument.objects.count()
    assert {entry["kind"] for entry in copy.seen} == set(KINDS)

    seed = list(Instrument.objects.order_by("slug"))
    created = InstrumentFactory(
        slug="xa-new-act", title="New act", jurisdiction=seed[0].jurisdiction
    )
    created.topics.add(TopicFactory())
    updated = seed[1]
    updated.title = "A new title"
    updated.save()
    gone = seed[2]
    gone.delete()  # with its status changes, relations and citations
    renamed = seed[3]
    old_slug = renamed.slug
    renamed.slug = "renamed-act"
    renamed.save()
    # A child record changes its parent's representation only.
    CitationFactory(instrument=seed[4], source=SourceFactory(), quote="A new quote.")

    before = len(copy.seen)
    copy.sync()
    new = copy.seen[before:]
    instruments = [entry for entry in new if entry["kind"] == "instrument"]
    assert [
        (entry["key"], entry["action"], entry["changed_fields"], entry["previous_key"])
        for entry in instruments
    ] == [
        ("xa-new-act", "created", [], None),
        ("xa-new-act", "changed", ["topics"], None),
        (updated.slug, "changed", ["title"], None),
        (gone.slug, "deleted", [], None),
        ("renamed-act", "changed", ["slug"], old_slug),
    ]
    # Its children went with it, each with an entry of its own.
    children = [entry for entry in new if entry["natural_key"][0] == gone.slug]
    assert children
    assert {entry["action"] for entry in children} == {"deleted"}

    assert copy.records == server_instruments(client)
    assert copy.records["xa-new-act"]["topics"]
    assert copy.records[updated.slug]["title"] == "A new title"
    assert gone.slug not in copy.records
    assert old_slug not in copy.records
    quotes = [citation["quote"] for citation in copy.records[seed[4].slug]["citations"]]
    assert "A new quote." in quotes

    # Caught up: asking `next` again gives nothing new, and keeps the place.
    data = feed(client, copy.next)
    assert data["results"] == []
    assert data["has_more"] is False
    assert data["next"] == copy.next


# -- order and cursor --------------------------------------------------------------------------


@pytest.fixture
def same_instants(empty):
    """Records created at few distinct instants, several kinds at each."""
    jurisdiction = save_at(JurisdictionFactory.build(code="XA"), 0)
    for minutes in (1, 1, 1, 2, 2, 3):
        save_at(InstrumentFactory.build(jurisdiction=jurisdiction), minutes)
    save_at(SourceFactory.build(), 1)
    save_at(EventFactory.build(host=jurisdiction), 1)
    save_at(TopicFactory.build(), 2)
    return changes(limit=100)


def test_entries_come_oldest_first_then_by_kind(same_instants, client):
    entries = feed(client, page_size=200)["results"]
    assert [(entry["kind"], entry["key"]) for entry in entries] == [
        (change.kind, change.key) for change in same_instants
    ]
    assert [entry["time"] for entry in entries] == sorted(entry["time"] for entry in entries)
    assert entries[1]["time"] == entries[2]["time"] == stamp(at(1))
    assert [entry["kind"] for entry in entries[1:6]] == [
        "event",
        "instrument",
        "instrument",
        "instrument",
        "source",
    ]
    assert [entry["cursor"] for entry in entries] == [
        format_cursor(change.cursor) for change in same_instants
    ]


@pytest.mark.parametrize("page_size", [1, 2, 3, 4])
def test_following_next_reads_every_entry_once(same_instants, client, page_size):
    entries, last = read_all(client, page_size=page_size)
    everything = feed(client, page_size=200)["results"]
    assert len(everything) == len(same_instants) == 10
    assert entries == everything
    assert last["has_more"] is False
    assert last["cursor"] == everything[-1]["cursor"]


def test_an_entrys_cursor_resumes_right_after_it(same_instants, client):
    everything = feed(client, page_size=200)["results"]
    for n in (0, 2, 3, 9):
        rest = feed(client, cursor=everything[n]["cursor"], page_size=200)["results"]
        assert rest == everything[n + 1 :]


def test_an_answer_names_its_cursor_and_the_query_to_ask_next(same_instants, client):
    data = feed(client, page_size=3, kind="instrument")
    assert data["has_more"] is True
    assert data["cursor"] == data["results"][-1]["cursor"]
    assert data["next"].startswith("http://testserver/api/v1/changes/?")
    # `next` keeps the other parameters.
    again = feed(client, data["next"])
    assert [entry["kind"] for entry in again["results"]] == ["instrument"] * 3
    assert again["results"][0]["time"] >= data["results"][-1]["time"]


def test_a_client_that_is_up_to_date_polls_next_and_gets_each_new_change_once(
    same_instants, client
):
    entries, last = read_all(client, page_size=4)
    empty_answer = feed(client, last["next"])
    assert empty_answer == {**last, "results": [], "has_more": False}

    instrument = Instrument.objects.get(slug=entries[2]["key"])
    instrument.title = "Retitled"
    instrument.save()
    data = feed(client, last["next"])
    assert [
        (entry["key"], entry["action"], entry["changed_fields"]) for entry in data["results"]
    ] == [(instrument.slug, "changed", ["title"])]
    assert feed(client, data["next"])["results"] == []


def test_with_no_change_at_all_next_asks_the_same_again(empty, client):
    data = feed(client, since="2025-08-08T00:00:00Z")
    assert data == {
        "next": "http://testserver/api/v1/changes/?since=2025-08-08T00%3A00%3A00Z",
        "cursor": None,
        "has_more": False,
        "results": [],
    }
    assert feed(client)["next"] == "http://testserver/api/v1/changes/"


# -- parameters --------------------------------------------------------------------------------


def test_since_starts_at_that_time(same_instants, client):
    times = [entry["time"] for entry in feed(client, since="2025-08-08T10:02:00Z")["results"]]
    assert times == [stamp(at(2))] * 3 + [stamp(at(3))]
    # Without an offset it is UTC; with one it is converted.
    assert (
        feed(client, since="2025-08-08T10:02:00")["results"]
        == feed(client, since="2025-08-08T10:02:00Z")["results"]
    )
    assert (
        feed(client, since="2025-08-08T12:02:00+02:00")["results"]
        == feed(client, since="2025-08-08T10:02:00Z")["results"]
    )
    assert feed(client, since="2025-08-08T10:04:00Z")["results"] == []


def test_since_and_cursor_together_both_apply(same_instants, client):
    everything = feed(client, page_size=200)["results"]
    after_first = feed(client, since=stamp(at(2)), cursor=everything[0]["cursor"])["results"]
    assert after_first == everything[6:]
    assert (
        feed(client, since=stamp(at(1)), cursor=everything[7]["cursor"])["results"]
        == (everything[8:])
    )


def test_kind_keeps_the_entries_of_those_kinds(same_instants, client):
    data = feed(client, kind=["source", "topic"])
    assert [entry["kind"] for entry in data["results"]] == ["source", "topic"]
    assert feed(client, kind="jurisdiction")["results"][0]["key"] == "XA"


@pytest.mark.parametrize(("size", "returned"), [("1", 1), ("10", 10), ("200", 10)])
@pytest.mark.parametrize("name", ["page_size", "limit"])
def test_page_size_or_limit_bounds_the_answer(same_instants, client, name, size, returned):
    data = feed(client, **{name: size})
    assert len(data["results"]) == returned
    assert data["has_more"] is (returned < 10)


def test_the_default_page_size_is_that_of_every_list(seeded, client):
    assert len(feed(client)["results"]) == 50


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("since=yesterday", "since"),
        ("since=2025-13-01T00:00:00Z", "since"),
        ("since=2025-08-08T10:00:00+02:00", "since"),  # the + arrives as a space
        ("since=0001-01-01T00:00:00%2B05:00", "since"),  # before the first instant in UTC
        ("since=9999-12-31T23:59:59-05:00", "since"),  # after the last
        ("cursor=abc", "cursor"),
        ("cursor=2025-08-08T10:00:00.000000Z~planet~1", "cursor"),
        ("cursor=2025-08-08T10:00:00.000000Z~instrument~-1", "cursor"),
        ("cursor=2025-08-08T10:00:00.000000Z~instrument~99999999999999999999", "cursor"),
        ("cursor=2025-08-08T10:00:00Z~instrument~1", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=x", "page_size"),
        ("limit=-1", "limit"),
        ("limit=%C2%B2", "limit"),
        ("limit=5&page_size=5", "limit"),
        ("kind=planet", "kind"),
        ("kind=instrument&kind=Instrument", "kind"),
        ("page=2", "page"),
        ("updated_since=2025-08-08", "updated_since"),
        ("sinse=2025-08-08", "sinse"),
        ("kinds=instrument", "kinds"),
        ("curser=abc", "curser"),
        ("since=x&format=csv", "since"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(empty, client, query, parameter):
    assert_bad_parameter(client, CHANGES, query, parameter)


def test_a_bad_kind_is_told_the_allowed_values(empty, client):
    response = client.get(CHANGES, {"kind": "planet"})
    (message,) = response.json()["errors"]["kind"]
    assert message == f"“planet” is not allowed. Allowed values: {', '.join(KINDS)}."


def test_every_bad_parameter_is_named_at_once(empty, client):
    response = client.get(CHANGES, {"since": "x", "cursor": "y", "limit": "0"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"since", "cursor", "limit"}


def test_empty_and_unrelated_parameters_are_ignored(same_instants, client):
    everything = feed(client)["results"]
    assert feed(client, since="", cursor="", kind="", _="12345")["results"] == everything


# -- entries -----------------------------------------------------------------------------------


def test_an_entry_says_what_happened_to_which_record_and_where_it_is_shown(empty, client):
    instrument = save_at(
        InstrumentFactory.build(
            slug="xa-act", jurisdiction=save_at(JurisdictionFactory.build(code="XA"), 0)
        ),
        1,
    )
    step = save_at(StatusChangeFactory.build(instrument=instrument, status="in_effect"), 2)
    before_title = instrument.title
    instrument.title = "Retitled"
    save_at(instrument, 3)
    gone = save_at(InstrumentFactory.build(slug="xa-gone", jurisdiction=instrument.jurisdiction), 4)
    gone.delete()

    entries = feed(client)["results"]
    assert all(list(entry) == ENTRY_FIELDS for entry in entries)
    by_kind_and_action = {
        (entry["kind"], entry["action"], entry["key"]): entry for entry in entries
    }
    changed = by_kind_and_action[("instrument", "changed", "xa-act")]
    assert changed == {
        "time": stamp(at(3)),
        "kind": "instrument",
        "key": "xa-act",
        "action": "changed",
        "changed_fields": ["title"],
        "fields": [
            {
                "name": "title",
                "label": "Title",
                "old": before_title,
                "new": "Retitled",
                "old_label": None,
                "new_label": None,
                "refers_to": None,
            }
        ],
        "previous_key": None,
        "natural_key": ["xa-act"],
        "title": "Retitled",
        "resource_kind": "instrument",
        "resource_key": "xa-act",
        "url": api_detail("instrument", "xa-act"),
        "html_url": "http://testserver/instruments/xa-act/",
        "cursor": format_cursor((at(3), "instrument", instrument.history.latest().history_id)),
    }
    # A child is shown in its parent.
    child = by_kind_and_action[("status_change", "created", "xa-act/in_effect/2024-05-21")]
    assert child["natural_key"] == list(step.natural_key())
    assert (child["resource_kind"], child["resource_key"]) == ("instrument", "xa-act")
    assert child["url"] == api_detail("instrument", "xa-act")
    assert child["html_url"] == "http://testserver/instruments/xa-act/#status-timeline"
    # A created record's entry carries every field it was created with.
    created = {field["name"]: field for field in child["fields"]}
    assert created["status"] == {
        "name": "status",
        "label": "Status",
        "old": None,
        "new": "in_effect",
        "old_label": None,
        "new_label": "In effect",
        "refers_to": None,
    }
    assert created["instrument"]["new"] == "xa-act"
    assert created["instrument"]["refers_to"] == "instrument"
    # A deleted record is nowhere any more.
    for action in ("created", "deleted"):
        entry = by_kind_and_action[("instrument", action, "xa-gone")]
        assert (entry["resource_kind"], entry["resource_key"]) == (None, None)
        assert (entry["url"], entry["html_url"]) == (None, None)


def test_a_renamed_record_names_its_old_key(empty, client):
    instrument = InstrumentFactory(slug="old-slug")
    instrument.slug = "new-slug"
    instrument.save()
    created, renamed = feed(client, kind="instrument")["results"]
    assert (created["key"], created["previous_key"]) == ("old-slug", None)
    assert (renamed["key"], renamed["previous_key"]) == ("new-slug", "old-slug")
    # Both lead to the record as it is now.
    assert created["resource_key"] == renamed["resource_key"] == "new-slug"
    assert created["html_url"] == "http://testserver/instruments/new-slug/"


# -- settling ----------------------------------------------------------------------------------


def test_changes_younger_than_the_settling_delay_are_held_back(empty, client, settings):
    settings.CHANGES_SETTLE_SECONDS = 60
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=2)
    source = SourceFactory.build()
    source._history_date = old
    source.save()
    SourceFactory()  # just now

    data = feed(client)
    assert [entry["key"] for entry in data["results"]] == [source.slug]
    assert data["has_more"] is False
    # The cursor stays before the held-back change, which a later poll reads.
    settings.CHANGES_SETTLE_SECONDS = 0
    assert len(feed(client, data["next"])["results"]) == 1


# -- cost, CSV, the root -----------------------------------------------------------------------


def make_instruments(count):
    """`count` instruments, each created, retitled and, every other one, deleted."""
    jurisdiction = save_at(JurisdictionFactory.build(), 0)
    minutes = 1
    for n in range(count):
        instrument = save_at(InstrumentFactory.build(jurisdiction=jurisdiction), minutes)
        instrument.title += " (amended)"
        save_at(instrument, minutes + 1)
        if n % 2 == 0:
            instrument._history_date = at(minutes + 2)
            instrument.delete()
        minutes += 3


def test_query_count_does_not_depend_on_the_page_size(empty, client):
    make_instruments(12)
    since = stamp(at(1))  # after the jurisdiction
    few = count_queries(client, CHANGES, since=since, page_size=4)
    many = count_queries(client, CHANGES, since=since, page_size=200)
    assert len(feed(client, since=since, page_size=4)["results"]) == 4
    assert len(feed(client, since=since, page_size=200)["results"]) == 30
    assert few == many
    # One per history table; the rows before the changed ones; the instruments' two
    # many-to-many fields; the instruments still there, and the last rows of those gone; the
    # jurisdictions their `jurisdiction` field names.
    assert many == len(KINDS) + 6


def test_csv_has_every_entry_from_the_position_with_the_json_columns(
    same_instants, client, monkeypatch
):
    # Read in chunks smaller than the feed, to cross their boundaries.
    monkeypatch.setattr(ChangeViewSet, "csv_chunk_size", 3)
    everything = feed(client, page_size=200)["results"]
    header, rows = csv_table(client.get(CHANGES, {"format": "csv", "page_size": 2}))
    assert header == ENTRY_FIELDS
    assert [dict(zip(header, row, strict=True)) for row in rows] == [
        dict(zip(header, expected_cells(entry, header), strict=True)) for entry in everything
    ]
    response = client.get(CHANGES, {"format": "csv", "cursor": everything[4]["cursor"]})
    assert response["Content-Disposition"] == 'attachment; filename="changes.csv"'
    _, rest = csv_table(response)
    assert [row[-1] for row in rest] == [entry["cursor"] for entry in everything[5:]]


def test_the_feed_is_in_the_api_root_and_browsable(empty, client):
    assert (
        get_json(client, reverse("api:api-root"))["changes"] == "http://testserver/api/v1/changes/"
    )
    response = client.get(CHANGES, {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
