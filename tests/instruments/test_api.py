"""The instruments and events lists of the API (what every list shares is tested in
tests/jurisdictions/test_api.py)."""

import math

import pytest
from django.urls import reverse

from instruments.api.views import EventViewSet, InstrumentViewSet
from tests.factories import (
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    RelationFactory,
    TopicFactory,
)
from tests.jurisdictions.test_api import (
    all_rows,
    assert_bad_parameter,
    assert_csv_matches_json,
    count_queries,
    csv_table,
    flat_names,
    get_json,
)

INSTRUMENTS = reverse("api:instrument-list")
EVENTS = reverse("api:event-list")

INSTRUMENT_FIELDS = [
    "slug",
    "title",
    "original_title",
    "short_name",
    "jurisdiction",
    "type",
    "type_label",
    "binding",
    "status",
    "status_label",
    "introduced_on",
    "introduced_on_precision",
    "adopted_on",
    "adopted_on_precision",
    "effective_on",
    "effective_on_precision",
    "issuing_body",
    "summary",
    "topics",
    "parties",
    "related",
    "citations",
    "as_of",
    "html_url",
    "updated_at",
]
AS_OF_FIELDS = ["date", "status", "status_label", "since", "since_precision", "partial"]
EVENT_FIELDS = [
    "slug",
    "title",
    "kind",
    "kind_label",
    "date",
    "date_precision",
    "location",
    "host",
    "co_hosts",
    "participants",
    "actors",
    "instruments",
    "summary",
    "html_url",
    "updated_at",
]


def slugs(data):
    return [row["slug"] for row in data["results"]]


def by_slug(rows):
    return {row["slug"]: row for row in rows}


# -- instruments: shape ------------------------------------------------------------------------


def test_instrument_list_shape(client, seeded):
    data = get_json(client, INSTRUMENTS, page_size=2)
    assert list(data) == ["count", "next", "previous", "results"]
    assert data["count"] == 16
    assert [list(row) for row in data["results"]] == [INSTRUMENT_FIELDS] * 2


def test_instrument_values(client, seeded):
    rows = by_slug(all_rows(client, INSTRUMENTS))
    law = rows["vn-law-on-artificial-intelligence"]
    assert law["jurisdiction"] == {"code": "VN", "name": "Vietnam"}
    assert law["type"] == "binding_law"
    assert law["type_label"] == "Binding law"
    assert law["binding"] is True
    assert law["status"] == "in_effect"
    assert law["status_label"] == "In effect"
    assert law["adopted_on"] == "2025-12-10"
    assert law["adopted_on_precision"] == "day"
    assert law["introduced_on"] is None
    assert law["introduced_on_precision"] is None
    assert law["as_of"] is None
    assert law["html_url"] == "http://testserver" + reverse(
        "instruments:instrument-detail", args=["vn-law-on-artificial-intelligence"]
    )
    assert law["citations"]
    assert all(list(citation) == ["source", "quote", "locator"] for citation in law["citations"])
    assert rows["sg-ai-verify-toolkit"]["adopted_on"] == "2022-05"
    assert rows["sg-ai-verify-toolkit"]["adopted_on_precision"] == "month"
    assert rows["sg-ai-verify-toolkit"]["topics"] == ["sandboxes", "testing-and-assurance"]
    assert rows["jp-ai-guidelines-for-business-2024"]["adopted_on"] == "2024"
    assert rows["seoul-declaration-2024"]["binding"] is False
    assert "KR" in rows["seoul-declaration-2024"]["parties"]
    assert {"kind": "aligned_with", "direction": "out", "slug": "oecd-ai-principles"} in rows[
        "sg-ai-verify-toolkit"
    ]["related"]
    assert {"kind": "aligned_with", "direction": "in", "slug": "sg-ai-verify-toolkit"} in rows[
        "oecd-ai-principles"
    ]["related"]


def test_instrument_citation_names_its_source(client, seeded):
    instrument = InstrumentFactory(title="Cited")
    CitationFactory(instrument=instrument, source__title="A report", locator="p. 2")
    (row,) = [row for row in all_rows(client, INSTRUMENTS) if row["slug"] == instrument.slug]
    assert row["citations"] == [
        {"source": "A report", "quote": instrument.citations.get().quote, "locator": "p. 2"}
    ]


def test_instrument_as_of_block(client, seeded):
    rows = by_slug(all_rows(client, INSTRUMENTS, as_of="2024-06-01"))
    draft = rows["jp-basic-law-responsible-ai-draft"]
    assert draft["status"] == "superseded"
    assert draft["as_of"] == {
        "date": "2024-06-01",
        "status": "proposed",
        "status_label": "Proposed",
        "since": "2024-02",
        "since_precision": "month",
        "partial": True,
    }
    # Not yet adopted on that day, so not listed.
    assert "vn-law-on-artificial-intelligence" not in rows


def test_instrument_default_order(client, seeded):
    rows = all_rows(client, INSTRUMENTS)
    keys = [(row["jurisdiction"]["name"], row["title"]) for row in rows]
    assert keys == sorted(keys)


# -- instruments: filters ----------------------------------------------------------------------


def test_binding_member_of(client, seeded):
    data = get_json(client, INSTRUMENTS, binding="true", member_of="ASEAN")
    assert slugs(data) == ["vn-law-on-artificial-intelligence"]


def test_voluntary_member_of_as_of(client, seeded):
    data = get_json(client, INSTRUMENTS, binding="false", member_of="ASEAN", as_of="2025-08-08")
    assert slugs(data) == ["sg-ai-verify-toolkit", "sg-model-ai-governance-framework"]
    assert [row["as_of"]["status"] for row in data["results"]] == ["in_effect", "in_effect"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "declaration"}, ["seoul-declaration-2024"]),
        ({"type": ["declaration", "draft_bill"]}, None),
        ({"status": "proposed"}, ["us-ban-chinese-ai-federal-use"]),
        ({"status": "proposed", "as_of": "2024-06-01"}, ["jp-basic-law-responsible-ai-draft"]),
        ({"region": "northern_america"}, ["us-ban-chinese-ai-federal-use"]),
        ({"year": "2019"}, ["oecd-ai-principles", "sg-model-ai-governance-framework"]),
        (
            {"adopted_after": "2025-12-01", "adopted_before": "2025-12-31"},
            ["tw-ai-basic-act", "vn-law-on-artificial-intelligence"],
        ),
        ({"q": "Verify"}, ["sg-ai-verify-toolkit"]),
    ],
)
def test_instrument_filters(client, seeded, params, expected):
    found = slugs(get_json(client, INSTRUMENTS, **params))
    if expected is None:
        types = {row["type"] for row in all_rows(client, INSTRUMENTS, **params)}
        assert types == {"declaration", "draft_bill"}
    else:
        assert found == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"jurisdiction": "SG"}, ["sg-ai-verify-toolkit", "sg-model-ai-governance-framework"]),
        ({"party": "GB"}, ["seoul-declaration-2024"]),
        ({"topic": "testing-and-assurance"}, ["sg-ai-verify-toolkit"]),
    ],
)
def test_instrument_filters_by_code_and_slug(client, seeded, params, expected):
    assert slugs(get_json(client, INSTRUMENTS, **params)) == expected


def test_instrument_ordering(client, seeded):
    rows = all_rows(client, INSTRUMENTS, ordering="-adopted_on")
    dates = [row["adopted_on"] for row in rows]
    assert dates[0] == "2026-06-29"
    assert dates[-2:] == [None, None]
    assert [row["title"] for row in all_rows(client, INSTRUMENTS, ordering="title")] == sorted(
        row["title"] for row in rows
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("binding=maybe", "binding"),
        ("type=law", "type"),
        ("status=enacted", "status"),
        ("as_of=2025-13-01", "as_of"),
        ("jurisdicton=CN", "jurisdicton"),
        ("jurisdiction=ZZ", "jurisdiction"),
        ("member_of=SG", "member_of"),
        ("topic=no-such-topic", "topic"),
        ("year=25", "year"),
        ("adopted_after=2025-02-30", "adopted_after"),
        ("ordering=status", "ordering"),
        ("ordering=-binding", "ordering"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=999999", "page"),
        ("page_size=0", "page_size"),
        ("page_size=500", "page_size"),
        ("page_size=x", "page_size"),
    ],
)
def test_instrument_bad_parameter(client, seeded, query, parameter):
    assert_bad_parameter(client, INSTRUMENTS, query, parameter)


# -- instruments: CSV --------------------------------------------------------------------------


def test_instrument_csv_header_is_the_serializer_fields_flattened(client, seeded):
    header, rows = assert_csv_matches_json(client, INSTRUMENTS, as_of="2025-08-08")
    assert header == flat_names(rows[0])
    assert header[4:6] == ["jurisdiction.code", "jurisdiction.name"]
    assert header[-8:-2] == [f"as_of.{name}" for name in AS_OF_FIELDS]
    # The columns do not depend on the query.
    assert csv_table(client.get(INSTRUMENTS, {"format": "csv"}))[0] == header


def test_instrument_csv_rows_equal_json_rows(client, seeded):
    RelationFactory(
        from_instrument=InstrumentFactory(summary="-1 point"), to_instrument=InstrumentFactory()
    )
    assert_csv_matches_json(client, INSTRUMENTS)
    assert_csv_matches_json(client, INSTRUMENTS, binding="false", ordering="-adopted_on")


def test_instrument_csv_cells(client, seeded):
    header, rows = csv_table(client.get(INSTRUMENTS, {"format": "csv", "as_of": "2024-06-01"}))
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    toolkit = rows["sg-ai-verify-toolkit"]
    assert toolkit["topics"] == "sandboxes;testing-and-assurance"
    assert toolkit["related"] == "aligned_with | out | oecd-ai-principles"
    assert toolkit["binding"] == "false"
    assert toolkit["introduced_on"] == ""
    assert toolkit["as_of.date"] == "2024-06-01"
    draft = rows["jp-basic-law-responsible-ai-draft"]
    assert (draft["as_of.status"], draft["as_of.since"], draft["as_of.partial"]) == (
        "proposed",
        "2024-02",
        "true",
    )


def test_instrument_csv_is_a_streamed_download_of_every_row(client, seeded):
    response = client.get(INSTRUMENTS, {"format": "csv", "page": "2", "page_size": "3"})
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="instruments.csv"'
    _, rows = csv_table(response)
    assert len(rows) == 16


def test_instrument_csv_by_accept_header(client, seeded):
    header, rows = csv_table(client.get(INSTRUMENTS, HTTP_ACCEPT="text/csv"))
    assert header[0] == "slug"
    assert len(rows) == 16


def test_instrument_format_json(client, seeded):
    assert get_json(client, INSTRUMENTS, format="json")["count"] == 16


def test_instrument_csv_neutralises_formulas(client, seeded):
    instrument = InstrumentFactory(
        title='=HYPERLINK("https://example.com/x","click")', short_name="+SUM(1)"
    )
    header, rows = csv_table(client.get(INSTRUMENTS, {"format": "csv"}))
    (row,) = [dict(zip(header, row, strict=True)) for row in rows if row[0] == instrument.slug]
    assert row["title"] == '\'=HYPERLINK("https://example.com/x","click")'
    assert row["short_name"] == "'+SUM(1)"


def test_instrument_csv_bad_parameter_answers_json(client, seeded):
    response = client.get(INSTRUMENTS, {"format": "csv", "binding": "maybe"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"binding": ["“maybe” is not allowed. Allowed values: true, false."]}
    }


# -- instruments: queries ----------------------------------------------------------------------


def test_instrument_json_query_count_does_not_depend_on_page_size(
    client, seeded, django_assert_num_queries
):
    # count, rows, topics, parties, outgoing and incoming relations, citations with sources
    for page_size in (2, 50):
        with django_assert_num_queries(7):
            client.get(INSTRUMENTS, {"page_size": page_size})
    # the same with `as_of`: the status then is read in the rows' query
    for page_size in (2, 50):
        with django_assert_num_queries(7):
            client.get(INSTRUMENTS, {"page_size": page_size, "as_of": "2025-08-08"})


def add_instruments(count):
    topic = TopicFactory()
    for _ in range(count):
        instrument = InstrumentFactory()
        instrument.topics.add(topic)
        CitationFactory(instrument=instrument)
        RelationFactory(from_instrument=instrument, to_instrument=InstrumentFactory())


def test_instrument_csv_query_count_grows_only_with_chunks(client, seeded, monkeypatch):
    json_queries = count_queries(client, INSTRUMENTS)
    per_chunk = json_queries - 2  # minus the count and the rows
    csv_queries = count_queries(client, INSTRUMENTS, format="csv")
    assert csv_queries == 1 + per_chunk
    add_instruments(20)  # 40 more rows
    assert count_queries(client, INSTRUMENTS, format="csv") == csv_queries
    monkeypatch.setattr(InstrumentViewSet, "csv_chunk_size", 10)
    chunks = math.ceil((16 + 40) / 10)
    assert count_queries(client, INSTRUMENTS, format="csv") == 1 + per_chunk * chunks


# -- events ------------------------------------------------------------------------------------


def test_event_list_shape_and_values(client, seeded):
    data = get_json(client, EVENTS, page_size=2)
    assert data["count"] == 6
    assert [list(row) for row in data["results"]] == [EVENT_FIELDS] * 2
    rows = by_slug(all_rows(client, EVENTS))
    summit = rows["ai-seoul-summit-2024"]
    assert summit["kind"] == "summit"
    assert summit["kind_label"] == "Summit"
    assert summit["date"] == "2024-05-21"
    assert summit["date_precision"] == "day"
    assert summit["host"] == {"code": "KR", "name": "South Korea"}
    assert summit["co_hosts"] == ["GB"]
    assert "US" in summit["participants"]
    assert summit["instruments"] == ["seoul-declaration-2024"]
    assert summit["html_url"] == "http://testserver" + reverse(
        "instruments:event-detail", args=["ai-seoul-summit-2024"]
    )
    assert rows["kratsios-urges-asia-to-reject-eu-regulation"]["actors"] == ["michael-kratsios"]
    undated = rows["us-congress-push-to-ban-chinese-ai-from-federal-use"]
    assert (undated["date"], undated["date_precision"]) == (None, None)


def test_event_without_host_and_partial_date(client, seeded):
    event = EventFactory(host=None, date="2024-01-01", date_precision="year")
    row = by_slug(all_rows(client, EVENTS))[event.slug]
    assert row["host"] is None
    assert (row["date"], row["date_precision"]) == ("2024", "year")
    header, rows = csv_table(client.get(EVENTS, {"format": "csv"}))
    cells = next(dict(zip(header, row, strict=True)) for row in rows if row[0] == event.slug)
    assert (cells["host.code"], cells["host.name"], cells["date"]) == ("", "", "2024")


def test_event_default_order_is_newest_first_undated_last(client, seeded):
    assert slugs(get_json(client, EVENTS)) == [
        "timor-leste-joins-asean-2025",
        "kratsios-urges-asia-to-reject-eu-regulation",
        "li-qiang-calls-for-international-ai-governance-body",
        "ai-seoul-summit-2024",
        "asean-digital-ministers-meeting-2024",
        "us-congress-push-to-ban-chinese-ai-from-federal-use",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "summit"}, ["timor-leste-joins-asean-2025", "ai-seoul-summit-2024"]),
        (
            {"jurisdiction": "SG"},
            ["ai-seoul-summit-2024", "asean-digital-ministers-meeting-2024"],
        ),
        ({"year": "2024"}, ["ai-seoul-summit-2024", "asean-digital-ministers-meeting-2024"]),
        (
            {"date_after": "2025-07-01", "date_before": "2025-08-31"},
            [
                "kratsios-urges-asia-to-reject-eu-regulation",
                "li-qiang-calls-for-international-ai-governance-body",
            ],
        ),
        ({"q": "Kratsios"}, ["kratsios-urges-asia-to-reject-eu-regulation"]),
        (
            {"ordering": "date", "year": "2025"},
            [
                "li-qiang-calls-for-international-ai-governance-body",
                "kratsios-urges-asia-to-reject-eu-regulation",
                "timor-leste-joins-asean-2025",
            ],
        ),
    ],
)
def test_event_filters(client, seeded, params, expected):
    assert slugs(get_json(client, EVENTS, **params)) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kind=meeting", "kind"),
        ("jurisdiction=ZZ", "jurisdiction"),
        ("year=twenty", "year"),
        ("date_after=2025-13-01", "date_after"),
        ("ordering=kind", "ordering"),
        ("page=abc", "page"),
        ("page_size=500", "page_size"),
    ],
)
def test_event_bad_parameter(client, seeded, query, parameter):
    assert_bad_parameter(client, EVENTS, query, parameter)


def test_event_csv(client, seeded):
    header, rows = assert_csv_matches_json(client, EVENTS)
    assert header == flat_names(rows[0])
    assert header[7:9] == ["host.code", "host.name"]
    response = client.get(EVENTS, HTTP_ACCEPT="text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="events.csv"'
    header, csv_rows = csv_table(response)
    seoul = next(
        dict(zip(header, row, strict=True)) for row in csv_rows if row[0] == "ai-seoul-summit-2024"
    )
    assert seoul["co_hosts"] == "GB"
    assert seoul["participants"].split(";")[:2] == ["AU", "CA"]


def test_event_json_query_count_does_not_depend_on_page_size(
    client, seeded, django_assert_num_queries
):
    # count, rows (with their hosts), co-hosts, participants, actors, instruments
    for page_size in (2, 50):
        with django_assert_num_queries(6):
            client.get(EVENTS, {"page_size": page_size})


def test_event_csv_query_count_grows_only_with_chunks(client, seeded, monkeypatch):
    per_chunk = count_queries(client, EVENTS) - 2
    csv_queries = count_queries(client, EVENTS, format="csv")
    assert csv_queries == 1 + per_chunk
    for _ in range(9):
        event = EventFactory()
        event.participants.add(event.host)
        event.co_hosts.add(event.host)
    assert count_queries(client, EVENTS, format="csv") == csv_queries
    monkeypatch.setattr(EventViewSet, "csv_chunk_size", 4)
    assert count_queries(client, EVENTS, format="csv") == 1 + per_chunk * math.ceil(15 / 4)
