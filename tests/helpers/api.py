"""Reading the API in tests: JSON lists and records, streamed CSV, query counts and the 400
that names a bad parameter. Used by tests/api/ and tests/core/api/."""

import csv
import io

from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# The fields of a row of the jurisdictions list, in order (tests/api/ and the CSV columns).
JURISDICTION_FIELDS = [
    "code",
    "name",
    "local_name",
    "kind",
    "kind_label",
    "region",
    "region_label",
    "parent",
    "approach",
    "approach_label",
    "approach_summary",
    "approach_assessed_on",
    "approach_assessed_on_precision",
    "approach_since",
    "approach_since_precision",
    "approach_partial",
    "member_of_partial",
    "binding_law_in_force",
    "binding_laws_in_force",
    "binding_law_since",
    "binding_law_since_precision",
    "subnational_binding_law_in_force",
    "coverage_reviewed_on",
    "memberships",
    "url",
    "html_url",
    "updated_at",
]


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def codes(data, key="code"):
    return [row[key] for row in data["results"]]


def all_rows(client, url, **params):
    """Every row of a JSON list, in order, page after page of 200."""
    rows, page = [], 1
    while True:
        data = get_json(client, url, page_size=200, page=page, **params)
        rows += data["results"]
        if data["next"] is None:
            return rows
        page += 1


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


def slugs(data):
    return [row["slug"] for row in data["results"]]


def by_slug(rows):
    return {row["slug"]: row for row in rows}


def instrument(slug):
    """The address of an instrument in the API."""
    return reverse("api:instrument-detail", args=[slug])
