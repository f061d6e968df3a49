"""The instruments of the API: the list and each record (what every list shares is tested in
tests/core/api/, what every resource shares in tests/api/test_resources.py)."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Instrument
from policytracker.api.instruments import InstrumentViewSet
from tests.factories import (
    CitationFactory,
    InstrumentFactory,
    RelationFactory,
    StatusChangeFactory,
    TopicFactory,
)
from tests.helpers.api import (
    all_rows,
    assert_bad_parameter,
    assert_csv_matches_json,
    by_slug,
    count_queries,
    csv_table,
    get_json,
    instrument,
    slugs,
)

INSTRUMENTS = reverse("api:instrument-list")

INSTRUMENT_FIELDS = [
    "slug",
    "title",
    "original_title",
    "short_name",
    "jurisdiction",
    "region",
    "region_label",
    "type",
    "type_label",
    "force",
    "force_label",
    "binding",
    "status",
    "status_label",
    "status_since",
    "status_since_precision",
    "introduced_on",
    "introduced_on_precision",
    "adopted_on",
    "adopted_on_precision",
    "effective_on",
    "effective_on_precision",
    "issuing_body",
    "identifiers",
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


# -- instruments: shape ------------------------------------------------------------------------


def test_instrument_list_shape(client, seeded):
    data = get_json(client, INSTRUMENTS, page_size=2)
    assert list(data) == ["count", "count_exact", "next", "previous", "results"]
    assert data["count"] == Instrument.objects.count()
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
    assert rows["sg-mas-feat-principles"]["adopted_on"] == "2018"
    assert rows["sg-mas-feat-principles"]["adopted_on_precision"] == "year"
    assert rows["jp-ai-guidelines-for-business-2024"]["adopted_on"] == "2024-04-19"
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
    bill = rows["ca-aida-bill-c27"]
    assert bill["status"] == "withdrawn"
    assert bill["as_of"] == {
        "date": "2024-06-01",
        "status": "proposed",
        "status_label": "Proposed",
        "since": "2022-06",
        "since_precision": "month",
        "partial": True,
    }
    draft = rows["jp-basic-law-responsible-ai-draft"]
    assert draft["status"] == "superseded"
    assert draft["as_of"] == {
        "date": "2024-06-01",
        "status": "draft",
        "status_label": "Draft",
        "since": "2024-02-16",
        "since_precision": "day",
        "partial": False,
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
    assert slugs(data) == [
        "ph-comelec-resolution-11064",
        "vn-decree-142-2026",
        "vn-law-on-artificial-intelligence",
        "vn-law-digital-technology-industry",
    ]


def test_voluntary_member_of_as_of(client, seeded):
    data = get_json(client, INSTRUMENTS, binding="false", member_of="ASEAN", as_of="2025-08-08")
    assert [(row["slug"], row["as_of"]["status"]) for row in data["results"]] == [
        ("bn-guide-ai-governance-ethics", "in_effect"),
        ("kh-draft-national-ai-strategy", "draft"),
        ("id-ojk-ai-governance-banking", "in_effect"),
        ("id-se-9-2023-ai-ethics", "in_effect"),
        ("id-stranas-ka", "in_effect"),
        ("my-ai-roadmap-2021-2025", "in_effect"),
        ("my-aige-guidelines", "in_effect"),
        ("mm-national-ai-strategy-policy-draft", "draft"),
        ("ph-naisr-2", "in_effect"),
        ("ph-nais", "adopted"),
        ("sg-ai-verify-toolkit", "in_effect"),
        ("sg-model-ai-governance-framework", "in_effect"),
        ("sg-mgf-generative-ai", "in_effect"),
        ("sg-nais-2", "in_effect"),
        ("sg-mas-feat-principles", "in_effect"),
        ("sg-hsa-software-medical-devices-guidelines", "in_effect"),
        ("th-bot-ai-risk-management-guidelines", "draft"),
        ("th-nais-2022-2027", "in_effect"),
        ("vn-national-ai-strategy-2030", "in_effect"),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"type": "declaration"},
            [
                "asean-ai-safe-declaration",
                "asean-hanoi-digital-declaration",
                "intl-apec-digital-ai-ministerial-statement-2025",
                "intl-apec-ai-initiative-2025",
                "intl-bletchley-declaration",
                "intl-new-delhi-declaration-ai-impact",
                "seoul-declaration-2024",
                "intl-paris-ai-action-statement-2025",
                "tw-us-pax-silica-joint-statement-2026",
                "un-global-digital-compact",
                "un-ares-78-265",
                "un-ares-79-325",
            ],
        ),
        ({"type": ["declaration", "draft_bill"]}, None),
        (
            {"status": "proposed"},
            [
                "us-ca-sb-867",
                "eu-cloud-ai-development-act",
                "in-rbi-free-ai-framework",
                "us-ny-s-1169",
                "ph-sb-25-aira",
                "sg-mas-ai-risk-management-guidelines",
                "us-hr-5388-ai-leadership-uniformity-act",
                "us-onc-hti-5-proposed-rule",
                "us-ban-chinese-ai-federal-use",
            ],
        ),
        ({"status": "proposed", "as_of": "2024-06-01"}, ["ca-aida-bill-c27", "it-law-132-2025"]),
        (
            {"region": "southern_asia"},
            [
                "in-rbi-free-ai-framework",
                "in-sebi-ai-ml-guidelines-draft",
                "in-ai-governance-guidelines",
                "in-indiaai-mission",
                "in-it-rules-amendment-sgi-2026",
            ],
        ),
        ({"year": "2019"}, ["oecd-ai-principles", "sg-model-ai-governance-framework"]),
        (
            {"adopted_after": "2025-12-01", "adopted_before": "2025-12-31"},
            [
                "au-national-ai-plan",
                "de-bafin-ai-ict-risk-guidance",
                "jp-ai-basic-plan",
                "jp-ai-appropriateness-guideline-2025",
                "us-ny-synthetic-performer-law",
                "us-ny-raise-act",
                "kr-ai-basic-act-amendment-2025",
                "tw-ai-basic-act",
                "us-eo-14365-national-ai-policy-framework",
                "us-fy2026-ndaa-ai-provisions",
                "vn-law-on-artificial-intelligence",
            ],
        ),
        ({"q": "Verify"}, ["sg-ai-verify-toolkit", "sg-mgf-generative-ai"]),
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
        (
            {"jurisdiction": "SG"},
            [
                "sg-ai-verify-toolkit",
                "sg-mas-ai-risk-management-guidelines",
                "sg-model-ai-governance-framework",
                "sg-mgf-agentic-ai",
                "sg-mgf-generative-ai",
                "sg-nais-2",
                "sg-mas-feat-principles",
                "sg-hsa-software-medical-devices-guidelines",
            ],
        ),
        (
            {"party": "GB"},
            [
                "intl-bletchley-declaration",
                "intl-coe-framework-convention-ai",
                "intl-new-delhi-declaration-ai-impact",
                "seoul-declaration-2024",
            ],
        ),
        (
            {"topic": "testing-and-assurance"},
            [
                "au-guidance-for-ai-adoption",
                "au-voluntary-ai-safety-standard",
                "ca-osfi-guideline-e23",
                "ca-hc-mlmd-premarket-guidance",
                "eu-mdcg-2025-6-ai-act-mdr-faq",
                "de-bsi-generative-ai-models",
                "de-bafin-ai-ict-risk-guidance",
                "in-sebi-ai-ml-guidelines-draft",
                "us-ny-s-1169",
                "sg-ai-verify-toolkit",
                "sg-mgf-agentic-ai",
                "sg-mgf-generative-ai",
                "gb-mhra-ai-airlock",
                "gb-pra-ss1-23-model-risk",
                "us-nist-ai-rmf",
                "us-fda-ai-device-lifecycle-draft-guidance",
                "us-great-american-ai-act-draft",
                "us-fda-pccp-ai-device-guidance",
                "us-fy2026-ndaa-ai-provisions",
                "us-eo-advanced-ai-innovation-security-2026",
                "vn-high-risk-ai-systems-list-draft",
            ],
        ),
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


def test_instrument_csv_rows_equal_json_rows(client, seeded):
    RelationFactory(
        from_instrument=InstrumentFactory(summary="-1 point"), to_instrument=InstrumentFactory()
    )
    assert_csv_matches_json(client, INSTRUMENTS)
    assert_csv_matches_json(client, INSTRUMENTS, binding="false", ordering="-adopted_on")


def test_instrument_csv_is_a_streamed_download_of_every_row(client, seeded):
    response = client.get(INSTRUMENTS, {"format": "csv", "page": "2", "page_size": "3"})
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="instruments.csv"'
    _, rows = csv_table(response)
    assert len(rows) == Instrument.objects.count()


def test_instrument_csv_by_accept_header(client, seeded):
    header, rows = csv_table(client.get(INSTRUMENTS, HTTP_ACCEPT="text/csv"))
    assert header[0] == "slug"
    assert len(rows) == Instrument.objects.count()


def test_instrument_format_json(client, seeded):
    assert get_json(client, INSTRUMENTS, format="json")["count"] == Instrument.objects.count()


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
    # count, rows, identifiers, topics, parties, outgoing and incoming relations, citations
    for page_size in (2, 50):
        with django_assert_num_queries(8):
            client.get(INSTRUMENTS, {"page_size": page_size})
    # the same with `as_of`: the status then is read in the rows' query
    for page_size in (2, 50):
        with django_assert_num_queries(8):
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
    chunks = math.ceil(Instrument.objects.count() / 10)
    assert count_queries(client, INSTRUMENTS, format="csv") == 1 + per_chunk * chunks


# -- an instrument at its own address ----------------------------------------------------------


def test_instrument_record(client, seeded):
    data = get_json(client, instrument("vn-law-on-artificial-intelligence"))
    assert list(data) == [*INSTRUMENT_FIELDS, "status_timeline", "events"]
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


# -- downloads for spreadsheets ----------------------------------------------------------------


def test_a_spreadsheet_download_names_what_it_holds_and_opens_in_excel(client, seeded):
    response = client.get(
        INSTRUMENTS,
        {"binding": "true", "member_of": "ASEAN", "as_of": "2025-08-08", "format": "csv"}
        | {"columns": "sheet", "bom": "1"},
    )
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="instruments-binding-asean-2025-08-08.csv"'
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    header = body[1:].splitlines()[0].split(",")
    for column in (
        "Title",
        "Jurisdiction code",
        "Region",
        "Legal force",
        "Status",
        "Status date",
        "In effect from",
        "Official identifiers",
        "Page",
    ):
        assert column in header, column
    # Labels, not stored values; no precision or API address columns.
    assert not [name for name in header if "precision" in name.lower() or name == "Url"]


def test_the_api_columns_stay_the_default_and_carry_the_researchers_fields(client, seeded):
    response = client.get(INSTRUMENTS, {"format": "csv", "jurisdiction": "EU"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert not body.startswith("\ufeff")
    assert response["Content-Disposition"] == 'attachment; filename="instruments-eu.csv"'
    rows = by_slug(all_rows(client, INSTRUMENTS, jurisdiction="EU"))
    act = rows["eu-ai-act"]
    assert (act["region"], act["region_label"]) == ("europe", "Europe")
    assert (act["status_since"], act["status_since_precision"]) == ("2024-08-01", "day")
    assert {"scheme": "celex", "scheme_label": "CELEX number", "value": "32024R1689"} in act[
        "identifiers"
    ] or act["identifiers"]


@pytest.mark.parametrize(("name", "value"), [("columns", "pretty"), ("bom", "yes")])
def test_a_bad_download_option_names_the_parameter(client, seeded, name, value):
    response = client.get(INSTRUMENTS, {"format": "csv", name: value})
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_the_list_reads_only_the_columns_its_rows_show(client, seeded, monkeypatch):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INSTRUMENTS, {"page_size": 100})
    assert response.status_code == 200
    selected = [
        query["sql"].split(" FROM ", 1)[0]
        for query in queries.captured_queries
        if '"instruments_instrument"."summary"' in query["sql"].split(" FROM ", 1)[0]
    ]
    assert selected, "the rows' query"
    for columns in selected:
        for unread in ("exists_from_day", "timeline_status", "approach_summary", "local_name"):
            assert unread not in columns
    # Nothing the rows show is read row by row afterwards: the same queries as reading every
    # column, and the same answer.
    lean = count_queries(client, INSTRUMENTS, page_size=100)
    csv_lean = count_queries(client, INSTRUMENTS, format="csv")
    monkeypatch.setattr(InstrumentViewSet, "listed_columns", ())
    assert count_queries(client, INSTRUMENTS, page_size=100) == lean
    assert count_queries(client, INSTRUMENTS, format="csv") == csv_lean
    assert client.get(INSTRUMENTS, {"page_size": 100}).json() == response.json()
