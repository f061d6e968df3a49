"""The writes that matter to a hook, shared by the admin and the API: registering one (its
secret made and handed back once), changing it, turning it on again (which forgives its
failures), rotating its secret, and queueing a test ping."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from policytracker.webhooks import payloads
from policytracker.webhooks.addresses import RefusedAddress, target
from policytracker.webhooks.models import Delivery, Webhook
from policytracker.webhooks.selection import normalized_query, query_errors
from policytracker.webhooks.signing import new_secret
from policytracker.webhooks.vocabulary import DeliveryEvent, DeliveryState, HookList

# What an editor may set on a hook (the rest the tracker keeps).
EDITABLE = ("endpoint", "list_name", "query", "description", "active")


def endpoint_errors(endpoint: str) -> list[str]:
    """Why the server will not post to `endpoint` (empty: it will): not HTTPS, or a host that
    does not resolve, or resolves to an address that is not public."""
    try:
        target(endpoint)
    except RefusedAddress as refused:
        return [str(refused)]
    return []


def webhook_errors(*, endpoint: str, list_name: str, query: str) -> dict[str, Any]:
    """{field: [message, …]} for the endpoint and list, and {"query": {parameter: [message,
    …]}} for the filter, in the words the list answers a bad parameter with."""
    errors: dict[str, Any] = {}
    problems = endpoint_errors(endpoint)
    if problems:
        errors["endpoint"] = problems
    if list_name not in HookList.values:
        errors["list_name"] = [f"“{list_name}” is not a list a hook can take."]
    else:
        bad = query_errors(list_name, query)
        if bad:
            errors["query"] = bad
    return errors


class InvalidHook(ValidationError):
    """A hook that cannot be kept as it is: `errors` as `webhook_errors` gives them (the filter's
    by parameter, under `query`); as a Django ValidationError, one message per parameter."""

    def __init__(self, errors: dict[str, Any]) -> None:
        self.errors = errors
        super().__init__(
            {
                name: [f"{parameter}: {' '.join(texts)}" for parameter, texts in value.items()]
                if isinstance(value, dict)
                else value
                for name, value in errors.items()
            }
        )


def _check(hook: Webhook) -> None:
    errors = webhook_errors(endpoint=hook.endpoint, list_name=hook.list_name, query=hook.query)
    if errors:
        raise InvalidHook(errors)
    hook.full_clean()


def webhook_create(
    *,
    owner: User,
    endpoint: str,
    list_name: str,
    query: str = "",
    description: str = "",
    active: bool = True,
) -> tuple[Webhook, str]:
    """A new hook of `owner`'s, and its secret, which nothing shows again. Changes are read
    from now on. `ValidationError` (`InvalidHook`) naming each field that cannot be used."""
    hook = Webhook(
        endpoint=endpoint, list_name=list_name, query=query, description=description, active=active
    )
    return hook, webhook_register(hook, owner=owner)


@transaction.atomic
def webhook_register(hook: Webhook, *, owner: User) -> str:
    """Save `hook` (new, unsaved: the admin's form fills one in) as `owner`'s, checked first,
    with a new secret; the secret."""
    hook.owner = owner
    hook.endpoint = hook.endpoint.strip()
    hook.query = normalized_query(hook.query)
    hook.secret = new_secret()
    _check(hook)
    hook.save()
    return hook.secret


@transaction.atomic
def webhook_update(hook: Webhook, **changes: Any) -> Webhook:
    """`hook` with `changes` (of `EDITABLE`) made. Turning it on again forgives its failures
    and makes its waiting deliveries due now; turning it off keeps them for later."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    was_active = hook.active
    for name, value in changes.items():
        if name == "query":
            value = normalized_query(value)
        elif name == "endpoint":
            value = value.strip()
        setattr(hook, name, value)
    if hook.active and not was_active:
        _forgive(hook)
    _check(hook)
    hook.save()
    if hook.active and not was_active:
        _due_now(hook)
    return hook


def _forgive(hook: Webhook) -> None:
    hook.consecutive_failures = 0
    hook.disabled_at = None
    hook.disabled_reason = ""


def _due_now(hook: Webhook) -> None:
    hook.deliveries.filter(state=DeliveryState.PENDING).update(next_attempt_at=timezone.now())


@transaction.atomic
def webhook_enable(hook: Webhook) -> Webhook:
    """`hook` turned on again: its count of failures back to 0, the reason it was turned off
    cleared, and what it is owed due now."""
    hook.active = True
    _forgive(hook)
    hook.save(update_fields=["active", "consecutive_failures", "disabled_at", "disabled_reason"])
    _due_now(hook)
    return hook


@transaction.atomic
def webhook_rotate_secret(hook: Webhook) -> str:
    """A new secret for `hook`, returned once. The old one goes on signing beside it for
    `WEBHOOKS_SECRET_OVERLAP_HOURS`, so that the receiver can change over."""
    hours = settings.WEBHOOKS_SECRET_OVERLAP_HOURS
    hook.previous_secret = hook.secret if hours else ""
    hook.previous_secret_until = timezone.now() + datetime.timedelta(hours=hours) if hours else None
    hook.secret = new_secret()
    hook.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    return hook.secret


def secrets_in_use(hook: Webhook, now: datetime.datetime | None = None) -> list[str]:
    """The secrets a delivery is signed with now: the hook's, and the previous one while it
    still overlaps."""
    now = now or timezone.now()
    found = [hook.secret]
    if hook.previous_secret and hook.previous_secret_until and hook.previous_secret_until > now:
        found.append(hook.previous_secret)
    return found


@transaction.atomic
def webhook_ping(hook: Webhook) -> Delivery:
    """A test delivery for `hook`, with no changes, due now: sent once, whether or not the hook
    is on, and never counted towards turning it off."""
    delivery = Delivery(webhook=hook, event=DeliveryEvent.PING, next_attempt_at=timezone.now())
    delivery.body = payloads.body(hook, delivery, entries=[], cursor="")
    delivery.save()
    return delivery
