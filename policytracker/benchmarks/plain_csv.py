"""The CSV download without the framework: one SQL query over the same rows as the API's
instruments CSV (its lists joined in the database), read through a server-side cursor of the
database's own driver and written with `csv.writer`, cell for cell what the API writes (the
same 39 columns, the same text in each: a test and the benchmark compare the two byte for
byte). What the download would cost written by hand: the yardstick for the API's CSV."""

from __future__ import annotations

import csv
import datetime
import time
from collections.abc import Sequence

from django.db import connection
from django.urls import reverse

from instruments.vocabulary import (
    FORCE_OF_TYPE,
    Force,
    IdentifierScheme,
    InstrumentStatus,
    InstrumentType,
)
from jurisdictions.vocabulary import Region
from policytracker.core.dates import partial_date

HEADER = (
    "slug", "title", "original_title", "short_name", "jurisdiction.code", "jurisdiction.name",
    "region", "region_label", "type", "type_label", "force", "force_label", "binding", "status",
    "status_label", "status_since", "status_since_precision", "introduced_on",
    "introduced_on_precision", "adopted_on", "adopted_on_precision", "effective_on",
    "effective_on_precision", "issuing_body", "identifiers", "summary", "topics", "parties",
    "related", "citations", "as_of.date", "as_of.status", "as_of.status_label", "as_of.since",
    "as_of.since_precision", "as_of.partial", "url", "html_url", "updated_at",
)  # fmt: skip
FETCH = 2_000
# Between the values of one related row, and between related rows, in the joined lists: two
# control characters no text of the data holds.
UNIT, RECORD = "\x1f", "\x1e"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CountingSink:
    """A file-like object that keeps nothing: how many bytes (UTF-8) were written to it."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)


def _joined(values: Sequence[str], source: str, order: str) -> str:
    """A correlated subquery joining the rows of `source`, in `order`: `values` within a row
    by UNIT, rows by RECORD."""
    postgresql = connection.vendor == "postgresql"
    char = "chr" if postgresql else "char"
    unit, record = f"{char}({ord(UNIT)})", f"{char}({ord(RECORD)})"
    expression = f" || {unit} || ".join(f"COALESCE({value}, '')" for value in values)
    if postgresql:
        return f"(SELECT string_agg({expression}, {record} ORDER BY {order}) FROM {source})"
    return (
        f"(SELECT group_concat(value, {record}) FROM "
        f"(SELECT {expression} AS value FROM {source} ORDER BY {order}))"
    )


def query(country: str, types: Sequence[str]) -> tuple[str, list]:
    """The SQL and its parameters: instruments issued in `country` or its sub-national
    jurisdictions, of `types` (all when empty), in the API's order."""
    identifiers = _joined(
        ["x.scheme", "x.value"],
        "instruments_instrumentidentifier x WHERE x.instrument_id = i.id",
        "x.scheme, x.value",
    )
    topics = _joined(
        ["t.slug"],
        "instruments_instrument_topics it JOIN instruments_topic t ON t.id = it.topic_id "
        "WHERE it.instrument_id = i.id",
        "t.name, t.id",
    )
    parties = _joined(
        ["p.code"],
        "instruments_instrument_parties ip JOIN jurisdictions_jurisdiction p "
        "ON p.id = ip.jurisdiction_id WHERE ip.instrument_id = i.id",
        "p.name, p.id",
    )
    relations_out = _joined(
        ["r.kind", "o.slug"],
        "instruments_instrumentrelation r JOIN instruments_instrument o "
        "ON o.id = r.to_instrument_id WHERE r.from_instrument_id = i.id",
        "r.id",
    )
    relations_in = _joined(
        ["r.kind", "o.slug"],
        "instruments_instrumentrelation r JOIN instruments_instrument o "
        "ON o.id = r.from_instrument_id WHERE r.to_instrument_id = i.id",
        "r.id",
    )
    citations = _joined(
        ["s.title", "c.quote", "c.locator"],
        "instruments_citation c JOIN instruments_source s ON s.id = c.source_id "
        "WHERE c.instrument_id = i.id",
        "s.title, c.id",
    )
    sql = f"""
        SELECT i.slug, i.title, i.original_title, i.short_name, j.code, j.name, j.region, i.type,
               i.status, i.status_since, i.status_since_precision,
               i.introduced_on, i.introduced_on_precision, i.adopted_on, i.adopted_on_precision,
               i.effective_on, i.effective_on_precision, i.issuing_body, {identifiers},
               i.summary, {topics}, {parties}, {relations_out}, {relations_in}, {citations},
               i.updated_at
        FROM instruments_instrument i
        JOIN jurisdictions_jurisdiction j ON j.id = i.jurisdiction_id
        LEFT JOIN jurisdictions_jurisdiction country ON country.id = j.parent_id
        WHERE (j.code = %s OR country.code = %s)
    """
    params: list = [country, country]
    if types:
        sql += f" AND i.type IN ({', '.join(['%s'] * len(types))})"
        params += list(types)
    sql += " ORDER BY j.name, i.title, i.id"
    if connection.vendor != "postgresql":
        sql = sql.replace("%s", "?")
    return sql, params


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _day(value, precision) -> str:
    if isinstance(value, str):  # SQLite without a declared type
        value = datetime.date.fromisoformat(value[:10])
    day = partial_date(value, precision)
    return day.isoformat() if day else ""


def _moment(value) -> str:
    """A stored time as the API writes it: ISO 8601 in UTC, `Z` for the offset."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite keeps UTC without an offset
        value = value.replace(tzinfo=datetime.UTC)
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _rows(joined: str | None) -> list[list[str]]:
    return [row.split(UNIT) for row in joined.split(RECORD)] if joined else []


def _lines(rows: list[list[str]]) -> str:
    """Related rows as the API's CSV writes a list of objects: a line each, its non-empty
    values joined by " | "."""
    return "\n".join(" | ".join(value for value in row if value) for row in rows)


def write(raw, country: str, types: Sequence[str], sink, origin: str = "") -> int:
    """Write the CSV to `sink` through the driver connection `raw`, addresses under `origin`
    (`http://host:port`); the rows written."""
    sql, params = query(country, types)
    api = reverse("api:instrument-detail", kwargs={"slug": "SLUG"}).replace("SLUG", "{}")
    page = reverse("web:instrument-detail", kwargs={"slug": "SLUG"}).replace("SLUG", "{}")
    writer = csv.writer(sink)
    writer.writerow(HEADER)
    if connection.vendor == "postgresql":
        with raw.transaction():
            cursor = raw.cursor(name="plain_csv")
            cursor.itersize = FETCH
            cursor.execute(sql, params)
            count = _write_rows(cursor, writer, origin + api, origin + page)
            cursor.close()
    else:
        cursor = raw.cursor()
        cursor.execute(sql, params)
        count = _write_rows(cursor, writer, origin + api, origin + page)
        cursor.close()
    return count


def _write_rows(cursor, writer, api: str, page: str) -> int:
    types, statuses = dict(InstrumentType.choices), dict(InstrumentStatus.choices)
    regions, forces = dict(Region.choices), dict(Force.choices)
    schemes = {value: str(label) for value, label in IdentifierScheme.choices}
    count = 0
    for row in cursor:
        (slug, title, original, short, code, name, region, kind, status, since,
         since_precision, introduced, introduced_p, adopted, adopted_p, effective, effective_p,
         issuing_body, identifiers, summary, topics, parties, relations_out, relations_in,
         citations, updated_at) = row  # fmt: skip
        force = FORCE_OF_TYPE.get(kind, "")
        related = sorted(
            [(kind_, "out", slug_) for kind_, slug_ in _rows(relations_out)]
            + [(kind_, "in", slug_) for kind_, slug_ in _rows(relations_in)],
            key=lambda item: (item[1] != "out", item[0], item[2]),
        )
        cells = (
            slug, title, original, short, code, name, region, regions.get(region, region),
            kind, types.get(kind, kind), force, forces.get(force, force),
            "true" if force == Force.BINDING else "false", status,
            statuses.get(status, status), _day(since, since_precision), since_precision,
            _day(introduced, introduced_p), introduced_p, _day(adopted, adopted_p), adopted_p,
            _day(effective, effective_p), effective_p, issuing_body,
            _lines([[scheme, schemes.get(scheme, scheme), value]
                    for scheme, value in _rows(identifiers)]),
            summary, (topics or "").replace(RECORD, ";"), (parties or "").replace(RECORD, ";"),
            _lines([list(item) for item in related]), _lines(_rows(citations)),
            "", "", "", "", "", "", api.format(slug), page.format(slug), _moment(updated_at),
        )  # fmt: skip
        writer.writerow([_safe(cell) if cell else "" for cell in cells])
        count += 1
    return count


def timed(raw, country: str, types: Sequence[str], origin: str = "") -> tuple[float, int, int]:
    """(seconds, rows, bytes) of one run."""
    sink = CountingSink()
    start = time.perf_counter()
    rows = write(raw, country, types, sink, origin)
    return time.perf_counter() - start, rows, sink.bytes
