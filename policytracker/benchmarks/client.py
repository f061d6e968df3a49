"""An HTTP client for the benchmark, on the standard library alone: one persistent (keep-alive)
connection per client, each answer read to its last byte and timed.

`python -m policytracker.benchmarks.client --url URL [--url URL…] --connections N --seconds S`
is one load process: N connections, each a thread asking for its URL (the URLs dealt to the
connections in turn) again and again until S seconds have passed, printing one JSON object
of counts and timings. `throughput` runs several such processes together, so that the client
is not what limits the rate."""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from policytracker.benchmarks.stats import median, percentile

# A connection the server closed while idle shows as one of these on the next request, which
# is then sent again on a new connection.
_CLOSED = (
    http.client.RemoteDisconnected,
    http.client.CannotSendRequest,
    http.client.BadStatusLine,
    ConnectionResetError,
    BrokenPipeError,
)


@dataclass
class Answer:
    status: int
    bytes: int
    seconds: float
    body: bytes | None = None


class HttpClient:
    """GETs on one persistent connection to the server at `base_url` (reopened if the server
    closes it: gunicorn's sync workers close every connection after one answer)."""

    def __init__(self, base_url: str, timeout: float = 900):
        parts = urlsplit(base_url)
        self.base_path = parts.path.rstrip("/")
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout
        )

    def get(self, path: str, keep_body: bool = False) -> Answer:
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.connection.request(
                    "GET", self.base_path + path, headers={"Accept-Encoding": "identity"}
                )
                response = self.connection.getresponse()
                size, parts = 0, []
                while chunk := response.read(65536):
                    size += len(chunk)
                    if keep_body:
                        parts.append(chunk)
                seconds = time.perf_counter() - start
                return Answer(
                    response.status, size, seconds, b"".join(parts) if keep_body else None
                )
            except _CLOSED:
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def _connection_loop(url: str, path: str, deadline: float, result: dict, lock) -> None:
    client = HttpClient(url)
    latencies, errors, size = [], 0, 0
    statuses: dict[str, int] = {}
    try:
        while True:
            try:
                answer = client.get(path)
            except (OSError, http.client.HTTPException) as error:
                errors += 1
                statuses[type(error).__name__] = statuses.get(type(error).__name__, 0) + 1
                time.sleep(0.05)
                if time.time() >= deadline:
                    break
                continue
            if time.time() > deadline:
                break  # finished after the window: not counted
            statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
            if 200 <= answer.status < 300:
                latencies.append(answer.seconds)
                size += answer.bytes
            else:
                errors += 1
    finally:
        client.close()
    with lock:
        result["latencies"].extend(latencies)
        result["errors"] += errors
        result["bytes"] += size
        for status, count in statuses.items():
            result["statuses"][status] = result["statuses"].get(status, 0) + count


def load(urls: list[str], connections: int, seconds: float, start_at: float, first: int = 0):
    """`connections` threads, the i-th asking for `urls[(first + i) % len(urls)]`, from the
    moment `start_at` (a `time.time()`) for `seconds`; the combined counts."""
    result: dict = {"latencies": [], "errors": 0, "bytes": 0, "statuses": {}}
    lock = threading.Lock()
    deadline = start_at + seconds
    threads = []
    for index in range(connections):
        parts = urlsplit(urls[(first + index) % len(urls)])
        base = f"{parts.scheme}://{parts.netloc}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        threads.append(
            threading.Thread(
                target=_connection_loop, args=(base, path, deadline, result, lock), daemon=True
            )
        )
    time.sleep(max(0.0, start_at - time.time()))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def throughput(urls: list[str], connections: int, seconds: float, processes: int = 2) -> dict:
    """Requests per second that `connections` keep-alive connections get through together in
    `seconds`, spread over `processes` load processes and round-robin over `urls`; counts
    answers that are not 2xx (and failed connections) as errors."""
    processes = max(1, min(processes, connections))
    start_at = time.time() + 1.5  # every process started and ready before the window opens
    children = []
    for number in range(processes):
        share = connections // processes + (1 if number < connections % processes else 0)
        first = sum(
            connections // processes + (1 if n < connections % processes else 0)
            for n in range(number)
        )
        command = [sys.executable, "-m", "policytracker.benchmarks.client", "--seconds",
                   str(seconds), "--connections", str(share), "--start-at", str(start_at),
                   "--first", str(first)]  # fmt: skip
        for url in urls:
            command += ["--url", url]
        children.append(
            subprocess.Popen(
                command, stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2]
            )
        )
    combined: dict = {"latencies": [], "errors": 0, "bytes": 0, "statuses": {}}
    for child in children:
        out, _ = child.communicate(timeout=seconds + 960)
        if child.returncode:
            raise RuntimeError(f"a load process failed ({child.returncode})")
        part = json.loads(out)
        combined["latencies"].extend(part["latencies"])
        combined["errors"] += part["errors"]
        combined["bytes"] += part["bytes"]
        for status, count in part["statuses"].items():
            combined["statuses"][status] = combined["statuses"].get(status, 0) + count
    latencies = combined.pop("latencies")
    return {
        "connections": connections,
        "processes": processes,
        "seconds": seconds,
        "servers": len(urls),
        "requests": len(latencies),
        "requests_per_second": len(latencies) / seconds,
        "errors": combined["errors"],
        "statuses": combined["statuses"],
        "median_ms": median(latencies) * 1000 if latencies else None,
        "p95_ms": percentile(latencies, 95) * 1000 if latencies else None,
        "bytes": combined["bytes"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One load process of the benchmark.")
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--start-at", type=float, default=0)
    parser.add_argument("--first", type=int, default=0)
    args = parser.parse_args(argv)
    result = load(
        args.url, args.connections, args.seconds, args.start_at or time.time(), args.first
    )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
