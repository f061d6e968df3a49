"""`known_at` at a record's address in the API: the record as the tracker stated it on a day."""

import datetime
from email.utils import parsedate_to_datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Event, Instrument, Source
from jurisdictions.models import Jurisdiction
from tests.factories import (
    CitationFactory,
    InstrumentFactory,
    RelationFactory,
    StatusChangeFactory,
    TopicFactory,
)
from tests.helpers.known_at import BEFORE, FIRST, FOURTH, SECOND, THIRD, on, tell_story
from tests.helpers.schema import parameters_of, resolve


@pytest.fixture
def story(empty):
    return tell_story()


def record(client, name, key, **query):
    return client.get(reverse(f"api:{name}-detail", args=[key]), query)


def test_an_instrument_reads_as_it_stood_at_the_end_of_each_day(story, client):
    first = record(client, "instrument", "xa-ai-act", known_at=FIRST.isoformat()).json()
    assert first["title"] == "AI Act"
    assert (first["status"], first["status_since"]) == ("adopted", "2025-01-15")
    assert first["topics"] == ["licensing"]
    assert first["parties"] == []
    assert first["citations"] == []
    assert first["identifiers"] == [
        {
            "scheme": "law_number",
            "scheme_label": "Official law or act number",
            "value": "Law No. 1/2025",
        }
    ]
    assert first["jurisdiction"] == {"code": "XA", "name": "Xanadu"}
    assert first["as_of"] is None

    second = record(client, "instrument", "xa-ai-act", known_at=SECOND.isoformat()).json()
    assert second["title"] == "Artificial Intelligence Act"
    assert second["topics"] == ["licensing", "sandboxes"]
    assert second["parties"] == ["XB"]
    assert second["citations"] == [
        {"source": "Official Gazette", "quote": "The Act was adopted.", "locator": ""}
    ]
    assert second["events"] == ["xa-summit"]

    third = record(client, "instrument", "xa-ai-act", known_at=THIRD.isoformat()).json()
    assert [(step["status"], step["date"]) for step in third["status_timeline"]] == [
        ("adopted", "2025-01-20"),
        ("in_effect", "2025-03-15"),
    ]
    assert (third["status"], third["status_since"]) == ("in_effect", "2025-03-15")
    assert third["citations"] == []
    assert third["jurisdiction"]["name"] == "Xanadu Republic"
    # The same fields as the record's address gives today, in the same order.
    live = record(client, "event", "xa-summit").json()
    assert list(record(client, "event", "xa-summit", known_at=THIRD.isoformat()).json()) == list(
        live
    )


def test_a_record_not_in_the_tracker_that_day_is_a_404(story, client):
    gone = record(client, "instrument", "xa-ai-act", known_at=FOURTH.isoformat())
    assert gone.status_code == 404
    assert gone.json() == {
        "errors": {
            "path": [
                "No instrument had the slug “xa-ai-act” at the end of 24 March 2025 (UTC): it was "
                "not in the tracker that day."
            ]
        }
    }
    early = record(client, "event", "xa-summit", known_at=FIRST.isoformat())
    assert early.status_code == 404
    assert early.json()["errors"]["path"][0].endswith(
        "It is now: http://testserver/api/v1/events/xa-summit/"
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"known_at": "2025-3-10"}, ["known_at"]),
        ({"known_at": BEFORE.isoformat()}, ["known_at"]),
        ({"known_at": "2999-12-31"}, ["known_at"]),
        ({"known_at": SECOND.isoformat(), "as_of": "someday"}, ["as_of"]),
    ],
)
def test_bad_days_are_a_400_naming_the_parameter(story, client, query, names):
    response = record(client, "instrument", "xa-ai-act", **query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == names


def test_an_empty_known_at_reads_the_current_record(story, client):
    response = record(client, "jurisdiction", "XA", known_at="")
    assert response.status_code == 200
    assert response.json()["name"] == "Xanadu Republic"


def test_as_of_with_known_at_reads_the_status_by_the_timeline_then(story, client):
    day = "2025-03-16"
    second = record(client, "instrument", "xa-ai-act", known_at=SECOND.isoformat(), as_of=day)
    assert second.json()["as_of"] == {
        "date": day,
        "status": "adopted",
        "status_label": "Adopted",
        "since": "2025-01-15",
        "since_precision": "day",
        "partial": False,
    }
    third = record(client, "instrument", "xa-ai-act", known_at=THIRD.isoformat(), as_of=day)
    assert third.json()["as_of"]["status"] == "in_effect"
    # Before its first step it did not exist, by that timeline: no status then, as a list
    # `as_of` that day would leave it out.
    early = record(
        client, "instrument", "xa-ai-act", known_at=THIRD.isoformat(), as_of="2024-12-31"
    )
    assert early.json()["as_of"] is None
    # Without `known_at`, a record's address ignores `as_of`, as it ignores other parameters.
    assert record(client, "jurisdiction", "XA", as_of=day).json()["approach"] == "binding"


def test_a_jurisdiction_reads_its_approach_and_laws_then(story, client):
    second = record(client, "jurisdiction", "XA", known_at=SECOND.isoformat()).json()
    assert (second["name"], second["approach"], second["binding_law_in_force"]) == (
        "Xanadu",
        "voluntary",
        False,
    )
    assert [step["approach"] for step in second["approach_timeline"]] == ["voluntary"]
    third = record(client, "jurisdiction", "xa", known_at=THIRD.isoformat()).json()
    assert (third["approach"], third["approach_since"], third["binding_laws_in_force"]) == (
        "binding",
        "2025-03-15",
        1,
    )
    assert [step["approach"] for step in third["approach_timeline"]] == ["voluntary", "binding"]
    back = record(
        client, "jurisdiction", "XA", known_at=THIRD.isoformat(), as_of="2025-03-01"
    ).json()
    assert (back["approach"], back["binding_law_in_force"]) == ("voluntary", False)


@pytest.mark.parametrize(("name", "key"), [("event", "xa-summit"), ("source", "gazette")])
def test_as_of_with_known_at_is_refused_where_there_is_no_status_or_approach(
    story, client, name, key
):
    response = record(client, name, key, known_at=THIRD.isoformat(), as_of="2025-03-01")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"as_of", "known_at"}


def test_a_source_counts_the_citations_it_then_had(story, client):
    second = record(client, "source", "gazette", known_at=SECOND.isoformat()).json()
    assert (second["citation_count"], second["record_count"]) == (1, 1)
    third = record(client, "source", "gazette", known_at=THIRD.isoformat()).json()
    assert (third["citation_count"], third["record_count"]) == (0, 0)


@pytest.mark.parametrize("name", ["instrument", "jurisdiction", "event", "source"])
def test_lists_refuse_known_at_saying_where_it_is_read(story, client, name):
    response = client.get(reverse(f"api:{name}-list"), {"known_at": SECOND.isoformat()})
    assert response.status_code == 400
    [message] = response.json()["errors"]["known_at"]
    assert message.startswith("Read at a record's address only")


def test_validators_of_a_day_are_fixed_once_it_is_over(story, client):
    second = record(client, "instrument", "xa-ai-act", known_at=SECOND.isoformat())
    assert parsedate_to_datetime(second["Last-Modified"]) == datetime.datetime(
        2025, 3, 10, 12, tzinfo=datetime.UTC
    )
    tag = second["ETag"]
    assert record(client, "instrument", "xa-ai-act", known_at=THIRD.isoformat())["ETag"] != tag
    again = client.get(
        reverse("api:instrument-detail", args=["xa-ai-act"]),
        {"known_at": SECOND.isoformat()},
        HTTP_IF_NONE_MATCH=tag,
    )
    assert again.status_code == 304
    # What happens later changes neither.
    with on(datetime.date(2025, 4, 1)):
        Jurisdiction.objects.filter(code="XA").get().save()
        TopicFactory(slug="later")
    later = record(client, "instrument", "xa-ai-act", known_at=SECOND.isoformat())
    assert (later["ETag"], later["Last-Modified"]) == (tag, second["Last-Modified"])


def test_known_at_today_is_the_record_as_it_reads_now(seeded, client):
    """The seed's history holds every record as it was written: rebuilt from it, each record's
    representation is the one its address gives."""
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    for name, model, key in (
        ("instrument", Instrument, "slug"),
        ("jurisdiction", Jurisdiction, "code"),
        ("event", Event, "slug"),
        ("source", Source, "slug"),
    ):
        for value in model.objects.order_by("pk").values_list(key, flat=True)[:40]:
            live = record(client, name, value)
            then = record(client, name, value, known_at=today)
            assert then.status_code == 200, (name, value)
            assert then.json() == live.json(), (name, value)
            assert then["ETag"] == live["ETag"], (name, value)


@pytest.mark.parametrize("size", [1, 8])
def test_a_record_then_costs_the_same_queries_whatever_its_size(empty, client, size):
    with on(FIRST):
        instrument = InstrumentFactory(slug="sized")
        for index in range(size):
            CitationFactory(instrument=instrument)
            change = StatusChangeFactory(instrument=instrument, date=f"2024-0{index % 9 + 1}-01")
            CitationFactory(instrument=None, status_change=change)
            instrument.topics.add(TopicFactory())
            RelationFactory(from_instrument=instrument)
    with CaptureQueriesContext(connection) as queries:
        response = record(client, "instrument", "sized", known_at=SECOND.isoformat())
    assert response.status_code == 200
    assert len(response.json()["citations"]) == size
    # The first day of the history, the record (now and then), its timeline, identifiers,
    # relations, citations, sources, topics, parties, jurisdiction, related instruments, events.
    assert len(queries) == 14


def test_the_schema_documents_known_at_on_record_addresses_only(schema):
    for prefix in ("instruments", "jurisdictions", "events", "sources"):
        detail = next(path for path in schema["paths"] if path.startswith(f"/api/v1/{prefix}/{{"))
        operation = schema["paths"][detail]["get"]
        parameters = parameters_of(operation)
        day = parameters["known_at"]["schema"]["anyOf"][0]
        assert day == {"type": "string", "format": "date"}
        assert "end of this day" in parameters["known_at"]["description"]
        assert ("as_of" in parameters) is (prefix in ("instruments", "jurisdictions"))
        bad = resolve(
            schema, operation["responses"]["400"]["content"]["application/json"]["schema"]
        )
        assert "errors" in bad["properties"]
        assert "known_at" in operation["responses"]["400"]["description"]
        assert "known_at" not in parameters_of(schema["paths"][f"/api/v1/{prefix}/"]["get"])
