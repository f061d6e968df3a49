"""Reads are throttled: the public per client address, editors per account at a rate of their
own. Over the rate the API answers 429 with `Retry-After`. The counts are kept in Redis
where there is one (`throttle_cache`), as production keeps them with REDIS_URL."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from policytracker.core.api.throttling import EDITORS_GROUP

# Counted in Redis where there is one (always in CI), as production counts with REDIS_URL.
pytestmark = pytest.mark.usefixtures("throttle_cache")

URL = reverse("api:jurisdiction-list")


@pytest.fixture
def rates(settings):
    """Tiny rates: two requests a minute for the public, five for editors."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute"},
    }


def statuses(client, count, **extra):
    return [client.get(URL, **extra).status_code for _ in range(count)]


def test_the_public_is_held_to_its_rate_and_told_when_to_come_back(db, rates, client):
    assert statuses(client, 2) == [200, 200]
    response = client.get(URL)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["errors"]["rate"][0]


def test_a_throttled_csv_download_answers_in_json(db, rates, client):
    statuses(client, 2)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Retry-After" in response


def test_the_public_rate_is_counted_per_client_address(db, rates, client):
    assert statuses(client, 3, REMOTE_ADDR="192.0.2.1") == [200, 200, 429]
    assert statuses(client, 1, REMOTE_ADDR="192.0.2.2") == [200]


def test_behind_a_proxy_the_address_it_appended_counts(db, rates, client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # A client cannot get a fresh allowance by sending X-Forwarded-For itself: the proxy
    # appends the address it saw, and that is the one counted.
    spoofed = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.7").status_code
        for n in range(3)
    ]
    assert spoofed == [200, 200, 429]


def test_the_change_feed_is_throttled_too(db, rates, client):
    changes = reverse("api:change-list")
    assert [client.get(changes).status_code for _ in range(3)] == [200, 200, 429]


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("editor", password="a long passphrase")
    user.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    return user


def test_an_editor_is_not_held_to_the_public_rate(rates, editor):
    client = APIClient()
    client.force_authenticate(editor)
    assert statuses(client, 5) == [200] * 5
    # Editors have a rate of their own.
    assert statuses(client, 1) == [429]


def test_an_editor_signed_in_with_a_session_is_not_held_to_the_public_rate(rates, editor, client):
    client.force_login(editor)
    assert statuses(client, 4) == [200] * 4


def test_staff_are_editors(rates, db):
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    client = APIClient()
    client.force_authenticate(staff)
    assert statuses(client, 4) == [200] * 4


def test_a_signed_in_user_who_is_not_an_editor_has_the_public_rate(rates, db):
    reader = get_user_model().objects.create_user("reader")
    client = APIClient()
    client.force_authenticate(reader)
    assert statuses(client, 3) == [200, 200, 429]


def test_the_public_and_editors_count_apart(rates, editor, client):
    statuses(client, 2)
    assert client.get(URL).status_code == 429
    signed_in = APIClient()
    signed_in.force_authenticate(editor)
    assert signed_in.get(URL).status_code == 200
