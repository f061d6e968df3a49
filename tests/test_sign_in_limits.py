"""Wrong passwords at the admin's sign-in are limited per account and per address; a
locked-out sign-in is a 429 page saying why, for how long and who can lift it; an admin can
lift it at once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "a right password 4 editors"  # noqa: S105


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("edith", password=PASSWORD, is_staff=True)


def sign_in(address, username, password):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    return response, client


def signed_in(response):
    # Signed in: on to the admin (a wrong password shows the form again, a lock its page).
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(times, address, username):
    """`times` wrong passwords; the form again each time, but the one that reaches the limit,
    which is already answered with the lock."""
    statuses = [sign_in(address, username, "wrong")[0].status_code for _ in range(times)]
    assert set(statuses[:-1]) <= {200}
    return statuses[-1]


def test_the_account_locks_after_five_wrong_passwords_from_any_address(editor, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail(4, "198.51.100.1", "edith") == 200
    assert fail(1, "198.51.100.2", "edith") == 429
    # Even the right password, from a third address.
    response, _ = sign_in("198.51.100.3", "edith", PASSWORD)
    assert response.status_code == 429
    page = " ".join(response.content.decode().split())
    assert "Sign-in locked for now" in page
    assert "5 wrong passwords" in page
    assert "signing in is refused for 15 minutes." in page
    assert "axes_reset_username" in page


def test_an_address_locks_after_five_wrong_passwords_for_any_accounts(editor):
    assert [fail(1, "203.0.113.9", name) for name in ("ann", "bob", "cid", "dan", "eve")] == [
        200,
        200,
        200,
        200,
        429,
    ]
    response, _ = sign_in("203.0.113.9", "edith", PASSWORD)
    assert response.status_code == 429
    # Another address signs edith in: her account is not locked.
    response, _ = sign_in("203.0.113.10", "edith", PASSWORD)
    assert signed_in(response)


def test_a_right_password_clears_the_count(editor):
    fail(4, "198.51.100.1", "edith")
    assert signed_in(sign_in("198.51.100.1", "edith", PASSWORD)[0])
    fail(4, "198.51.100.1", "edith")
    assert signed_in(sign_in("198.51.100.1", "edith", PASSWORD)[0])


def test_an_admin_lifts_the_lock(editor):
    assert fail(5, "198.51.100.1", "edith") == 429
    assert sign_in("198.51.100.1", "edith", PASSWORD)[0].status_code == 429
    call_command("axes_reset_username", "edith", verbosity=0)
    call_command("axes_reset_ip", "198.51.100.1", verbosity=0)
    assert signed_in(sign_in("198.51.100.1", "edith", PASSWORD)[0])


def test_a_forwarded_address_is_not_believed_without_proxies(editor, settings):
    # NUM_PROXIES is 0: X-Forwarded-For is whatever the client says, so it is not read, and a
    # fresh header on each try does not escape the address's limit.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    for number in range(5):
        client = Client(REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
        client.post(LOGIN, {"username": f"user{number}", "password": "wrong"})
    response, _ = sign_in("192.0.2.7", "edith", PASSWORD)
    assert response.status_code == 429
