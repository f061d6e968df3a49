import hashlib
import hmac
import time


def verify(secret: str, headers, body: bytes) -> bool:
    """Whether a delivery is the tracker's: signed with your hook's secret, within 5 minutes."""
    timestamp = headers.get("X-PolicyTracker-Timestamp", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or abs(time.time() - int(timestamp)) > 300:
        return False
    signed = timestamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    given = headers.get("X-PolicyTracker-Signature", "").split(",")
    return any(hmac.compare_digest(expected, signature.strip()) for signature in given)
