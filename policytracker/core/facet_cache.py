"""Facet counts kept in the cache for as long as the database has not changed.

A list's facets count every row its other filters select, one grouped query per facet, so they
cost more as the table grows, while the same few lists (the home page's links, a jurisdiction's
binding laws) are asked again and again between two edits. On PostgreSQL each facet is
therefore kept in the cache (Redis when `REDIS_URL` is set, so every app server shares it)
under a key made of everything its counts depend on: the FilterSet, the base query's SQL, the
query string's filters, today's date (a list without `as_of` is read as of today), the database
and the database's **write-ahead-log position**. Every change to the database, committed or
not, moves that position forward and never back, so a count kept under one position is the
count of the data as it stood there, and a write of any kind (an editor's save, a bulk load,
SQL typed by hand) makes the next request count afresh. A replica answers with the position it
has replayed, so it never reuses a count it cannot see the data for yet, nor one from ahead of
it. A commit becomes visible to others once its record is flushed to disk, and a transaction's
own uncommitted rows are visible to it alone: a count is therefore kept only when the log is
flushed up to the position read and the count is read outside any transaction (as the pages
and the API read); otherwise it is counted and not kept. `FACET_CACHE_SECONDS` (300 by
default; 0 turns the cache off) bounds how long an entry is kept. SQLite has no such position
and counts every time.

`read_rows_through` keeps, by the same rules, the rows of any query a page works out over many
rows (a jurisdiction's page: its laws in force, its sub-national jurisdictions' counts).

A cache that fails (Redis down) is a miss: the facets are counted, the page answers."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from policytracker.core.filters import Facet, FacetedFilterSet

logger = logging.getLogger(__name__)

# The database's position in its write-ahead log (where a primary has written to, or what a
# replica has replayed), and whether everything up to it is settled: on a primary, flushed to
# disk, after which a commit becomes visible at once (while a commit is being flushed, or a
# transaction has written and not committed, the rows at the position may not be what other
# sessions see).
POSITION_SQL = (
    "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text "
    "ELSE pg_current_wal_insert_lsn()::text END, "
    "pg_is_in_recovery() OR pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()"
)
# Bumped when what is kept changes shape, so entries from an older release are not read.
KEY_VERSION = "1"


def database_position(alias: str) -> tuple[str, bool] | None:
    """The write-ahead-log position of database `alias`, and whether a count read now may be
    kept under it: the log is flushed up to it, and this connection is in no transaction
    (whose own uncommitted rows its reads would see). None unless the database is
    PostgreSQL."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(POSITION_SQL)
        row = cursor.fetchone()
    if not row or not row[0]:
        return None
    return row[0], bool(row[1]) and not connection.in_atomic_block


def _base_key(filterset: FacetedFilterSet, position: str) -> str | None:
    """What every facet of `filterset` depends on, but its name (None when the base query
    cannot be written out, as for an empty queryset)."""
    queryset = filterset.queryset
    try:
        sql = str(queryset.query)
    except EmptyResultSet:
        return None
    # The FilterSet module imports this one: its list of control parameters is read here.
    from policytracker.core.filters import CONTROL_PARAMETERS

    # The query string's parameters that do not change the counts.
    ignored = CONTROL_PARAMETERS | {"ordering", "_"}
    query = sorted(
        (name, sorted(values)) for name, values in filterset.data.lists() if name not in ignored
    )
    parts = [
        KEY_VERSION,
        f"{type(filterset).__module__}.{type(filterset).__qualname__}",
        sql,
        repr(query),
        timezone.localdate().isoformat(),
        _database_key(queryset.db),
        position,
    ]
    return "\x1f".join(parts)


def _database_key(alias: str) -> str:
    database = connections[alias].settings_dict
    return f"{database.get('HOST')}:{database.get('PORT')}/{database.get('NAME')}"


def read_rows_through(queryset: QuerySet[Any]) -> list[Any]:
    """The rows of `queryset` (its prefetched rows with them), from the cache where the
    database has not moved since they were read, else read and kept: for the counts a page
    works out over many rows (a jurisdiction's laws in force, its sub-national jurisdictions'
    counts), under the same rules as the facets. The key is the query's SQL, which holds
    every date it reads as of, with the database and its position."""
    seconds = settings.FACET_CACHE_SECONDS
    read = database_position(queryset.db) if seconds > 0 else None
    if read is None:
        return list(queryset)
    position, settled = read
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    # What the rows are made into (instances, tuples, dicts; their fields) and what comes with
    # them: the same SQL read as `values()` or as `values_list()` is two entries.
    shape = repr(
        (
            getattr(queryset, "_iterable_class", type(None)).__name__,
            getattr(queryset, "_fields", None),
            getattr(queryset, "_prefetch_related_lookups", ()),
        )
    )
    parts = [KEY_VERSION, sql, repr(params), shape, _database_key(queryset.db), position]
    key = "rows:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    try:
        rows = cache.get(key)
    except Exception:  # a cache that fails is a miss
        logger.warning("row cache unavailable: reading", exc_info=True)
        rows = None
    if rows is None:
        rows = list(queryset)
        if settled:
            try:
                cache.set(key, rows, seconds)
            except Exception:
                logger.warning("row cache unavailable: not kept", exc_info=True)
    return rows


def read_through(
    filterset: FacetedFilterSet, names: Sequence[str], count: Callable[[str], Facet]
) -> list[Facet]:
    """The facets `names` of `filterset`, from the cache where the database has not moved
    since they were counted, else from `count(name)` (and then kept)."""
    seconds = settings.FACET_CACHE_SECONDS
    read = database_position(filterset.queryset.db) if seconds > 0 and names else None
    if read is None:
        return [count(name) for name in names]
    position, settled = read
    base = _base_key(filterset, position)
    if base is None:
        return [count(name) for name in names]
    keys = {
        name: "facets:" + hashlib.sha256(f"{base}\x1f{name}".encode()).hexdigest() for name in names
    }
    try:
        found: dict[str, Any] = cache.get_many(list(keys.values()))
    except Exception:  # a cache that fails is a miss
        logger.warning("facet cache unavailable: counting", exc_info=True)
        found = {}
    facets, fresh = [], {}
    for name in names:
        facet = found.get(keys[name])
        if facet is None or getattr(facet, "name", None) != name:
            facet = count(name)
            fresh[keys[name]] = facet
        facets.append(facet)
    # Counted while the position was not settled: read, but not kept.
    if fresh and settled:
        try:
            cache.set_many(fresh, seconds)
        except Exception:
            logger.warning("facet cache unavailable: not kept", exc_info=True)
    return facets
