"""The outbox: what a hook is owed (a change to a record its filter selects, and nothing else),
written as deliveries that move its cursor; each delivery posted in order, signed, retried with
a doubling delay, and the hook turned off after too many failures in a row."""

import datetime
import json
import socket
import threading

import pytest
from django.utils import timezone

from instruments import history
from policytracker.webhooks import outbox, services
from policytracker.webhooks.models import Delivery, DeliveryAttempt, Webhook
from tests.factories import InstrumentFactory, JurisdictionFactory, TopicFactory
from tests.helpers.webhooks import closed_port

pytestmark = pytest.mark.django_db


def owed(hook):
    return list(Delivery.objects.filter(webhook=hook, event="changes").order_by("pk"))


def keys_in(delivery):
    return [entry["key"] for entry in json.loads(delivery.body)["changes"]]


def make_due(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_the_retry_delay_doubles_up_to_its_cap(settings):
    settings.WEBHOOKS_RETRY_SECONDS = 60
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 3600
    delays = [outbox.retry_delay(failures) for failures in range(1, 10)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    settings.WEBHOOKS_RETRY_SECONDS = 1
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 5
    assert [outbox.retry_delay(failures) for failures in range(1, 6)] == [1, 2, 4, 5, 5]
    assert outbox.retry_delay(10_000) == 5


def test_a_change_to_a_selected_record_is_delivered_and_one_to_another_is_not(make_hook, receiver):
    ours, theirs = JurisdictionFactory(code="XA"), JurisdictionFactory(code="XB")
    hook = make_hook(query="jurisdiction=XA&binding=true")
    selected = InstrumentFactory(jurisdiction=ours, slug="xa-law")
    InstrumentFactory(jurisdiction=theirs, slug="xb-law")
    InstrumentFactory(jurisdiction=ours, slug="xa-guideline", type="voluntary_framework")

    assert outbox.dispatch() == 1
    (delivery,) = owed(hook)
    assert keys_in(delivery) == ["xa-law"]
    body = json.loads(delivery.body)
    assert body["hook"] == str(hook.public_id)
    assert body["delivery"] == str(delivery.public_id)
    assert (body["event"], body["list"], body["query"]) == ("changes", "instruments", hook.query)
    assert body["cursor"] == delivery.cursor == body["changes"][-1]["cursor"]
    entry = body["changes"][0]
    assert entry["action"] == "created"
    assert entry["url"].endswith("/api/v1/instruments/xa-law/")

    # A change to the selected record is owed too; one to the other record never.
    selected.title = "Retitled"
    selected.save()
    InstrumentFactory(jurisdiction=theirs, slug="xb-bill")
    assert outbox.dispatch() == 1
    assert keys_in(owed(hook)[1]) == ["xa-law"]
    assert json.loads(owed(hook)[1].body)["changes"][0]["changed_fields"] == ["title"]

    assert outbox.send(delivery.pk) == [outbox.Next(owed(hook)[1].pk)]
    (request,) = receiver.wait_for(1)
    assert request.verified
    assert json.loads(request.body) == body
    assert request.headers["X-PolicyTracker-Delivery"] == str(delivery.public_id)
    assert request.headers["X-PolicyTracker-Hook"] == str(hook.public_id)
    assert request.headers["X-PolicyTracker-Event"] == "changes"
    assert request.headers["User-Agent"].startswith("PolicyTracker-Webhooks/")
    assert request.headers["Content-Type"] == "application/json"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count) == ("delivered", 1)
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (200, True, "")
    assert attempt.response_excerpt == "thanks"


def test_the_entries_are_the_change_feeds(make_hook, client, settings):
    """The same entry, field for field, as /api/v1/changes/ serves it."""
    settings.SITE_URL = "http://testserver"
    hook = make_hook()
    InstrumentFactory(slug="feed-law")
    outbox.dispatch()
    (delivery,) = owed(hook)
    entry = json.loads(delivery.body)["changes"][0]
    after = history.format_cursor(history.parse_cursor(entry["cursor"]))
    feed = client.get("/api/v1/changes/", {"since": hook.created_at.isoformat()}).json()
    assert entry in feed["results"]
    assert entry["cursor"] == after


def test_dispatch_writes_batches_and_moves_the_cursor(make_hook, settings):
    settings.WEBHOOKS_BATCH_SIZE = 2
    hook = make_hook()
    for number in range(5):
        InstrumentFactory(slug=f"batch-{number}")
    assert outbox.dispatch() == 3
    deliveries = owed(hook)
    assert [keys_in(d) for d in deliveries] == [
        ["batch-0", "batch-1"],
        ["batch-2", "batch-3"],
        ["batch-4"],
    ]
    hook.refresh_from_db()
    assert hook.cursor == deliveries[-1].cursor
    assert outbox.dispatch() == 0
    InstrumentFactory(slug="batch-5")
    assert outbox.dispatch() == 1
    assert keys_in(owed(hook)[-1]) == ["batch-5"]


def test_two_dispatchers_never_owe_a_change_twice(make_hook):
    hook = make_hook()
    InstrumentFactory(slug="once")
    stale = Webhook.objects.get(pk=hook.pk)  # read before the other dispatcher moved the cursor
    assert outbox.dispatch() == 1
    now = timezone.now()
    assert outbox.dispatch_hook(stale, until=now, now=now) == 0
    assert len(owed(hook)) == 1


def test_changes_are_read_from_when_the_hook_was_made(make_hook):
    InstrumentFactory(slug="before")
    hook = make_hook()
    InstrumentFactory(slug="after")
    outbox.dispatch()
    assert [keys_in(d) for d in owed(hook)] == [["after"]]


def test_changes_still_settling_wait(make_hook, settings):
    settings.CHANGES_SETTLE_SECONDS = 60
    hook = make_hook()
    InstrumentFactory(slug="settling")
    assert outbox.dispatch() == 0
    assert outbox.dispatch(now=timezone.now() + datetime.timedelta(seconds=61)) == 1
    assert keys_in(owed(hook)[0]) == ["settling"]


def test_a_filter_the_list_now_refuses_turns_the_hook_off_saying_why(make_hook):
    topic = TopicFactory(slug="short-lived")
    hook = make_hook(query="topic=short-lived")
    topic.delete()
    assert outbox.dispatch() == 0
    hook.refresh_from_db()
    assert not hook.active
    assert hook.disabled_reason.startswith("Its filter no longer applies: topic:")
    assert "short-lived" in hook.disabled_reason


def test_a_paused_hook_is_owed_nothing_until_it_is_on_again(make_hook):
    hook = make_hook()
    services.webhook_update(hook, active=False)
    InstrumentFactory(slug="while-paused")
    assert outbox.dispatch() == 0
    services.webhook_update(hook, active=True)
    assert outbox.dispatch() == 1
    assert keys_in(owed(hook)[0]) == ["while-paused"]


def test_failures_are_retried_later_and_turn_the_hook_off_after_too_many(make_hook, receiver):
    receiver.status = 500
    receiver.answer = "database down"
    hook = make_hook()
    InstrumentFactory(slug="retried")
    outbox.dispatch()
    (delivery,) = owed(hook)

    before = timezone.now()
    assert outbox.send(delivery.pk) == [outbox.Next(delivery.pk, 60)]
    delivery.refresh_from_db()
    hook.refresh_from_db()
    assert (delivery.state, delivery.attempt_count, hook.consecutive_failures) == ("pending", 1, 1)
    assert delivery.next_attempt_at >= before + datetime.timedelta(seconds=60)
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.succeeded) == (500, False)
    assert attempt.error == "HTTP 500 Internal Server Error."
    assert attempt.response_excerpt == "database down"

    # Not due yet: nothing is sent, and the task is told when to come back.
    (again,) = outbox.send(delivery.pk)
    assert again.delivery_id == delivery.pk
    assert 0 < again.delay <= 60
    assert len(receiver.requests()) == 1

    make_due(delivery)
    assert outbox.send(delivery.pk) == [outbox.Next(delivery.pk, 120)]
    make_due(delivery)
    assert outbox.send(delivery.pk) == []  # turned off: no retry is queued
    hook.refresh_from_db()
    assert not hook.active
    assert hook.consecutive_failures == 3
    assert hook.disabled_at is not None
    assert hook.disabled_reason.startswith("Turned off after 3 failed attempts in a row.")
    assert hook.disabled_reason.endswith("HTTP 500 Internal Server Error.")

    # Off: the delivery waits, untried.
    make_due(delivery)
    assert outbox.send(delivery.pk) == []
    assert len(receiver.wait_for(3)) == 3
    assert outbox.due() == []

    # On again: failures forgiven, the delivery due now, and it goes through.
    receiver.status = 200
    services.webhook_enable(hook)
    hook.refresh_from_db()
    assert (hook.active, hook.consecutive_failures, hook.disabled_reason) == (True, 0, "")
    assert outbox.due() == [delivery.pk]
    assert outbox.send(delivery.pk) == []
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count) == ("delivered", 4)
    assert [r.verified for r in receiver.wait_for(4)] == [True] * 4


def test_a_success_forgives_the_failures_before_it(make_hook, receiver):
    receiver.status = 503
    hook = make_hook()
    InstrumentFactory(slug="forgiven")
    outbox.dispatch()
    (delivery,) = owed(hook)
    outbox.send(delivery.pk)
    make_due(delivery)
    receiver.status = 204
    outbox.send(delivery.pk)
    hook.refresh_from_db()
    assert (hook.active, hook.consecutive_failures) == (True, 0)


def test_a_hooks_deliveries_go_in_the_order_of_the_changes(make_hook, receiver, settings):
    settings.WEBHOOKS_BATCH_SIZE = 1
    hook = make_hook()
    InstrumentFactory(slug="first")
    InstrumentFactory(slug="second")
    outbox.dispatch()
    first, second = owed(hook)
    assert outbox.due() == [first.pk]
    assert outbox.send(second.pk) == []  # the first is still owed
    assert receiver.requests() == []
    assert outbox.send(first.pk) == [outbox.Next(second.pk)]
    assert outbox.send(second.pk) == []
    assert [json.loads(r.body)["changes"][0]["key"] for r in receiver.wait_for(2)] == [
        "first",
        "second",
    ]


def test_a_ping_is_sent_once_even_to_a_hook_that_is_off_and_never_counts_against_it(
    make_hook, receiver
):
    receiver.status = 500
    hook = make_hook()
    services.webhook_update(hook, active=False)
    ping = services.webhook_ping(hook)
    assert outbox.due() == [ping.pk]
    assert outbox.send(ping.pk) == []
    ping.refresh_from_db()
    hook.refresh_from_db()
    assert (ping.state, ping.attempt_count, hook.consecutive_failures) == ("failed", 1, 0)
    (request,) = receiver.wait_for(1)
    body = json.loads(request.body)
    assert (body["event"], body["changes"], body["cursor"]) == ("ping", [], None)
    assert request.headers["X-PolicyTracker-Event"] == "ping"
    assert request.verified
    assert outbox.due() == []


def test_a_redirect_is_not_followed(make_hook, receiver):
    receiver.status = 302
    hook = make_hook()
    outbox.send(services.webhook_ping(hook).pk)
    attempt = DeliveryAttempt.objects.get(delivery__webhook=hook)
    assert attempt.status_code == 302
    assert not attempt.succeeded
    assert "redirects are not followed (to https://127.0.0.1:1/elsewhere)" in attempt.error
    assert len(receiver.requests()) == 1


def test_a_delivery_a_stopped_worker_claimed_is_sent_again(make_hook, receiver):
    hook = make_hook()
    InstrumentFactory(slug="claimed")
    outbox.dispatch()
    (delivery,) = owed(hook)
    claimed_until = timezone.now() + datetime.timedelta(minutes=5)
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", claimed_until=claimed_until)
    assert outbox.due() == []
    assert outbox.send(delivery.pk) == []  # another worker holds it
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert outbox.due() == [delivery.pk]
    outbox.send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert len(receiver.wait_for(1)) == 1


def test_each_attempt_checks_the_address_again(make_hook, receiver, webhook_settings):
    hook = make_hook()
    webhook_settings.WEBHOOKS_ALLOW_PRIVATE = False
    ping = services.webhook_ping(hook)
    outbox.send(ping.pk)
    attempt = DeliveryAttempt.objects.get(delivery=ping)
    assert attempt.status_code is None
    assert attempt.error.startswith("Not sent: “127.0.0.1” is a private, loopback")
    assert receiver.requests() == []


def test_a_refused_connection_is_logged(make_hook, receiver):
    hook = make_hook()
    Webhook.objects.filter(pk=hook.pk).update(endpoint=f"https://127.0.0.1:{closed_port()}/")
    hook.refresh_from_db()
    ping = services.webhook_ping(hook)
    outbox.send(ping.pk)
    assert DeliveryAttempt.objects.get(delivery=ping).error == "The connection was refused."


def test_the_receivers_certificate_is_checked(make_hook, receiver, webhook_settings):
    hook = make_hook()
    webhook_settings.WEBHOOKS_CA_BUNDLE = ""  # the system's authorities, which never signed it
    ping = services.webhook_ping(hook)
    outbox.send(ping.pk)
    error = DeliveryAttempt.objects.get(delivery=ping).error
    assert error.startswith("The receiver's certificate was refused"), error
    assert receiver.requests() == []


def test_a_receiver_that_never_answers_times_out(make_hook, receiver, webhook_settings):
    webhook_settings.WEBHOOKS_CONNECT_TIMEOUT = 1
    webhook_settings.WEBHOOKS_READ_TIMEOUT = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    try:
        hook = make_hook()
        port = silent.getsockname()[1]
        Webhook.objects.filter(pk=hook.pk).update(endpoint=f"https://127.0.0.1:{port}/")
        hook.refresh_from_db()
        ping = services.webhook_ping(hook)
        outbox.send(ping.pk)
    finally:
        silent.close()
        for connection, _ in accepted:
            connection.close()
    attempt = DeliveryAttempt.objects.get(delivery=ping)
    assert attempt.error == "No answer in time (connecting, or reading the answer)."
    assert attempt.duration_ms < 5000


def test_a_rotated_secret_signs_beside_the_new_one_while_they_overlap(make_hook, receiver):
    hook = make_hook()
    old = receiver.secret
    new = services.webhook_rotate_secret(hook)
    assert new != old
    outbox.send(services.webhook_ping(hook).pk)
    (request,) = receiver.wait_for(1)
    assert len(request.headers["X-PolicyTracker-Signature"].split(", ")) == 2
    for secret in (old, new):
        assert receiver.verify(secret, request.headers, request.body)
    # Once the overlap is over, only the new one signs.
    Webhook.objects.filter(pk=hook.pk).update(
        previous_secret_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    hook.refresh_from_db()
    outbox.send(services.webhook_ping(hook).pk)
    latest = receiver.wait_for(2)[1]
    assert receiver.verify(new, latest.headers, latest.body)
    assert not receiver.verify(old, latest.headers, latest.body)


def test_prune_keeps_the_log_for_its_days(make_hook, receiver, settings):
    settings.WEBHOOKS_LOG_DAYS = 30
    hook = make_hook()
    old, recent, waiting = (services.webhook_ping(hook) for _ in range(3))
    outbox.send(old.pk)
    outbox.send(recent.pk)
    Delivery.objects.filter(pk=old.pk).update(
        delivered_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert outbox.prune() == 1
    assert set(Delivery.objects.filter(webhook=hook).values_list("pk", flat=True)) == {
        recent.pk,
        waiting.pk,
    }
    assert not DeliveryAttempt.objects.filter(delivery_id=old.pk).exists()
