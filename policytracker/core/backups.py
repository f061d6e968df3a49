"""Backups that restore exactly: every row of the data's apps written to one file, and read back
into a freshly migrated database of either kind (SQLite or PostgreSQL) so that the site answers
as it did: the same records and history, the same `ETag`s, the same change-feed cursors.

The file is gzip-compressed JSON lines. The first line says what the file is: its format and
version, the migrations the database had (a backup is read only by a database at the same
ones), the time it was written, and each table's key counter (below). Every other line is one
row, in Django's serialization (`{"model", "pk", "fields"}`), models in dependency order, rows in
key order. Many-to-many links are written as the rows of their link tables, not as lists on the
records, so reading them back sends no "links changed" signal: nothing is marked, dated or
recorded as it is read. Rows are saved "raw" (as loaded fixtures are), so no `save()` runs and
no timestamp moves. Permissions and content types, which each database numbers itself, are
named by their natural keys.

The key counters matter because a history is kept by key: after a restore, a new record must
never take the key of a record deleted before the backup, or it would inherit that record's
history. Each table's counter is written as the database had it (it never goes back), and on
reading the counter is set to the highest of that, the table's largest key and the largest key
its history names.

Reading is all or nothing: one transaction, foreign keys checked before it commits.
"""

from __future__ import annotations

import datetime
import gzip
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.serializers import sort_dependencies
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLinesSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "policytracker-backup"
VERSION = 1

# Rows each database makes for itself as it migrates, under numbers of its own: never written,
# and referred to by natural key (`NAMED_BY_NATURAL_KEY`).
NOT_WRITTEN = frozenset({"auth.Permission", "contenttypes.ContentType"})
NAMED_BY_NATURAL_KEY = frozenset({"auth.Permission", "contenttypes.ContentType"})
# Tables a fresh database fills as it migrates (the editors' and reviewers' groups, with their
# permissions): the backup's rows replace them.
MADE_BY_MIGRATIONS = frozenset({"auth.Group", "auth.Group_permissions"})


class BackupError(Exception):
    """A backup that cannot be read into this database, with the reason in words."""


def backed_up_models(labels: Sequence[str]) -> list[type[models.Model]]:
    """The models of the apps `labels` whose rows a backup holds, link tables included, in an
    order where each comes after those it refers to by natural key."""
    chosen: list[type[models.Model]] = []
    for label in labels:
        config = apps.get_app_config(label)
        chosen += [
            model
            for model in config.get_models(include_auto_created=True)
            if model._meta.managed
            and not model._meta.proxy
            and model._meta.label not in NOT_WRITTEN
        ]
    ordered = sort_dependencies([(apps.get_app_config(label), None) for label in labels])
    rank = {model: index for index, model in enumerate(ordered)}
    # Link tables are not in Django's order; they come after everything else.
    return sorted(chosen, key=lambda model: (rank.get(model, len(rank)), model._meta.label))


def _own_fields(model: type[models.Model]) -> list[str]:
    """The fields a row of `model` is written with: its columns, not its many-to-many lists
    (their link tables are written as rows of their own)."""
    return [field.name for field in model._meta.concrete_fields if not field.primary_key]


def _integer_key(model: type[models.Model]) -> bool:
    return isinstance(
        model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField
    )


def _counter(model: type[models.Model], using: str) -> int:
    """The last key `model`'s table handed out, as its database keeps it (0 if none yet)."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            sequence = cursor.fetchone()[0]
            if not sequence:
                return 0
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
            last_value, is_called = cursor.fetchone()
            return int(last_value) if is_called else int(last_value) - 1
    raise BackupError(f"backups are written from SQLite or PostgreSQL, not {connection.vendor}")


def _largest_key(model: type[models.Model], using: str) -> int:
    largest = model._default_manager.using(using).aggregate(top=models.Max("pk"))["top"]
    return int(largest or 0)


def _largest_key_in_history(model: type[models.Model], using: str) -> int:
    """The largest key of `model` its history names (0 without a history)."""
    history = getattr(model, "history", None)
    history_model = getattr(history, "model", None)
    if history_model is None or history_model is model:
        return 0
    name = model._meta.pk.attname
    largest = history_model._default_manager.using(using).aggregate(top=models.Max(name))["top"]
    return int(largest or 0)


def _set_counter(model: type[models.Model], value: int, using: str) -> None:
    """Make `model`'s table hand out keys after `value`."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            if value:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, value]
                )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                [table, model._meta.pk.column, max(value, 1), value > 0],
            )


def _applied_migrations(labels: Iterable[str], using: str) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[using])
    applied = recorder.applied_migrations()
    return {
        label: sorted(name for app, name in applied if app == label) for label in sorted(labels)
    }


class _ExactEncoder(DjangoJSONEncoder):
    """Django's JSON, with times to the microsecond (Django's own stops at the millisecond, and
    a time read back a little earlier would change every answer that shows it)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time) and o.microsecond:
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class _Serializer(JSONLinesSerializer):
    """Django's JSON lines, with times to the microsecond, permissions and content types named
    by their natural keys and every other row by its key (a user by number, even one deleted
    since: their history keeps the number)."""

    def handle_fk_field(self, obj: models.Model, field: Any) -> None:
        self.use_natural_foreign_keys = field.remote_field.model._meta.label in NAMED_BY_NATURAL_KEY
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: models.Model, field: Any) -> None:
        # Links are written as the rows of their link tables.
        return


def _write_rows(model: type[models.Model], stream: IO[str], using: str) -> int:
    """Write the rows of `model` to `stream`, one JSON line each, in key order; how many."""
    written = 0

    def counted(rows: Iterable[models.Model]) -> Iterator[models.Model]:
        nonlocal written
        for row in rows:
            written += 1
            yield row

    queryset = model._default_manager.using(using).order_by("pk")
    _Serializer().serialize(
        counted(queryset.iterator(chunk_size=2000)),
        stream=stream,
        fields=_own_fields(model),
        use_natural_primary_keys=False,
        cls=_ExactEncoder,
    )
    return written


def write_backup(
    path: Path, labels: Sequence[str], using: str = DEFAULT_DB_ALIAS
) -> dict[str, int]:
    """Write every row of the apps `labels` to `path`; the number of rows of each model.

    Read in one transaction (a repeatable snapshot on PostgreSQL), so that the file is one
    moment of the database even while it is written to."""
    chosen = backed_up_models(labels)
    counts: dict[str, int] = {}
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        header = {
            "format": FORMAT,
            "version": VERSION,
            "written_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "database": connection.vendor,
            "apps": list(labels),
            "migrations": _applied_migrations(labels, using),
            "counters": {
                model._meta.label: _counter(model, using) for model in chosen if _integer_key(model)
            },
        }
        temporary = path.with_name(path.name + ".partial")
        try:
            with gzip.open(temporary, "wt", encoding="utf-8") as stream:
                stream.write(json.dumps(header, ensure_ascii=False) + "\n")
                for model in chosen:
                    counts[model._meta.label] = _write_rows(model, stream, using)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    # Only a finished file takes the name: a backup cut short is never mistaken for one.
    temporary.replace(path)
    return counts


def read_header(stream: IO[str]) -> dict[str, Any]:
    first = stream.readline()
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("this file is not a backup of the site (its first line says otherwise)")
    if header.get("version") != VERSION:
        raise BackupError(
            f"this backup is of format version {header.get('version')}; "
            f"this version of the site reads version {VERSION}"
        )
    return header


def _check_target(header: dict[str, Any], using: str) -> list[type[models.Model]]:
    labels = header["apps"]
    applied = _applied_migrations(labels, using)
    if applied != header["migrations"]:
        behind = {
            label: sorted(set(header["migrations"].get(label, [])) - set(names))
            for label, names in applied.items()
        }
        behind = {label: names for label, names in behind.items() if names}
        ahead = {
            label: sorted(set(names) - set(header["migrations"].get(label, [])))
            for label, names in applied.items()
        }
        ahead = {label: names for label, names in ahead.items() if names}
        detail = []
        if behind:
            detail.append(f"the backup has migrations this database lacks: {behind} (migrate)")
        if ahead:
            detail.append(
                f"this database has migrations the backup was not made at: {ahead} "
                "(restore into a database migrated to the backup's migrations, then migrate)"
            )
        raise BackupError("; ".join(detail))
    chosen = backed_up_models(labels)
    held = [
        model._meta.label
        for model in chosen
        if model._default_manager.using(using).exists() and not _made_by_migrations(model)
    ]
    if held:
        raise BackupError(
            "a backup is read into an empty database, and this one holds rows of "
            + ", ".join(held)
            + ": make a new database, migrate it, and read the backup into it"
        )
    return chosen


def _made_by_migrations(model: type[models.Model]) -> bool:
    return model._meta.label in MADE_BY_MIGRATIONS


def restore_backup(path: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Read the backup at `path` into the empty, migrated database `using`; the number of rows
    of each model read. Nothing is written unless everything is."""
    counts: dict[str, int] = {}
    connection = connections[using]
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        try:
            header = read_header(stream)
        except (OSError, EOFError, UnicodeDecodeError) as error:
            raise BackupError(f"this file cannot be read as a backup: {error}") from error
        with transaction.atomic(using=using):
            chosen = _check_target(header, using)
            for model in chosen:
                if _made_by_migrations(model):
                    model._default_manager.using(using).all().delete()
            with connection.constraint_checks_disabled():
                try:
                    for deserialized in serializers.deserialize(
                        "jsonl", stream, using=using, ignorenonexistent=False
                    ):
                        deserialized.save(using=using)
                        label = deserialized.object._meta.label
                        counts[label] = counts.get(label, 0) + 1
                except (serializers.base.DeserializationError, OSError, EOFError) as error:
                    raise BackupError(f"this backup cannot be read to its end: {error}") from error
            tables = [model._meta.db_table for model in chosen]
            connection.check_constraints(table_names=tables)
            counters = header.get("counters", {})
            for model in chosen:
                if _integer_key(model):
                    _set_counter(
                        model,
                        max(
                            int(counters.get(model._meta.label, 0)),
                            _largest_key(model, using),
                            _largest_key_in_history(model, using),
                        ),
                        using,
                    )
    return counts
