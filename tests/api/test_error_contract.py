"""Every error under /api/ is JSON in one shape, `{"errors": {name: [message, ...]}}`, with
the status the schema lists: whether DRF's views answer it or Django does around them."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from policytracker.api.instruments import InstrumentViewSet

pytestmark = pytest.mark.django_db

LIST = "/api/v1/instruments/"
RECORD = "/api/v1/instruments/eu-ai-act/"


def errors(response, status):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["errors"]
    for messages in body["errors"].values():
        assert messages
        assert all(isinstance(message, str) and message for message in messages)
    return body["errors"]


@pytest.mark.parametrize(
    "address",
    ["/api/v1/nothing/", "/api/v1/instruments/a.b.c/", "/api/nothing/", "/api/v1/x/y/z/"],
)
def test_an_address_no_route_has_is_a_json_404(seeded, client, address):
    assert list(errors(client.get(address), 404)) == ["path"]


def test_a_page_not_found_is_still_the_html_page(seeded, client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("address", [LIST, RECORD, "/api/v1/"])
def test_a_format_no_answer_comes_in_is_a_400_naming_format(seeded, client, address):
    found = errors(client.get(address, {"format": "xml"}), 400)
    assert list(found) == ["format"]
    assert "“xml” is not allowed" in found["format"][0]
    assert "json" in found["format"][0]


def test_a_key_with_a_dot_reads_as_a_format_suffix(seeded, client):
    # `<key>.<format>` is the address of a record in a format: "a.b" asks for format "b".
    found = errors(client.get("/api/v1/instruments/eu-ai-act.xml/"), 400)
    assert "“xml” is not allowed" in found["format"][0]
    assert client.get("/api/v1/instruments/eu-ai-act.json").status_code == 200


def test_a_method_the_address_does_not_take_is_a_json_405(seeded, as_editor):
    assert list(errors(as_editor.delete(LIST), 405)) == ["method"]


def test_a_body_of_a_type_not_read_is_a_json_415(seeded, as_editor):
    response = as_editor.post(LIST, "title=x", content_type="text/plain")
    assert list(errors(response, 415)) == ["Content-Type"]


def test_an_answer_in_no_format_asked_for_is_a_json_406(seeded, client):
    response = client.get(LIST, HTTP_ACCEPT="application/xml")
    assert list(errors(response, 406)) == ["Accept"]


def test_a_body_over_the_limit_is_a_json_413(seeded, as_editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"title": "' + "x" * 2000 + '"}'
    response = as_editor.post(LIST, body, content_type="application/json")
    assert list(errors(response, 413)) == ["body"]


def test_anonymous_writes_are_a_json_401(seeded):
    response = APIClient().post(LIST, {}, format="json")
    assert list(errors(response, 401)) == ["Authorization"]


def test_a_server_fault_under_the_api_is_a_json_500(seeded, monkeypatch):
    def fails(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(InstrumentViewSet, "list", fails)
    client = Client(raise_request_exception=False)
    assert list(errors(client.get(LIST), 500)) == ["server"]
    # A page's server error is still the HTML page.
    response = client.get(reverse("web:instrument-list"), {"jurisdiction": "EU"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["2025-2-3", "2025-02-3", "25-02-03", "2025-02-03T00:00"])
def test_as_of_is_a_day_written_yyyy_mm_dd_only(seeded, client, value):
    found = errors(client.get(LIST, {"as_of": value}), 400)
    assert "YYYY-MM-DD" in found["as_of"][0]
    page = client.get(reverse("web:instrument-list"), {"as_of": value})
    assert page.status_code == 400
    assert client.get(LIST, {"as_of": "2025-02-03"}).status_code == 200


def test_an_address_longer_than_the_site_reads_is_a_414(seeded, client):
    found = errors(client.get(LIST, {"q": "a" * 8000}), 414)
    assert "longer than the site reads (8,000 characters)" in found["path"][0]
    page = client.get("/search/", {"q": "a" * 8000})
    assert page.status_code == 414
    assert "longer than the site reads" in page.content.decode()
