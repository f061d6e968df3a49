"""The jurisdictions list of the API, and the behaviour every list of the API shares: strict
parameters, strict pagination and CSV (tested here once, on the smallest resource, and per
resource where it differs)."""

import csv
import io
import math

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from policytracker.api.jurisdictions import JurisdictionViewSet
from policytracker.core.api.renderers import neutralise
from tests.factories import ApproachAssessmentFactory, JurisdictionFactory, MembershipFactory

URL = reverse("api:jurisdiction-list")

JURISDICTION_FIELDS = [
    "code",
    "name",
    "local_name",
    "kind",
    "kind_label",
    "region",
    "region_label",
    "approach",
    "approach_label",
    "approach_summary",
    "approach_since",
    "approach_since_precision",
    "approach_partial",
    "memberships",
    "url",
    "html_url",
    "updated_at",
]


# -- helpers, also used by tests/instruments/test_api.py ----------------------------------------


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def codes(data, key="code"):
    return [row[key] for row in data["results"]]


def all_rows(client, url, **params):
    """Every row of a JSON list, in order (the seed fits in one page of 200)."""
    data = get_json(client, url, page_size=200, **params)
    assert data["next"] is None
    return data["results"]


def csv_table(response):
    """(header, rows) of a streamed CSV response."""
    assert isinstance(response, StreamingHttpResponse)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    header, *rows = csv.reader(io.StringIO(body, newline=""))
    return header, rows


def flat_names(row, prefix=""):
    """A JSON row's keys, nested objects as `parent.child`."""
    names = []
    for key, value in row.items():
        if isinstance(value, dict):
            names.extend(flat_names(value, f"{prefix}{key}."))
        else:
            names.append(prefix + key)
    return names


def cell_text(value):
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dict):
        return " | ".join(text for text in map(cell_text, value.values()) if text)
    if isinstance(value, list):
        separator = "\n" if any(isinstance(item, dict) for item in value) else ";"
        return separator.join(cell_text(item) for item in value)
    return str(value)


def expected_cells(row, header):
    """The CSV cells a JSON row should give under `header`."""
    cells = []
    for column in header:
        value = row
        for key in column.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        text = cell_text(value)
        cells.append("'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text)
    return cells


def assert_csv_matches_json(client, url, **params):
    """The CSV of a list has the JSON rows, in the same order, with the same values."""
    rows = all_rows(client, url, **params)
    header, csv_rows = csv_table(client.get(url, {**params, "format": "csv"}))
    assert rows
    assert [dict(zip(header, cells, strict=True)) for cells in csv_rows] == [
        dict(zip(header, expected_cells(row, header), strict=True)) for row in rows
    ]
    return header, rows


def count_queries(client, url, **params):
    """Queries one request makes, a streamed body included."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, getattr(response, "content", b"")
    return len(queries)


def assert_bad_parameter(client, url, query, parameter):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert list(errors) == [parameter]
    assert errors[parameter]
    assert all(isinstance(message, str) for message in errors[parameter])


# -- shape -------------------------------------------------------------------------------------


def test_list_shape(client, seeded):
    data = get_json(client, URL, page_size=2)
    assert list(data) == ["count", "next", "previous", "results"]
    assert data["count"] == 26
    assert data["previous"] is None
    assert data["next"] == "http://testserver" + URL + "?page=2&page_size=2"
    assert [list(row) for row in data["results"]] == [JURISDICTION_FIELDS] * 2


def test_row_values(client, seeded):
    rows = {row["code"]: row for row in all_rows(client, URL)}
    brunei = rows["BN"]
    assert brunei["kind"] == "national"
    assert brunei["kind_label"] == "National"
    assert brunei["region"] == "south_eastern_asia"
    assert brunei["region_label"] == "South-eastern Asia"
    assert brunei["approach"] == "not_assessed"
    assert brunei["approach_since"] is None
    assert brunei["approach_partial"] is False
    assert brunei["memberships"] == [
        {"bloc": "ASEAN", "role": "member", "start_year": 1984, "end_year": None}
    ]
    assert brunei["html_url"] == "http://testserver" + reverse(
        "web:jurisdiction-detail", args=["BN"]
    )
    assert brunei["updated_at"].endswith("Z")
    timor = rows["TL"]["memberships"]
    assert {"bloc": "ASEAN", "role": "observer", "start_year": 2022, "end_year": 2025} in timor


def test_approach_is_the_one_held_on_the_day_asked(client, seeded):
    today = {row["code"]: row for row in all_rows(client, URL)}
    then = {row["code"]: row for row in all_rows(client, URL, as_of="2025-08-08")}
    assert today["VN"]["approach"] == "risk_based"
    assert today["VN"]["approach_label"] == "Risk-based"
    assert today["VN"]["approach_since"] == "2026-03-01"
    assert today["VN"]["approach_since_precision"] == "day"
    assert then["VN"]["approach"] == "voluntary"
    assert then["VN"]["approach_since"] == "2025-08-08"
    assert then["TW"]["approach"] == "voluntary"


def test_partial_approach_date(client, seeded):
    ApproachAssessmentFactory(
        jurisdiction=JurisdictionFactory(code="XA", name="Partland"),
        approach="hybrid",
        date="2024-05-01",
        date_precision="month",
    )
    (row,) = [row for row in all_rows(client, URL) if row["code"] == "XA"]
    assert row["approach"] == "hybrid"
    assert row["approach_since"] == "2024-05"
    assert row["approach_since_precision"] == "month"
    assert row["approach_partial"] is True


def test_default_order_is_region_then_name(client, seeded):
    rows = all_rows(client, URL)
    keys = [(row["region"] or "", row["name"]) for row in rows]
    assert keys == sorted(keys)


# -- filters -----------------------------------------------------------------------------------


def test_filter_member_of_on_a_day(client, seeded):
    asean = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]
    today = codes(get_json(client, URL, member_of="ASEAN"))
    assert sorted(today) == sorted([*asean, "TL"])
    in_2024 = codes(get_json(client, URL, member_of="asean", as_of="2024-06-01"))
    assert sorted(in_2024) == sorted(asean)


def test_filter_approach_kind_region_q(client, seeded):
    assert codes(get_json(client, URL, approach="voluntary")) == ["ASEAN", "ID", "SG", "TH"]
    assert codes(get_json(client, URL, approach="voluntary", as_of="2025-08-08")) == [
        "TW",
        "ASEAN",
        "ID",
        "SG",
        "TH",
        "VN",
    ]
    assert codes(get_json(client, URL, kind="regional_bloc")) == ["EU", "ASEAN"]
    assert codes(get_json(client, URL, region="eastern_asia")) == ["CN", "JP", "KR", "TW"]
    assert "SG" in codes(get_json(client, URL, q="Singapore"))


def test_ordering(client, seeded):
    rows = get_json(client, URL, ordering="-code", page_size=3)["results"]
    assert [row["code"] for row in rows] == ["VN", "US", "TW"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kind=state", "kind"),
        ("region=asia", "region"),
        ("approach=strict", "approach"),
        ("member_of=NOPE", "member_of"),
        ("member_of=SG", "member_of"),
        ("as_of=2025-13-01", "as_of"),
        ("as_of=yesterday", "as_of"),
        ("updated_since=soon", "updated_since"),
        ("regoin=europe", "regoin"),
        ("ordering=approach", "ordering"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=999999", "page"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=500", "page_size"),
        ("page_size=x", "page_size"),
        ("page_size=%C2%B2", "page_size"),
    ],
)
def test_bad_parameter_answers_400_naming_it(client, seeded, query, parameter):
    assert_bad_parameter(client, URL, query, parameter)


def test_bad_parameter_answers_json_even_to_a_csv_request(client, seeded):
    response = client.get(URL, {"format": "csv", "kind": "state"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == ["kind"]


def test_unrelated_and_empty_parameters_are_not_errors(client, seeded):
    assert get_json(client, URL, _="1700000000", page="", page_size="")["count"] == 26


# -- pagination --------------------------------------------------------------------------------


def test_pages_cover_the_list_once(client, seeded):
    first = get_json(client, URL, page_size=10)
    second = client.get(first["next"]).json()
    last = get_json(client, URL, page_size=10, page="last")
    assert second["previous"] == "http://testserver" + URL + "?page_size=10"
    seen = codes(first) + codes(second) + codes(last)
    assert seen == codes(get_json(client, URL, page_size=200))
    assert last["next"] is None


def test_page_size_200_is_allowed(client, seeded):
    assert len(get_json(client, URL, page_size=200)["results"]) == 26


# -- formats -----------------------------------------------------------------------------------


def test_format_json_and_browsable(client, seeded):
    assert get_json(client, URL, format="json")["count"] == 26
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_csv_columns_are_the_serializer_fields(client, seeded):
    header, rows = assert_csv_matches_json(client, URL)
    assert header == JURISDICTION_FIELDS
    assert header == flat_names(rows[0])


def test_csv_has_every_matching_row_whatever_the_page(client, seeded):
    response = client.get(URL, {"format": "csv", "page": "2", "page_size": "5"})
    assert response["Content-Disposition"] == 'attachment; filename="jurisdictions.csv"'
    _, rows = csv_table(response)
    assert len(rows) == 26


def test_csv_filtered_rows_and_memberships_cell(client, seeded):
    assert_csv_matches_json(client, URL, member_of="ASEAN", as_of="2025-08-08")
    header, rows = csv_table(client.get(URL, {"format": "csv", "member_of": "ASEAN"}))
    timor = next(dict(zip(header, row, strict=True)) for row in rows if row[0] == "TL")
    assert timor["memberships"] == "ASEAN | observer | 2022 | 2025\nASEAN | member | 2025"
    assert timor["approach_partial"] == "false"


def test_accept_text_csv(client, seeded):
    header, rows = csv_table(client.get(URL, HTTP_ACCEPT="text/csv"))
    assert header == JURISDICTION_FIELDS
    assert len(rows) == 26


def test_csv_neutralises_formulas(client, seeded):
    JurisdictionFactory(code="XB", name="=1+1", local_name="@SUM(A1)", region="")
    header, rows = csv_table(client.get(URL, {"format": "csv"}))
    (row,) = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "XB"]
    assert row["name"] == "'=1+1"
    assert row["local_name"] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(cell, safe):
    assert neutralise(cell) == safe


# -- queries -----------------------------------------------------------------------------------


def test_json_query_count_does_not_depend_on_page_size(client, seeded, django_assert_num_queries):
    # The bloc code checked, the count, the rows, their memberships, the memberships' blocs.
    for page_size in (2, 50):
        with django_assert_num_queries(5):
            client.get(URL, {"member_of": "ASEAN", "page_size": page_size})


def test_csv_query_count_grows_only_with_chunks(client, seeded, monkeypatch):
    asean = Jurisdiction.objects.get(code="ASEAN")
    # Every row with a membership, so every chunk prefetches the same relations.
    params = {"member_of": "ASEAN"}
    json_queries = count_queries(client, URL, **params)
    per_chunk = json_queries - 3  # minus the code check, the count and the rows
    csv_queries = count_queries(client, URL, format="csv", **params)
    assert csv_queries == json_queries - 1
    for _ in range(12):
        MembershipFactory(bloc=asean)
    assert count_queries(client, URL, format="csv", **params) == csv_queries
    monkeypatch.setattr(JurisdictionViewSet, "csv_chunk_size", 7)
    chunks = math.ceil((11 + 12) / 7)
    assert count_queries(client, URL, format="csv", **params) == 2 + per_chunk * chunks


# -- a jurisdiction's own address ---------------------------------------------------------------

DETAIL_FIELDS = [*JURISDICTION_FIELDS, "approach_timeline", "members", "citations"]
STEP_FIELDS = [
    "date",
    "date_precision",
    "approach",
    "approach_label",
    "summary",
    "note",
    "citations",
]


def detail_url(code):
    return reverse("api:jurisdiction-detail", args=[code])


def test_detail_is_the_list_row_and_more(client, seeded):
    row = next(row for row in all_rows(client, URL) if row["code"] == "VN")
    data = get_json(client, detail_url("VN"))
    assert list(data) == DETAIL_FIELDS
    assert {name: data[name] for name in JURISDICTION_FIELDS} == row
    assert data["url"] == "http://testserver" + detail_url("VN")


def test_detail_approach_timeline_oldest_first_with_citations(client, seeded):
    timeline = get_json(client, detail_url("VN"))["approach_timeline"]
    assert [list(step) for step in timeline] == [STEP_FIELDS] * 2
    assert [(step["date"], step["approach"], step["approach_label"]) for step in timeline] == [
        ("2025-08-08", "voluntary", "Voluntary"),
        ("2026-03-01", "risk_based", "Risk-based"),
    ]
    assert timeline[0]["date_precision"] == "day"
    assert timeline[0]["summary"].startswith("Favours voluntary guidelines")
    (quote,) = timeline[0]["citations"]
    assert list(quote) == ["source", "quote", "locator"]
    assert quote["source"].startswith("U.S.–Asia AI Tug-of-War")
    assert "Vietnam" in quote["quote"]


def test_detail_partial_step(client, seeded):
    ApproachAssessmentFactory(
        jurisdiction=JurisdictionFactory(code="XA", name="Partland"),
        approach="hybrid",
        date="2024-05-01",
        date_precision="month",
    )
    (step,) = get_json(client, detail_url("XA"))["approach_timeline"]
    assert (step["date"], step["date_precision"], step["citations"]) == ("2024-05", "month", [])


def test_detail_memberships_both_ways(client, seeded):
    asean = get_json(client, detail_url("ASEAN"))
    assert asean["memberships"] == []
    assert {"member": "BN", "role": "member", "start_year": 1984, "end_year": None} in asean[
        "members"
    ]
    timor = [item for item in asean["members"] if item["member"] == "TL"]
    assert timor == [
        {"member": "TL", "role": "observer", "start_year": 2022, "end_year": 2025},
        {"member": "TL", "role": "member", "start_year": 2025, "end_year": None},
    ]
    brunei = get_json(client, detail_url("BN"))
    assert brunei["members"] == []
    assert [item["bloc"] for item in brunei["memberships"]] == ["ASEAN"]
    assert brunei["citations"]


def test_detail_code_in_any_case(client, seeded):
    data = get_json(client, detail_url("vn"))
    assert data["code"] == "VN"
    assert data["url"] == "http://testserver" + detail_url("VN")
    assert get_json(client, detail_url("Vn")) == get_json(client, detail_url("VN"))


def test_unknown_code_answers_404_in_json(client, seeded):
    response = client.get(detail_url("ZZ"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No jurisdiction has the code “ZZ”."}


def test_detail_ignores_the_list_filters(client, seeded):
    assert get_json(client, detail_url("VN"), kind="regional_bloc")["code"] == "VN"


def test_detail_query_count_is_fixed(client, seeded, django_assert_num_queries):
    # The row (today's approach in it), memberships with their blocs, members, assessments,
    # their citations, its own citations; whatever the number of each.
    for code in ("VN", "ASEAN", "SG", "EU"):
        with django_assert_num_queries(6):
            client.get(detail_url(code))
    # Without assessments there are no assessment citations to read.
    with django_assert_num_queries(5):
        client.get(detail_url("TL"))


# -- facets ------------------------------------------------------------------------------------


def test_facets_on_request(client, seeded):
    data = get_json(client, URL, facet=["kind", "region"], page_size=2)
    assert list(data) == ["count", "next", "previous", "facets", "results"]
    assert list(data["facets"]) == ["kind", "region"]
    assert data["facets"]["kind"][0] == {
        "value": "national",
        "label": "National",
        "count": 22,
        "selected": False,
    }
    assert "facet=kind" in data["next"]


def test_facets_count_under_the_other_filters_and_mark_the_chosen(client, seeded):
    query = {"facet": "kind", "kind": "regional_bloc", "region": "south_eastern_asia"}
    data = get_json(client, URL, **query)
    assert codes(data) == ["ASEAN"]
    assert data["facets"]["kind"] == [
        {"value": "national", "label": "National", "count": 11, "selected": False},
        {"value": "regional_bloc", "label": "Regional bloc", "count": 1, "selected": True},
    ]


def test_facet_without_value_is_no_facet(client, seeded):
    assert "facets" not in get_json(client, URL, facet="")


def test_unknown_facet_answers_400_naming_the_allowed_ones(client, seeded):
    response = client.get(URL, {"facet": ["kind", "approch"]})
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "facet": [
                "“approch” is not a facet of this list. Allowed values: kind, region, approach, "
                "member_of."
            ]
        }
    }


def test_unknown_facet_and_bad_filter_are_named_together(client, seeded):
    response = client.get(URL, {"facet": "nope", "kind": "state"})
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["facet", "kind"]


def test_facets_cost_one_query_each(client, seeded, django_assert_num_queries):
    plain = count_queries(client, URL)
    with django_assert_num_queries(plain + 2):
        client.get(URL, {"facet": ["kind", "region"]})
