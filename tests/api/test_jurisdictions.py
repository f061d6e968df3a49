"""The jurisdictions list of the API, and the behaviour every list of the API shares: strict
parameters, strict pagination and CSV (tested here once, on the smallest resource, and per
resource where it differs)."""

import pytest
from django.urls import reverse

from jurisdictions.models import ApproachAssessment, Jurisdiction
from tests.factories import ApproachAssessmentFactory, JurisdictionFactory
from tests.helpers.api import (
    JURISDICTION_FIELDS,
    all_rows,
    assert_bad_parameter,
    codes,
    get_json,
)

URL = reverse("api:jurisdiction-list")


# -- shape -------------------------------------------------------------------------------------


def test_list_shape(client, seeded):
    data = get_json(client, URL, page_size=2)
    assert list(data) == ["count", "count_exact", "next", "previous", "results"]
    assert data["count"] == Jurisdiction.objects.count()
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
        {
            "bloc": "ASEAN",
            "role": "member",
            "start": "1984-01-07",
            "start_precision": "day",
            "end": None,
            "end_precision": None,
        }
    ]
    assert brunei["html_url"] == "http://testserver" + reverse(
        "web:jurisdiction-detail", args=["BN"]
    )
    assert brunei["updated_at"].endswith("Z")
    timor = rows["TL"]["memberships"]
    assert {
        "bloc": "ASEAN",
        "role": "observer",
        "start": "2022-11-11",
        "start_precision": "day",
        "end": "2025-10-26",
        "end_precision": "day",
    } in timor


def test_approach_is_the_one_held_on_the_day_asked(client, seeded):
    today = {row["code"]: row for row in all_rows(client, URL)}
    then = {row["code"]: row for row in all_rows(client, URL, as_of="2025-08-08")}
    assert today["VN"]["approach"] == "risk_based"
    assert today["VN"]["approach_label"] == "Risk-based"
    assert today["VN"]["approach_since"] == "2026-03-01"
    assert today["VN"]["approach_since_precision"] == "day"
    assert then["VN"]["approach"] == "voluntary"
    # The article's date is when it made the assessment, not since when the approach held.
    assert then["VN"]["approach_since"] is None
    assert then["VN"]["approach_assessed_on"] == "2025-08-08"
    assert then["VN"]["approach_assessed_on_precision"] == "day"
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
    assert row["approach_since"] is None
    assert row["approach_assessed_on"] == "2024-05"
    assert row["approach_assessed_on_precision"] == "month"
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
    assert codes(get_json(client, URL, approach="voluntary")) == [
        "ASEAN",
        "ID",
        "LA",
        "MY",
        "SG",
        "TH",
    ]
    assert codes(get_json(client, URL, approach="voluntary", as_of="2025-08-08")) == [
        "TW",
        "ASEAN",
        "ID",
        "MY",
        "SG",
        "TH",
        "VN",
    ]
    assert codes(get_json(client, URL, kind="regional_bloc")) == ["EU", "ASEAN"]
    assert codes(get_json(client, URL, region="eastern_asia")) == ["CN", "JP", "KR", "TW"]
    assert "SG" in codes(get_json(client, URL, q="Singapore"))


def test_ordering(client, seeded):
    rows = get_json(client, URL, ordering="-code", page_size=3)["results"]
    assert [row["code"] for row in rows] == ["VN", "US-WA", "US-UT"]


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
    ],
)
def test_bad_parameter_answers_400_naming_it(client, seeded, query, parameter):
    assert_bad_parameter(client, URL, query, parameter)


# -- queries -----------------------------------------------------------------------------------


def test_json_query_count_does_not_depend_on_page_size(client, seeded, django_assert_num_queries):
    # The bloc code checked, the count, the rows, their memberships, the memberships' blocs.
    for page_size in (2, 50):
        with django_assert_num_queries(5):
            client.get(URL, {"member_of": "ASEAN", "page_size": page_size})


# -- a jurisdiction's own address ---------------------------------------------------------------

DETAIL_FIELDS = [
    *JURISDICTION_FIELDS,
    "approach_timeline",
    "coverage_reviews",
    "members",
    "citations",
]
STEP_FIELDS = [
    "date",
    "date_precision",
    "assessed_on",
    "assessed_on_precision",
    "holds_from",
    "holds_from_precision",
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
    assert [list(step) for step in timeline] == [STEP_FIELDS] * 3
    assert [(step["date"], step["approach"], step["approach_label"]) for step in timeline] == [
        ("2025-08-08", "voluntary", "Voluntary"),
        ("2026-01-01", "risk_based", "Risk-based"),
        ("2026-03-01", "risk_based", "Risk-based"),
    ]
    assert timeline[0]["date_precision"] == "day"
    # The article made the first assessment; sources say since when the later ones have held.
    assert (timeline[0]["assessed_on"], timeline[0]["holds_from"]) == ("2025-08-08", None)
    assert (timeline[1]["assessed_on"], timeline[1]["holds_from"]) == (None, "2026-01-01")
    assert (timeline[2]["assessed_on"], timeline[2]["holds_from"]) == (None, "2026-03-01")
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
    assert {
        "member": "BN",
        "role": "member",
        "start": "1984-01-07",
        "start_precision": "day",
        "end": None,
        "end_precision": None,
    } in asean["members"]
    timor = [item for item in asean["members"] if item["member"] == "TL"]
    assert timor == [
        {
            "member": "TL",
            "role": "observer",
            "start": "2022-11-11",
            "start_precision": "day",
            "end": "2025-10-26",
            "end_precision": "day",
        },
        {
            "member": "TL",
            "role": "member",
            "start": "2025-10-26",
            "start_precision": "day",
            "end": None,
            "end_precision": None,
        },
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
    assert response.json() == {"errors": {"path": ["No jurisdiction has the code “ZZ”."]}}


def test_detail_ignores_the_list_filters(client, seeded):
    assert get_json(client, detail_url("VN"), kind="regional_bloc")["code"] == "VN"


def test_detail_query_count_is_fixed(client, seeded, django_assert_num_queries):
    # The row (today's approach in it), coverage reviews, their citations, memberships with
    # their blocs, members, assessments, their citations, its own citations; whatever the
    # number of each.
    for code in ("VN", "ASEAN", "SG", "EU", "US"):
        with django_assert_num_queries(8):
            client.get(detail_url(code))
    # Without assessments there are no assessment citations to read.
    assert not ApproachAssessment.objects.filter(jurisdiction__code="TL").exists()
    with django_assert_num_queries(7):
        client.get(detail_url("TL"))
