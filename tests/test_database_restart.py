"""The database stops and starts again under a running app: while it is down every request is
a 503 with `Retry-After` (JSON under the API, a page elsewhere), and once it is back the app
answers again, without a restart, over connections it keeps (`CONN_MAX_AGE`, checked before
each request).

On a PostgreSQL server of the test's own, on a free port, made with `initdb` and stopped and
started with `pg_ctl`: the suite's own database is never touched. Runs where PostgreSQL's server
programs are installed (as in CI); skipped elsewhere, unless REQUIRE_POSTGRES_SERVER=1."""

import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from policytracker.benchmarks import servers
from tests.helpers.databases import manage


def server_programs():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def as_postgres(command):
    """Run PostgreSQL's programs as the postgres OS user when the suite runs as root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class OwnServer:
    def __init__(self, programs, root, port):
        self.programs, self.root, self.port = programs, root, port
        self.data = root / "data"

    def run(self, *command):
        subprocess.run(
            as_postgres([str(self.programs / command[0]), *command[1:]]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def make(self):
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
            )

    def start(self):
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")

    def stop(self):
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/policytracker"


@pytest.fixture
def own_server():
    programs = server_programs()
    if programs is None:
        if os.environ.get("REQUIRE_POSTGRES_SERVER") == "1":
            pytest.fail("REQUIRE_POSTGRES_SERVER=1 but PostgreSQL's server programs are not here")
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="policytracker-restart."))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    server = OwnServer(programs, root, servers.free_port())
    try:
        server.make()
        server.start()
        createdb = [str(programs / "createdb"), "-h", "127.0.0.1", "-p", str(server.port)]
        subprocess.run(
            [*createdb, "-U", "postgres", "policytracker"], check=True, capture_output=True
        )
        yield server
    finally:
        stop = [str(programs / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"]
        subprocess.run(as_postgres(stop), capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def get(url):
    """(status, headers, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_the_app_answers_503_while_the_database_is_down_and_recovers_without_a_restart(
    own_server, tmp_path
):
    manage(own_server.url, "migrate", "--noinput", "-v0")
    servers.collect_static(tmp_path, ignore=("drf_spectacular_sidecar", "admin", "rest_framework"))
    app = servers.gunicorn(tmp_path, workers=1)
    # Connections are kept for an hour: after the restart the app must notice the one it holds
    # is dead, not fail on it.
    app.env.update(DATABASE_URL=own_server.url, CONN_MAX_AGE="3600")
    with app:
        app.start("/static/favicon.svg")
        api, page = app.url + "/api/v1/topics/", app.url + "/instruments/"
        assert get(api)[0] == 200
        assert get(page)[0] == 200

        own_server.stop()
        status, headers, body = get(api)
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == {
            "errors": {
                "server": ["The database cannot be reached just now. Try again in 30 seconds."]
            }
        }
        status, headers, body = get(page)
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert b"The database cannot be reached just now." in body

        own_server.start()
        # The very next requests answer: no restart, no request lost to a stale connection.
        assert [get(api)[0], get(page)[0], get(api)[0]] == [200, 200, 200]
