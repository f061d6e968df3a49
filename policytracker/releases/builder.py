"""Building a release: the whole data set, dated, numbered and checksummed, in one folder.

A release holds:

- `datapackage.json` and one CSV per table (`policytracker.releases.tables`): a Frictionless
  Data Package, each field typed and described, each vocabulary an enum whose labels the
  description gives, primary and foreign keys declared;
- `policytracker.db`, the same tables in one SQLite file, with `metadata.json` for Datasette
  (title, description, licence, source, each table's and column's description, facets, and
  full-text search where the site searches);
- `records.json`: every record as the API's lists represent it (`api_records`);
- `CHANGELOG.md`: what changed since the previous release (`changelog`);
- `CITATION.cff`: how to cite it, in the Citation File Format archives read to mint a DOI;
- `release.json`, the manifest: number, date, built-at time, citation, every file with its size
  and SHA-256, the rows of each table and the changelog's counts;
- `SHA256SUMS`: the SHA-256 of every other file, in the format `sha256sum -c` reads.

The data is read in one transaction (a repeatable snapshot on PostgreSQL), so every file
describes one moment even while editors write. The release is written in a folder of its own
beside the releases (`.building-…`), and takes its number's name only once every file is
written: a release is never half-written, and a build that fails leaves nothing behind.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from policytracker.core.sqlite_files import SQLiteFile, datasette_table
from policytracker.releases import api_records
from policytracker.releases.changelog import Changelog, changes_between
from policytracker.releases.store import (
    CHECKSUMS,
    MANIFEST,
    Number,
    Release,
    ReleaseFile,
    all_releases,
    media_type,
    read_release,
    releases_dir,
    sha256,
    utc_text,
)
from policytracker.releases.tables import CHUNK, TABLES, csv_cell, sqlite_value

DATAPACKAGE = "datapackage.json"
SQLITE = "policytracker.db"
DATASETTE_METADATA = "metadata.json"
RECORDS = "records.json"
CHANGELOG = "CHANGELOG.md"
CITATION = "CITATION.cff"

TITLE = "Policy Tracker data"
AUTHOR = "Policy Tracker editors"
DESCRIPTION = (
    "A structured, cited database of AI-governance policy: jurisdictions and their approaches, "
    "binding laws, voluntary frameworks, draft bills, declarations and government policies, "
    "the events around them, and the sources and quotes every fact rests on."
)
KEYWORDS = ("artificial intelligence", "AI governance", "AI policy", "law", "regulation")
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


class ReleaseError(Exception):
    """A release cannot be built as asked; the message says why and what to do."""


def site_origin(given: str | None = None) -> str:
    """The site's public address (`given`, else `SITE_URL`) without a trailing slash: a
    release's citation gives its stable address there."""
    origin = (given if given is not None else settings.SITE_URL).strip().rstrip("/")
    parts = urlsplit(origin)
    if not origin:
        raise ReleaseError(
            "Set SITE_URL to the site's public address (e.g. https://tracker.example.org), or "
            "give --site-url: a release's citation names its stable address there."
        )
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        raise ReleaseError(
            f"“{origin}” is not the address of a site: give its scheme and host only, e.g. "
            "https://tracker.example.org."
        )
    try:
        api_records.check_origin(origin)
    except DisallowedHost:
        raise ReleaseError(
            f"The site does not answer at {parts.netloc}: add it to ALLOWED_HOSTS, or give the "
            "address it answers at."
        ) from None
    return origin


def _day(day: datetime.date) -> str:
    """5 December 2026."""
    return f"{day.day} {day:%B %Y}"


def citation_text(number: Number, day: datetime.date, url: str) -> str:
    return f"{TITLE}, release {number} ({_day(day)}). {url}"


def bibtex(number: Number, day: datetime.date, url: str) -> str:
    fields = {
        "title": f"{{{TITLE}, release {number}}}",
        "author": f"{{{{{AUTHOR}}}}}",
        "year": f"{{{day.year}}}",
        "date": f"{{{day.isoformat()}}}",
        "version": f"{{{number}}}",
        "url": f"{{{url}}}",
    }
    body = ",\n".join(f"  {name} = {value}" for name, value in fields.items())
    return f"@misc{{policytracker-{number},\n{body}\n}}"


def citation_cff(number: Number, day: datetime.date, url: str) -> str:
    """`CITATION.cff` (Citation File Format 1.2.0): everything an archive needs to mint a DOI
    for the release (title, authors, version, date released, licence, address); a DOI, once
    minted, goes under `doi`."""
    described = {
        "cff-version": "1.2.0",
        "message": f"If you use this data, please cite it as: {citation_text(number, day, url)}",
        "type": "dataset",
        "title": TITLE,
        "version": str(number),
        "date-released": day.isoformat(),
        "authors": [{"name": AUTHOR}],
        "abstract": DESCRIPTION,
        "keywords": list(KEYWORDS),
        "license": LICENCE["name"],
        "url": url,
    }
    return yaml.safe_dump(described, sort_keys=False, allow_unicode=True, width=100)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction: on PostgreSQL a repeatable, read-only snapshot, so that every file
    reads the same moment while editors write."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _write_tables(folder: Path) -> dict[str, int]:
    """Each table as a CSV file and into the SQLite file, in one pass over its rows; the rows
    of each."""
    counts = {}
    with SQLiteFile(folder / SQLITE) as database:
        for table in TABLES:
            stored = table.sqlite()
            database.create(stored)
            count = 0
            with (folder / table.filename).open("w", encoding="utf-8", newline="") as stream:
                writer = csv.writer(stream)
                writer.writerow([column.name for column in table.columns])
                chunk: list[list[Any]] = []
                for row in table.rows():
                    writer.writerow([csv_cell(value) for value in row])
                    chunk.append([sqlite_value(value) for value in row])
                    if len(chunk) == CHUNK:
                        count += database.insert(stored, chunk)
                        chunk = []
                count += database.insert(stored, chunk)
            counts[table.name] = count
    return counts


def _write_records(path: Path, origin: str, number: Number) -> None:
    """`records.json`: {"release", "site", "left_out", "resources": {list: [row, …]}}, one row
    per line, written as it is read."""
    lists = api_records.resources()
    left_out = {name: list(api_records.left_out(viewset)) for name, viewset in lists}
    with path.open("w", encoding="utf-8") as stream:
        head = {
            "release": str(number),
            "site": origin,
            "left_out": {name: fields for name, fields in left_out.items() if fields},
        }
        stream.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "resources": {')
        for index, (name, _) in enumerate(lists):
            stream.write(("," if index else "") + f"\n{json.dumps(name)}: [")
            for position, row in enumerate(api_records.rows(name, origin)):
                stream.write(("," if position else "") + "\n")
                stream.write(json.dumps(row, ensure_ascii=False))
            stream.write("\n]")
        stream.write("\n}}\n")


def _described(folder: Path, name: str, description: str) -> ReleaseFile:
    path = folder / name
    return ReleaseFile(name, path.stat().st_size, sha256(path), media_type(name), description)


def _datapackage(
    number: Number, built_at: str, url: str, origin: str, tables: list[ReleaseFile]
) -> dict[str, Any]:
    by_name = {item.name: item for item in tables}
    resources = []
    for table in TABLES:
        item = by_name[table.filename]
        resources.append(
            {
                "profile": "tabular-data-resource",
                "name": table.name,
                "path": table.filename,
                "title": table.title,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": item.bytes,
                "hash": f"sha256:{item.sha256}",
                "schema": table.schema(),
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "policytracker",
        "id": url,
        "title": f"{TITLE}, release {number}",
        "description": DESCRIPTION,
        "version": str(number),
        "created": built_at,
        "homepage": url,
        "keywords": list(KEYWORDS),
        "licenses": [LICENCE],
        "sources": [{"title": "Policy Tracker", "path": f"{origin}/"}],
        "contributors": [{"title": AUTHOR, "role": "author"}],
        "resources": resources,
    }


def datasette_metadata(number: Number, url: str) -> dict[str, Any]:
    """Datasette's `metadata.json` for the release's SQLite file."""
    tables = {}
    for table in TABLES:
        described: dict[str, Any] = {
            "title": table.title,
            "description": table.description,
            "columns": {column.name: column.full_description for column in table.columns},
        }
        if table.facets:
            described["facets"] = list(table.facets)
        if table.label_column:
            described["label_column"] = table.label_column
        described.update(datasette_table(table.sqlite()))
        tables[table.name] = described
    return {
        "title": f"{TITLE}, release {number}",
        "description": DESCRIPTION,
        "license": "CC BY 4.0",
        "license_url": LICENCE["path"],
        "source": "Policy Tracker",
        "source_url": url,
        "databases": {Path(SQLITE).stem: {"tables": tables}},
    }


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_release(
    folder: Path, number: Number, day: datetime.date, origin: str, previous: Release | None
) -> None:
    # Changes are listed up to now; the data is read once every write stamped before now has
    # had the change feed's settling time to commit, so the release holds every change it lists.
    until = timezone.now()
    time.sleep(settings.CHANGES_SETTLE_SECONDS)
    with _snapshot():
        built_at = timezone.now()
        counts = _write_tables(folder)
        _write_records(folder / RECORDS, origin, number)
        changelog = changes_between(
            previous=str(previous.number) if previous else None,
            since=previous.changes_until if previous else None,
            until=until,
        )
    url = origin + reverse("releases:release", args=[str(number)])
    built = utc_text(built_at)
    tables = [
        _described(folder, table.filename, f"{table.title}: {table.description}")
        for table in TABLES
    ]
    _write_json(folder / DATAPACKAGE, _datapackage(number, built, url, origin, tables))
    _write_json(folder / DATASETTE_METADATA, datasette_metadata(number, url))
    (folder / CHANGELOG).write_text(changelog.markdown(str(number), _day(day)), encoding="utf-8")
    (folder / CITATION).write_text(citation_cff(number, day, url), encoding="utf-8")
    files = [
        _described(
            folder,
            DATAPACKAGE,
            "The Frictionless Data Package: every table's fields, types, vocabularies, primary "
            "and foreign keys, and its CSV file's size and SHA-256.",
        ),
        *tables,
        _described(
            folder,
            SQLITE,
            "Every table in one SQLite file, with full-text search where the site searches; "
            "opens in Datasette with metadata.json.",
        ),
        _described(
            folder,
            DATASETTE_METADATA,
            "Datasette's metadata for policytracker.db: title, licence, source, each table's "
            "and column's description, facets.",
        ),
        _described(
            folder,
            RECORDS,
            "Every record as the API's lists represent it (GET /api/v1/<list>/), list by list.",
        ),
        _described(folder, CHANGELOG, _changelog_description(changelog)),
        _described(folder, CITATION, "How to cite this release, in the Citation File Format."),
    ]
    manifest = {
        "number": str(number),
        "date": day.isoformat(),
        "built_at": built,
        "title": f"{TITLE}, release {number}",
        "url": url,
        "site": origin,
        "citation": {
            "text": citation_text(number, day, url),
            "bibtex": bibtex(number, day, url),
        },
        "licence": LICENCE,
        "files": [item.as_dict() for item in files],
        "tables": counts,
        "changes": changelog.as_dict(),
    }
    _write_json(folder / MANIFEST, manifest)
    listed = [item.name for item in files] + [MANIFEST]
    (folder / CHECKSUMS).write_text(
        "".join(f"{sha256(folder / name)}  {name}\n" for name in listed), encoding="utf-8"
    )


def _changelog_description(changelog: Changelog) -> str:
    if changelog.first:
        return "The first release: there is no earlier one to compare it with."
    return f"What changed since release {changelog.previous}, counted per kind, then each change."


def build_release(*, origin: str | None = None, day: datetime.date | None = None) -> Release:
    """Build the next release of the data (numbered for `day`, today unless given) in
    `RELEASES_DIR`, its citation naming the site at `origin` (`SITE_URL` unless given)."""
    origin = site_origin(origin)
    folder = releases_dir()
    folder.mkdir(parents=True, exist_ok=True)
    existing = all_releases()
    previous = existing[0] if existing else None
    day = day or timezone.localdate()
    number = Number.next_after([release.number for release in existing], day)
    final = folder / str(number)
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=folder))
    try:
        # Readable by the web server, as a folder made by `mkdir` would be (`mkdtemp` makes it
        # its owner's alone).
        work.chmod(0o755)
        _write_release(work, number, day, origin, previous)
        if final.exists():
            raise ReleaseError(
                f"Release {number} was made by another build meanwhile: run this one again."
            )
        # Within one file system: the folder takes its name whole, or not at all.
        os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    release = read_release(final)
    assert release is not None
    return release
