"""Databases of the suite's own engine beside the test database, and `manage.py` run against
one of them in a process of its own: for the tests that restore a backup, take migrations both
ways, or serve the site from gunicorn."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from django.conf import settings


class Databases:
    """Databases of the suite's engine beside the suite's own: SQLite files in `folder`, or
    PostgreSQL databases on the suite's server (named `<prefix>_…`), each dropped by
    `drop_all`."""

    def __init__(self, folder: Path, prefix: str = "made"):
        self.folder = folder
        self.database = settings.DATABASES["default"]
        self.postgres = self.database["ENGINE"] == "django.db.backends.postgresql"
        self.prefix = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.made: list[str] = []

    def url(self, name: str) -> str:
        if not self.postgres:
            return f"sqlite:///{self.folder / f'{name}.sqlite3'}"
        d = self.database
        user = d.get("USER") or ""
        if d.get("PASSWORD"):
            user += f":{d['PASSWORD']}"
        host = f"{user}@" if user else ""
        host += d.get("HOST") or "localhost"
        if d.get("PORT"):
            host += f":{d['PORT']}"
        return f"postgres://{host}/{self.prefix}_{name}"

    def create(self, name: str, copy_of: str | None = None) -> str:
        """A new, empty database, or a copy of `copy_of`; its URL."""
        if self.postgres:
            template = f" TEMPLATE {self.prefix}_{copy_of}" if copy_of else ""
            self._server(f"CREATE DATABASE {self.prefix}_{name}{template}")
            self.made.append(name)
        elif copy_of:
            shutil.copyfile(self.folder / f"{copy_of}.sqlite3", self.folder / f"{name}.sqlite3")
        return self.url(name)

    def drop_all(self) -> None:
        for name in reversed(self.made):
            self._server(f"DROP DATABASE IF EXISTS {self.prefix}_{name} WITH (FORCE)")
        self.made.clear()

    def _server(self, sql: str) -> None:
        d = self.database
        with psycopg.connect(
            dbname="postgres",
            user=d.get("USER") or None,
            password=d.get("PASSWORD") or None,
            host=d.get("HOST") or None,
            port=d.get("PORT") or None,
            autocommit=True,
        ) as server:
            server.execute(sql)


def run_python(url: str, *arguments: str, **env: str) -> str:
    """`python *arguments` in the project's folder, in development mode, on the database at
    `url` (with `env` added); what it printed. Fails the test, with the end of its errors, if
    it fails."""
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def manage(url: str, *arguments: str, **env: str) -> str:
    """`manage.py *arguments` on the database at `url`; what it printed."""
    return run_python(url, "manage.py", *arguments, **env)
