"""The CSV download without the framework: one SQL query over the same rows and columns as the
API's instruments CSV (the lists joined in the database), read through a server-side cursor of
the database's own driver and written with `csv.writer`. What the download would cost written
by hand: the yardstick for the API's CSV."""

from __future__ import annotations

import csv
import datetime
import time
from collections.abc import Sequence

from django.db import connection
from django.urls import reverse

from instruments.vocabulary import FORCE_OF_TYPE, Force, InstrumentStatus, InstrumentType
from jurisdictions.vocabulary import Region
from policytracker.benchmarks.export import stores_status_since
from policytracker.core.dates import partial_date

HEADER = (
    "slug", "title", "original_title", "short_name", "jurisdiction.code", "jurisdiction.name",
    "region", "region_label", "type", "type_label", "force", "force_label", "binding", "status",
    "status_label", "status_since", "status_since_precision", "introduced_on",
    "introduced_on_precision", "adopted_on", "adopted_on_precision", "effective_on",
    "effective_on_precision", "issuing_body", "summary", "topics", "parties", "citations", "url",
    "html_url", "updated_at",
)  # fmt: skip
FETCH = 2_000


class CountingSink:
    """A file-like object that keeps nothing: how many bytes (UTF-8) were written to it."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)


def _joined(expression: str, source: str, order: str) -> str:
    """A correlated subquery joining `expression` over `source` with ";" in `order`."""
    if connection.vendor == "postgresql":
        return f"(SELECT string_agg({expression}, ';' ORDER BY {order}) FROM {source})"
    return (
        f"(SELECT group_concat(value, ';') FROM "
        f"(SELECT {expression} AS value FROM {source} ORDER BY {order}))"
    )


def query(country: str, types: Sequence[str]) -> tuple[str, list]:
    """The SQL and its parameters: instruments issued in `country` or its sub-national
    jurisdictions, of `types` (all when empty), in the API's order."""
    topics = _joined(
        "t.slug",
        "instruments_instrument_topics it JOIN instruments_topic t ON t.id = it.topic_id "
        "WHERE it.instrument_id = i.id",
        "t.name, t.id",
    )
    parties = _joined(
        "p.code",
        "instruments_instrument_parties ip JOIN jurisdictions_jurisdiction p "
        "ON p.id = ip.jurisdiction_id WHERE ip.instrument_id = i.id",
        "p.name, p.id",
    )
    citations = _joined(
        "s.title || ': ' || c.quote || ' (' || c.locator || ')'",
        "instruments_citation c JOIN instruments_source s ON s.id = c.source_id "
        "WHERE c.instrument_id = i.id",
        "s.title, c.id",
    )
    if stores_status_since():
        since = "i.status_since, i.status_since_precision"
    else:
        latest = (
            "FROM instruments_statuschange sc WHERE sc.instrument_id = i.id "
            "ORDER BY sc.date DESC, sc.id DESC LIMIT 1"
        )
        since = f"(SELECT sc.date {latest}), (SELECT sc.date_precision {latest})"
    sql = f"""
        SELECT i.slug, i.title, i.original_title, i.short_name, j.code, j.name, j.region, i.type,
               i.status, {since},
               i.introduced_on, i.introduced_on_precision, i.adopted_on, i.adopted_on_precision,
               i.effective_on, i.effective_on_precision, i.issuing_body, i.summary,
               {topics}, {parties}, {citations}, i.updated_at
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


def _iso(day, precision):
    if isinstance(day, str):  # SQLite gives a subquery's date as text
        day = datetime.date.fromisoformat(day[:10])
    value = partial_date(day, precision)
    return value.isoformat() if value else ""


def write(raw, country: str, types: Sequence[str], sink) -> int:
    """Write the CSV to `sink` through the driver connection `raw`; the rows written."""
    sql, params = query(country, types)
    type_labels, status_labels = dict(InstrumentType.choices), dict(InstrumentStatus.choices)
    region_labels, force_labels = dict(Region.choices), dict(Force.choices)
    api = reverse("api:instrument-detail", kwargs={"slug": "SLUG"}).replace("SLUG", "{}")
    page = reverse("web:instrument-detail", kwargs={"slug": "SLUG"}).replace("SLUG", "{}")
    writer = csv.writer(sink)
    writer.writerow(HEADER)
    count = 0
    if connection.vendor == "postgresql":
        with raw.transaction():
            cursor = raw.cursor(name="plain_csv")
            cursor.itersize = FETCH
            cursor.execute(sql, params)
            count = _write_rows(cursor, writer, api, page, type_labels, status_labels,
                                region_labels, force_labels)  # fmt: skip
            cursor.close()
    else:
        cursor = raw.cursor()
        cursor.execute(sql, params)
        count = _write_rows(cursor, writer, api, page, type_labels, status_labels,
                            region_labels, force_labels)  # fmt: skip
        cursor.close()
    return count


def _write_rows(cursor, writer, api, page, types, statuses, regions, forces) -> int:
    count = 0
    for row in cursor:
        (slug, title, original, short, code, name, region, kind, status, since,
         since_precision, introduced, introduced_p, adopted, adopted_p, effective, effective_p,
         issuing_body, summary, topics, parties, citations, updated_at) = row  # fmt: skip
        force = FORCE_OF_TYPE.get(kind, "")
        writer.writerow((
            slug, title, original, short, code, name, region, regions.get(region, ""), kind,
            types.get(kind, ""), force, forces.get(force, ""), force == Force.BINDING, status,
            statuses.get(status, ""), _iso(since, since_precision), since_precision or "",
            _iso(introduced, introduced_p), introduced_p, _iso(adopted, adopted_p), adopted_p,
            _iso(effective, effective_p), effective_p, issuing_body, summary, topics or "",
            parties or "", citations or "", api.format(slug), page.format(slug), updated_at,
        ))  # fmt: skip
        count += 1
    return count


def timed(raw, country: str, types: Sequence[str]) -> tuple[float, int, int]:
    """(seconds, rows, bytes) of one run."""
    sink = CountingSink()
    start = time.perf_counter()
    rows = write(raw, country, types, sink)
    return time.perf_counter() - start, rows, sink.bytes
