"""Faults answer honestly: the database out of reach, or refusing writes, is a 503 with
`Retry-After` saying which (JSON under the API, a page elsewhere), from wherever in the request
it is met; any other fault is a 500 in the same shapes."""

import pytest
from django.db import OperationalError
from django.test import Client

from policytracker.api.instruments import InstrumentViewSet
from policytracker.web.views.instruments import InstrumentListView
from tests.helpers.writes import make_user, read, token_client

pytestmark = pytest.mark.django_db

DOWN = "connection to server at 127.0.0.1, port 5432 failed: Connection refused"
READ_ONLY = "attempt to write a readonly database"


def failing(message):
    def fails(self, request, *args, **kwargs):
        try:
            raise OSError("the socket")
        except OSError as cause:
            raise OperationalError(message) from cause

    return fails


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_the_database_out_of_reach_is_a_503_json_under_the_api(seeded, client, monkeypatch):
    monkeypatch.setattr(InstrumentViewSet, "list", failing(DOWN))
    response = client.get("/api/v1/instruments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    [message] = response.json()["errors"]["server"]
    assert message == "The database cannot be reached just now. Try again in 30 seconds."


def test_the_database_out_of_reach_is_a_503_page_elsewhere(seeded, client, monkeypatch):
    monkeypatch.setattr(InstrumentListView, "get", failing(DOWN))
    response = client.get("/instruments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Unavailable for a moment" in page
    assert "The database cannot be reached just now." in page
    assert "Connection refused" not in page  # no detail of the server's


def test_a_read_only_database_says_so_and_reads_still_work(seeded, client, monkeypatch):
    monkeypatch.setattr(InstrumentViewSet, "create", failing(READ_ONLY))
    editor = token_client(make_user("ro", editor=True))
    editor.raise_request_exception = False
    response = editor.post("/api/v1/instruments/", {"slug": "x"}, format="json")
    assert response.status_code == 503
    assert "read-only" in response.json()["errors"]["server"][0]
    assert client.get("/api/v1/instruments/").status_code == 200


def test_the_outage_met_before_any_view_is_a_503_too(seeded, client, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    def load(self):
        raise OperationalError(DOWN)

    monkeypatch.setattr(SessionStore, "load", load)
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/admin/")
    assert response.status_code == 503
    assert "Unavailable for a moment" in response.content.decode()


@pytest.mark.parametrize(
    "message", ["no such table: instruments_instrument", 'relation "x" does not exist']
)
def test_a_database_error_of_the_apps_own_is_a_500_not_an_outage(
    seeded, client, monkeypatch, message
):
    monkeypatch.setattr(InstrumentViewSet, "list", failing(message))
    response = client.get("/api/v1/instruments/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert list(response.json()["errors"]) == ["server"]


def test_any_other_fault_is_a_500(seeded, client, monkeypatch):
    def fails(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(InstrumentListView, "get", fails)
    response = client.get("/instruments/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_read_only_sqlite_file_answers_reads_and_refuses_writes_with_503(seeded, client):
    """The database itself refusing writes (SQLite's `query_only`, as a file the server cannot
    write does): pages and the API read; an API write and the admin's sign-in (which writes
    its session) answer 503 saying the database is read-only."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("a read-only SQLite file")
    make_user("reading-editor", staff=True)
    editor = token_client(make_user("ro-editor", editor=True))
    editor.raise_request_exception = False
    _, etag = read(editor, "/api/v1/topics/transparency/")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        assert client.get("/instruments/").status_code == 200
        assert client.get("/api/v1/topics/").status_code == 200
        write = editor.patch(
            "/api/v1/topics/transparency/", {"name": "T"}, format="json", HTTP_IF_MATCH=etag
        )
        assert write.status_code == 503
        assert write["Retry-After"] == "30"
        [message] = write.json()["errors"]["server"]
        assert message.startswith("The database is read-only just now")
        sign_in = client.post(
            "/admin/login/", {"username": "reading-editor", "password": "unused-password"}
        )
        assert sign_in.status_code == 503
        assert "The database is read-only just now" in sign_in.content.decode()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")
