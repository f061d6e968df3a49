"""What an app server checks as it starts (`policytracker.wsgi`, `policytracker.asgi`): that the
database it will serve is migrated, and that the project's own apps have their migrations. A
server started on an unmigrated database, or from a checkout missing a migrations folder, would
otherwise answer every request with a 500 ("no such table"); it refuses to start instead, saying
what to do.

A database that cannot be reached at start is not a reason to refuse: the server starts, answers
503 until the database is back, and recovers without a restart (`error_pages`).
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)

# The project's apps: each must have migrations of its own.
PROJECT_APPS = ("jurisdictions", "instruments", "webhooks")


def migration_problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What keeps the database `using` from being served, in words; empty when nothing does.
    Raises `DatabaseError` when the database cannot be reached."""
    connection = connections[using]
    executor = MigrationExecutor(connection)
    loader = executor.loader
    problems = [
        f"the app `{label}` has no migrations: its migrations folder "
        f"({apps.get_app_config(label).name}/migrations/) is missing from this checkout"
        for label in PROJECT_APPS
        if label not in loader.migrated_apps
    ]
    plan = executor.migration_plan(loader.graph.leaf_nodes())
    if plan:
        waiting = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
        shown = ", ".join(waiting[:5]) + (
            f" and {len(waiting) - 5} more" if len(waiting) > 5 else ""
        )
        problems.append(
            f"the database has {len(waiting)} migration(s) not applied ({shown}): "
            "run `python manage.py migrate` first"
        )
    return problems


def check_ready_to_serve(using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse to start (ImproperlyConfigured) on an unmigrated database or a checkout without
    the project's migrations; start, with a warning, when the database cannot be reached."""
    # A connection opened here is closed after, so that no process forked from this one (a
    # gunicorn worker) shares it; one already open (a test's) is left as it was.
    opened_here = connections[using].connection is None
    try:
        problems = migration_problems(using)
    except DatabaseError as error:
        logger.warning(
            "The database cannot be reached as the server starts (%s); requests will be "
            "answered 503 until it can.",
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
        )
        return
    finally:
        if opened_here:
            connections[using].close()
    if problems:
        raise ImproperlyConfigured("The site cannot be served: " + "; ".join(problems) + ".")
