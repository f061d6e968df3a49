"""The servers the benchmark starts on the loopback interface and always stops: the app under
gunicorn in production mode, and Datasette.

Each runs in a process group of its own, its output in a log file; `stop` ends the group (a
polite SIGTERM, then SIGKILL after a grace period), whether the benchmark finished, failed or
was interrupted."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from policytracker.benchmarks.export import datasette_metadata

BENCH_VENV = ".venv-bench"
SETTINGS_MODULE = "policytracker.benchmarks.settings"


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process: subprocess.Popen, grace: float = 10) -> None:
    """End `process` (started in a session of its own) and its children: TERM, then KILL after
    `grace` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


class Server:
    """A process serving HTTP at `url`, started by `start()` and ended by `stop()` (also as a
    context manager)."""

    def __init__(self, name: str, command: list[str], url: str, env: dict, log_dir: Path):
        self.name, self.command, self.url, self.env = name, command, url, env
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str = "/", timeout: float = 60) -> Server:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=settings.BASE_DIR,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited ({self.process.returncode}): {self.tail()}")
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=5) as answer:
                    answer.read()
                    return self
            except urllib.error.HTTPError as error:
                raise ServerError(f"{self.name} answered {error.code}: {self.tail()}") from error
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise ServerError(f"{self.name} did not answer within {timeout:.0f} s: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 10) -> None:
        process, self.process = self.process, None
        if process is not None:
            stop_process_group(process, grace)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def app_environment(static_root: Path) -> dict:
    """The environment of a production-mode app server for the benchmark: DEBUG off, a random
    secret key, the loopback host allowed, persistent database connections, no HTTPS redirect,
    and throttle rates no benchmark reaches (throttling still runs, as in production)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        BENCHMARK_STATIC_ROOT=str(static_root),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CONN_MAX_AGE="3600",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        API_ANON_RATE="999999999/second",
        API_USER_RATE="999999999/second",
        PAGE_RATE="999999999/second",
        NUM_PROXIES="0",
        LOG_LEVEL="WARNING",
    )
    return env


def collect_static(work_dir: Path, ignore: tuple[str, ...] = ()) -> float:
    """Collect the static files as a production server serves them (hashed names, a
    manifest) into `work_dir`/static, where `gunicorn` serves them from, leaving out those
    matching `ignore` (glob patterns); the seconds it took."""
    start = time.perf_counter()
    ignored = [f"--ignore={pattern}" for pattern in ignore]
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", *ignored],
        env=app_environment(work_dir / "static"),
        cwd=settings.BASE_DIR,
        check=True,
    )
    return time.perf_counter() - start


def gunicorn(work_dir: Path, workers: int = 2, timeout: int = 600) -> Server:
    """The app under gunicorn (sync workers) on a free loopback port, not yet started; its
    static files are those `collect_static(work_dir)` collected."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "policytracker.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        # The project's gunicorn settings, as production reads them (long request lines).
        "--config", str(Path(settings.BASE_DIR) / "gunicorn.conf.py"),
        # A slow page is measured, not killed at gunicorn's default of 30 s.
        "--timeout", str(timeout),
    ]  # fmt: skip
    env = app_environment(work_dir / "static")
    return Server("gunicorn", command, f"http://127.0.0.1:{port}", env, work_dir)


def find_datasette(given: str | None = None) -> Path | None:
    """Datasette's executable: `given` (a path, or a name on PATH), else
    `BENCHMARK_DATASETTE`, else the benchmark's own virtual environment (`.venv-bench/`, which
    `make bench` makes); None where there is none."""

    def runnable(path: str) -> bool:
        return Path(path).is_file() and os.access(path, os.X_OK)

    if given:
        found = given if runnable(given) else shutil.which(given)
        return Path(found) if found else None
    for candidate in (
        os.environ.get("BENCHMARK_DATASETTE", ""),
        str(Path(settings.BASE_DIR) / BENCH_VENV / "bin" / "datasette"),
    ):
        if candidate and runnable(candidate):
            return Path(candidate)
    return None


def datasette_version(executable: Path) -> str:
    result = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or result.stderr.strip()


def datasette(executable: Path, database: Path, work_dir: Path) -> Server:
    """Datasette serving `database` (immutable, as a published copy is) on a free loopback
    port, not yet started: no suggested facets, time limits no request of the benchmark meets,
    CSV streams of any length, and `?_trace=1` to count the queries of a request."""
    port = free_port()
    metadata = work_dir / "metadata.json"
    metadata.write_text(json.dumps(datasette_metadata(database.stem)))
    command = [
        str(executable), "serve", "--immutable", str(database),
        "--host", "127.0.0.1", "--port", str(port),
        "--metadata", str(metadata),
        "--setting", "suggest_facets", "off",
        "--setting", "sql_time_limit_ms", "600000",
        "--setting", "facet_time_limit_ms", "600000",
        "--setting", "max_returned_rows", "1000",
        "--setting", "default_page_size", "50",
        "--setting", "max_csv_mb", "0",
        "--setting", "trace_debug", "1",
    ]  # fmt: skip
    return Server("datasette", command, f"http://127.0.0.1:{port}", dict(os.environ), work_dir)


def work_directory() -> Path:
    return Path(tempfile.mkdtemp(prefix="policytracker-benchmark-"))
