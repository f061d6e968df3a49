"""Two app servers, a primary and a streaming replica, one Redis: the cluster `make cluster`
starts (`make cluster-test` starts it, runs this and stops it). Skipped unless CLUSTER_URLS
names its app servers (`. .cluster/env`).

What the replica serves is shown by pausing its replay (`pg_wal_replay_pause()`): a change
written to the primary is then missing from every read a replica answers, and present in every
read the primary answers. So a 404 for a record the primary holds is a read the replica served,
and a 200 one the primary served."""

import http.client
import json
import os
import pickle
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from policytracker.core.db_router import PIN_COOKIE

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not os.environ.get("CLUSTER_URLS"),
        reason="no cluster: make cluster-test (or make cluster, then . .cluster/env)",
    ),
]

psycopg = pytest.importorskip("psycopg")
REVIEWER = "cluster-reviewer"


class Client:
    """One HTTP client of one app server, keeping its cookies as a browser does (pass
    `cookies` to carry them to another server)."""

    def __init__(self, base, token=None, cookies=None):
        self.address = urlsplit(base)
        self.token = token
        self.cookies = dict(cookies or {})

    def request(self, method, path, data=None, headers=()):
        connection = http.client.HTTPConnection(
            self.address.hostname, self.address.port, timeout=30
        )
        sent = {"Accept": "application/json", **dict(headers)}
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = json.dumps(data)
            sent["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def get(self, path):
        return self.request("GET", path)


@pytest.fixture(scope="module")
def cluster():
    servers = os.environ["CLUSTER_URLS"].split(",")
    assert len(servers) >= 2, "the cluster needs two app servers"
    return {
        "servers": servers,
        "primary": os.environ["CLUSTER_PRIMARY_URL"],
        "replica": os.environ["CLUSTER_REPLICA_URL"],
        "redis": os.environ.get("CLUSTER_REDIS_URL"),
    }


def manage(cluster, *args):
    """A management command against the primary, as an operator runs one."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_REPLICA_URLS", "REDIS_URL", "SECRET_KEY"}
    }
    env.update(DEBUG="1", DATABASE_URL=cluster["primary"])
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def query(url, sql, params=()):
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        return connection.execute(sql, params).fetchone()[0]


def wait_for_replay(cluster, timeout=30):
    """Until the replica has replayed everything the primary has written so far."""
    target = query(cluster["primary"], "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not query(cluster["replica"], "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        assert time.monotonic() < deadline, f"the replica did not replay up to {target}"
        time.sleep(0.05)


@contextmanager
def replay_paused(cluster):
    """The replica stops applying the primary's changes inside, and catches up after."""
    assert query(cluster["replica"], "SELECT pg_is_in_recovery()"), "not a replica"
    query(cluster["replica"], "SELECT pg_wal_replay_pause()::text")
    try:
        yield
    finally:
        query(cluster["replica"], "SELECT pg_wal_replay_resume()::text")
    wait_for_replay(cluster)


@pytest.fixture(scope="module")
def token(cluster):
    """A reviewer's token (reviewers' writes are published at once), made on the primary with
    the README's command; read by the app servers once the replica has it too."""
    manage(
        cluster,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.get_or_create(username={REVIEWER!r})",
    )
    key = manage(cluster, "create_editor_token", REVIEWER, "--add-to-reviewers")
    wait_for_replay(cluster)
    return key


def topic_path(slug):
    return f"/api/v1/topics/{slug}/"


def test_a_write_through_one_server_is_read_back_through_the_other_from_the_replica(cluster, token):
    one, two = cluster["servers"][:2]
    slug = f"cluster-{uuid.uuid4().hex[:10]}"
    writer = Client(one, token)
    with replay_paused(cluster):
        status, _, content = writer.request(
            "POST", "/api/v1/topics/", {"slug": slug, "name": f"{slug} through server one"}
        )
        assert status == 201, content
        assert PIN_COOKIE in writer.cookies
        # The writer reads its change at once, through either server: the pin sends its reads
        # to the primary.
        assert writer.get(topic_path(slug))[0] == 200
        assert Client(two, token, writer.cookies).get(topic_path(slug))[0] == 200
        # Everyone else reads the replica, which has not replayed the write.
        assert Client(two).get(topic_path(slug))[0] == 404
        assert Client(one).get(topic_path(slug))[0] == 404
        # A pin the client made up itself is not honoured.
        assert Client(two, cookies={PIN_COOKIE: "1"}).get(topic_path(slug))[0] == 404
    # Replay resumed and caught up: server two serves the change from the replica.
    status, _, content = Client(two).get(topic_path(slug))
    assert status == 200, content
    assert json.loads(content)["name"] == f"{slug} through server one"


def test_a_client_that_wrote_through_server_two_reads_its_change_there_at_once(cluster, token):
    two = cluster["servers"][1]
    slug = f"cluster-{uuid.uuid4().hex[:10]}"
    client = Client(two, token)
    status, _, content = client.request(
        "POST", "/api/v1/topics/", {"slug": slug, "name": f"{slug} before"}
    )
    assert status == 201, content
    wait_for_replay(cluster)
    # Another client, unpinned, reads the record and its ETag from the replica.
    editor = Client(two, token)
    status, headers, _ = editor.get(topic_path(slug))
    assert status == 200
    assert PIN_COOKIE not in editor.cookies
    with replay_paused(cluster):
        status, _, content = editor.request(
            "PATCH", topic_path(slug), {"name": f"{slug} after"}, {"If-Match": headers["ETag"]}
        )
        assert status == 200, content
        # Its next read, through the same server, is of the primary: its own change.
        status, _, content = editor.get(topic_path(slug))
        assert json.loads(content)["name"] == f"{slug} after"
        # Anyone else still reads the replica's copy.
        status, _, content = Client(two).get(topic_path(slug))
        assert json.loads(content)["name"] == f"{slug} before"
    status, _, content = Client(two).get(topic_path(slug))
    assert json.loads(content)["name"] == f"{slug} after"


def test_both_servers_count_a_clients_requests_in_the_shared_cache(cluster):
    """DRF keeps the times of a client's recent requests under one key; the servers add to the
    same list in Redis rather than each to its own."""
    if not cluster["redis"]:
        pytest.skip("CLUSTER_REDIS_URL not given")
    redis = pytest.importorskip("redis")
    shared = redis.Redis.from_url(cluster["redis"])
    key = "policytracker:1:throttle_anon_127.0.0.1"
    one, two = cluster["servers"][:2]
    for _ in range(3):  # the rates are per second: two requests in the same second, once
        assert Client(one).get("/api/v1/topics/")[0] == 200
        first = pickle.loads(shared.get(key))
        assert Client(two).get("/api/v1/topics/")[0] == 200
        second = pickle.loads(shared.get(key))
        if first[0] in second:
            break
    assert second[0] > first[0]
    assert first[0] in second
