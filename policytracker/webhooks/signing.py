"""How a delivery is signed, and the headers it carries.

The signature is HMAC-SHA256, keyed with the hook's secret (as UTF-8), over the attempt's
timestamp (Unix seconds, as decimal digits), a full stop, then the body's bytes exactly as
sent: `hex(HMAC(secret, f"{timestamp}." + body))`, sent as `sha256=<hex>`. The timestamp is
signed with the body, so a receiver that refuses timestamps older than five minutes refuses a
captured delivery played back later. For a while after a rotation the header carries a
signature with each secret, comma-separated; a receiver accepts a delivery if any matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE = "X-PolicyTracker-Signature"
TIMESTAMP = "X-PolicyTracker-Timestamp"
DELIVERY = "X-PolicyTracker-Delivery"
EVENT = "X-PolicyTracker-Event"
HOOK = "X-PolicyTracker-Hook"
USER_AGENT = "PolicyTracker-Webhooks/1.0"
# Receivers refuse a delivery whose timestamp is further than this from their clock.
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A hook's secret: 256 random bits, as 64 hexadecimal digits."""
    return secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of `body` sent at `timestamp`, with `secret`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def headers(
    *,
    secrets_in_use: list[str],
    timestamp: int,
    body: bytes,
    delivery: str,
    event: str,
    hook: str,
) -> dict[str, str]:
    """The headers of one attempt: content type, user agent, what it is, and the signatures
    (one per secret in use, newest first)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT: event,
        HOOK: hook,
        DELIVERY: delivery,
        TIMESTAMP: str(timestamp),
        SIGNATURE: ", ".join(signature(secret, timestamp, body) for secret in secrets_in_use),
    }
