"""A write nudges the worker through Redis once it commits, and only then; and a write goes
through whether or not Redis answers. These use a real Redis where the test needs one (the
`redis_prefix` fixture: skipped where there is none, unless REQUIRE_REDIS=1, as in CI)."""

import datetime
import logging

import pytest
import redis
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from instruments.models import Topic
from policytracker.webhooks import services, tasks
from tests.conftest import TEST_REDIS_URL
from tests.factories import TopicFactory
from tests.helpers.webhooks import closed_port, remove_queue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_nudges(monkeypatch):
    """Each test starts free to nudge (no nudge made in the last second by another test)."""
    monkeypatch.setattr(tasks, "_nudges", tasks._Nudges())


@pytest.fixture
def queue(redis_prefix, monkeypatch):
    """The task queue on the test's Redis, under a name of the test's own."""
    storage = RedisStorage(f"{redis_prefix}-webhooks", url=TEST_REDIS_URL)
    monkeypatch.setattr(HUEY, "storage", storage)
    yield storage
    remove_queue(TEST_REDIS_URL, storage.name)


@pytest.fixture
def unreachable_queue(monkeypatch):
    """The task queue on a port where no Redis answers."""
    storage = RedisStorage(
        "unreachable-webhooks",
        url=f"redis://127.0.0.1:{closed_port()}/0?socket_connect_timeout=1&socket_timeout=1",
    )
    monkeypatch.setattr(HUEY, "storage", storage)
    return storage


@pytest.fixture
def hook(editor, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    made, _ = services.webhook_create(
        owner=editor, endpoint="https://127.0.0.1:8443/in", list_name="instruments"
    )
    return made


def queued_names():
    """What waits on the queue (a task with a delay too: the worker keeps it until its time)."""
    return [task.name for task in HUEY.pending()]


def test_a_write_nudges_the_worker_once_it_commits(
    queue, hook, as_editor, django_capture_on_commit_callbacks, settings
):
    settings.CHANGES_SETTLE_SECONDS = 5
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        response = as_editor.post("/api/v1/topics/", {"slug": "nudged", "name": "N"}, format="json")
        assert response.status_code == 201
        # Until the write commits, Redis is told nothing.
        assert queued_names() == []
    assert waiting
    for callback in waiting:
        callback()
    # One dispatch, however many history rows the write made; once the changes have settled.
    assert queued_names() == ["webhooks.dispatch"]
    (task,) = HUEY.pending()
    waits = (task.eta - datetime.datetime.now(datetime.UTC).replace(tzinfo=None)).total_seconds()
    assert 5 < waits <= 6


def test_nothing_is_queued_while_no_hook_is_on(queue, hook, django_capture_on_commit_callbacks):
    hook.active = False
    hook.save()
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory(slug="unheard")
    assert queued_names() == []


def test_a_write_that_rolls_back_never_nudges(queue, hook, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        TopicFactory(slug="rolled-back")
        transaction.set_rollback(True)
    assert callbacks == []
    assert queued_names() == []


def test_a_ping_queues_its_delivery(queue, hook, as_editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(f"/api/v1/webhooks/{hook.public_id}/ping/")
    assert response.status_code == 202
    (task,) = HUEY.pending()
    assert task.name == "webhooks.deliver"
    assert task.args == (hook.deliveries.get().pk,)


def test_a_write_goes_through_while_redis_is_unreachable(
    unreachable_queue, hook, as_editor, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.WARNING, logger="policytracker.webhooks.tasks")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(
            "/api/v1/topics/", {"slug": "offline", "name": "O"}, format="json"
        )
    assert response.status_code == 201, response.content
    assert Topic.objects.filter(slug="offline").exists()
    (warning,) = [r for r in caplog.records if r.name == "policytracker.webhooks.tasks"]
    assert "could not queue a dispatch after a write" in warning.getMessage()
    assert warning.exc_info is not None
    assert isinstance(warning.exc_info[1], redis.ConnectionError)

    # The process leaves Redis alone for a while: the next write does not wait on it.
    caplog.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(
            "/api/v1/topics/", {"slug": "offline-2", "name": "P"}, format="json"
        )
    assert response.status_code == 201
    assert not [r for r in caplog.records if r.name == "policytracker.webhooks.tasks"]


def test_a_ping_is_accepted_while_redis_is_unreachable(
    unreachable_queue, hook, as_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_editor.post(f"/api/v1/webhooks/{hook.public_id}/ping/")
    assert response.status_code == 202
    # Kept in the database: the worker's sweep sends it once Redis and a worker run.
    assert hook.deliveries.get().state == "pending"
