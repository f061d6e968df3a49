"""One POST to a receiver, and what came of it.

The connection goes to an address `policytracker.webhooks.addresses` has just checked (never a
second lookup that could answer otherwise), with the host's name for TLS (SNI and the
certificate check) and the `Host` header. The certificate is always checked, against the
system's authorities or `WEBHOOKS_CA_BUNDLE`. A redirect is an answer like any other, and a
failure: it is never followed, since it could point anywhere. Connecting waits at most
`WEBHOOKS_CONNECT_TIMEOUT` seconds, each read of the answer `WEBHOOKS_READ_TIMEOUT`, and the
whole answer is read for no longer than the two together; only its start is kept.
"""

from __future__ import annotations

import functools
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings

from policytracker.webhooks.addresses import RefusedAddress, target

# How much of an answer the log keeps, and reads at most.
EXCERPT_CHARACTERS = 500
READ_BYTES = 4096


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the status (None when no answer came), what went wrong (empty
    on success), the start of the answer, and how long it took."""

    status: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@functools.cache
def _tls_context(ca_bundle: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_bundle or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to `host` at the one address given: TLS and `Host` say the name, the socket goes
    where the name was checked to lead."""

    def __init__(self, host: str, port: int, address: str, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=settings.WEBHOOKS_CONNECT_TIMEOUT, context=context)
        self.address = address
        self.tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise
        self.sock.settimeout(settings.WEBHOOKS_READ_TIMEOUT)


def _read_excerpt(response: http.client.HTTPResponse, deadline: float) -> str:
    chunks: list[bytes] = []
    size = 0
    while size < READ_BYTES and time.monotonic() < deadline:
        chunk = response.read1(READ_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")[:EXCERPT_CHARACTERS]


def _describe(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"The receiver's certificate was refused: {error.verify_message or error}."
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error}."
    if isinstance(error, TimeoutError | socket.timeout):
        return "No answer in time (connecting, or reading the answer)."
    if isinstance(error, ConnectionRefusedError):
        return "The connection was refused."
    return f"{type(error).__name__}: {error}".strip()


def post(endpoint: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` with `headers` to `endpoint`, checked again first; never raises for what
    the network or the receiver does."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        where = target(endpoint)
    except RefusedAddress as refused:
        return Outcome(None, f"Not sent: {refused}", "", took())
    deadline = started + settings.WEBHOOKS_CONNECT_TIMEOUT + 2 * settings.WEBHOOKS_READ_TIMEOUT
    context = _tls_context(settings.WEBHOOKS_CA_BUNDLE)
    error: BaseException | None = None
    for address in where.addresses:
        connection = _PinnedConnection(where.host, where.port, address, context)
        try:
            connection.connect()
        except OSError as failed:  # the next address, if there is one
            connection.close()
            error = failed
            continue
        try:
            connection.request("POST", where.path, body=body, headers=headers)
            response = connection.getresponse()
            excerpt = _read_excerpt(response, deadline)
        except (OSError, http.client.HTTPException) as failed:
            return Outcome(None, _describe(failed), "", took())
        finally:
            connection.close()
        status = response.status
        if 200 <= status < 300:
            return Outcome(status, "", excerpt, took())
        problem = f"HTTP {status} {response.reason}".strip()
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            problem += f": redirects are not followed (to {location or 'nowhere said'})"
        return Outcome(status, problem + ".", excerpt, took())
    assert error is not None  # `target` gives at least one address
    return Outcome(None, _describe(error), "", took())
