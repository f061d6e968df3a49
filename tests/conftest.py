import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import Client, TransactionTestCase
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from instruments.seeding import seed
from tests.factories import JurisdictionFactory, SourceFactory, TopicFactory
from tests.helpers.databases import Databases, manage
from tests.helpers.writes import make_user, token_client

ARTICLE_SLUG = "us-asia-ai-governance-2025-08-08"
# The shared folder sits beside the checkout; tests that need the article's text skip without it.
ARTICLE_PATH = Path(settings.BASE_DIR).parent / "shared" / "sources" / f"{ARTICLE_SLUG}.txt"
FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


# With DATABASE_REPLICA_URLS set, a request answered outside a test's transaction (a live
# server's, a transactional test's) reads a replica alias, which mirrors the test database
# (`TEST.MIRROR`): every test may use those aliases as it uses the default one.
if settings.DATABASE_REPLICAS:
    TransactionTestCase.databases = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the seed once into the test database, the way `manage.py seed` loads it. Every test
    runs in a transaction that is rolled back, so each one starts from the same seeded state."""
    with django_db_blocker.unblock():
        seed(FIXTURES_DIR)


# Rates no test reaches by accident; tests of throttling set their own.
TEST_THROTTLE_RATES = {"anon": "100000/hour", "user": "100000/hour", "pages": "100000/hour"}


# Throttling tests count in Redis when there is one (as in CI, which starts it): the server
# `TEST_REDIS_URL` names, by default database 15 on this machine's loopback port 6379. Each test
# counts under a key prefix of its own and removes its keys after; nothing else there is touched.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable():
    import redis

    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _without_redis(skip):
    """Where no Redis answers: fail with REQUIRE_REDIS=1 (as in CI), else skip the test when
    `skip`."""
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(f"REQUIRE_REDIS=1 but no Redis answers at {TEST_REDIS_URL}")
    if skip:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")


@contextmanager
def _own_redis_prefix():
    """A key prefix of the test's own; its keys are removed after."""
    import redis

    prefix = f"policytracker-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    server = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own on a Redis that answers; the test is skipped without
    one (it fails with REQUIRE_REDIS=1)."""
    if not redis_reachable():
        _without_redis(skip=True)
    with _own_redis_prefix() as prefix:
        yield prefix


@pytest.fixture
def throttle_cache(settings):
    """The cache a throttling test counts in: Redis under a prefix of the test's own where
    there is one (always in CI), else this process's memory."""
    if not redis_reachable():
        _without_redis(skip=False)
        yield "memory"
        return
    with _own_redis_prefix() as prefix:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": TEST_REDIS_URL,
                "KEY_PREFIX": prefix,
            }
        }
        yield "redis"


@pytest.fixture(autouse=True)
def api_throttling(settings):
    """Every test starts with no request counted, in a cache of this process only (never a
    shared one the environment names, which `clear` would empty), at `TEST_THROTTLE_RATES`."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": TEST_THROTTLE_RATES,
    }


@pytest.fixture
def seeded(db):
    """Marks a test that relies on the seed data (always present; see django_db_setup)."""


@pytest.fixture
def empty(db):
    """A database with no records at all (the deletions are rolled back after the test).

    Every table of the records' two apps is emptied with one `DELETE` each, history and links
    included: no model's `delete()` runs, so no history is written for the rows that go, and
    nothing outside these apps refers to them. Foreign keys are checked at the end of the
    test's transaction on both databases, by which time every referring row is gone too."""
    tables = [
        model._meta.db_table
        for label in ("jurisdictions", "instruments")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


@pytest.fixture
def article_text():
    if not ARTICLE_PATH.exists():
        pytest.skip(f"the article's text is not at {ARTICLE_PATH}")
    return ARTICLE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def site(django_db_setup, django_db_blocker):
    """The site served from a thread on the seeded test database, read-only for the tests.

    Not pytest-django's `live_server`: that one empties the database after each test, and the
    rest of the suite reads the session's seed."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("127.0.0.1:0")
        server._live_server_modified_settings.enable()
        yield server
        server._live_server_modified_settings.disable()
        server.stop()
        _end_server_sessions()


def _end_server_sessions():
    """The server's request threads can end without closing their PostgreSQL connection, which
    then keeps the test database from being dropped; end those sessions once the server is
    down."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# -- the API's editors and clients (tests/api/, tests/core/api/) -------------------------------


@pytest.fixture
def editor(db):
    return make_user("edith", editor=True)


@pytest.fixture
def reader(db):
    """Signed in, but no editor."""
    return make_user("reggie")


@pytest.fixture
def as_editor(editor):
    return token_client(editor)


@pytest.fixture
def as_reader(reader):
    return token_client(reader)


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def vocabulary(db):
    """Related records the write payloads (`NEW_INSTRUMENT`...) name by key."""
    return {
        "jurisdiction": JurisdictionFactory(code="XA", name="Xanadu"),
        "party": JurisdictionFactory(code="XB", name="Xbloc"),
        "topic": TopicFactory(slug="test-topic"),
        "source": SourceFactory(slug="test-source"),
    }


# -- the API's OpenAPI schema (tests/api/, tests/core/api/) ------------------------------------


@pytest.fixture(scope="module")
def generated():
    """The schema as /api/schema/ serves it, and every warning or error its generation gave."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content), problems


@pytest.fixture(scope="module")
def schema(generated):
    return generated[0]


# -- app servers started by a test (tests/benchmarks/test_servers.py, tests/test_shared_throttle.py)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """The address of an SQLite file migrated once per test process: an app server refuses to
    start on an unmigrated database (`policytracker.core.startup`), and these servers need
    none of the suite's data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('served') / 'served.sqlite3'}"
    manage(url, "migrate", "--noinput", "-v0")
    return url


# -- databases of the suite's engine made by a test (tests/test_backups.py, the schema runs) ----


@pytest.fixture
def new_database(tmp_path):
    """The address of a database of the suite's kind that does not exist yet (dropped after)."""
    databases = Databases(tmp_path)
    yield databases.create("new")
    databases.drop_all()
