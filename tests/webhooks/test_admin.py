"""Webhooks in the admin: an editor registers one and is shown its secret once; the form checks
the endpoint and the filter as the API does; the change page shows why a hook was turned off
and its recent deliveries; the actions send a ping, turn hooks on again and rotate secrets.
Each editor sees their own hooks only."""

import pytest
from django.test import Client

from policytracker.webhooks import outbox, services
from policytracker.webhooks.models import Delivery, Webhook
from tests.helpers.admin import admin_url
from tests.helpers.writes import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_editor(db):
    return make_user("stella", editor=True, staff=True)


@pytest.fixture
def admin_client_of(staff_editor):
    client = Client()
    client.force_login(staff_editor)
    return client


def add(client, **fields):
    data = {"endpoint": "", "list_name": "instruments", "query": "", "description": "", **fields}
    if data.get("active", True):
        data["active"] = "on"
    return client.post(admin_url(Webhook, "add"), data)


def test_an_editor_registers_a_hook_and_sees_its_secret_once(
    admin_client_of, staff_editor, webhook_settings
):
    response = add(
        admin_client_of,
        endpoint="https://127.0.0.1:8443/in",
        query="binding=true",
        description="Ours",
    )
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert (hook.owner, hook.query, hook.description) == (staff_editor, "binding=true", "Ours")
    page = response.content.decode()
    assert hook.secret in page
    assert "shown on this page only" in page
    assert "no-store" in response["Cache-Control"]
    # Never again: not on its change page, nor in the list.
    for address in (admin_url(Webhook, "change", hook.pk), admin_url(Webhook, "changelist")):
        shown = admin_client_of.get(address)
        assert shown.status_code == 200
        assert hook.secret not in shown.content.decode()


def test_the_form_checks_the_endpoint_and_the_filter(admin_client_of, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = add(admin_client_of, endpoint="https://10.0.0.1/in", query="bindng=true")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "non-public address" in form.errors["endpoint"][0]
    assert form.errors["query"] == ["bindng: Unknown parameter. Did you mean “binding”?"]
    response = add(admin_client_of, endpoint="http://93.184.215.14/in")
    assert "Only HTTPS endpoints" in response.context["adminform"].form.errors["endpoint"][0]
    assert not Webhook.objects.exists()


def test_the_change_page_says_why_a_hook_is_off_and_shows_its_log(
    admin_client_of, staff_editor, receiver
):
    hook, _ = services.webhook_create(owner=staff_editor, endpoint=receiver.url, list_name="events")
    receiver.status = 500
    receiver.answer = "upstream down"
    outbox.send(services.webhook_ping(hook).pk)
    services.webhook_ping(hook)
    Webhook.objects.filter(pk=hook.pk).update(
        active=False, disabled_reason="Turned off after 10 failed attempts in a row."
    )
    page = admin_client_of.get(admin_url(Webhook, "change", hook.pk)).content.decode()
    assert "Turned off after 10 failed attempts in a row." in page
    assert "HTTP 500 Internal Server Error." in page
    assert "upstream down" in page
    assert "1 not yet tried" in page
    assert f"?webhook__id__exact={hook.pk}" in page
    log = admin_client_of.get(admin_url(Delivery, "changelist"), {"webhook__id__exact": hook.pk})
    assert log.status_code == 200
    assert log.context["cl"].result_count == 2


def test_the_actions(admin_client_of, staff_editor, webhook_settings):
    hook, secret = services.webhook_create(
        owner=staff_editor, endpoint="https://127.0.0.1:8443/in", list_name="instruments"
    )
    changelist = admin_url(Webhook, "changelist")

    def act(name):
        return admin_client_of.post(changelist, {"action": name, "_selected_action": [hook.pk]})

    assert act("send_ping").status_code == 302
    assert hook.deliveries.get().event == "ping"

    Webhook.objects.filter(pk=hook.pk).update(
        active=False, consecutive_failures=10, disabled_reason="Turned off after 10…"
    )
    act("turn_on_again")
    hook.refresh_from_db()
    assert (hook.active, hook.consecutive_failures, hook.disabled_reason) == (True, 0, "")

    response = act("rotate_secret")
    assert response.status_code == 200
    hook.refresh_from_db()
    assert hook.secret != secret
    assert hook.secret in response.content.decode()
    assert hook.previous_secret == secret
    assert "no-store" in response["Cache-Control"]


def test_turning_a_hook_on_in_its_form_forgives_its_failures(
    admin_client_of, staff_editor, webhook_settings
):
    hook, _ = services.webhook_create(
        owner=staff_editor, endpoint="https://127.0.0.1:8443/in", list_name="instruments"
    )
    Webhook.objects.filter(pk=hook.pk).update(
        active=False, consecutive_failures=10, disabled_reason="Turned off after 10…"
    )
    response = admin_client_of.post(
        admin_url(Webhook, "change", hook.pk),
        {
            "endpoint": hook.endpoint,
            "list_name": "instruments",
            "query": "year=2025",
            "description": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.active, hook.consecutive_failures, hook.query) == (True, 0, "year=2025")


def test_each_editor_sees_their_own_hooks(admin_client_of, staff_editor, webhook_settings):
    other = make_user("oscar", editor=True, staff=True)
    theirs, _ = services.webhook_create(
        owner=other, endpoint="https://127.0.0.1:8443/theirs", list_name="events"
    )
    services.webhook_ping(theirs)
    listed = admin_client_of.get(admin_url(Webhook, "changelist"))
    assert listed.context["cl"].result_count == 0
    assert admin_client_of.get(admin_url(Webhook, "change", theirs.pk)).status_code == 302
    assert admin_client_of.get(admin_url(Delivery, "changelist")).context["cl"].result_count == 0

    root = make_user("root", staff=True)
    root.is_superuser = True
    root.save()
    boss = Client()
    boss.force_login(root)
    assert boss.get(admin_url(Webhook, "changelist")).context["cl"].result_count == 1
