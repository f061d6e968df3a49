"""The pages are held to a rate per client address, as the API is: over it, a 429 page saying
how long to wait, with `Retry-After`; editors, the API, static files and the admin are not
counted here."""

import pytest
from django.test import Client

from tests.helpers.writes import make_user

# Counted in Redis where there is one (always in CI), as production counts with REDIS_URL.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttle_cache")]


@pytest.fixture
def page_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "pages": "3/minute",
        },
    }


def statuses(client, addresses):
    return [client.get(address).status_code for address in addresses]


def test_pages_over_the_rate_are_told_when_to_come_back(seeded, page_rate):
    client = Client(REMOTE_ADDR="198.51.100.20")
    assert statuses(client, ["/", "/instruments/", "/search/?q=act"]) == [200, 200, 200]
    response = client.get("/jurisdictions/")
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60
    page = response.content.decode()
    assert "Too many requests" in page
    assert f"Wait\n  {wait} second" in page
    # Another address is counted apart.
    assert Client(REMOTE_ADDR="198.51.100.21").get("/jurisdictions/").status_code == 200


def test_the_api_static_files_and_the_admin_are_not_counted_as_pages(seeded, page_rate):
    client = Client(REMOTE_ADDR="198.51.100.30")
    for _ in range(4):
        assert client.get("/api/v1/topics/").status_code == 200
        assert client.get("/admin/login/").status_code == 200
    assert statuses(client, ["/", "/about/", "/map/"]) == [200, 200, 200]
    assert client.get("/").status_code == 429


def test_editors_are_not_held_to_the_pages_rate(seeded, page_rate):
    client = Client(REMOTE_ADDR="198.51.100.40")
    client.force_login(make_user("pat", editor=True))
    assert set(statuses(client, ["/"] * 6)) == {200}
