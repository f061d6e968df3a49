"""The SQLite copy Datasette serves (`policytracker.benchmarks.export`): every instrument, in
the API list's order, with the columns of an API row, the indexes and the full-text table."""

import json
import sqlite3

import pytest
from django.urls import reverse

from instruments.models import Instrument
from policytracker.benchmarks import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(seeded, tmp_path):
    def make(**options):
        exported = export.export(tmp_path / "tracker.db", **options)
        database = sqlite3.connect(exported.path)
        database.row_factory = sqlite3.Row
        return exported, database

    return make


def test_every_instrument_in_the_api_lists_order(copy, client):
    exported, database = copy(chunk_size=50)
    total = Instrument.objects.count()
    assert exported.rows == total
    assert exported.chunks == -(-total // 50)
    assert database.execute("SELECT COUNT(*) FROM instruments").fetchone()[0] == total
    page = client.get(reverse("api:instrument-list"), {"page_size": 200}).json()
    slugs = [row["slug"] for row in page["results"]]
    stored = [row[0] for row in database.execute("SELECT slug FROM instruments ORDER BY id")]
    assert stored[: len(slugs)] == slugs


SAME = (
    "slug", "title", "original_title", "short_name", "region", "region_label", "type",
    "type_label", "force", "force_label", "status", "status_label", "status_since",
    "status_since_precision", "introduced_on", "introduced_on_precision", "adopted_on",
    "adopted_on_precision", "effective_on", "effective_on_precision", "issuing_body",
    "summary", "identifiers", "topics", "parties", "related",
)  # fmt: skip


def test_each_row_carries_what_the_api_row_carries(copy, client):
    _, database = copy()
    page = client.get(reverse("api:instrument-list"), {"page_size": 200}).json()
    assert page["count"] <= 200
    rows = {row["slug"]: dict(row) for row in database.execute("SELECT * FROM instruments")}
    for api in page["results"]:
        row = rows[api["slug"]]
        for name in SAME:
            stored = json.loads(row[name]) if name in export.JSON_COLUMNS else row[name]
            assert stored == api[name], (api["slug"], name)
        assert row["jurisdiction_code"] == api["jurisdiction"]["code"]
        assert row["jurisdiction_name"] == api["jurisdiction"]["name"]
        assert bool(row["binding"]) == api["binding"]
        assert json.loads(row["citations"]) == api["citations"]
        assert api["url"].endswith(row["url"])
        assert api["html_url"].endswith(row["html_url"])


def test_a_sub_national_row_names_its_country(copy):
    _, database = copy()
    rows = database.execute(
        "SELECT jurisdiction_code, country_code FROM instruments "
        "WHERE jurisdiction_code LIKE 'US-%'"
    ).fetchall()
    assert rows
    assert {country for _, country in rows} == {"US"}


def test_the_filters_are_indexed_and_the_search_fields_are_full_text(copy):
    _, database = copy()
    indexed = set()
    for index in database.execute("PRAGMA index_list('instruments')").fetchall():
        columns = database.execute(f"PRAGMA index_info('{index['name']}')").fetchall()
        indexed.add(tuple(column["name"] for column in columns))
    assert set(export.INDEXES) <= indexed
    assert ("slug",) in indexed
    fts = database.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'instruments_fts'"
    ).fetchone()[0]
    assert "USING FTS5" in fts
    assert "content=[instruments]" in fts
    for column in export.FTS_COLUMNS:
        assert f"[{column}]" in fts
    title = Instrument.objects.get(slug="vn-law-on-artificial-intelligence").title
    found = database.execute(
        "SELECT slug FROM instruments WHERE id IN "
        "(SELECT rowid FROM instruments_fts WHERE instruments_fts MATCH ?)",
        [f'"{title}"'],
    ).fetchall()
    assert "vn-law-on-artificial-intelligence" in [row[0] for row in found]


def test_datasette_is_told_which_table_searches_the_instruments():
    metadata = export.datasette_metadata("tracker")
    assert metadata["databases"]["tracker"]["tables"]["instruments"] == {
        "fts_table": "instruments_fts",
        "fts_pk": "id",
    }
