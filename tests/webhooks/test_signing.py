"""How a delivery is signed (HMAC-SHA256 over the timestamp, a full stop and the body), and the
README's verification function, which refuses a forged, altered or replayed delivery."""

import hashlib
import hmac
import time
from email.message import Message

import pytest

from policytracker.webhooks import signing
from tests.helpers.webhooks import readme_verify

SECRET = "a3f1" * 16
BODY = '{"hook":"h","changes":[{"title":"Luật Trí tuệ nhân tạo"}]}'.encode()


def signed_headers(secret=SECRET, body=BODY, timestamp=None):
    headers = Message()  # as http.server and email parsers hand headers over: any case
    for name, value in signing.headers(
        secrets_in_use=[secret],
        timestamp=int(time.time()) if timestamp is None else timestamp,
        body=body,
        delivery="d",
        event="changes",
        hook="h",
    ).items():
        headers[name] = value
    return headers


def test_the_signature_is_hmac_sha256_of_the_timestamp_a_full_stop_and_the_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signing.signature(SECRET, 1700000000, BODY) == f"sha256={expected}"


def test_the_headers_of_an_attempt():
    headers = signing.headers(
        secrets_in_use=[SECRET, "old"], timestamp=1700000000, body=BODY, delivery="d-1",
        event="ping", hook="h-1",
    )  # fmt: skip
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": signing.USER_AGENT,
        "X-PolicyTracker-Event": "ping",
        "X-PolicyTracker-Hook": "h-1",
        "X-PolicyTracker-Delivery": "d-1",
        "X-PolicyTracker-Timestamp": "1700000000",
        "X-PolicyTracker-Signature": (
            f"{signing.signature(SECRET, 1700000000, BODY)}, "
            f"{signing.signature('old', 1700000000, BODY)}"
        ),
    }


def test_secrets_are_new_every_time_and_long():
    made = {signing.new_secret() for _ in range(20)}
    assert len(made) == 20
    assert all(len(secret) == 64 and int(secret, 16) >= 0 for secret in made)


def test_the_readme_function_accepts_a_delivery_signed_with_the_secret():
    verify = readme_verify()
    assert verify(SECRET, signed_headers(), BODY)
    # Headers as a plain dict with the names as sent work too.
    assert verify(SECRET, dict(signed_headers().items()), BODY)


@pytest.mark.parametrize(
    ("what", "secret", "body", "age"),
    [
        ("another secret", "b" * 64, BODY, 0),
        ("an altered body", SECRET, BODY.replace(b"Tr", b"tr"), 0),
        ("a body with a byte more", SECRET, BODY + b" ", 0),
        ("a timestamp older than five minutes", SECRET, BODY, 301),
        ("a timestamp five minutes ahead", SECRET, BODY, -301),
    ],
)
def test_the_readme_function_refuses(what, secret, body, age):
    verify = readme_verify()
    headers = signed_headers(timestamp=int(time.time()) - age)
    assert not verify(secret, headers, body), what


def test_the_readme_function_refuses_a_delivery_whose_timestamp_was_changed():
    verify = readme_verify()
    headers = signed_headers(timestamp=int(time.time()) - 100)
    replayed = Message()
    for name, value in headers.items():
        replayed[name] = str(int(time.time())) if name == signing.TIMESTAMP else value
    assert not verify(SECRET, replayed, BODY)


@pytest.mark.parametrize("timestamp", ["", "soon", "１７００００００００", "²", "-1"])
def test_the_readme_function_refuses_a_timestamp_that_is_no_number(timestamp):
    headers = signed_headers()
    del headers[signing.TIMESTAMP]
    if timestamp:
        headers[signing.TIMESTAMP] = timestamp
    assert not readme_verify()(SECRET, headers, BODY)


def test_the_readme_function_refuses_an_unsigned_delivery():
    headers = signed_headers()
    del headers[signing.SIGNATURE]
    assert not readme_verify()(SECRET, headers, BODY)
