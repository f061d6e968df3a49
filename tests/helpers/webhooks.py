"""What the webhook tests share: a receiver (an HTTPS server on the loopback interface, in a
thread, with a certificate made for it by a certificate authority of its own), and the README's
verification function, run as a receiver runs it.

The server's certificate is real TLS, checked by the sender against the test's authority
(`WEBHOOKS_CA_BUNDLE`): the tests never turn certificate checks off, and send to 127.0.0.1 only
with `WEBHOOKS_ALLOW_PRIVATE` on."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

VERIFY_SNIPPET = Path(settings.BASE_DIR) / "docs" / "webhooks" / "verify.py"


def readme_verify():
    """The `verify(secret, headers, body)` function the README gives receivers, from the file
    the README quotes."""
    namespace: dict = {}
    exec(
        compile(VERIFY_SNIPPET.read_text(encoding="utf-8"), str(VERIFY_SNIPPET), "exec"), namespace
    )
    return namespace["verify"]


def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(the authority's certificate, the server's certificate, its key), as PEM files in
    `folder`: the server's for 127.0.0.1 and localhost, valid for a day."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Policy Tracker test authority")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@dataclass
class Received:
    """One request the receiver got, and whether the README's function accepted it."""

    path: str
    headers: Message
    body: bytes
    verified: bool
    answered: int
    at: float = field(default_factory=time.monotonic)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        receiver = self.server.receiver
        status = receiver.status
        verified = (
            receiver.verify(receiver.secret, self.headers, body) if receiver.secret else False
        )
        receiver.add(Received(self.path, self.headers, body, verified, status))
        answer = receiver.answer.encode()
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "https://127.0.0.1:1/elsewhere")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def handle_error(self, request, client_address):
        # A sender that refuses the certificate, or gives up, ends the connection mid-way: what
        # the tests check is what the sender logged.
        pass

    def get_request(self):
        raw, address = self.socket.accept()
        # The handshake happens in the request's own thread, on its first read.
        return self.receiver.tls.wrap_socket(
            raw, server_side=True, do_handshake_on_connect=False
        ), address


@dataclass
class Receiver:
    """An HTTPS receiver on 127.0.0.1 at `url`, trusted through `ca_file`. It answers `status`
    with `answer` to every POST and keeps each in `received`, checked with the README's
    `verify` against `secret` (once set)."""

    folder: Path
    status: int = 200
    answer: str = "thanks"
    secret: str = ""
    received: list[Received] = field(default_factory=list)

    def __post_init__(self):
        self.ca_file, certificate, key = make_certificates(self.folder)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(certificate, key)
        self.verify = readme_verify()
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.receiver = self
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(self, request: Received) -> None:
        with self.lock:
            self.received.append(request)

    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """The first `count` requests, once they have come; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.requests()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{count} request(s) expected in {timeout} s, got {self.requests()}")

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def remove_queue(redis_url: str, name: str) -> None:
    """Delete the keys of the Huey queue `name` (its tasks, schedule, results) from Redis."""
    import redis

    cleaned = re.sub("[^A-Za-z0-9_]", "", name)  # as Huey's Redis storage names its keys
    server = redis.Redis.from_url(redis_url)
    keys = [
        key
        for key in server.scan_iter("huey.*")
        if key.decode().endswith(f".{cleaned}")
        or key.decode().startswith(f"huey.notify.{cleaned}.")
    ]
    if keys:
        server.delete(*keys)
