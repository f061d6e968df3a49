"""Settings come from the environment; production refuses to start without a secret key."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

SCRIPT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.DEBUG, s.ALLOWED_HOSTS)"
)


def run(**env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    base["DJANGO_SETTINGS_MODULE"] = "policytracker.settings"
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_without_debug():
    result = run(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_from_environment():
    result = run(
        DEBUG="0",
        SECRET_KEY="x" * 50,
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
