"""Throttling counts in the cache every app server shares when `REDIS_URL` names Redis: a client
gets its rate once, however many worker processes (or servers) answer it.

These tests need a Redis server (the `redis_prefix` fixture of tests/conftest.py: skipped where
there is none, unless `REQUIRE_REDIS=1`, as in CI)."""

import os
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.test import Client

from policytracker.benchmarks import servers
from tests.conftest import TEST_REDIS_URL as REDIS_URL


def test_the_api_and_the_pages_count_in_redis(redis_prefix, settings, db):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": redis_prefix,
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute", "pages": "2/minute"},
    }
    client = Client(REMOTE_ADDR="198.51.100.60")
    api = [client.get("/api/v1/topics/").status_code for _ in range(3)]
    pages = [client.get("/about/").status_code for _ in range(3)]
    assert api == [200, 200, 429]
    assert pages == [200, 200, 429]
    # The counts are Redis's: another connection to it (another process, another server) sees
    # them.
    import redis

    counted = {
        key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}:*")
    }
    assert any("throttle_anon_198.51.100.60" in key for key in counted), counted
    assert any("throttle_pages_198.51.100.60" in key for key in counted), counted
    # Emptied by hand, the count starts again.
    cache.clear()
    assert client.get("/api/v1/topics/").status_code == 200


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_two_workers_grant_a_client_its_rate_once(redis_prefix, tmp_path, migrated_database):
    """With each worker counting apart, a rate of 10 a minute let 20 requests through two
    workers. With Redis shared, exactly 10 get through."""
    servers.collect_static(tmp_path, ignore=("drf_spectacular_sidecar", "admin", "rest_framework"))
    app = servers.gunicorn(tmp_path, workers=2)
    # Each worker process is its own cache client, as on two servers; the key prefix keeps this
    # run's counts apart from anything else on the server.
    app.env.update(
        REDIS_URL=REDIS_URL,
        API_ANON_RATE="10/minute",
        REDIS_KEY_PREFIX=redis_prefix,
        DATABASE_URL=migrated_database,
    )
    statuses, waits = [], []
    with app:
        app.start("/static/favicon.svg")
        for _ in range(24):
            # A new connection each time, so that both workers answer.
            try:
                with urllib.request.urlopen(app.url + "/api/v1/", timeout=10) as answer:
                    statuses.append(answer.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
                waits.append(error.headers["Retry-After"])
    assert statuses.count(200) == 10, statuses
    assert statuses.count(429) == 14, statuses
    assert statuses[:10] == [200] * 10
    assert all(0 < int(wait) <= 60 for wait in waits), waits
