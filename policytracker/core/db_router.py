"""Reads from streaming replicas, writes to the primary, and an editor always reads their own
writes.

With `DATABASE_REPLICA_URLS` set, the settings add the aliases `replica1`, `replica2`… (listed
in `DATABASE_REPLICAS`), install `PrimaryReplicaRouter` and put `PrimaryPinMiddleware` before
Django's `SessionMiddleware`. Then:

- writes always go to `default`, the primary; migrations run only there;
- a read goes to a replica only inside a request the middleware let read from one (the same
  replica for all of the request's reads, picked at random at its first): a safe request
  (GET, HEAD, OPTIONS, TRACE), outside the admin and the API's change feed
  (`DATABASE_PRIMARY_PATHS`), from a client that has not written in the last
  `DATABASE_PRIMARY_PIN_SECONDS`;
- everything else reads the primary: unsafe requests (the record a write checks and changes is
  the current one, and `If-Match` is compared with it), a request once it has written, any read
  inside a transaction on the primary (it must see that transaction's own writes), and all code
  outside a request (management commands and the shell read what they then write);
- after a successful unsafe request the middleware sets a signed cookie that lives
  `DATABASE_PRIMARY_PIN_SECONDS`: that client's next requests, on any app server (they share
  `SECRET_KEY`), read the primary too, so an editor sees their change at once even while the
  replicas replay it.

The admin always reads the primary: it is the editors' tool, few use it, and a change form or a
review must show the record as it is, not as it was a moment ago, or a save would be checked
against a stale copy. The change feed does too: it holds a change back only
`CHANGES_SETTLE_SECONDS` until it has committed, and a replica can lag further behind than that
(replay waits up to `max_standby_streaming_delay` for conflicting reads), so a client reading
a replica could move its cursor past a change it never saw.

django-multidb-router (`multidb.PinningReplicaRouter`) is maintained and supports Django 5.2,
but does less than this needs: its pin lives in a thread-local (not a context variable, which
also follows a request into the threads Django runs sync code in under ASGI); its cookie is
unsigned and trusted for as long as the client keeps it, and set after failed writes too; and it
sends reads inside a transaction, and every read outside a request, to a replica, so a command
that reads and then writes in one transaction (the seed, the import) would read stale rows.
What it does fits in this module.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import FileResponse, StreamingHttpResponse

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import Model
    from django.http import HttpRequest, HttpResponseBase

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The cookie that sends a client's reads to the primary after it wrote; signed (with this salt)
# and dated, so that a client can neither make one up nor keep one past its time.
PIN_COOKIE = "primary_pin"
PIN_SALT = "policytracker.core.db_router.pin"


@dataclass
class RequestRouting:
    """What the router knows of the request being answered. Mutable, and shared by every
    context copied from the request's (Django runs sync code in a copy under ASGI), so that a
    write anywhere in the request is seen by the reads after it."""

    replica_reads: bool
    wrote: bool = False
    # The replica this request reads, picked at its first read: every read of one request sees
    # one replica's state (a count and the rows it counts, a facet count and the position it
    # is kept under), never two replicas' at different points of their replay.
    replica: str | None = None


# None outside a request: then every read goes to the primary.
_routing: ContextVar[RequestRouting | None] = ContextVar("db_routing", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


@contextmanager
def routing(state: RequestRouting) -> Iterator[RequestRouting]:
    """Route the reads of the code inside as `state` says (the middleware's, and tests')."""
    token = _routing.set(state)
    try:
        yield state
    finally:
        _routing.reset(token)


class PrimaryReplicaRouter:
    """Writes and migrations on the primary; a request's reads on a replica when the middleware
    allowed it and nothing since required the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        state = _routing.get()
        replicas = replica_aliases()
        if (
            state is None
            or not state.replica_reads
            or state.wrote
            or not replicas
            # Inside a transaction on the primary, its own writes are only there.
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if state.replica not in replicas:
            # At random: no shared counter between processes or threads, and an even spread
            # of requests.
            state.replica = random.choice(replicas)
        return state.replica

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _routing.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Every alias holds the same rows.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        # A replica follows the primary's schema; it cannot be written.
        return db == DEFAULT_DB_ALIAS


def pinned(request: HttpRequest) -> bool:
    """Whether `request` carries a valid pin cookie, younger than the pin."""
    seconds = settings.DATABASE_PRIMARY_PIN_SECONDS
    if seconds <= 0 or PIN_COOKIE not in request.COOKIES:
        return False
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, max_age=seconds)
    except BadSignature:  # also an expired one (SignatureExpired)
        return False
    return True


def may_read_replica(request: HttpRequest) -> bool:
    if request.method not in SAFE_METHODS:
        return False
    if request.path_info.startswith(tuple(settings.DATABASE_PRIMARY_PATHS)):
        return False
    return not pinned(request)


class PrimaryPinMiddleware:
    """Tells the router which requests may read a replica, and pins a client that has just
    written to the primary for `DATABASE_PRIMARY_PIN_SECONDS`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        state = RequestRouting(replica_reads=may_read_replica(request))
        with routing(state):
            response = self.get_response(request)
        if (
            state.replica_reads
            and isinstance(response, StreamingHttpResponse)
            and not isinstance(response, FileResponse)
            and not response.is_async
        ):
            # A CSV download reads its rows while it is sent, after this returns.
            content = cast("Iterator[bytes]", response.streaming_content)
            response.streaming_content = _routed(state, content)
        seconds = settings.DATABASE_PRIMARY_PIN_SECONDS
        wrote = request.method not in SAFE_METHODS or state.wrote
        if wrote and seconds > 0 and response.status_code < 400:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=seconds,
                # Only a routing hint, but sent back only over HTTPS when it came over HTTPS.
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response


def _routed(state: RequestRouting, content: Iterable[Any]) -> Iterator[Any]:
    """`content`, each chunk made with the request's routing."""
    chunks = iter(content)
    while True:
        with routing(state):
            chunk = next(chunks, _END)
        if chunk is _END:
            return
        yield chunk


_END = object()
