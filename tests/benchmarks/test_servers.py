"""The servers the benchmark starts (`policytracker.benchmarks.servers`): the app under gunicorn
in production mode answers, and is gone once stopped."""

import os

import pytest

from policytracker.benchmarks import servers
from policytracker.benchmarks.client import HttpClient


def test_the_production_environment():
    env = servers.app_environment(servers.Path("/tmp/static"))
    assert env["DEBUG"] == "0"
    assert len(env["SECRET_KEY"]) >= 50
    assert env["SECRET_KEY"] != servers.app_environment(servers.Path("/tmp/static"))["SECRET_KEY"]
    assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")
    assert env["SECURE_SSL_REDIRECT"] == "0"
    assert int(env["CONN_MAX_AGE"]) >= 600
    assert env["DJANGO_SETTINGS_MODULE"] == "policytracker.benchmarks.settings"


def test_datasette_is_looked_for_where_said(tmp_path, monkeypatch):
    executable = tmp_path / "datasette"
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    assert servers.find_datasette(str(executable)) == executable
    monkeypatch.setenv("BENCHMARK_DATASETTE", str(executable))
    assert servers.find_datasette() == executable
    monkeypatch.delenv("BENCHMARK_DATASETTE")
    monkeypatch.setattr(servers.settings, "BASE_DIR", tmp_path)
    assert servers.find_datasette() is None


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_gunicorn_serves_in_production_mode_and_stops(tmp_path, migrated_database):
    # The pages measured need none of the API docs' and the admin's files: leaving them out
    # keeps the test short.
    servers.collect_static(tmp_path, ignore=("drf_spectacular_sidecar", "admin", "rest_framework"))
    app = servers.gunicorn(tmp_path, workers=1)
    app.env["DATABASE_URL"] = migrated_database
    with app:
        app.start("/api/")
        process = app.process
        client = HttpClient(app.url)
        page = client.get("/api/")
        static = client.get("/static/favicon.svg")
        missing = client.get("/no-such-page/")
        # Longer than gunicorn reads by default (4,094 bytes), within what the site reads.
        long_query = client.get("/api/?q=" + "a" * 6000)
        too_long = client.get("/api/?q=" + "a" * 8100, keep_body=True)
        client.close()
    assert long_query.status == 200  # the app answered, not gunicorn
    assert too_long.status == 414
    assert b"longer than the site reads" in too_long.body
    assert page.status == 200
    assert static.status == 200
    assert missing.status == 404
    assert process.poll() is not None
    with pytest.raises(ConnectionRefusedError):
        HttpClient(app.url).get("/api/")
