"""Every database constraint of the webhooks app, broken once: the database itself refuses the
row, whatever code writes it."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from policytracker.webhooks.models import Delivery, DeliveryAttempt, Webhook

pytestmark = pytest.mark.django_db


def hook(**values):
    fields = {
        "owner": User.objects.get_or_create(username="hook-owner")[0],
        "endpoint": "https://hooks.example.org/in",
        "list_name": "instruments",
        "secret": "s" * 64,
        **values,
    }
    return Webhook.objects.create(**fields)


def delivery(**values):
    fields = {"webhook": hook(), "event": "ping", "body": "{}", "next_attempt_at": timezone.now()}
    return Delivery.objects.create(**{**fields, **values})


CASES = {
    "webhook_public_id_unique": lambda: [hook(), hook(public_id=Webhook.objects.get().public_id)],
    "webhook_list_valid": lambda: hook(list_name="sources"),
    "webhook_endpoint_https": lambda: hook(endpoint="http://hooks.example.org/in"),
    "webhook_active_not_disabled": lambda: hook(active=True, disabled_at=timezone.now()),
    "delivery_public_id_unique": lambda: delivery(
        public_id=delivery().public_id, webhook=Webhook.objects.get()
    ),
    "delivery_event_valid": lambda: delivery(event="push"),
    "delivery_state_valid": lambda: delivery(state="lost"),
    "delivery_delivered_at_iff_delivered": lambda: delivery(state="delivered"),
    "delivery_attempt_success_is_2xx": lambda: DeliveryAttempt.objects.create(
        delivery=delivery(),
        started_at=timezone.now() - datetime.timedelta(seconds=1),
        duration_ms=5,
        status_code=500,
        succeeded=True,
    ),
}


def test_every_constraint_has_a_case():
    names = {
        constraint.name
        for model in apps.get_app_config("webhooks").get_models()
        for constraint in model._meta.constraints
    }
    assert names == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_database_refuses_a_row_that_breaks(name):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        CASES[name]()
    # PostgreSQL names every constraint it enforces; SQLite names its CHECK constraints only.
    if connection.vendor == "postgresql" or "CHECK" in str(excinfo.value):
        assert name in str(excinfo.value)


def test_a_delivered_delivery_says_when():
    made = delivery(state="delivered", delivered_at=timezone.now())
    assert made.pk is not None
