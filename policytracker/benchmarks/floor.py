"""The floor under a request: the SQL it issues, replayed on its own, plus what the server takes
to answer a request that issues none.

`capture` runs a request in this process through Django's test client against the configured
database, once to warm what the site caches and again to keep the statements it sent, with
their values in place (as the database received them). `replay` sends those statements again
through one persistent connection of the database's own driver, reading every row, and times
them: what the database alone costs for that request. A server-side cursor (`DECLARE …
CURSOR FOR <query>`, which the CSV download streams through) is replayed as its query, every
row read."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

_DECLARE = re.compile(
    r"^\s*DECLARE\s+\S+\s+(?:NO\s+)?(?:SCROLL\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+",
    re.IGNORECASE,
)
# What a read never needs replayed: transaction control and the release of a cursor.
_SKIPPED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|CLOSE)\b", re.IGNORECASE)


@dataclass
class Captured:
    path: str
    status: int
    statements: list[str]
    bytes: int


def consume(response) -> int:
    """Bytes of `response`'s body, read the way a client reads it (a stream chunk by chunk)."""
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


@contextmanager
def in_process():
    """Settings under which the test client's requests are answered as a server answers them,
    whatever this process's own settings are: its host allowed, no HTTPS redirect, and no
    throttling (the cost of answering, not the rate limit, is measured)."""
    from django.conf import settings

    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    with override_settings(
        ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, REST_FRAMEWORK=rest
    ):
        yield Client()


def capture(path: str) -> Captured:
    """Run a GET of `path` in this process and return the statements it sent the second time:
    the measured requests come after a warm-up, when what the site keeps in its cache (facet
    counts) is there, and their floor must be the SQL they send then."""
    with in_process() as client:
        consume(client.get(path))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            size = consume(response)
    statements = [query["sql"] for query in queries.captured_queries if query["sql"]]
    return Captured(path, response.status_code, statements, size)


def replayable(statements: Sequence[str]) -> list[str]:
    """The statements to send again: a server-side cursor as its query, no transaction
    control."""
    out = []
    for statement in statements:
        if _SKIPPED.match(statement):
            continue
        out.append(_DECLARE.sub("", statement, count=1))
    return out


def raw_connection():
    """A new connection of the database's own driver (psycopg on PostgreSQL), outside Django,
    in autocommit: what the replay goes through."""
    raw = connection.get_new_connection(connection.get_connection_params())
    if connection.vendor == "postgresql":
        raw.autocommit = True
    elif connection.vendor == "sqlite":
        raw.isolation_level = None
    return raw


def replay_once(raw, statements: Sequence[str]) -> float:
    """Seconds to send `statements` through `raw` and read every row."""
    start = time.perf_counter()
    cursor = raw.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
            if cursor.description is not None:
                cursor.fetchall()
    finally:
        cursor.close()
    return time.perf_counter() - start


def replay(
    statements: Sequence[str],
    times: int,
    *,
    raw=None,
    budget: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    """Replay `statements` `times` times (once first, not counted, to warm the connection), or
    fewer once `budget` seconds have passed (at least three); the seconds of each run."""
    statements = replayable(statements)
    own = raw is None
    raw = raw if raw is not None else raw_connection()
    try:
        replay_once(raw, statements)
        runs: list[float] = []
        start = clock()
        for _ in range(times):
            runs.append(replay_once(raw, statements))
            if budget is not None and clock() - start > budget and len(runs) >= 3:
                break
        return runs
    finally:
        if own:
            raw.close()
