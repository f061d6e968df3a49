"""A release's SQLite file opens in Datasette with its `metadata.json`, as a reader opens it
(`datasette policytracker.db --metadata metadata.json`): the tables answer, the metadata's
title, descriptions and facets show, and the full-text search finds what the site finds."""

import asyncio
import json

import pytest
from datasette.app import Datasette

from instruments.models import Instrument
from policytracker.releases import builder

pytestmark = pytest.mark.django_db


def ask(release, paths):
    """Datasette's answers to `paths`, served in this process from the release's files."""
    metadata = json.loads((release.path / builder.DATASETTE_METADATA).read_text())

    async def answers():
        datasette = Datasette([str(release.path / builder.SQLITE)], metadata=metadata)
        await datasette.invoke_startup()
        return [await datasette.client.get(path) for path in paths]

    return asyncio.run(answers())


def test_datasette_serves_the_release_with_its_metadata(release):
    instrument = Instrument.objects.get(slug="vn-law-on-artificial-intelligence")
    word = "Viet" if "Viet" in instrument.title else instrument.title.split()[-1]
    home, table, rows, found, binding = ask(
        release,
        [
            "/",
            "/policytracker/instruments",
            "/policytracker/jurisdictions.json?_shape=objects&_size=max",
            f"/policytracker/instruments.json?_search={word}&_shape=objects",
            "/policytracker/instruments.json?force=binding&_shape=objects&_size=max",
        ],
    )
    assert home.status_code == 200
    assert f"Policy Tracker data, release {release.number}" in home.text
    assert table.status_code == 200
    assert "Laws, voluntary frameworks, draft bills" in table.text  # the table's description
    assert "Its legal force, derived from" in table.text  # a column's
    assert "CC BY 4.0" in table.text
    assert rows.status_code == 200
    assert len(rows.json()["rows"]) == release.tables["jurisdictions"]
    assert found.status_code == 200
    assert instrument.slug in [row["slug"] for row in found.json()["rows"]]
    assert set(binding.json()["facet_results"]) == {"type", "force", "status", "jurisdiction"}
    assert {row["slug"] for row in binding.json()["rows"]} == set(
        Instrument.objects.binding().values_list("slug", flat=True)
    )
