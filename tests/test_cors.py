"""Pages on any site may read the API; nothing cross-origin carries a visitor's cookies, and
the HTML pages and the admin send no CORS headers at all."""

import pytest
from django.urls import reverse

ORIGIN = "https://dashboard.example"
INSTRUMENTS = reverse("api:instrument-list")


def cors_headers(response):
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


@pytest.mark.parametrize("url", [INSTRUMENTS, reverse("api:change-list"), reverse("api:api-root")])
def test_an_api_read_from_another_origin_is_allowed_without_credentials(db, client, url):
    response = client.get(url, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers
    exposed = {name.strip().lower() for name in headers["access-control-expose-headers"].split(",")}
    assert exposed == {"etag", "last-modified", "retry-after"}


def test_a_csv_download_from_another_origin_is_allowed(db, client):
    response = client.get(INSTRUMENTS, {"format": "csv"}, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_for_a_read_is_answered(db, client):
    response = client.options(
        INSTRUMENTS,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, if-none-match",
        },
    )
    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == "*"
    assert "GET" in headers["access-control-allow-methods"].split(", ")
    allowed = {name.strip() for name in headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "if-match", "if-none-match", "content-type"} <= allowed
    assert "access-control-allow-credentials" not in headers


def test_a_preflight_for_a_write_never_allows_credentials(db, client):
    """A browser sends a cross-origin write with cookies only if the preflight allows
    credentials, which it never does: writes from elsewhere need a token of their own."""
    response = client.options(
        INSTRUMENTS,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-csrftoken",
        },
    )
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers


@pytest.mark.parametrize(
    "url",
    [
        reverse("web:instrument-list"),
        reverse("web:home"),
        reverse("web:feed-updates"),
        "/admin/login/",
    ],
)
def test_pages_outside_the_api_send_no_cors_headers(db, client, url):
    response = client.get(url, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert cors_headers(response) == {}
    preflight = client.options(
        url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert cors_headers(preflight) == {}
