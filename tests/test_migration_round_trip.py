"""Every migration reverses on a seeded database without losing data
(`policytracker.core.migration_keeping`): both apps migrated to zero and forward again serve
the same API as before, ETags and timestamps included, and reversing only the timestamps
migrations keeps every `created_at` and `updated_at` to the microsecond.

Going to zero would take the session's seed from every other test of the worker, so these
tests never touch the suite's database: they work on databases of their own, of the suite's
engine (SQLite files, or PostgreSQL databases made beside the suite's and dropped at the end).
The migrations, the seed and the API reads run in a subprocess whose DATABASE_URL names one;
the seeded database is built once for the module and copied for each test.

The tests after those check, without a database of their own, that every table a migration
creates and every column it adds is kept by its reverse, and what a reverse refuses."""

import datetime
import importlib
import json
import math
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddField, CreateModel
from django.test import Client
from django.test.utils import override_settings, setup_test_environment

from instruments.models import Source
from jurisdictions.models import Jurisdiction, Membership
from policytracker.core.migration_keeping import KEPT_TABLE, CannotReverse
from tests.factories import BlocFactory, JurisdictionFactory, SourceFactory
from tests.helpers.databases import Databases

ROOT = Path(settings.BASE_DIR)
APPS = ("jurisdictions", "instruments")
# Detail reads per list, spread evenly over it (the lists themselves are read whole).
DETAILS_PER_LIST = 80
# A subprocess that runs longer has hung.
TIMEOUT = 600


# -- what runs in the subprocess --------------------------------------------------------------


def _child(action, out):
    """Run in a subprocess, on the database DATABASE_URL names (see `_run`)."""
    if action == "seed":
        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as quiet:
            call_command("seed", stdout=quiet)
        result = None
    elif action == "capture":
        result = _capture()
    elif action == "zero-and-back":
        before = _timestamps()
        for app in reversed(APPS):
            call_command("migrate", app, "zero", verbosity=0)
        at_zero = {"tables": _app_tables(), "kept": _kept_count()}
        call_command("migrate", verbosity=0)
        result = {"before": before, "at_zero": at_zero, "after": _timestamps()}
        result["kept_after"] = _kept_count()
    elif action == "timestamps-and-back":
        before = _timestamps()
        call_command("migrate", "instruments", "0002", verbosity=0)
        call_command("migrate", "jurisdictions", "0002", verbosity=0)
        unapplied = _unapplied()
        kept = _kept_count()
        call_command("migrate", verbosity=0)
        result = {"before": before, "after": _timestamps(), "unapplied": unapplied}
        result.update(kept=kept, kept_after=_kept_count())
    else:
        raise ValueError(action)
    Path(out).write_text(json.dumps(result))


def _capture():
    """What the API answers: every page of every list under /api/v1/ (200 rows a page, the
    change feed by cursor), and for a spread of each list's records (all of the shorter
    lists) the record's JSON with its `ETag` and `Last-Modified`."""
    setup_test_environment()
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    unthrottled = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "1000000/hour"),
    }
    answers = {}
    with override_settings(
        REST_FRAMEWORK=unthrottled,
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        # The change feed up to now, not up to a moment that moves between two reads.
        CHANGES_SETTLE_SECONDS=0,
    ):
        cache.clear()
        client = Client()

        def read(address):
            response = client.get(address, HTTP_ACCEPT="application/json")
            assert response.status_code == 200, (address, response.status_code)
            return response

        lists = read("/api/v1/").json()
        assert {"instruments", "jurisdictions", "citations", "changes"} <= set(lists)
        for url in lists.values():
            address = f"{_path(url)}?page_size=200"
            records = []
            while address:
                page = read(address).json()
                answers[address] = page
                if "has_more" in page:  # the change feed: by cursor, until up to date
                    address = _path(page["next"]) if page["has_more"] else None
                else:
                    records += [row["url"] for row in page["results"]]
                    address = page["next"] and _path(page["next"])
            step = math.ceil(len(records) / DETAILS_PER_LIST) or 1
            for url in [*records[::step], *records[-1:]]:
                response = read(_path(url))
                answers[_path(url)] = {
                    "etag": response["ETag"],
                    "last_modified": response.get("Last-Modified"),
                    "body": response.json(),
                }
    return answers


def _path(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _timestamps():
    """(table, primary key) -> [created_at, updated_at] as the database stores them, for every
    table that has both."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
            if not {"created_at", "updated_at"} <= columns:
                continue
            key = "history_id" if "history_id" in columns else "id"
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT {quote(key)}, created_at, updated_at FROM {quote(table)}")
            for pk, created_at, updated_at in cursor.fetchall():
                found[f"{table}:{pk}"] = [str(created_at), str(updated_at)]
    return found


def _app_tables():
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(name for name in names if name.startswith(tuple(f"{a}_" for a in APPS)))


def _kept_count():
    """How many entries the migrations' holding table has, or None without it."""
    with connection.cursor() as cursor:
        if KEPT_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(KEPT_TABLE)}")
        return cursor.fetchone()[0]


def _unapplied():
    loader = MigrationLoader(connection)
    return sorted(
        f"{app}.{name}"
        for app, name in loader.graph.nodes
        if app in APPS and (app, name) not in loader.applied_migrations
    )


# -- databases of the tests' own ----------------------------------------------------------------


def _run(url, action, folder):
    """`_child(action)` in a subprocess on the database at `url`; what it returned."""
    out = folder / f"{action}-{uuid.uuid4().hex[:8]}.json"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    env["DJANGO_SETTINGS_MODULE"] = "policytracker.settings"
    # Only the database named: no replica to read from, no shared cache.
    for name in ("DATABASE_REPLICA_URLS", "REDIS_URL"):
        env.pop(name, None)
    code = (
        "import sys, django; django.setup(); "
        "from tests.test_migration_round_trip import _child; _child(sys.argv[1], sys.argv[2])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, action, str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{action} failed:\n{done.stderr[-4000:]}"
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory):
    """A seeded database of the module's own, and what the API answered on it."""
    folder = tmp_path_factory.mktemp("migration_round_trip")
    databases = Databases(folder, prefix="mig_roundtrip")
    try:
        url = databases.create("seeded")
        _run(url, "seed", folder)
        yield databases, _run(url, "capture", folder)
    finally:
        databases.drop_all()


def _differences(before, after, limit=5):
    """The first few places where two JSON documents differ, as readable lines."""
    found = []

    def walk(a, b, where):
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                if key not in a or key not in b:
                    found.append(f"{where}/{key}: only {'after' if key in b else 'before'}")
                else:
                    walk(a[key], b[key], f"{where}/{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for number, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{number}]")
        elif a != b:
            found.append(f"{where}: {json.dumps(a)[:200]} became {json.dumps(b)[:200]}")

    walk(before, after, "")
    return found


# -- the tests ------------------------------------------------------------------------------------


def test_both_apps_migrate_to_zero_and_back_without_losing_data(seeded_database):
    databases, original = seeded_database
    url = databases.create("zero", copy_of="seeded")
    trip = _run(url, "zero-and-back", databases.folder)

    # Really at zero, with every row kept aside; nothing left aside once forward again.
    assert trip["at_zero"]["tables"] == []
    assert trip["at_zero"]["kept"] > 5000
    assert trip["kept_after"] is None
    assert len(trip["before"]) > 1000
    assert _differences(trip["before"], trip["after"]) == []

    answers = _run(url, "capture", databases.folder)
    assert sum("etag" in answer for answer in answers.values()) > 300
    assert any('"updated_at"' in json.dumps(answer) for answer in answers.values())
    assert answers.keys() == original.keys()
    assert _differences(original, answers) == []


def test_reversing_the_timestamps_migrations_keeps_every_timestamp(seeded_database):
    databases, _ = seeded_database
    url = databases.create("timestamps", copy_of="seeded")
    trip = _run(url, "timestamps-and-back", databases.folder)

    assert {"instruments.0003_timestamps", "jurisdictions.0003_timestamps"} <= set(
        trip["unapplied"]
    )
    assert (
        "instruments.0002_citation_checked_on_assessments_event_co_hosts" not in trip["unapplied"]
    )
    assert trip["kept"] > 0
    assert trip["kept_after"] is None
    # The tables whose timestamps the 0003 migrations add, and the others: every row, exactly.
    tables = {key.split(":")[0] for key in trip["before"]}
    assert {"jurisdictions_jurisdiction", "instruments_source", "instruments_historicaltopic"} <= (
        tables
    )
    assert len(trip["before"]) > 1000
    assert trip["after"] == trip["before"]


# -- what the migrations keep, and what they refuse -----------------------------------------------

# Columns a reverse drops without keeping them, and why that loses nothing.
NOT_KEPT = {
    # What an instrument's timeline, own dates and sources say, read again going forward.
    ("instruments", "0013_timeline_dates"): {
        ("instruments.instrument", name)
        for name in (
            "exists_from",
            "exists_from_day",
            "first_in_effect_on",
            "first_in_effect_precision",
            "status_since",
            "status_since_precision",
            "timeline_status",
        )
    },
}


def _migration(app, name):
    return importlib.import_module(f"{app}.migrations.{name}")


def _keepers(operations):
    return [operation.keeper for operation in operations if hasattr(operation, "keeper")]


def test_every_table_and_column_a_reverse_drops_is_kept():
    """Each migration pairs the tables it creates and the columns it adds (which its reverse
    drops) with an operation of `migration_keeping` that keeps them, but for `NOT_KEPT`."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    missing = {}
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app not in APPS:
            continue
        covered = set().union(*(keeper.covers for keeper in _keepers(migration.operations)))
        dropped = set()
        for operation in migration.operations:
            if isinstance(operation, CreateModel):
                dropped.add((f"{app}.{operation.name_lower}", ""))
            elif isinstance(operation, AddField):
                model = f"{app}.{operation.model_name_lower}"
                if (model, "") not in covered:
                    dropped.add((model, operation.name))
        left = dropped - covered - NOT_KEPT.get((app, name), set())
        if left:
            missing[f"{app}.{name}"] = sorted(left)
    assert missing == {}


def _keeper(app, name, **attributes):
    operations = _migration(app, name).Migration.operations
    found = [
        keeper
        for keeper in _keepers(operations)
        if all(getattr(keeper, key, None) == value for key, value in attributes.items())
    ]
    assert len(found) == 1, attributes
    return found[0]


def test_a_reverse_the_older_schema_cannot_hold_refuses_naming_the_rows(seeded):
    """Two memberships of one member, bloc and role starting in the same year: the older
    schema has one a year, so reversing 0005 stops, naming them."""
    member, bloc = JurisdictionFactory(), BlocFactory()
    first, second = (
        Membership.objects.create(member=member, bloc=bloc, started_on=datetime.date(2020, m, 1))
        for m in (3, 9)
    )
    migration = _migration("jurisdictions", "0005_membership_dates")
    with pytest.raises(CannotReverse, match=rf"\[\[{first.pk}, {second.pk}\]\]"):
        migration.dates_to_years(django_apps, connection.schema_editor())


def test_a_stand_in_the_constraints_refuse_stops_the_reverse(seeded):
    """Reversing 0007 writes USCA in place of US-CA: with a USCA already there, it stops."""
    JurisdictionFactory(code="USCA")
    keeper = _keeper("jurisdictions", "0007_subnational", field_name="code")
    with pytest.raises(CannotReverse, match=r"'US-CA' -> 'USCA'"):
        keeper.keep(django_apps, connection.schema_editor())


def test_kept_values_come_back_unless_changed_since(seeded):
    """The stand-ins a reverse wrote are replaced by the kept values going forward, but where
    an editor has changed one since, the newer value stays; the holding table goes."""
    keeper = _keeper("jurisdictions", "0007_subnational", field_name="code")
    editor = connection.schema_editor()
    subnational = set(Jurisdiction.objects.filter(code__contains="-").values_list("pk", "code"))
    assert len(subnational) > 2
    keeper.keep(django_apps, editor)
    assert not Jurisdiction.objects.filter(code__contains="-").exists()
    Jurisdiction.objects.filter(code="USCA").update(code="USCAX")
    keeper.restore(django_apps, editor)
    assert set(Jurisdiction.objects.filter(code__contains="-").values_list("pk", "code")) == {
        (pk, code) for pk, code in subnational if code != "US-CA"
    }
    assert Jurisdiction.objects.filter(code="USCAX").exists()
    with connection.cursor() as cursor:
        assert KEPT_TABLE not in connection.introspection.table_names(cursor)


def test_a_second_reverse_refuses_to_overwrite_what_the_first_kept(seeded):
    """Entries a reverse kept and no forward run restored (the migration faked forward in
    between) are never mixed with, or overwritten by, a second reverse's."""
    keeper = _keeper("jurisdictions", "0003_timestamps")
    editor = connection.schema_editor()
    keeper.keep(django_apps, editor)
    with pytest.raises(CannotReverse, match="still holds .* jurisdictions_.* --fake"):
        keeper.keep(django_apps, editor)


def test_reapplying_the_seed_corrections_leaves_rows_there_when_reversed(seeded):
    """0007 removes rows going forward; a record there when it was reversed (made since, with
    the key of a removed one) is still there once it is applied again."""
    migration = _migration("instruments", "0007_seed_corrections_2026_12")
    editor = connection.schema_editor()
    SourceFactory(slug="cac-interim-measures")
    migration.spare_present_rows(django_apps, editor)
    SourceFactory(slug="ec-glossary-european-union")  # made at the older schema: corrected
    migration.remove_corrected_rows(django_apps, editor)
    assert set(
        Source.objects.filter(slug__in=migration.SOURCES).values_list("slug", flat=True)
    ) == {"cac-interim-measures"}
    with connection.cursor() as cursor:
        assert KEPT_TABLE not in connection.introspection.table_names(cursor)
