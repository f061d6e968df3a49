"""Settings come from the environment; production refuses to start without a secret key, and
a bad value of an API setting (rates, proxies, the shared cache) stops the app naming it."""

import importlib.util
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

SCRIPT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.DEBUG, s.ALLOWED_HOSTS)"
)


def settings_process(script, dropped, **env):
    """`script` run in a fresh Python with the project's settings, the environment's variables
    that `dropped` names (a name, or a prefix ending in "_") left out and `env` added."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not any(k == name or (name.endswith("_") and k.startswith(name)) for name in dropped)
    }
    base["DJANGO_SETTINGS_MODULE"] = "policytracker.settings"
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def run(**env):
    return settings_process(SCRIPT, {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}, **env)


def test_secret_key_is_required_without_debug():
    result = run(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_from_environment():
    result = run(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="a.example,b.example",
        DATABASE_URL="postgres://u:p@db:5432/pt",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(maxsplit=2) == [
        "django.db.backends.postgresql",
        "False",
        "['a.example', 'b.example']\n",
    ]


def test_sqlite_is_the_default_database():
    result = run(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("django.db.backends.sqlite3 True")


def test_bad_boolean_is_refused():
    result = run(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_deploy_checks_are_clean_in_production():
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    env = {
        **base,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "tracker.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- the API's rates, proxies and cache (tests/core/api/test_throttling.py: the rates at work) -

API_SCRIPT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "r = s.REST_FRAMEWORK; "
    "print(r['DEFAULT_THROTTLE_RATES'], r['NUM_PROXIES'], s.CACHES['default']['BACKEND'])"
)
OURS = {
    "API_ANON_RATE",
    "API_USER_RATE",
    "PAGE_RATE",
    "NUM_PROXIES",
    "REDIS_URL",
    "CHANGES_SETTLE_SECONDS",
}


def settings_with(**env):
    return settings_process(API_SCRIPT, OURS | {"DEBUG", "SECRET_KEY"}, **{"DEBUG": "1", **env})


def test_the_default_rates_are_generous_and_the_cache_is_the_processs_own():
    result = settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "{'anon': '1000/hour', 'user': '10000/hour', 'pages': '120/minute'} 0 "
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_rates_and_proxies_come_from_the_environment():
    result = settings_with(
        API_ANON_RATE="60/minute", API_USER_RATE="5/second", PAGE_RATE="9/m", NUM_PROXIES="2"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("{'anon': '60/minute', 'user': '5/second', 'pages': '9/m'} 2 ")


def test_no_proxy_is_assumed_in_production_either():
    # X-Forwarded-For is read only when NUM_PROXIES says proxies append to it: a client that
    # reaches the app directly cannot pick its own address.
    result = settings_with(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
    assert " 0 " in result.stdout


@pytest.mark.parametrize(
    "key",
    [
        "change-me",  # .env.example's placeholder
        "insecure-development-key-not-for-production",
        "x" * 60,
        "abcd" * 20,
        "django-insecure-q8Zr1vT0pWm3xK7sL2yN9bC4dF6gH5jA0eR8tU1iO3pQ7wE2r",
        "q8Zr1vT0pWm3xK7sL2yN9bC4dF6gH5jA0eR8tU1",  # 39 characters
        "   ",
    ],
)
def test_production_refuses_a_placeholder_or_weak_secret_key(key):
    result = run(DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def hsts(**env):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    return settings_process(
        script,
        {"SECURE_", "DEBUG"},
        **{"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), **env},
    )


def test_production_sends_hsts_for_a_year_with_preload():
    result = hsts()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True"]


@pytest.mark.parametrize(
    "env", [{"SECURE_HSTS_SECONDS": "3600"}, {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "0"}]
)
def test_preload_needs_a_year_and_subdomains(env):
    result = hsts(**env)
    assert result.returncode != 0
    assert "SECURE_HSTS_PRELOAD" in result.stderr
    assert hsts(**env, SECURE_HSTS_PRELOAD="0").returncode == 0
    # HSTS off altogether (a benchmark's loopback server): nothing to preload.
    assert hsts(SECURE_HSTS_SECONDS="0").returncode == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("API_ANON_RATE", "1000"),
        ("API_ANON_RATE", "lots/hour"),
        ("API_USER_RATE", "0/hour"),
        ("API_USER_RATE", "10/fortnight"),
        ("PAGE_RATE", "fast"),
        ("NUM_PROXIES", "-1"),
        ("CHANGES_SETTLE_SECONDS", "soon"),
    ],
)
def test_a_bad_value_stops_the_app_naming_the_variable(name, value):
    result = settings_with(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_redis_url_shares_the_cache_and_needs_the_redis_package():
    result = settings_with(REDIS_URL="redis://127.0.0.1:6379/0")
    if importlib.util.find_spec("redis") is None:
        assert result.returncode != 0
        assert "redis package" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("django.core.cache.backends.redis.RedisCache")


def test_the_shared_cache_keeps_its_keys_apart_and_gives_up_in_seconds():
    pytest.importorskip("redis")
    script = "import django; django.setup(); from django.conf import settings as s; print(s.CACHES)"
    base = {k: v for k, v in os.environ.items() if k not in OURS | {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "policytracker.settings",
            "DEBUG": "1",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "'KEY_PREFIX': 'policytracker'" in result.stdout
    assert "'socket_timeout': 2" in result.stdout


# -- read replicas (tests/core/test_db_router.py: the router and the pin at work) ---------------

REPLICA_SCRIPT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(sorted(s.DATABASES), s.DATABASE_REPLICAS, s.DATABASE_ROUTERS, "
    "'policytracker.core.db_router.PrimaryPinMiddleware' in s.MIDDLEWARE, "
    "s.DATABASE_PRIMARY_PIN_SECONDS); "
    "r = s.DATABASES.get('replica2'); "
    "print(r and (r['HOST'], r['PORT'], r['NAME'], r['CONN_MAX_AGE'], "
    "r['CONN_HEALTH_CHECKS'], r['TEST']['MIRROR']))"
)
REPLICA_VARS = {"DATABASE_URL", "DATABASE_REPLICA_URLS", "DATABASE_PRIMARY_PIN_SECONDS"}


def replica_settings(**env):
    base = {k: v for k, v in os.environ.items() if k not in REPLICA_VARS | {"CONN_MAX_AGE"}}
    base.update(DJANGO_SETTINGS_MODULE="policytracker.settings", DEBUG="1")
    return subprocess.run(
        [sys.executable, "-c", REPLICA_SCRIPT],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_replicas_there_is_no_router():
    result = replica_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['default'] [] [] False 15", "None"]


def test_replica_urls_add_replica_aliases_the_router_and_the_pin():
    result = replica_settings(
        DATABASE_URL="postgres://u@primary:5432/pt",
        DATABASE_REPLICA_URLS="postgres://u@r1:5432/pt, postgres://u@r2:5433/pt",
        DATABASE_PRIMARY_PIN_SECONDS="30",
        CONN_MAX_AGE="120",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['default', 'replica1', 'replica2'] ['replica1', 'replica2'] "
        "['policytracker.core.db_router.PrimaryReplicaRouter'] True 30",
        # Kept open and checked as the primary's connections are; a mirror of it in tests.
        "('r2', 5433, 'pt', 120, True, 'default')",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URLS": "nonsense"}, "DATABASE_REPLICA_URLS"),
        (
            {"DATABASE_URL": "sqlite:///x.sqlite3", "DATABASE_REPLICA_URLS": "postgres://u@r/pt"},
            "same engine",
        ),
        ({"DATABASE_PRIMARY_PIN_SECONDS": "a while"}, "DATABASE_PRIMARY_PIN_SECONDS"),
    ],
)
def test_a_bad_replica_setting_stops_the_app_naming_it(env, message):
    result = replica_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
