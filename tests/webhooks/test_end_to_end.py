"""Webhooks from end to end, with the processes production runs: the app under gunicorn, the
worker (`manage.py run_huey`) on a real Redis, a database of the suite's engine of their own, and
a receiver on the loopback interface (HTTPS, its certificate checked) that verifies every
delivery with the README's function.

An editor registers a hook through the API while Redis cannot be reached: the registration and
a change go through all the same, and the worker, once started, delivers the change. Then, with
Redis there, a change made through the API arrives within seconds, signed; a receiver that fails
sees the same delivery again after a doubling delay, until the hook is turned off; turned on
again, the hook delivers it.

Needs Redis (the `redis_prefix` fixture: skipped where there is none, unless REQUIRE_REDIS=1, as
in CI)."""

import datetime
import itertools
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from policytracker.benchmarks import servers
from tests.conftest import TEST_REDIS_URL
from tests.helpers.databases import manage
from tests.helpers.webhooks import Receiver, closed_port, remove_queue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(os.name != "posix", reason="process groups"),
]

RETRY_SECONDS, RETRY_MAX_SECONDS, DISABLE_AFTER = 1, 2, 3


class Api:
    """An editor's JSON client of the app at `base`."""

    def __init__(self, base, token):
        self.base, self.token = base, token

    def __call__(self, method, path, payload=None, **headers):
        # An address another server of the test answered with is read on this one.
        path = urllib.parse.urlsplit(path)._replace(scheme="", netloc="").geturl()
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(payload).encode() if payload is not None else None,
            method=method,
            headers={
                "Authorization": f"Token {self.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                body = answer.read()
                return answer.status, answer.headers, json.loads(body) if body else None
        except urllib.error.HTTPError as error:
            return error.code, error.headers, json.loads(error.read() or b"null")


@contextmanager
def worker(env, log):
    """`manage.py run_huey` running, in a process group of its own."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        servers.stop_process_group(process)


def app_server(tmp_path, env):
    app = servers.gunicorn(tmp_path, workers=1)
    app.env.update(env, DEBUG="1", LOG_LEVEL="WARNING")
    return app


def eventually(read, check, timeout=30):
    """`read()` again until `check(what it read)` holds (the worker records an attempt just
    after the receiver has answered it); what it read last."""
    deadline = time.monotonic() + timeout
    while True:
        got = read()
        if check(got) or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log.exists() else ""


def test_a_change_arrives_signed_and_failures_are_retried_then_turn_the_hook_off(
    redis_prefix, tmp_path, new_database
):
    url = new_database
    manage(url, "migrate", "--noinput", "-v0")
    manage(
        url, "shell", "--no-imports", "-v0", "-c",
        "from django.contrib.auth.models import User; User.objects.create_user('hooker'); "
        "from tests.factories import JurisdictionFactory as J; "
        "J(code='XA', name='Xanadu'); J(code='XB', name='Xbloc')",
    )  # fmt: skip
    token = manage(url, "create_editor_token", "hooker", "--add-to-reviewers").strip()
    token = token.splitlines()[-1]
    log = tmp_path / "worker.log"

    with Receiver(tmp_path) as receiver:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
            },
            "DATABASE_URL": url,
            "DEBUG": "1",
            "REDIS_KEY_PREFIX": redis_prefix,
            "WEBHOOKS_REDIS_URL": TEST_REDIS_URL,
            "WEBHOOKS_ALLOW_PRIVATE": "1",
            "WEBHOOKS_CA_BUNDLE": str(receiver.ca_file),
            "WEBHOOKS_RETRY_SECONDS": str(RETRY_SECONDS),
            "WEBHOOKS_RETRY_MAX_SECONDS": str(RETRY_MAX_SECONDS),
            "WEBHOOKS_DISABLE_AFTER": str(DISABLE_AFTER),
            "WEBHOOKS_CONNECT_TIMEOUT": "2",
            "WEBHOOKS_READ_TIMEOUT": "2",
            "CHANGES_SETTLE_SECONDS": "1",
            "LOG_LEVEL": "INFO",
        }
        try:
            # 1. No Redis: the app registers the hook and takes a change all the same.
            offline = app_server(
                tmp_path, {**env, "WEBHOOKS_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}
            )
            with offline:
                offline.start("/api/v1/")
                api = Api(offline.url, token)
                status, headers, hook = api(
                    "POST",
                    "/api/v1/webhooks/",
                    {"endpoint": receiver.url, "list": "instruments", "query": "jurisdiction=XA"},
                )
                assert status == 201, hook
                receiver.secret = hook["secret"]
                status, _, _ = api(
                    "POST",
                    "/api/v1/instruments/",
                    {"slug": "xa-ai-act", "title": "Xanadu AI Act", "jurisdiction": "XA",
                     "type": "binding_law", "status": "adopted"},
                )  # fmt: skip
                assert status == 201
                status, _, _ = api(
                    "POST",
                    "/api/v1/instruments/",
                    {"slug": "xb-ai-act", "title": "Xbloc AI Act", "jurisdiction": "XB",
                     "type": "binding_law", "status": "adopted"},
                )  # fmt: skip
                assert status == 201
            assert receiver.requests() == []

            with worker(env, log):
                # 2. The worker, once it runs, delivers what the hook was owed meanwhile.
                (first,) = receiver.wait_for(1, timeout=60)
                assert first.verified, tail(log)
                body = json.loads(first.body)
                assert body["hook"] == hook["id"]
                assert [entry["key"] for entry in body["changes"]] == ["xa-ai-act"]
                assert body["changes"][0]["action"] == "created"
                assert first.headers["X-PolicyTracker-Delivery"] == body["delivery"]

                app = app_server(tmp_path, env)
                with app:
                    app.start("/api/v1/")
                    api = Api(app.url, token)

                    # 3. With Redis there, a change arrives within seconds of its write.
                    instrument = "/api/v1/instruments/xa-ai-act/"
                    _, headers, _ = api("GET", instrument)
                    status, _, _ = api(
                        "PATCH", instrument, {"title": "Xanadu AI Act 2026"},
                        **{"If-Match": headers["ETag"]},
                    )  # fmt: skip
                    assert status == 200
                    second = receiver.wait_for(2, timeout=30)[1]
                    assert second.verified
                    entry = json.loads(second.body)["changes"][0]
                    assert (entry["key"], entry["action"], entry["changed_fields"]) == (
                        "xa-ai-act",
                        "changed",
                        ["title"],
                    )
                    _, _, log_page = eventually(
                        lambda: api("GET", hook["deliveries_url"]),
                        lambda got: got[2]["results"][0]["state"] == "delivered",
                    )
                    assert [row["state"] for row in log_page["results"]] == [
                        "delivered",
                        "delivered",
                    ]
                    assert log_page["results"][0]["attempts"][0]["status_code"] == 200

                    # 4. The receiver fails: the same delivery again, after 1 s, then 2 s, and
                    # after the third failure in a row the hook is turned off.
                    receiver.status = 500
                    _, headers, _ = api("GET", instrument)
                    api(
                        "PATCH", instrument, {"summary": "Risk tiers."},
                        **{"If-Match": headers["ETag"]},
                    )  # fmt: skip
                    failing = receiver.wait_for(2 + DISABLE_AFTER, timeout=60)[2:]
                    ids = {r.headers["X-PolicyTracker-Delivery"] for r in failing}
                    assert len(ids) == 1, "the same delivery, each time"
                    assert all(r.verified for r in failing)
                    # Never sooner than the delay (the scheduler may add up to a second).
                    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(failing)]
                    assert gaps[0] >= RETRY_SECONDS - 0.1, gaps
                    assert gaps[1] >= RETRY_MAX_SECONDS - 0.1, gaps
                    _, _, state = eventually(
                        lambda: api("GET", hook["url"]), lambda got: not got[2]["active"]
                    )
                    assert state["active"] is False, tail(log)
                    assert state["consecutive_failures"] == DISABLE_AFTER
                    assert state["disabled_reason"].startswith(
                        f"Turned off after {DISABLE_AFTER} failed attempts in a row."
                    )
                    assert state["disabled_reason"].endswith("HTTP 500 Internal Server Error.")
                    _, _, log_page = api("GET", hook["deliveries_url"])
                    newest = log_page["results"][0]
                    assert (newest["state"], newest["attempt_count"]) == ("pending", DISABLE_AFTER)
                    assert [a["status_code"] for a in newest["attempts"]] == [500] * DISABLE_AFTER

                    # Turned off, it is left alone.
                    with pytest.raises(AssertionError):
                        receiver.wait_for(3 + DISABLE_AFTER, timeout=RETRY_MAX_SECONDS + 3)

                    # 5. Turned on again, the delivery owed goes through, under the same id.
                    receiver.status = 200
                    _, headers, _ = api("GET", hook["url"])
                    status, _, state = api(
                        "PATCH", hook["url"], {"active": True}, **{"If-Match": headers["ETag"]}
                    )
                    assert status == 200
                    assert (state["active"], state["consecutive_failures"]) == (True, 0)
                    last = receiver.wait_for(3 + DISABLE_AFTER, timeout=30)[-1]
                    assert last.verified
                    assert last.headers["X-PolicyTracker-Delivery"] in ids
                    assert json.loads(last.body)["changes"][0]["changed_fields"] == ["summary"]
                    _, _, log_page = eventually(
                        lambda: api("GET", hook["deliveries_url"]),
                        lambda got: got[2]["results"][0]["state"] == "delivered",
                    )
                    assert log_page["results"][0]["state"] == "delivered"
                    when = datetime.datetime.fromisoformat(log_page["results"][0]["delivered_at"])
                    assert when.tzinfo is not None
        finally:
            remove_queue(TEST_REDIS_URL, f"{redis_prefix}-webhooks")
