"""Reads go to a replica, writes to the primary, and a client that wrote reads the primary: the
router's choices and the pin cookie, with a replica alias that exists only in the settings (the
router names an alias; it never connects). tests/scale/test_cluster.py runs the same against a
real streaming replica."""

import threading
import time

import pytest
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import resolve, reverse

from instruments.models import Topic
from policytracker.core import db_router
from policytracker.core.db_router import (
    PIN_COOKIE,
    PrimaryPinMiddleware,
    PrimaryReplicaRouter,
    RequestRouting,
    routing,
)

ROUTER = PrimaryReplicaRouter()
MIDDLEWARE = "policytracker.core.db_router.PrimaryPinMiddleware"


@pytest.fixture(autouse=True)
def replicas(settings):
    settings.DATABASE_REPLICAS = ["replica1", "replica2"]
    settings.DATABASE_PRIMARY_PIN_SECONDS = 15


def read_alias():
    return ROUTER.db_for_read(Topic)


def answered(request, response=None):
    """The response of the middleware to `request`, and where the view's reads went."""
    reads = []

    def view(request):
        reads.append(read_alias())
        return response or HttpResponse("ok")

    return PrimaryPinMiddleware(view)(request), reads


# -- the router ---------------------------------------------------------------------------------


def test_a_request_that_may_read_a_replica_reads_one_of_them_throughout():
    chosen = []
    for _ in range(50):
        with routing(RequestRouting(replica_reads=True)):
            reads = {read_alias() for _ in range(10)}
        assert len(reads) == 1
        chosen += reads
    # Requests are spread over every replica.
    assert set(chosen) == {"replica1", "replica2"}


def test_writes_go_to_the_primary_and_the_request_reads_the_primary_after_one():
    with routing(RequestRouting(replica_reads=True)) as state:
        assert read_alias() in {"replica1", "replica2"}
        assert ROUTER.db_for_write(Topic) == "default"
        assert state.wrote
        assert read_alias() == "default"


def test_outside_a_request_everything_reads_the_primary():
    # Management commands and the shell read what they then write.
    assert read_alias() == "default"
    assert ROUTER.db_for_write(Topic) == "default"


def test_a_request_the_middleware_kept_on_the_primary_reads_it():
    with routing(RequestRouting(replica_reads=False)):
        assert read_alias() == "default"


def test_without_replicas_everything_reads_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    with routing(RequestRouting(replica_reads=True)):
        assert read_alias() == "default"


def test_inside_a_transaction_on_the_primary_reads_see_its_writes(db):
    with transaction.atomic(), routing(RequestRouting(replica_reads=True)):
        assert read_alias() == "default"


def test_relations_across_aliases_are_allowed_and_migrations_only_on_the_primary():
    a, b = Topic(slug="a"), Topic(slug="b")
    a._state.db, b._state.db = "default", "replica1"
    assert ROUTER.allow_relation(a, b)
    assert ROUTER.allow_migrate("default", "instruments", "topic")
    assert not ROUTER.allow_migrate("replica1", "instruments", "topic")
    assert not ROUTER.allow_migrate("replica2", "auth")


def test_the_routing_of_a_request_stays_in_its_own_thread():
    seen = []
    with routing(RequestRouting(replica_reads=True)):
        thread = threading.Thread(target=lambda: seen.append(read_alias()))
        thread.start()
        thread.join()
        assert read_alias() != "default"
    assert seen == ["default"]


# -- the middleware: which requests read a replica, and the pin cookie -------------------------


def test_a_safe_request_reads_a_replica_and_sets_no_cookie(rf):
    response, reads = answered(rf.get("/instruments/"))
    assert reads[0] in {"replica1", "replica2"}
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unsafe_request_reads_the_primary_and_pins_the_client(rf, method):
    response, reads = answered(getattr(rf, method)("/api/v1/topics/"))
    assert reads == ["default"]
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 15
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]


def test_a_write_over_https_pins_with_a_secure_cookie(rf):
    response, _ = answered(rf.post("/api/v1/topics/", secure=True))
    assert response.cookies[PIN_COOKIE]["secure"]


def test_a_failed_write_does_not_pin(rf):
    response, reads = answered(rf.post("/api/v1/topics/"), HttpResponse(status=400))
    assert reads == ["default"]
    assert PIN_COOKIE not in response.cookies


def test_a_pinned_client_reads_the_primary_on_its_next_requests(rf):
    written, _ = answered(rf.post("/api/v1/topics/"))
    request = rf.get("/topics/")
    request.COOKIES[PIN_COOKIE] = written.cookies[PIN_COOKIE].value
    _, reads = answered(request)
    assert reads == ["default"]


def test_a_made_up_cookie_does_not_pin(rf):
    request = rf.get("/topics/")
    request.COOKIES[PIN_COOKIE] = "1"
    _, reads = answered(request)
    assert reads[0] != "default"


def test_the_pin_ends_after_its_seconds(rf, settings, monkeypatch):
    written, _ = answered(rf.post("/api/v1/topics/"))
    value = written.cookies[PIN_COOKIE].value
    # The signature is dated: later than the pin's seconds, the same cookie no longer pins.
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 16)
    request = rf.get("/topics/")
    request.COOKIES[PIN_COOKIE] = value
    _, reads = answered(request)
    assert reads[0] != "default"


def test_no_pin_seconds_no_cookie(rf, settings):
    settings.DATABASE_PRIMARY_PIN_SECONDS = 0
    response, reads = answered(rf.post("/api/v1/topics/"))
    assert reads == ["default"]
    assert PIN_COOKIE not in response.cookies


def test_a_safe_request_that_wrote_pins_the_client(rf):
    def view(request):
        ROUTER.db_for_write(Topic)
        return HttpResponse("ok")

    response = PrimaryPinMiddleware(view)(rf.get("/"))
    assert PIN_COOKIE in response.cookies


@pytest.mark.parametrize("path", ["/admin/", "/admin/instruments/instrument/", "/api/v1/changes/"])
def test_the_admin_and_the_change_feed_read_the_primary(rf, path):
    _, reads = answered(rf.get(path))
    assert reads == ["default"]


def test_the_primary_paths_are_the_admin_and_the_change_feed(settings):
    # If either moves, the setting must follow it.
    admin, changes = settings.DATABASE_PRIMARY_PATHS
    assert reverse("admin:index") == admin
    assert reverse("api:change-list") == changes
    assert resolve(changes).url_name == "change-list"


def test_a_streamed_answer_reads_its_rows_where_the_request_may(rf):
    reads = []

    def rows():
        for _ in range(3):
            reads.append(read_alias())
            yield b"row\n"

    response, _ = answered(rf.get("/api/v1/instruments/?format=csv"), StreamingHttpResponse(rows()))
    # Sent after the middleware has returned, as the server sends it.
    assert b"".join(response.streaming_content) == b"row\n" * 3
    assert len(reads) == 3
    assert "default" not in reads
    assert db_router._routing.get() is None


# -- in the whole stack --------------------------------------------------------------------------


@pytest.fixture
def pinning(settings):
    """The middleware where the settings put it with replicas (the router is left out: the test
    database has no replica alias to read)."""
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware"), MIDDLEWARE
    )
    settings.MIDDLEWARE = middleware


def test_an_editors_write_through_the_api_pins_them(pinning, as_editor, vocabulary):
    response = as_editor.post(
        "/api/v1/topics/", {"slug": "pinned", "name": "Pinned"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert PIN_COOKIE in response.cookies
    # The client sends it back, and reads the topic it just wrote.
    assert as_editor.get("/api/v1/topics/pinned/").status_code == 200


def test_a_refused_write_through_the_api_does_not_pin(pinning, as_editor, vocabulary):
    response = as_editor.post("/api/v1/topics/", {"slug": "no name"}, format="json")
    assert response.status_code == 400
    assert PIN_COOKIE not in response.cookies


def test_reads_through_the_api_set_no_cookie(pinning, client, seeded):
    response = client.get("/api/v1/topics/")
    assert response.status_code == 200
    assert PIN_COOKIE not in response.cookies
