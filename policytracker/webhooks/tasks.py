"""The worker's tasks (Huey, on Redis: `manage.py run_huey`, `make worker`), and the nudge a
write gives it.

The tasks only carry out `policytracker.webhooks.outbox`; what is owed is in the database. A
periodic sweep, every minute, dispatches and sends whatever is due, so a task the queue lost
(Redis restarted empty, a worker killed mid-way) costs a minute, not a delivery. A write nudges
the worker once it commits, so that deliveries follow within seconds: that nudge is the only
thing a request asks of Redis, at most once a second per process, and a Redis that does not
answer fails it quietly (logged) without failing the write; after such a failure the process
leaves Redis alone for half a minute.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from policytracker.webhooks import outbox
from policytracker.webhooks.models import Webhook

logger = logging.getLogger(__name__)

# Seconds between two nudges from one process, and after a nudge that failed.
NUDGE_INTERVAL = 1.0
NUDGE_PAUSE_AFTER_FAILURE = 30.0


@db_task(name="webhooks.dispatch")
def dispatch() -> int:
    """Write what every hook is owed, then send what is due; how many deliveries were made."""
    made = outbox.dispatch()
    send_due()
    return made


@db_periodic_task(crontab(minute="*"), name="webhooks.sweep")
def sweep() -> int:
    """Every minute: the same as `dispatch`, which catches whatever no nudge or task did."""
    return dispatch.call_local()


@db_periodic_task(crontab(minute="7", hour="*"), name="webhooks.prune")
def prune() -> int:
    """Every hour: the log's old entries out."""
    return outbox.prune()


@db_task(name="webhooks.deliver")
def deliver(delivery_id: int) -> None:
    """Send one delivery, then queue what follows it (its retry, or its hook's next)."""
    for following in outbox.send(delivery_id):
        queue_delivery(following.delivery_id, following.delay)


def queue_delivery(delivery_id: int, delay: float = 0) -> None:
    if delay > 0:
        deliver.schedule(args=(delivery_id,), delay=delay)
    else:
        deliver(delivery_id)


def send_due() -> None:
    for delivery_id in outbox.due():
        queue_delivery(delivery_id)


def try_to_queue(action, what: str) -> bool:
    """Run `action` (which puts a task on the queue) from a request: whether it worked. A
    Redis that does not answer is logged, never raised: the sweep does it within a minute
    once a worker runs."""
    try:
        action()
    except Exception:  # Redis's errors, and whatever else keeps a task off the queue
        logger.warning(
            "Webhooks: could not queue %s; the worker's sweep will, once Redis and a worker "
            "are running.",
            what,
            exc_info=True,
        )
        return False
    return True


class _Nudges:
    """When this process may next nudge the worker (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_at = 0.0

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            if now < self.next_at:
                return False
            self.next_at = now + NUDGE_INTERVAL
            return True

    def pause(self) -> None:
        with self.lock:
            self.next_at = time.monotonic() + NUDGE_PAUSE_AFTER_FAILURE


_nudges = _Nudges()


def nudge() -> None:
    """Ask the worker to dispatch once the changes just committed have settled (the change
    history holds a change back `CHANGES_SETTLE_SECONDS`), if any hook is on."""
    if not _nudges.take():
        return
    try:
        wanted = Webhook.objects.filter(active=True).exists()
    except DatabaseError:
        return  # no webhooks table yet: a database being migrated
    if not wanted:
        return
    delay = settings.CHANGES_SETTLE_SECONDS + NUDGE_INTERVAL
    if not try_to_queue(lambda: dispatch.schedule(delay=delay), "a dispatch after a write"):
        _nudges.pause()


def nudge_after_commit(sender=None, using=None, **kwargs) -> None:
    """Receiver of simple_history's `post_create_historical_record`: a tracked record was
    written; nudge the worker once the write commits (never if it rolls back)."""
    transaction.on_commit(nudge, using=using)
