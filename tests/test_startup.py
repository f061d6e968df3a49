"""An app server refuses to start where it could only answer 500s: on a database not migrated,
or from a checkout missing the project's migrations; it starts (and answers 503 until the
database is back) when the database cannot be reached. `manage.py seed` says where the
fixtures folder should be when it is missing."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from policytracker.benchmarks.servers import free_port
from policytracker.core.startup import migration_problems

SECRET = "a-production-secret-of-more-than-fifty-characters-0123456789-abcdef"


def start(database_url):
    """Load the app as gunicorn does (`policytracker.wsgi`), in production mode."""
    env = {
        **os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", "import policytracker.wsgi"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_the_server_refuses_an_unmigrated_database_saying_what_to_run(tmp_path):
    started = start(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert started.returncode != 0
    assert "The site cannot be served: the database has" in started.stderr
    assert "migration(s) not applied (contenttypes.0001_initial" in started.stderr
    assert "run `python manage.py migrate` first" in started.stderr


def test_the_server_starts_on_a_migrated_database(migrated_database):
    started = start(migrated_database)
    assert started.returncode == 0, started.stderr[-2000:]


def test_the_server_starts_when_the_database_cannot_be_reached(tmp_path):
    started = start(f"postgres://postgres@127.0.0.1:{free_port()}/nowhere")
    assert started.returncode == 0, started.stderr[-2000:]
    assert "The database cannot be reached as the server starts" in started.stderr
    assert "answered 503 until it can" in started.stderr


@pytest.mark.django_db
def test_a_checkout_without_an_apps_migrations_is_named(settings):
    assert migration_problems() == []
    # What Django makes of an app whose migrations folder is missing.
    settings.MIGRATION_MODULES = {"instruments": None}
    [problem, *_] = migration_problems()
    assert problem == (
        "the app `instruments` has no migrations: its migrations folder "
        "(instruments/migrations/) is missing from this checkout"
    )


@pytest.mark.django_db
def test_the_seed_says_where_its_fixtures_should_be(tmp_path):
    with pytest.raises(
        CommandError, match=r"There is no fixtures folder at .*nowhere.*--fixtures-dir"
    ):
        call_command("seed", "--fixtures-dir", str(tmp_path / "nowhere"))
