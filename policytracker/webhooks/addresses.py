"""Which endpoints a hook may post to: HTTPS only, and never to the server's neighbours.

An editor names the address, and the server makes the request: without a check, a hook on
`https://10.0.0.5/` or `https://169.254.169.254/` would have the server post to the services
beside it (server-side request forgery). So a host must resolve to public addresses only, at
registration and again before every attempt, and the attempt connects to the very address that
was checked (`policytracker.webhooks.sending`), so a name that resolves elsewhere in between
(DNS rebinding) gains nothing. `WEBHOOKS_ALLOW_PRIVATE` lifts the address check for
development and the tests, and only with DEBUG on (settings refuse it otherwise).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_PORT = 443


class RefusedAddress(Exception):
    """An endpoint the server will not post to; the message says why, to the editor."""


@dataclass(frozen=True)
class Target:
    """Where an attempt connects: the host named (for TLS and the `Host` header), its port, the
    path with its query, and the addresses it resolved to, every one of them allowed."""

    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `address` is on the public internet: not private, loopback, link-local,
    shared (carrier-grade NAT), reserved, multicast or unspecified; an IPv4 address written as
    IPv6 (`::ffff:10.0.0.1`) is judged as itself."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return address.is_global and not address.is_multicast


def split(endpoint: str) -> tuple[str, int, str]:
    """(host, port, path with query) of an HTTPS endpoint; `RefusedAddress` for anything
    else."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port or DEFAULT_PORT
    except ValueError as error:
        raise RefusedAddress(f"Not an address: {error}.") from None
    if parts.scheme != "https":
        raise RefusedAddress(
            "Only HTTPS endpoints are accepted (https://…): deliveries are signed, but their "
            "content and your receiver's answer should not cross the network in the clear."
        )
    if parts.username is not None or parts.password is not None:
        raise RefusedAddress(
            "Leave the user name and password out of the address: deliveries are signed with "
            "the hook's secret, which is how your receiver knows them."
        )
    if parts.fragment:
        raise RefusedAddress("Leave out the #fragment: it is never sent.")
    host = parts.hostname or ""
    if not host:
        raise RefusedAddress("The address names no host.")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return host, port, path


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address `host` resolves to (itself, for an IP address), each allowed;
    `RefusedAddress` if it resolves to none, or to any that is not public (unless
    `WEBHOOKS_ALLOW_PRIVATE`)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise RefusedAddress(f"The host “{host}” cannot be resolved ({error}).") from None
    addresses = tuple(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))
    if not addresses:
        raise RefusedAddress(f"The host “{host}” resolves to no address.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for text in addresses:
            if not is_public(ipaddress.ip_address(text)):
                where = f"“{host}” is" if text == host else f"The host “{host}” resolves to {text},"
                raise RefusedAddress(
                    f"{where} a private, loopback, link-local or otherwise non-public address: "
                    "the server posts to public addresses only."
                )
    return addresses


def target(endpoint: str) -> Target:
    """Where to post `endpoint`, checked now; `RefusedAddress` saying why not."""
    host, port, path = split(endpoint)
    return Target(host=host, port=port, path=path, addresses=resolve(host, port))
