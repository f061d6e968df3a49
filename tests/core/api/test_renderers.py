"""CSV for every list of the API (`policytracker.core.api.renderers` and the views' download),
on the jurisdictions and instruments lists: the serializer's fields flattened into columns and
cells, every matching row whatever the page, streamed in chunks, cells safe to open in a
spreadsheet, errors in JSON; and the JSON and browsable formats."""

import math

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from policytracker.api.jurisdictions import JurisdictionViewSet
from policytracker.core.api.renderers import neutralise
from tests.factories import JurisdictionFactory, MembershipFactory
from tests.helpers.api import (
    JURISDICTION_FIELDS,
    assert_csv_matches_json,
    count_queries,
    csv_table,
    flat_names,
    get_json,
)

URL = reverse("api:jurisdiction-list")
INSTRUMENTS = reverse("api:instrument-list")

AS_OF_FIELDS = ["date", "status", "status_label", "since", "since_precision", "partial"]


# -- columns and cells -------------------------------------------------------------------------


def test_csv_columns_are_the_serializer_fields(client, seeded):
    header, rows = assert_csv_matches_json(client, URL)
    assert header == JURISDICTION_FIELDS
    assert header == flat_names(rows[0])


def test_instrument_csv_header_is_the_serializer_fields_flattened(client, seeded):
    header, rows = assert_csv_matches_json(client, INSTRUMENTS, as_of="2025-08-08")
    assert header == flat_names(rows[0])
    assert header[4:6] == ["jurisdiction.code", "jurisdiction.name"]
    assert header[-9:-3] == [f"as_of.{name}" for name in AS_OF_FIELDS]
    # The columns do not depend on the query.
    assert csv_table(client.get(INSTRUMENTS, {"format": "csv"}))[0] == header


def test_instrument_csv_cells(client, seeded):
    header, rows = csv_table(client.get(INSTRUMENTS, {"format": "csv", "as_of": "2024-06-01"}))
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    toolkit = rows["sg-ai-verify-toolkit"]
    assert toolkit["topics"] == "sandboxes;testing-and-assurance"
    assert toolkit["related"] == "aligned_with | out | oecd-ai-principles"
    assert toolkit["binding"] == "false"
    assert toolkit["introduced_on"] == ""
    assert toolkit["as_of.date"] == "2024-06-01"
    bill = rows["ca-aida-bill-c27"]
    assert (bill["as_of.status"], bill["as_of.since"], bill["as_of.partial"]) == (
        "proposed",
        "2022-06",
        "true",
    )
    draft = rows["jp-basic-law-responsible-ai-draft"]
    assert (draft["as_of.status"], draft["as_of.since"], draft["as_of.partial"]) == (
        "draft",
        "2024-02-16",
        "false",
    )


def test_csv_filtered_rows_and_memberships_cell(client, seeded):
    assert_csv_matches_json(client, URL, member_of="ASEAN", as_of="2025-08-08")
    header, rows = csv_table(client.get(URL, {"format": "csv", "member_of": "ASEAN"}))
    timor = next(dict(zip(header, row, strict=True)) for row in rows if row[0] == "TL")
    assert timor["memberships"] == (
        "ASEAN | observer | 2022-11-11 | day | 2025-10-26 | day\nASEAN | member | 2025-10-26 | day"
    )
    assert timor["approach_partial"] == "false"


# -- every matching row, streamed --------------------------------------------------------------


def test_csv_has_every_matching_row_whatever_the_page(client, seeded):
    response = client.get(URL, {"format": "csv", "page": "2", "page_size": "5"})
    assert response["Content-Disposition"] == 'attachment; filename="jurisdictions.csv"'
    _, rows = csv_table(response)
    assert len(rows) == Jurisdiction.objects.count()


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
    chunks = math.ceil(get_json(client, URL, **params)["count"] / 7)
    assert count_queries(client, URL, format="csv", **params) == 2 + per_chunk * chunks


# -- formats -----------------------------------------------------------------------------------


def test_accept_text_csv(client, seeded):
    header, rows = csv_table(client.get(URL, HTTP_ACCEPT="text/csv"))
    assert header == JURISDICTION_FIELDS
    assert len(rows) == Jurisdiction.objects.count()


def test_format_json_and_browsable(client, seeded):
    assert get_json(client, URL, format="json")["count"] == Jurisdiction.objects.count()
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_bad_parameter_answers_json_even_to_a_csv_request(client, seeded):
    response = client.get(URL, {"format": "csv", "kind": "state"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == ["kind"]


# -- cells safe to open in a spreadsheet -------------------------------------------------------


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
