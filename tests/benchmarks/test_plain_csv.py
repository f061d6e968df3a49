"""The CSV written by hand (`policytracker.benchmarks.plain_csv`), the yardstick of the API's
CSV download: the same bytes as the API's, for every country of the seed."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from policytracker.benchmarks import plain_csv

pytestmark = pytest.mark.django_db


def api_csv(client, code):
    response = client.get(reverse("api:instrument-list"), {"jurisdiction": code, "format": "csv"})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def plain(code, types=()):
    sink = io.StringIO()
    connection.ensure_connection()
    rows = plain_csv.write(connection.connection, code, types, sink, "http://testserver")
    return rows, sink.getvalue()


def test_every_countrys_csv_is_the_apis_byte_for_byte(seeded, client):
    filled = set()
    for code in Jurisdiction.objects.filter(parent=None).values_list("code", flat=True):
        expected = api_csv(client, code)
        rows, written = plain(code)
        assert written == expected, code
        records = list(csv.DictReader(io.StringIO(expected)))
        assert rows == len(records)
        filled |= {name for record in records for name, cell in record.items() if cell}
    # Every column the seed fills was compared somewhere, lists of objects included; `as_of`
    # is empty in a list not asked `as_of`.
    assert filled == set(plain_csv.HEADER) - {
        name for name in plain_csv.HEADER if name.startswith("as_of.")
    }


def test_header_is_the_apis(seeded, client):
    header = api_csv(client, "EU").split("\r\n", 1)[0]
    assert header == ",".join(plain_csv.HEADER)


def test_types_narrow_it_as_the_api_does(seeded, client):
    response = client.get(
        reverse("api:instrument-list"),
        {"jurisdiction": "US", "type": "binding_law", "format": "csv"},
    )
    expected = b"".join(response.streaming_content).decode("utf-8")
    assert plain("US", ["binding_law"])[1] == expected
