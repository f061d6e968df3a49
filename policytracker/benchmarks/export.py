"""The instruments as one SQLite table, for Datasette to serve beside the app.

One row per instrument with what a row of the API's list carries (`/api/v1/instruments/`):
its fields, its jurisdiction's code, name and region, the labels of its vocabularies, dates at
their precision beside it, and its identifiers, topics, parties, relations and citations as
JSON text; a vocabulary value, label or date no source states is NULL, as it is null there.
Rows are written in the API list's order (jurisdiction name, title, key), so the table's row
ids keep that order and Datasette's default order gives the same pages.
`country_code` is the issuing country (a sub-national jurisdiction's parent, or the
jurisdiction itself): it selects what `jurisdiction=<country>` selects in the API.

Indexes cover what the benchmark filters on (type, status, jurisdiction, country, the dates,
type with country), and `instruments_fts` indexes the fields the API's search reads (FTS5 over
title, short name, original title, summary and issuing body, kept in the table as its content,
the way `sqlite-utils enable-fts` builds it, so Datasette finds it). Rows are read and written a
chunk at a time, so memory stays flat whatever the size; the file itself is written by
`policytracker.core.sqlite_files`, as the data releases' is."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.db import connection, transaction
from django.urls import reverse

from instruments.models import (
    Citation,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Source,
    Topic,
)
from instruments.vocabulary import (
    FORCE_OF_TYPE,
    Force,
    IdentifierScheme,
    InstrumentStatus,
    InstrumentType,
)
from jurisdictions.models import Jurisdiction
from jurisdictions.vocabulary import Region
from policytracker.core.dates import partial_date
from policytracker.core.sqlite_files import SQLiteFile, SQLiteTable, datasette_table

TABLE = "instruments"
# The API list's order (`InstrumentViewSet.queryset`); the benchmark checks that pages agree.
ORDER = ("jurisdiction__name", "title", "pk")
COLUMNS = (
    ("id", "INTEGER PRIMARY KEY"),
    ("slug", "TEXT NOT NULL UNIQUE"),
    ("title", "TEXT"),
    ("original_title", "TEXT"),
    ("short_name", "TEXT"),
    ("jurisdiction_code", "TEXT"),
    ("jurisdiction_name", "TEXT"),
    ("country_code", "TEXT"),
    ("region", "TEXT"),
    ("region_label", "TEXT"),
    ("type", "TEXT"),
    ("type_label", "TEXT"),
    ("force", "TEXT"),
    ("force_label", "TEXT"),
    ("binding", "INTEGER"),
    ("status", "TEXT"),
    ("status_label", "TEXT"),
    ("status_since", "TEXT"),
    ("status_since_precision", "TEXT"),
    ("introduced_on", "TEXT"),
    ("introduced_on_precision", "TEXT"),
    ("adopted_on", "TEXT"),
    ("adopted_on_precision", "TEXT"),
    ("effective_on", "TEXT"),
    ("effective_on_precision", "TEXT"),
    ("issuing_body", "TEXT"),
    ("identifiers", "TEXT"),
    ("summary", "TEXT"),
    ("topics", "TEXT"),
    ("parties", "TEXT"),
    ("related", "TEXT"),
    ("citations", "TEXT"),
    ("url", "TEXT"),
    ("html_url", "TEXT"),
    ("updated_at", "TEXT"),
)
# Columns holding JSON text (Datasette's `_json=` turns them back into lists).
JSON_COLUMNS = ("identifiers", "topics", "parties", "related", "citations")
INDEXES = (
    ("type",),
    ("status",),
    ("jurisdiction_code",),
    ("country_code",),
    ("introduced_on",),
    ("adopted_on",),
    ("effective_on",),
    ("type", "country_code"),
)
# The fields the API's search reads (`InstrumentQuerySet.SEARCH_FIELDS`).
FTS_COLUMNS = ("title", "short_name", "original_title", "summary", "issuing_body")
CHUNK = 2_000
SQLITE_TABLE = SQLiteTable(TABLE, COLUMNS, indexes=INDEXES, fts_columns=FTS_COLUMNS)

_FIELDS = (
    "pk", "slug", "title", "original_title", "short_name", "jurisdiction__code",
    "jurisdiction__name", "jurisdiction__parent__code", "jurisdiction__region", "type", "status",
    "status_since", "status_since_precision", "introduced_on", "introduced_on_precision",
    "adopted_on", "adopted_on_precision", "effective_on", "effective_on_precision",
    "issuing_body", "summary", "updated_at",
)  # fmt: skip


@dataclass
class Exported:
    path: Path
    rows: int
    seconds: float
    chunks: int

    @property
    def megabytes(self) -> float:
        return self.path.stat().st_size / 2**20

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "seconds": self.seconds,
            "chunks": self.chunks,
            "megabytes": self.megabytes,
        }


def stores_status_since() -> bool:
    """Whether instruments store the date of their latest status change (else it is read from
    the timeline by `with_status_since`)."""
    return any(field.name == "status_since" for field in Instrument._meta.concrete_fields)


def _iso(day, precision) -> str | None:
    value = partial_date(day, precision)
    return value.isoformat() if value else None


def _grouped(rows) -> dict:
    grouped: dict = defaultdict(list)
    for key, *values in rows:
        grouped[key].append(values[0] if len(values) == 1 else values)
    return grouped


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _related_sql() -> dict[str, str]:
    """The query of each list a row carries, for the instruments `{ids}` names, in the API's
    order (plain SQL: the ORM's `__in` over thousands of keys costs more than the query)."""
    topics, parties = Instrument.topics.through, Instrument.parties.through
    instrument = _table(Instrument)
    return {
        "topics": f"SELECT it.instrument_id, t.slug FROM {_table(topics)} it "
        f"JOIN {_table(Topic)} t ON t.id = it.topic_id WHERE it.instrument_id {{ids}} "
        "ORDER BY t.name, t.id",
        "parties": f"SELECT ip.instrument_id, j.code FROM {_table(parties)} ip "
        f"JOIN {_table(Jurisdiction)} j ON j.id = ip.jurisdiction_id "
        "WHERE ip.instrument_id {ids} ORDER BY j.name, j.id",
        "identifiers": f"SELECT instrument_id, scheme, value FROM {_table(InstrumentIdentifier)} "
        "WHERE instrument_id {ids} ORDER BY scheme, value",
        "out": f"SELECT r.from_instrument_id, r.kind, i.slug FROM {_table(InstrumentRelation)} r "
        f"JOIN {instrument} i ON i.id = r.to_instrument_id WHERE r.from_instrument_id {{ids}}",
        "in": f"SELECT r.to_instrument_id, r.kind, i.slug FROM {_table(InstrumentRelation)} r "
        f"JOIN {instrument} i ON i.id = r.from_instrument_id WHERE r.to_instrument_id {{ids}}",
        "citations": "SELECT c.instrument_id, s.title, c.quote, c.locator "
        f"FROM {_table(Citation)} c JOIN {_table(Source)} s ON s.id = c.source_id "
        "WHERE c.instrument_id {ids} ORDER BY s.title, c.id",
    }


def _related(ids: list[int], queries: dict[str, str]) -> dict[str, dict]:
    """The lists a chunk of instruments carries, each read by one query."""
    if connection.vendor == "postgresql":
        condition, params = "= ANY(%s)", [ids]
    else:
        condition, params = f"IN ({', '.join(['%s'] * len(ids))})", ids
    related = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql.replace("{ids}", condition), params)
            related[name] = _grouped(cursor.fetchall())
    return related


def rows(chunk_size: int = CHUNK) -> Iterator[list[tuple]]:
    """The table's rows, `chunk_size` at a time, in the API list's order; the main query is
    read through a server-side cursor where the database has one."""
    types, statuses, regions = (dict(v.choices) for v in (InstrumentType, InstrumentStatus, Region))
    forces, schemes = dict(Force.choices), dict(IdentifierScheme.choices)
    api_path = reverse("api:instrument-detail", kwargs={"slug": "SLUG"}).replace("SLUG", "{}")
    page_path = reverse("web:instrument-detail", kwargs={"slug": "SLUG"}).replace("SLUG", "{}")
    queryset = Instrument.objects.all()
    if not stores_status_since():
        queryset = queryset.with_status_since()
    queryset = queryset.order_by(*ORDER).values_list(*_FIELDS)
    queries = _related_sql()
    stream = queryset.iterator(chunk_size=chunk_size)
    number = 0
    while chunk := list(islice(stream, chunk_size)):
        related = _related([row[0] for row in chunk], queries)
        out = []
        for row in chunk:
            (pk, slug, title, original, short, code, name, parent, region, kind, status, since,
             since_precision, introduced, introduced_p, adopted, adopted_p, effective,
             effective_p, issuing_body, summary_text, updated_at) = row  # fmt: skip
            number += 1
            force = FORCE_OF_TYPE.get(kind, "")
            links = [
                {"kind": kind_, "direction": direction, "slug": other}
                for direction in ("out", "in")
                for kind_, other in related[direction].get(pk, ())
            ]
            links.sort(key=lambda item: (item["direction"] != "out", item["kind"], item["slug"]))
            out.append((
                number, slug, title, original, short, code, name, parent or code, region or None,
                regions.get(region), kind, types.get(kind), force or None, forces.get(force),
                int(force == Force.BINDING), status or None, statuses.get(status),
                _iso(since, since_precision), since_precision or None,
                _iso(introduced, introduced_p), introduced_p or None, _iso(adopted, adopted_p),
                adopted_p or None, _iso(effective, effective_p), effective_p or None, issuing_body,
                json.dumps([
                    {"scheme": scheme, "scheme_label": schemes.get(scheme), "value": value}
                    for scheme, value in related["identifiers"].get(pk, ())
                ]),
                summary_text,
                json.dumps(related["topics"].get(pk, [])),
                json.dumps(related["parties"].get(pk, [])),
                json.dumps(links),
                json.dumps([
                    {"source": source, "quote": quote, "locator": locator}
                    for source, quote, locator in related["citations"].get(pk, ())
                ]),
                api_path.format(slug), page_path.format(slug), updated_at.isoformat(),
            ))  # fmt: skip
        yield out


def export(
    path: Path | str,
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] = lambda n: None,
) -> Exported:
    """Write every instrument to a new SQLite file at `path` (replacing one there), with the
    indexes and the full-text table; `progress(n)` hears of every n rows written."""
    path = Path(path)
    start = time.perf_counter()
    count = chunks = 0
    with SQLiteFile(path) as database:
        database.create(SQLITE_TABLE)
        # In a transaction, the server-side cursor streams rather than being held whole.
        with transaction.atomic():
            for chunk in rows(chunk_size):
                count += database.insert(SQLITE_TABLE, chunk)
                chunks += 1
                progress(len(chunk))
    return Exported(path, count, time.perf_counter() - start, chunks)


def datasette_metadata(database: str) -> dict:
    """Datasette's metadata for the exported file: which table searches `instruments`."""
    return {"databases": {database: {"tables": {TABLE: datasette_table(SQLITE_TABLE)}}}}
