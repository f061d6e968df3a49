"""The instruments and events lists of the API (what every list shares is tested in
tests/jurisdictions/test_api.py)."""

import math
from dataclasses import asdict
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from policytracker.web import urls as instrument_urls
from instruments.models import CITED_RECORDS, Citation
from instruments.vocabulary import CitedRecordKind
from jurisdictions.models import Jurisdiction
from policytracker.api.events import EventViewSet
from policytracker.api.instruments import InstrumentViewSet
from policytracker.api.urls import router
from policytracker.core.api.views import ListViewSet, RecordViewSet
from policytracker.web.views.base import FacetedListView
from tests.factories import (
    ActorFactory,
    BlocFactory,
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    MembershipFactory,
    RelationFactory,
    StatusChangeFactory,
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
    "url",
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
    "url",
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
        "web:instrument-detail", args=["vn-law-on-artificial-intelligence"]
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
    assert header[-9:-3] == [f"as_of.{name}" for name in AS_OF_FIELDS]
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
        "web:event-detail", args=["ai-seoul-summit-2024"]
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


# -- every resource of the router --------------------------------------------------------------

LISTS = [
    pytest.param(prefix, viewset, basename, id=prefix)
    for prefix, viewset, basename in router.registry
    # The change feed is read by cursor, not by page, and is tested on its own.
    if issubclass(viewset, ListViewSet)
]
RECORDS = [param for param in LISTS if issubclass(param.values[1], RecordViewSet)]
FACETED = [param for param in LISTS if param.values[1].filterset_class.facet_specs]


def list_url(basename):
    return reverse(f"api:{basename}-list")


@pytest.fixture
def more_rows(seeded):
    """More than one page of 10 in every list, and every jurisdiction a member of something,
    so that every relation a list reads is read on a page of 10 as on a page of 200."""
    for _ in range(11):
        actor = ActorFactory()
        event = EventFactory(host=actor.jurisdiction)
        event.co_hosts.add(actor.jurisdiction)
        event.participants.add(actor.jurisdiction)
        event.actors.add(actor)
        event.instruments.add(InstrumentFactory(jurisdiction=actor.jurisdiction))
        CitationFactory(instrument=None, actor=actor)
    bloc = BlocFactory()
    for jurisdiction in Jurisdiction.objects.filter(memberships__isnull=True).exclude(pk=bloc.pk):
        MembershipFactory(member=jurisdiction, bloc=bloc)
    MembershipFactory(member=bloc, bloc=Jurisdiction.objects.get(code="INTL"))


def test_the_router_lists_every_resource():
    assert sorted(param.id for param in LISTS) == [
        "actors",
        "citations",
        "events",
        "instruments",
        "jurisdictions",
        "sources",
        "topics",
    ]
    # Citations too, at `citations/<id>/`, where editors change and delete them.
    assert [param.id for param in LISTS if param not in RECORDS] == []


def test_the_root_lists_every_resource(client, seeded):
    data = get_json(client, reverse("api:api-root"))
    for param in LISTS:
        assert data[param.id] == "http://testserver" + list_url(param.values[2])


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_gives_the_same_rows_as_csv_and_json(client, seeded, prefix, viewset, basename):
    assert_csv_matches_json(client, list_url(basename))
    response = client.get(list_url(basename), {"format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="{prefix}.csv"'


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_costs_the_same_queries_at_10_and_200_rows(
    client, more_rows, prefix, viewset, basename
):
    url = list_url(basename)
    counts = {}
    for page_size in (10, 200):
        with CaptureQueriesContext(connection) as queries:
            data = get_json(client, url, page_size=page_size)
        assert len(data["results"]) == min(page_size, data["count"])
        counts[page_size] = len(queries)
    assert data["count"] > 10
    assert counts[10] == counts[200]


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_takes_updated_since(client, seeded, prefix, viewset, basename):
    assert "updated_since" in viewset.filterset_class.base_filters
    url = list_url(basename)
    total = get_json(client, url)["count"]
    assert get_json(client, url, updated_since="2000-01-01T00:00:00Z")["count"] == total
    assert get_json(client, url, updated_since="2999-01-01T00:00:00Z")["count"] == 0
    assert_bad_parameter(client, url, "updated_since=soon", "updated_since")


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_row_has_its_addresses_and_time(client, seeded, prefix, viewset, basename):
    for row in all_rows(client, list_url(basename)):
        assert row["html_url"] is None or row["html_url"].startswith("http://testserver/")
        assert row["updated_at"].endswith("Z")
        if prefix != "citations":
            assert row["url"].startswith("http://testserver" + list_url(basename))
            assert client.get(row["url"]).status_code == 200


@pytest.mark.parametrize(("prefix", "viewset", "basename"), RECORDS)
def test_every_record_is_its_list_row_and_more(client, seeded, prefix, viewset, basename):
    rows = all_rows(client, list_url(basename))
    for row in rows[:3] + rows[-3:]:
        data = get_json(client, row["url"])
        assert list(data)[: len(row)] == list(row)
        assert {name: data[name] for name in row} == row


@pytest.mark.parametrize(("prefix", "viewset", "basename"), RECORDS)
def test_every_unknown_key_answers_404_in_json(client, seeded, prefix, viewset, basename):
    response = client.get(reverse(f"api:{basename}-detail", args=["ZZ-NO-SUCH"]))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    noun = viewset.queryset.model._meta.verbose_name
    assert response.json() == {"detail": f"No {noun} has the {viewset.lookup_field} “ZZ-NO-SUCH”."}


def facets_of(facets):
    return {facet.name: [asdict(option) for option in facet.options] for facet in facets}


def first_choice(client, url, names):
    """A filter to apply: the first value of the first facet that has one."""
    facets = get_json(client, url, facet=names)["facets"]
    name = next(name for name in names if facets[name])
    return {name: facets[name][0]["value"]}


HTML_LISTS = [
    pytest.param(pattern.name, pattern.callback.view_class, id=pattern.name)
    for pattern in instrument_urls.urlpatterns
    if issubclass(getattr(pattern.callback, "view_class", object), FacetedListView)
]


def test_every_html_list_downloads_from_the_api():
    assert sorted(param.id for param in HTML_LISTS) == [
        "event-list",
        "instrument-list",
        "jurisdiction-list",
    ]


@pytest.mark.parametrize(("page", "view_class"), HTML_LISTS)
def test_facets_count_as_the_html_page_counts(client, seeded, page, view_class):
    api_url = reverse(view_class.api_list_name)
    names = list(view_class.filterset_class.facet_specs)
    for query in ({}, first_choice(client, api_url, names), {"as_of": "2025-08-08"}):
        html = client.get(reverse(f"web:{page}"), query)
        assert html.status_code == 200
        api = get_json(client, api_url, facet=names, **query)["facets"]
        assert api == facets_of(html.context["facets"])


@pytest.mark.parametrize(("prefix", "viewset", "basename"), FACETED)
def test_facets_are_the_filtersets(client, seeded, prefix, viewset, basename):
    url = list_url(basename)
    names = list(viewset.filterset_class.facet_specs)
    for query in ({}, first_choice(client, url, names)):
        api = get_json(client, url, facet=names, **query)["facets"]
        filterset = viewset.filterset_class(QueryDict(urlencode(query)), queryset=viewset.queryset)
        assert api == facets_of(filterset.facets())
        chosen = [option for options in api.values() for option in options if option["selected"]]
        assert len(chosen) == len(query)


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_answers_an_unknown_facet_with_400(client, seeded, prefix, viewset, basename):
    response = client.get(list_url(basename), {"facet": "nope"})
    assert response.status_code == 400
    (message,) = response.json()["errors"]["facet"]
    specs = viewset.filterset_class.facet_specs
    assert message.startswith("“nope” is not a facet of this list. ")
    if specs:
        assert message.endswith(f"Allowed values: {', '.join(specs)}.")
    else:
        assert message.endswith("This list has no facets.")


@pytest.mark.parametrize(
    ("basename", "keys", "queries"),
    [
        # the row; topics, parties, relations both ways and citations (one query each); the
        # status timeline and its citations, identifiers, events
        ("instrument", ["vn-law-on-artificial-intelligence", "seoul-declaration-2024"], 10),
        # the row with its host; co-hosts, participants, actors, instruments; citations
        ("event", ["ai-seoul-summit-2024", "kratsios-urges-asia-to-reject-eu-regulation"], 6),
        # the row with its jurisdiction; events; citations
        ("actor", ["li-qiang", "us-congress"], 3),
        # the row; instruments
        ("topic", ["sandboxes", "ai-safety"], 2),
        # the row with its counts
        ("source", ["us-asia-ai-governance-2025-08-08", "iso-3166-1"], 1),
    ],
)
def test_record_query_count_is_fixed(
    client, seeded, django_assert_num_queries, basename, keys, queries
):
    for key in keys:
        with django_assert_num_queries(queries):
            assert client.get(reverse(f"api:{basename}-detail", args=[key])).status_code == 200


# -- instruments and events at their own addresses ---------------------------------------------


def instrument(slug):
    return reverse("api:instrument-detail", args=[slug])


def test_instrument_record(client, seeded):
    data = get_json(client, instrument("vn-law-on-artificial-intelligence"))
    assert list(data) == [*INSTRUMENT_FIELDS, "status_timeline", "identifiers", "events"]
    assert data["as_of"] is None
    assert [
        (step["date"], step["status"], step["status_label"]) for step in data["status_timeline"]
    ] == [("2025-12-10", "adopted", "Adopted"), ("2026-03-01", "in_effect", "In effect")]
    step = data["status_timeline"][0]
    assert list(step) == ["date", "date_precision", "status", "status_label", "note", "citations"]
    assert step["date_precision"] == "day"
    assert step["citations"]
    assert all(list(citation) == ["source", "quote", "locator"] for citation in step["citations"])
    assert data["identifiers"] == [
        {
            "scheme": "law_number",
            "scheme_label": "Official law or act number",
            "value": "Law No. 134/2025/QH15",
        }
    ]
    assert get_json(client, instrument("seoul-declaration-2024"))["events"] == [
        "ai-seoul-summit-2024"
    ]


def test_instrument_record_relations_both_ways(client, seeded):
    toolkit = get_json(client, instrument("sg-ai-verify-toolkit"))["related"]
    principles = get_json(client, instrument("oecd-ai-principles"))["related"]
    assert {"kind": "aligned_with", "direction": "out", "slug": "oecd-ai-principles"} in toolkit
    assert {"kind": "aligned_with", "direction": "in", "slug": "sg-ai-verify-toolkit"} in principles


def test_instrument_record_partial_step(client, seeded):
    step = StatusChangeFactory(date="2024-01-01", date_precision="year")
    (row,) = get_json(client, instrument(step.instrument.slug))["status_timeline"]
    assert (row["date"], row["date_precision"], row["citations"]) == ("2024", "year", [])


def test_event_record(client, seeded):
    data = get_json(client, reverse("api:event-detail", args=["ai-seoul-summit-2024"]))
    assert list(data) == [*EVENT_FIELDS, "reported_on", "citations"]
    assert data["citations"][0]["source"].startswith("U.S.–Asia AI Tug-of-War")
    undated = reverse(
        "api:event-detail", args=["us-congress-push-to-ban-chinese-ai-from-federal-use"]
    )
    assert get_json(client, undated)["reported_on"] == "2025-08-08"


# -- actors ------------------------------------------------------------------------------------

ACTORS = reverse("api:actor-list")
ACTOR_FIELDS = [
    "slug",
    "name",
    "kind",
    "kind_label",
    "role",
    "jurisdiction",
    "url",
    "html_url",
    "updated_at",
]


def test_actor_list_shape_and_values(client, seeded):
    data = get_json(client, ACTORS)
    assert data["count"] == 3
    assert [list(row) for row in data["results"]] == [ACTOR_FIELDS] * 3
    li = by_slug(data["results"])["li-qiang"]
    assert (li["name"], li["kind"], li["kind_label"], li["role"]) == (
        "Li Qiang",
        "person",
        "Person",
        "Premier",
    )
    assert li["jurisdiction"] == {"code": "CN", "name": "China"}
    assert li["url"] == "http://testserver" + reverse("api:actor-detail", args=["li-qiang"])
    assert li["html_url"] == "http://testserver" + reverse("web:jurisdiction-detail", args=["CN"])


def test_actor_without_jurisdiction_has_no_page(client, seeded):
    actor = ActorFactory(jurisdiction=None)
    row = by_slug(all_rows(client, ACTORS))[actor.slug]
    assert (row["jurisdiction"], row["html_url"]) == (None, None)
    header, rows = csv_table(client.get(ACTORS, {"format": "csv"}))
    cells = next(dict(zip(header, row, strict=True)) for row in rows if row[0] == actor.slug)
    assert (cells["jurisdiction.code"], cells["html_url"]) == ("", "")


def test_actor_record(client, seeded):
    data = get_json(client, reverse("api:actor-detail", args=["michael-kratsios"]))
    assert list(data) == [*ACTOR_FIELDS, "events", "citations"]
    assert data["events"] == ["kratsios-urges-asia-to-reject-eu-regulation"]
    assert data["citations"][0]["quote"] == "White House tech adviser Michael Kratsios"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"jurisdiction": "us"}, ["michael-kratsios", "us-congress"]),
        ({"kind": "organisation"}, ["us-congress"]),
        ({"q": "Premier"}, ["li-qiang"]),
        ({"jurisdiction": "US", "kind": "person"}, ["michael-kratsios"]),
        ({"jurisdiction": ["CN", "US"], "kind": "person"}, ["li-qiang", "michael-kratsios"]),
        ({"ordering": "-name"}, ["us-congress", "michael-kratsios", "li-qiang"]),
        ({"ordering": "jurisdiction"}, ["li-qiang", "michael-kratsios", "us-congress"]),
    ],
)
def test_actor_filters(client, seeded, params, expected):
    assert slugs(get_json(client, ACTORS, **params)) == expected


def test_actor_facets(client, seeded):
    facets = get_json(client, ACTORS, facet=["kind", "jurisdiction"], kind="person")["facets"]
    assert facets["kind"] == [
        {"value": "person", "label": "Person", "count": 2, "selected": True},
        {"value": "organisation", "label": "Organisation", "count": 1, "selected": False},
    ]
    assert facets["jurisdiction"] == [
        {"value": "CN", "label": "China", "count": 1, "selected": False},
        {"value": "US", "label": "United States", "count": 1, "selected": False},
    ]


# -- topics ------------------------------------------------------------------------------------

TOPICS = reverse("api:topic-list")
TOPIC_FIELDS = ["slug", "name", "description", "url", "html_url", "updated_at"]


def test_topic_list_and_record(client, seeded):
    data = get_json(client, TOPICS)
    assert data["count"] == 13
    assert [list(row) for row in data["results"]] == [TOPIC_FIELDS] * 13
    assert slugs(data)[:2] == ["ai-safety", "automated-decision-rights"]
    sandboxes = by_slug(data["results"])["sandboxes"]
    assert sandboxes["html_url"] == "http://testserver/instruments/?topic=sandboxes"
    record = get_json(client, sandboxes["url"])
    assert list(record) == [*TOPIC_FIELDS, "instruments"]
    assert record["instruments"] == ["sg-ai-verify-toolkit", "sg-model-ai-governance-framework"]
    # The page the address names lists exactly those.
    page = client.get(sandboxes["html_url"])
    assert [i.slug for i in page.context["object_list"]] == sorted(record["instruments"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "sandbox"}, ["sandboxes"]),
        ({"q": "relaxed rules"}, ["sandboxes"]),
        ({"q": "sandbox", "updated_since": "2000-01-01T00:00:00Z"}, ["sandboxes"]),
        ({"ordering": "-name", "page_size": 2}, ["transparency", "testing-and-assurance"]),
    ],
)
def test_topic_filters(client, seeded, params, expected):
    assert slugs(get_json(client, TOPICS, **params)) == expected


# -- sources -----------------------------------------------------------------------------------

SOURCES = reverse("api:source-list")
SOURCE_FIELDS = [
    "slug",
    "title",
    "author",
    "publisher",
    "external_url",
    "published_on",
    "kind",
    "kind_label",
    "citation_count",
    "record_count",
    "url",
    "html_url",
    "updated_at",
]
ARTICLE = "us-asia-ai-governance-2025-08-08"


def test_source_list_shape_and_counts(client, seeded):
    rows = all_rows(client, SOURCES)
    assert len(rows) == 33
    assert [list(row) for row in rows] == [SOURCE_FIELDS] * 33
    article = by_slug(rows)[ARTICLE]
    assert (article["kind"], article["kind_label"], article["published_on"]) == (
        "article",
        "Article",
        "2025-08-08",
    )
    assert article["html_url"] == "http://testserver" + reverse("web:source-detail", args=[ARTICLE])
    # The counts are the sources page's.
    page = client.get(reverse("web:source-list"))
    counts = {
        source.slug: (source.citation_count, source.record_count)
        for source in page.context["sources"]
    }
    assert {row["slug"]: (row["citation_count"], row["record_count"]) for row in rows} == counts
    assert by_slug(rows)["eur-lex-ai-act"]["external_url"].startswith("https://eur-lex.europa.eu/")


def test_source_record(client, seeded):
    data = get_json(client, reverse("api:source-detail", args=[ARTICLE]))
    assert list(data) == [*SOURCE_FIELDS, "citations_url"]
    citations = get_json(client, data["citations_url"] + "&page_size=200")
    assert citations["count"] == data["citation_count"]
    assert {row["source"]["slug"] for row in citations["results"]} == {ARTICLE}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "article"}, [ARTICLE]),
        ({"kind": "reference", "q": "Seoul"}, ["korea-net-seoul-declaration"]),
        ({"q": "Anish"}, [ARTICLE]),
        ({"ordering": "-citation_count", "page_size": 3}, [ARTICLE, "un-m49", "iso-3166-1"]),
        (
            {"ordering": "-published_on", "page_size": 2},
            ["asiaone-timor-leste-asean", ARTICLE],
        ),
    ],
)
def test_source_filters(client, seeded, params, expected):
    assert slugs(get_json(client, SOURCES, **params)) == expected


def test_source_ordering_puts_undated_last(client, seeded):
    dates = [row["published_on"] for row in all_rows(client, SOURCES, ordering="published_on")]
    dated = [date for date in dates if date]
    assert dates == dated + [None] * (len(dates) - len(dated))
    assert dated == sorted(dated)


# -- citations ---------------------------------------------------------------------------------

CITATIONS = reverse("api:citation-list")
CITATION_FIELDS = [
    "source",
    "quote",
    "locator",
    "note",
    "fields",
    "checked_on",
    "record",
    "url",
    "html_url",
    "updated_at",
]
RECORD_FIELDS = ["kind", "kind_label", "key", "title", "url"]


def records(data):
    return [(row["record"]["kind"], row["record"]["key"]) for row in data["results"]]


def test_citation_list_shape(client, seeded):
    data = get_json(client, CITATIONS, page_size=3)
    assert data["count"] == Citation.objects.count()
    assert [list(row) for row in data["results"]] == [CITATION_FIELDS] * 3
    assert [list(row["record"]) for row in data["results"]] == [RECORD_FIELDS] * 3
    assert [list(row["source"]) for row in data["results"]] == [["slug", "title"]] * 3
    first = Citation.objects.order_by("source__title", "pk").first()
    assert data["results"][0]["url"] == "http://testserver" + reverse(
        "api:citation-detail", args=[first.pk]
    )


def test_citation_records_of_every_kind(client, seeded):
    rows = all_rows(client, CITATIONS, source="korea-net-seoul-declaration")
    by_kind = {row["record"]["kind"]: row for row in rows}
    step = by_kind["status_change"]
    assert step["record"] == {
        "kind": "status_change",
        "kind_label": "Status change",
        "key": "seoul-declaration-2024/adopted/2024-05-21",
        "title": "Seoul Declaration for Safe, Innovative and Inclusive AI: Adopted (21 May 2024)",
        "url": "http://testserver" + instrument("seoul-declaration-2024"),
    }
    assert step["html_url"] == "http://testserver" + reverse(
        "web:instrument-detail", args=["seoul-declaration-2024"]
    )
    assert step["fields"] == ["status", "date"]
    assessment = all_rows(client, CITATIONS, record="approach_assessment", q="sandbox")[0]
    assert assessment["record"]["key"] == "SG/2025-08-08"
    assert assessment["record"]["url"] == "http://testserver" + reverse(
        "api:jurisdiction-detail", args=["SG"]
    )
    actor = all_rows(client, CITATIONS, record="actor", q="Premier")[0]
    assert actor["record"]["url"] == "http://testserver" + reverse(
        "api:actor-detail", args=["li-qiang"]
    )
    assert actor["html_url"] == "http://testserver" + reverse(
        "web:jurisdiction-detail", args=["CN"]
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"source": "korea-net-seoul-declaration"},
            [
                ("instrument", "seoul-declaration-2024"),
                ("status_change", "seoul-declaration-2024/adopted/2024-05-21"),
                ("event", "ai-seoul-summit-2024"),
            ],
        ),
        (
            {"source": "korea-net-seoul-declaration", "record": "event"},
            [("event", "ai-seoul-summit-2024")],
        ),
        (
            {"source": "korea-net-seoul-declaration", "record": ["event", "instrument"]},
            [("instrument", "seoul-declaration-2024"), ("event", "ai-seoul-summit-2024")],
        ),
        (
            {"q": "sandbox"},
            [
                ("approach_assessment", "SG/2025-08-08"),
                ("instrument", "sg-model-ai-governance-framework"),
                ("instrument", "sg-ai-verify-toolkit"),
            ],
        ),
        (
            {"q": "sandbox", "record": "approach_assessment"},
            [("approach_assessment", "SG/2025-08-08")],
        ),
        (
            {"record": "actor", "q": "Kratsios or Congress"},
            [("actor", "michael-kratsios"), ("actor", "us-congress")],
        ),
    ],
)
def test_citation_filters(client, seeded, params, expected):
    assert records(get_json(client, CITATIONS, **params)) == expected


def test_citation_updated_at_is_when_its_history_last_changed(client, seeded):
    before = timezone.now()
    citation = CitationFactory(source__slug="fresh-source")
    (row,) = get_json(client, CITATIONS, updated_since=before.isoformat())["results"]
    assert row["record"]["key"] == citation.instrument.slug
    assert parse_datetime(row["updated_at"]) >= before
    citation.locator = "p. 9"
    citation.save()
    assert get_json(client, CITATIONS, source="fresh-source")["results"][0]["locator"] == "p. 9"


def test_citation_facets(client, seeded):
    facets = get_json(
        client, CITATIONS, facet=["record", "source"], source="korea-net-seoul-declaration"
    )["facets"]
    assert facets["record"] == [
        {"value": "instrument", "label": "Instrument", "count": 1, "selected": False},
        {"value": "event", "label": "Event", "count": 1, "selected": False},
        {"value": "status_change", "label": "Status change", "count": 1, "selected": False},
    ]
    chosen = [option for option in facets["source"] if option["selected"]]
    assert chosen == [
        {
            "value": "korea-net-seoul-declaration",
            "label": "AI Seoul Summit adopts the Seoul Declaration (news report)",
            "count": 3,
            "selected": True,
        }
    ]


def test_citation_kinds_are_the_cited_records():
    assert list(CitedRecordKind.values) == list(CITED_RECORDS)


# -- bad parameters of the new lists -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        (ACTORS, "kind=robot", "kind"),
        (ACTORS, "jurisdiction=ZZ", "jurisdiction"),
        (ACTORS, "ordering=role", "ordering"),
        (ACTORS, "jurisdicton=CN", "jurisdicton"),
        (ACTORS, "facet=role", "facet"),
        (TOPICS, "ordering=count", "ordering"),
        (TOPICS, "page_size=201", "page_size"),
        (SOURCES, "kind=blog", "kind"),
        (SOURCES, "ordering=author", "ordering"),
        (SOURCES, "facet=publisher", "facet"),
        (CITATIONS, "source=no-such-source", "source"),
        (CITATIONS, "record=membership", "record"),
        (CITATIONS, "sorce=un-m49", "sorce"),
        (CITATIONS, "page=0", "page"),
    ],
)
def test_new_list_bad_parameter(client, seeded, url, query, parameter):
    assert_bad_parameter(client, url, query, parameter)
