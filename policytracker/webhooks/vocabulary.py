"""Controlled vocabularies of the webhooks app. Imports nothing from the project."""

from django.db import models


class HookList(models.TextChoices):
    """The list whose filter a hook takes (its `query` is that list's query string). Closed:
    another list needs its FilterSet named in `policytracker.webhooks.selection`."""

    INSTRUMENTS = "instruments", "Instruments"
    EVENTS = "events", "Events"
    JURISDICTIONS = "jurisdictions", "Jurisdictions"


class DeliveryEvent(models.TextChoices):
    """What a delivery carries. Closed: receivers switch on it."""

    CHANGES = "changes", "Changes"
    PING = "ping", "Test ping"


class DeliveryState(models.TextChoices):
    """Where a delivery stands. Closed: the worker's claims rely on it."""

    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Given up"
