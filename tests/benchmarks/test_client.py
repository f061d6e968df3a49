"""The benchmark's HTTP client (`policytracker.benchmarks.client`): one request read to its last
byte, and a throughput run of several load processes, against a small server of the test's
own on the loopback interface."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from policytracker.benchmarks.client import HttpClient, throughput


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status = 404 if self.path.startswith("/missing") else 200
        body = b"x" * 1000
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_request_is_read_whole_on_a_kept_connection(server):
    client = HttpClient(server)
    first = client.get("/a", keep_body=True)
    second = client.get("/b")
    assert (first.status, first.bytes, first.body) == (200, 1000, b"x" * 1000)
    assert (second.status, second.bytes, second.body) == (200, 1000, None)
    assert client.get("/missing").status == 404
    client.close()


def test_throughput_counts_answers_and_errors_from_every_process(server):
    figures = throughput([server + "/ok", server + "/missing"], 4, 1.0, processes=2)
    assert figures["connections"] == 4
    assert figures["processes"] == 2
    assert figures["servers"] == 2
    assert figures["requests"] > 0
    assert figures["errors"] > 0  # the connections sent to /missing
    assert set(figures["statuses"]) == {"200", "404"}
    assert figures["requests_per_second"] == figures["requests"] / 1.0
