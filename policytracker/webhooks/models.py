"""Webhooks, their deliveries and each attempt to send one.

A hook is an editor's HTTPS endpoint with a filter: one of the lists (instruments, events,
jurisdictions) and its query string. The worker reads the change history after the hook's
`cursor` within what the filter selects, writes a `Delivery` holding the exact body to post, and
moves the cursor, in one transaction: the database, not the queue, holds what is owed to whom.
Each try to post a delivery is a `DeliveryAttempt`, the hook's log."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from policytracker.webhooks.vocabulary import DeliveryEvent, DeliveryState, HookList


class Webhook(models.Model):
    """An editor's endpoint, told of every change to the records its filter selects."""

    public_id = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="The hook's id in the API and in every delivery (never the database's key).",
    )
    # CASCADE: a hook is its editor's; an account deleted takes its hooks with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text="The editor who registered it, the only one who sees it in the API.",
    )
    endpoint = models.URLField(
        max_length=2000,
        help_text="The HTTPS address deliveries are posted to. It must resolve to public "
        "addresses only.",
    )
    list_name = models.CharField(
        "list",
        max_length=16,
        choices=HookList,
        help_text="The list whose filter the hook takes.",
    )
    query = models.CharField(
        max_length=2000,
        blank=True,
        help_text="That list's query string, as its page or the API takes it (e.g. "
        "binding=true&member_of=ASEAN); empty: every record of the list.",
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="What the hook is for, in the editor's words."
    )
    secret = models.CharField(
        max_length=64,
        editable=False,
        help_text="Signs every delivery (HMAC-SHA256); shown once, when made or rotated.",
    )
    previous_secret = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The secret before the last rotation, which still signs too until "
        "`previous_secret_until`.",
    )
    previous_secret_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the previous secret stops signing."
    )
    active = models.BooleanField(
        default=True,
        help_text="Whether deliveries are made. A hook whose deliveries keep failing is turned "
        "off, with the reason; turning it on again resets the count of failures.",
    )
    disabled_at = models.DateTimeField(
        null=True, blank=True, help_text="When failures turned the hook off."
    )
    disabled_reason = models.TextField(
        blank=True, help_text="Why the hook was turned off: the failures, and the last of them."
    )
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Failed attempts in a row since the last success."
    )
    cursor = models.CharField(
        max_length=100,
        blank=True,
        editable=False,
        help_text="The change history's cursor (`/api/v1/changes/`) of the last change put in a "
        "delivery; empty: none yet, changes are read from when the hook was made.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was registered.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When it was last changed.")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="webhook_public_id_unique"),
            models.CheckConstraint(
                condition=Q(list_name__in=HookList.values), name="webhook_list_valid"
            ),
            models.CheckConstraint(
                condition=Q(endpoint__startswith="https://"), name="webhook_endpoint_https"
            ),
            models.CheckConstraint(
                condition=Q(active=False) | Q(disabled_at__isnull=True),
                name="webhook_active_not_disabled",
            ),
        ]

    def __str__(self):
        return self.description or f"{self.endpoint} ({self.get_list_name_display().lower()})"


class Delivery(models.Model):
    """One POST owed to a hook: a batch of changes (or a test ping), with the exact body to
    send, tried until the receiver answers 2xx."""

    public_id = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="Sent as `X-PolicyTracker-Delivery`, the same on every attempt: receivers "
        "drop a delivery they already have.",
    )
    # CASCADE: a delivery is owed to its hook alone; a hook deleted is owed nothing.
    webhook = models.ForeignKey(
        Webhook,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text="The hook it is owed to.",
    )
    event = models.CharField(
        max_length=8, choices=DeliveryEvent, help_text="Changes, or a test ping."
    )
    body = models.TextField(help_text="The JSON posted, exactly as sent on every attempt.")
    change_count = models.PositiveIntegerField(default=0, help_text="The changes it carries.")
    cursor = models.CharField(
        max_length=100, blank=True, help_text="The change history's cursor of its last change."
    )
    state = models.CharField(
        max_length=10,
        choices=DeliveryState,
        default=DeliveryState.PENDING,
        help_text="Waiting, being sent, delivered, or given up (a ping is tried once).",
    )
    attempt_count = models.PositiveIntegerField(default=0, help_text="Attempts made so far.")
    next_attempt_at = models.DateTimeField(help_text="When it is next due to be sent.")
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While being sent: when a worker that stopped mid-way is taken to have failed.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was made.")
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the receiver accepted it."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="delivery_public_id_unique"),
            models.CheckConstraint(
                condition=Q(event__in=DeliveryEvent.values), name="delivery_event_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=DeliveryState.DELIVERED, delivered_at__isnull=False)
                | (~Q(state=DeliveryState.DELIVERED) & Q(delivered_at__isnull=True)),
                name="delivery_delivered_at_iff_delivered",
            ),
        ]
        indexes = [
            # The worker's question: what is due now, and what is next for a hook.
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["webhook", "state", "id"], name="delivery_hook_state_idx"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} {self.public_id} ({self.get_state_display().lower()})"


class DeliveryAttempt(models.Model):
    """One try to post a delivery: when, how long it took, and what the receiver answered or
    what went wrong."""

    # CASCADE: an attempt is part of its delivery's log.
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.CASCADE,
        related_name="attempts",
        help_text="The delivery tried.",
    )
    started_at = models.DateTimeField(help_text="When the attempt began.")
    duration_ms = models.PositiveIntegerField(help_text="How long it took, in milliseconds.")
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The receiver's HTTP status; empty if none came."
    )
    error = models.TextField(
        blank=True, help_text="What went wrong: no answer, a refused address, a non-2xx status."
    )
    response_excerpt = models.TextField(
        blank=True, help_text="The start of the receiver's answer (500 characters at most)."
    )
    succeeded = models.BooleanField(help_text="Whether the receiver accepted it (2xx).")

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(succeeded=False) | Q(status_code__gte=200, status_code__lt=300),
                name="delivery_attempt_success_is_2xx",
            ),
        ]

    def __str__(self):
        outcome = self.status_code or self.error[:60] or "no answer"
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {outcome}"
