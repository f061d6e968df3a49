"""The outbox: what each hook is owed, kept in the database, and how the worker pays it.

- `dispatch`: for every hook that is on, read the change history after its cursor within what
  its filter selects, and write each batch as a `Delivery` (the exact body to post) while moving
  the cursor past it, in one transaction. Nothing is owed twice (a second dispatcher finds the
  cursor moved and stops) and nothing is lost: the cursor is in the database, so changes made
  while Redis or the worker were away are read when they are back. Changes younger than
  `CHANGES_SETTLE_SECONDS` wait, as the change feed holds them back, until the writes in
  progress when they were stamped have committed.
- `send`: post one delivery, if it is due and no older delivery of its hook is still owed
  (deliveries arrive in the order of the changes), and log the attempt. A failure tries again
  after `retry_delay`; `WEBHOOKS_DISABLE_AFTER` failures in a row turn the hook off, with the
  reason. The delivery is claimed by a conditional update first, so two workers never send it
  at once, and no transaction stays open while the receiver answers.
- `due`: the deliveries to send now (for the periodic sweep, which finds any task the queue
  lost); `prune`: the log's old entries.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from instruments import history
from policytracker.webhooks import payloads, sending, signing
from policytracker.webhooks.models import Delivery, DeliveryAttempt, Webhook
from policytracker.webhooks.selection import FilterNoLongerApplies, selected
from policytracker.webhooks.services import secrets_in_use
from policytracker.webhooks.vocabulary import DeliveryEvent, DeliveryState

logger = logging.getLogger(__name__)

UNFINISHED = (DeliveryState.PENDING, DeliveryState.SENDING)
# Beyond its timeouts, how long a worker may take over an attempt before another takes it to
# have stopped mid-way and sends the delivery again.
CLAIM_MARGIN = datetime.timedelta(seconds=60)


def retry_delay(failures: int) -> int:
    """Seconds before trying a delivery again after its `failures`-th failed attempt:
    `WEBHOOKS_RETRY_SECONDS`, doubled after each failure, at most
    `WEBHOOKS_RETRY_MAX_SECONDS`."""
    base, most = settings.WEBHOOKS_RETRY_SECONDS, settings.WEBHOOKS_RETRY_MAX_SECONDS
    return min(base * 2 ** min(max(failures, 1) - 1, 40), most)


# -- dispatch ----------------------------------------------------------------------------------


def dispatch(*, now: datetime.datetime | None = None) -> int:
    """Write what every hook that is on is owed since its cursor; how many deliveries."""
    now = now or timezone.now()
    settle = settings.CHANGES_SETTLE_SECONDS
    until = now - datetime.timedelta(seconds=settle) if settle > 0 else now
    made = 0
    for hook in Webhook.objects.filter(active=True, owner__is_active=True).order_by("pk"):
        made += dispatch_hook(hook, until=until, now=now)
    return made


def dispatch_hook(hook: Webhook, *, until: datetime.datetime, now: datetime.datetime) -> int:
    """Deliveries for `hook` of the changes before `until` after its cursor; how many. A
    filter the list now refuses (a topic it names was deleted) turns the hook off, saying so."""
    try:
        selection = selected(hook.list_name, hook.query)
    except FilterNoLongerApplies as error:
        Webhook.objects.filter(pk=hook.pk, active=True).update(
            active=False, disabled_at=now, disabled_reason=f"Its filter no longer applies: {error}"
        )
        logger.warning("Webhook %s turned off: its filter no longer applies (%s)", hook, error)
        return 0
    batch = settings.WEBHOOKS_BATCH_SIZE
    cursor = hook.cursor
    made = 0
    while True:
        after = history.parse_cursor(cursor) if cursor else None
        entries = history.changes(
            since=None if after else hook.created_at,
            until=until,
            after=after,
            within=selection,
            limit=batch,
        )
        if not entries:
            return made
        moved_to = history.format_cursor(entries[-1].cursor)
        delivery = Delivery(
            webhook=hook,
            event=DeliveryEvent.CHANGES,
            change_count=len(entries),
            cursor=moved_to,
            next_attempt_at=now,
        )
        delivery.body = payloads.body(hook, delivery, entries=entries, cursor=moved_to)
        with transaction.atomic():
            # The cursor first: a write, so the transaction holds the row (or, on SQLite, the
            # database) from its first statement, and a dispatcher that got here first has
            # already moved it.
            moved = Webhook.objects.filter(pk=hook.pk, cursor=cursor, active=True).update(
                cursor=moved_to
            )
            if not moved:
                return made
            delivery.save()
        made += 1
        cursor = moved_to
        if len(entries) < batch:
            return made


# -- sending -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Next:
    """A delivery to send after `delay` seconds."""

    delivery_id: int
    delay: float = 0


def _claim(delivery_id: int, now: datetime.datetime) -> Delivery | Next | None:
    """The delivery, claimed for sending; `Next` when it is not due yet; None when there is
    nothing to send (done, claimed by another worker, its hook off, or an older delivery of its
    hook still owed)."""
    delivery = Delivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state not in UNFINISHED:
        return None
    if delivery.state == DeliveryState.SENDING and (
        delivery.claimed_until is None or delivery.claimed_until > now
    ):
        return None
    if delivery.state == DeliveryState.PENDING and delivery.next_attempt_at > now:
        return Next(delivery.pk, (delivery.next_attempt_at - now).total_seconds())
    if delivery.event == DeliveryEvent.CHANGES:
        if not delivery.webhook.active:
            return None
        older = Delivery.objects.filter(
            webhook_id=delivery.webhook_id,
            event=DeliveryEvent.CHANGES,
            state__in=UNFINISHED,
            pk__lt=delivery.pk,
        )
        if older.exists():
            return None
    timeouts = settings.WEBHOOKS_CONNECT_TIMEOUT + 2 * settings.WEBHOOKS_READ_TIMEOUT
    claimed = Delivery.objects.filter(
        pk=delivery.pk, state=delivery.state, attempt_count=delivery.attempt_count
    ).update(
        state=DeliveryState.SENDING,
        claimed_until=now + datetime.timedelta(seconds=timeouts) + CLAIM_MARGIN,
    )
    return delivery if claimed else None


def send(delivery_id: int) -> list[Next]:
    """Post the delivery if it is due and first in its hook's line, and log the attempt; what
    to send next (itself again later, after a failure; the hook's next delivery, after a
    success)."""
    claimed = _claim(delivery_id, timezone.now())
    if not isinstance(claimed, Delivery):
        return [claimed] if claimed is not None else []
    delivery, hook = claimed, claimed.webhook
    started_at = timezone.now()
    timestamp = int(time.time())
    body = delivery.body.encode("utf-8")
    outcome = sending.post(
        hook.endpoint,
        body,
        signing.headers(
            secrets_in_use=secrets_in_use(hook),
            timestamp=timestamp,
            body=body,
            delivery=str(delivery.public_id),
            event=delivery.event,
            hook=str(hook.public_id),
        ),
    )
    return _record(delivery, hook, outcome, started_at)


def _record(
    delivery: Delivery, hook: Webhook, outcome: sending.Outcome, started_at: datetime.datetime
) -> list[Next]:
    now = timezone.now()
    attempts = delivery.attempt_count + 1
    changes = delivery.event == DeliveryEvent.CHANGES
    turned_off = False
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            started_at=started_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status,
            error=outcome.error,
            response_excerpt=outcome.excerpt,
            succeeded=outcome.succeeded,
        )
        done = Delivery.objects.filter(pk=delivery.pk)
        if outcome.succeeded:
            done.update(
                state=DeliveryState.DELIVERED,
                delivered_at=now,
                attempt_count=attempts,
                claimed_until=None,
            )
            if changes:
                Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        elif not changes:
            # A ping is a test: tried once, and no reason to turn the hook off.
            done.update(state=DeliveryState.FAILED, attempt_count=attempts, claimed_until=None)
        else:
            delay = retry_delay(attempts)
            done.update(
                state=DeliveryState.PENDING,
                attempt_count=attempts,
                next_attempt_at=now + datetime.timedelta(seconds=delay),
                claimed_until=None,
            )
            turned_off = _count_failure(hook, outcome, now)
    if not changes:
        return []
    if not outcome.succeeded:
        # A hook turned off waits to be turned on again, which makes its deliveries due.
        return [] if turned_off else [Next(delivery.pk, delay)]
    following = (
        Delivery.objects.filter(
            webhook_id=hook.pk, event=DeliveryEvent.CHANGES, state__in=UNFINISHED
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return [Next(following)] if following is not None else []


def _count_failure(hook: Webhook, outcome: sending.Outcome, now: datetime.datetime) -> bool:
    """One more failure in a row for `hook`; whether it turned the hook off."""
    limit = settings.WEBHOOKS_DISABLE_AFTER
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    reason = (
        f"Turned off after {limit} failed attempt{'s' if limit > 1 else ''} in a row. The last, "
        f"at {now:%Y-%m-%d %H:%M:%S} UTC: {outcome.error}"
    )
    turned_off = Webhook.objects.filter(
        pk=hook.pk, active=True, consecutive_failures__gte=limit
    ).update(active=False, disabled_at=now, disabled_reason=reason)
    if turned_off:
        logger.warning("Webhook %s turned off after %s failures: %s", hook, limit, outcome.error)
    return bool(turned_off)


# -- the sweep ---------------------------------------------------------------------------------


def due(*, now: datetime.datetime | None = None) -> list[int]:
    """The deliveries to send now: the first still owed of each hook that is on, and every
    ping, when due (or when the worker that claimed it stopped mid-way)."""
    now = now or timezone.now()
    ready = Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) | Q(
        state=DeliveryState.SENDING, claimed_until__lt=now
    )
    firsts = (
        Delivery.objects.filter(
            event=DeliveryEvent.CHANGES, state__in=UNFINISHED, webhook__active=True
        )
        .values("webhook")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return list(
        Delivery.objects.filter(ready)
        .filter(Q(pk__in=firsts) | Q(event=DeliveryEvent.PING))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def prune(*, now: datetime.datetime | None = None) -> int:
    """Delete deliveries delivered or given up more than `WEBHOOKS_LOG_DAYS` ago, with their
    attempts; how many deliveries."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    old = Delivery.objects.filter(
        Q(state=DeliveryState.DELIVERED, delivered_at__lt=before)
        | Q(state=DeliveryState.FAILED, created_at__lt=before)
    )
    deleted, by_model = old.delete()
    return by_model.get(Delivery._meta.label, 0)
