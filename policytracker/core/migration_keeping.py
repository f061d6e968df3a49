"""Migrations that reverse without losing data: what an older schema cannot hold is kept aside
by the reverse and put back by the forward operation that follows.

A reverse often drops something: a column a migration added, a table it created, a value of a
vocabulary the older CHECK constraint refuses, or rows the older constraints cannot hold at all
(a citation of a kind of record that did not exist yet). Django's own reverse operations drop
these silently, and applying the migration again fills them with defaults (`timezone.now` for
timestamps). The operations here keep them instead, in one table the migrations do not own,
`migration_kept`, made with raw SQL when first needed and dropped again once empty:

    kept_by      the migration module that kept the entry (its `__name__`)
    kind         "row", "column", "value", "sequence" or "spared" (below)
    table_name   the table the entry belongs to
    row_key      the row's primary key, as JSON
    column_name  the column (empty for a whole row, a sequence or a spared row)
    value        the kept value, as JSON (a whole row: an object of its columns)
    stand_in     for a "value": what the reverse wrote in its place, as JSON

Each operation is a `RunPython` whose forward function restores and whose reverse function
keeps, placed in a migration's operations where the schema holds the data at both moments
(usually last; before the constraints that need the restored data, where there are some):

- `keep_tables(key, models)`: every row of the tables a migration creates (its `CreateModel`
  operations and the link tables of their many-to-many fields), and each table's id sequence,
  so that ids of deleted records are not handed out again. Going back to zero keeps every row.
- `keep_columns(key, {model: fields})`: the values of columns a migration adds (a many-to-many
  field keeps its link table's rows).
- `keep_rows(key, model, where)`: the rows matching `where` that the older constraints cannot
  hold. They are kept whole and deleted; a deletion that would take other rows with it is
  refused.
- `keep_values(key, model, field, older)`: values the older schema refuses or names otherwise;
  `older(value)` gives the value to write in their place (from the older vocabulary). The
  forward operation puts the kept value back where that stand-in is still there; where an
  editor has changed it since, the newer value stays. A data migration whose reverse would
  merge values (two names becoming one) lets `keep_values` do its reverse.

`spare` and `take_spared` serve a data migration that deletes rows going forward: its reverse
notes the rows present at that moment, and applying it again leaves those rows alone.

`key` is the migration module's `__name__`: entries are picked by it, so two migrations that
keep the same column never mix. Each operation carries its `Keeper` (`operation.keeper`),
whose `covers` names the tables and columns it keeps; tests/test_migration_round_trip.py
checks that every table a migration creates and every column it adds is kept (a new migration
adds the matching operation), and takes a seeded database to zero and back.

Values are kept as JSON through each field's own conversions (`to_python`,
`get_db_prep_save`), so dates, times with their zone and microseconds, decimals and JSON
fields come back exactly. Restoring writes with SQL, not `save()`, so `auto_now` never
touches `updated_at`, and checks the foreign keys of what it wrote at once. A reverse that
cannot keep its data refuses with `CannotReverse`, naming the rows, and the migration's
transaction is rolled back; so does one that finds entries a previous reverse kept and no
forward operation restored (a migration faked forward in between), which it would otherwise
mix with its own.

The forward operation removes what it restored, and what it could not restore: a column
value of a row deleted in the meantime. On an empty database (a new installation, the test
suite) nothing is kept and every forward operation does nothing.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.apps.registry import Apps
from django.core.management.color import no_style
from django.db import IntegrityError, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations import RunPython
from django.utils.duration import duration_iso_string

KEPT_TABLE = "migration_kept"
ROW, COLUMN, VALUE, SEQUENCE, SPARED = "row", "column", "value", "sequence", "spared"
# Rows read, and written, per query.
BATCH = 500

_CREATE = (
    "CREATE TABLE {table} ("
    "kept_by varchar(255) NOT NULL, "
    "kind varchar(16) NOT NULL, "
    "table_name varchar(255) NOT NULL, "
    "row_key text NOT NULL, "
    "column_name varchar(255) NOT NULL, "
    "value text NULL, "
    "stand_in text NULL)"
)
_INDEX = "CREATE INDEX {index} ON {table} (kept_by, table_name)"

Model = type[models.Model]
if TYPE_CHECKING:
    Field = models.Field[Any, Any]


class CannotReverse(Exception):
    """A reverse would lose data it cannot keep: the migration stops and is rolled back."""


# -- the operations ---------------------------------------------------------------------------


def keep_tables(key: str, model_names: Sequence[str]) -> RunPython:
    """Keep every row of `model_names` ("app_label.model") when the reverse drops their tables,
    with their link tables; put them back, with their ids and sequences, once made again."""
    return _operation(_Tables(key, tuple(model_names)))


def keep_columns(key: str, columns: Mapping[str, Sequence[str]]) -> RunPython:
    """Keep the values of the fields `columns` names ({"app_label.model": [field, ...]}) when
    the reverse drops them; put them back once they are added again."""
    return _operation(_Columns(key, {name: tuple(fields) for name, fields in columns.items()}))


def keep_rows(
    key: str, model_name: str, where: Mapping[str, Any], *, forward_replaces: bool = False
) -> RunPython:
    """Keep whole, and delete, the rows of `model_name` matching the filter `where` when the
    reverse reaches this point; insert them again going forward. With `forward_replaces`, the
    rows matching `where` that the forward operations made are deleted first, wherever some
    were kept: the kept ones take their place (the defaults a data migration sets, say)."""
    return _operation(_Rows(key, model_name, dict(where), forward_replaces))


def keep_values(
    key: str,
    model_name: str,
    field_name: str,
    older: Callable[[Any], Any],
    *,
    where: Mapping[str, Any] | None = None,
) -> RunPython:
    """Where `older(value)` differs from a row's value of `field_name` (of the rows matching
    `where`, or all), keep the value and write `older(value)` in its place when the reverse
    reaches this point; going forward, put the value back where that stand-in is still
    there."""
    return _operation(_Values(key, model_name, field_name, older, dict(where or {})))


def spare(schema_editor: BaseDatabaseSchemaEditor, key: str, *querysets: models.QuerySet) -> None:
    """Note the rows of `querysets`: applying the migration `key` again leaves them alone."""
    store = _Store(schema_editor)
    by_model: dict[Model, set[Any]] = defaultdict(set)
    for queryset in querysets:
        by_model[queryset.model].update(queryset.values_list("pk", flat=True))
    for model, pks in by_model.items():
        pk, table = _pk(model), model._meta.db_table
        store.refuse_leftovers(key, SPARED, table, "")
        store.add((key, SPARED, table, _dump(pk, row_pk), "", None, None) for row_pk in sorted(pks))


def take_spared(schema_editor: BaseDatabaseSchemaEditor, key: str, model: Model) -> set[Any]:
    """The primary keys `spare` noted for `model` under `key`; the notes are removed."""
    store = _Store(schema_editor)
    pk, table = _pk(model), model._meta.db_table
    spared = {_load(pk, row_key) for row_key, _, _ in store.read(key, SPARED, table, "")}
    store.remove(key, SPARED, table, "")
    store.drop_if_empty()
    return spared


# -- how each operation keeps and restores ----------------------------------------------------


class Keeper:
    """Keeps what a reverse would drop (`keep`) and restores it (`restore`): the reverse and
    forward functions of a `RunPython`, which carries it as `operation.keeper`. `covers` names
    what it keeps: ("app_label.model", field name), with "" for every row of the model."""

    key: str
    covers: frozenset[tuple[str, str]] = frozenset()

    def keep(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        raise NotImplementedError

    def restore(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        raise NotImplementedError


def _operation(keeper: Keeper) -> RunPython:
    operation = RunPython(keeper.restore, keeper.keep, elidable=False)
    operation.keeper = keeper  # type: ignore[attr-defined]
    return operation


class _Tables(Keeper):
    def __init__(self, key: str, model_names: tuple[str, ...]) -> None:
        self.key, self.model_names = key, model_names
        self.covers = frozenset((name.lower(), "") for name in model_names)

    def tables(self, apps: Apps) -> list[Model]:
        found: list[Model] = []
        for name in self.model_names:
            model = apps.get_model(name)
            found += [model, *_link_models(model, model._meta.local_many_to_many)]
        return found

    def keep(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        store = _Store(schema_editor)
        for model in self.tables(apps):
            _keep_whole_rows(store, self.key, model, _rows(model, schema_editor))
            sequence = _read_sequence(schema_editor.connection, model)
            if sequence is not None:
                table = model._meta.db_table
                store.refuse_leftovers(self.key, SEQUENCE, table, "")
                store.add([(self.key, SEQUENCE, table, "null", "", json.dumps(sequence), None)])

    def restore(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        store = _Store(schema_editor)
        if not store.exists():
            return
        tables = self.tables(apps)
        for model in tables:
            _restore_whole_rows(store, self.key, model)
            for _, value, _ in store.read(self.key, SEQUENCE, model._meta.db_table, ""):
                _write_sequence(schema_editor.connection, model, json.loads(value or "null"))
            store.remove(self.key, SEQUENCE, model._meta.db_table, "")
        _check_written(schema_editor, tables)
        store.drop_if_empty()


class _Columns(Keeper):
    def __init__(self, key: str, columns: dict[str, tuple[str, ...]]) -> None:
        self.key, self.columns = key, columns
        self.covers = frozenset(
            (name.lower(), field) for name, fields in columns.items() for field in fields
        )

    def fields(self, apps: Apps) -> Iterator[tuple[Model, list[Field], list[Model]]]:
        """Each model's fields kept by value, and the link tables of its many-to-many ones."""
        for name, field_names in self.columns.items():
            model = apps.get_model(name)
            fields = [model._meta.get_field(field_name) for field_name in field_names]
            plain = [_as_field(f) for f in fields if not f.many_to_many]
            yield model, plain, _link_models(model, [f for f in fields if f.many_to_many])

    def keep(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        store = _Store(schema_editor)
        for model, fields, links in self.fields(apps):
            table, pk = model._meta.db_table, _pk(model)
            for field in fields:
                store.refuse_leftovers(self.key, COLUMN, table, _column(field))
            if fields:
                rows = _rows(model, schema_editor).values_list("pk", *[f.attname for f in fields])
                store.add(
                    (self.key, COLUMN, table, _dump(pk, row[0]), _column(f), _dump(f, value), None)
                    for row in rows.iterator(chunk_size=BATCH)
                    for f, value in zip(fields, row[1:], strict=True)
                )
            for link in links:
                _keep_whole_rows(store, self.key, link, _rows(link, schema_editor))

    def restore(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        store = _Store(schema_editor)
        if not store.exists():
            return
        written: list[Model] = []
        for model, fields, links in self.fields(apps):
            table, pk = model._meta.db_table, _pk(model)
            by_row: dict[Any, dict[Field, Any]] = defaultdict(dict)
            for field in fields:
                for row_key, value, _ in store.read(self.key, COLUMN, table, _column(field)):
                    by_row[_load(pk, row_key)][field] = _load(field, value)
            # Values of rows deleted since (while the column was gone) have nowhere to go.
            present = set(_rows(model, schema_editor).values_list("pk", flat=True))
            _update_rows(schema_editor, model, {k: v for k, v in by_row.items() if k in present})
            for field in fields:
                store.remove(self.key, COLUMN, table, _column(field))
            for link in links:
                _restore_whole_rows(store, self.key, link)
            written += [model, *links]
        _check_written(schema_editor, written)
        store.drop_if_empty()


class _Rows(Keeper):
    def __init__(
        self, key: str, model_name: str, where: dict[str, Any], forward_replaces: bool
    ) -> None:
        self.key, self.model_name, self.where = key, model_name, where
        self.forward_replaces = forward_replaces

    def keep(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        model = apps.get_model(self.model_name)
        rows = _rows(model, schema_editor).filter(**self.where)
        kept = _keep_whole_rows(_Store(schema_editor), self.key, model, rows)
        if not kept:
            return
        _, deleted = _rows(model, schema_editor).filter(pk__in=kept).delete()
        others = {
            label: count for label, count in deleted.items() if label != model._meta.label and count
        }
        if others:
            raise CannotReverse(
                f"Keeping {len(kept)} rows of {model._meta.db_table} ({self.where}) would delete "
                f"rows that depend on them, which this reverse does not keep: {others}."
            )

    def restore(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        store = _Store(schema_editor)
        if not store.exists():
            return
        model = apps.get_model(self.model_name)
        if self.forward_replaces and store.read(self.key, ROW, model._meta.db_table, ""):
            _rows(model, schema_editor).filter(**self.where).delete()
        _restore_whole_rows(store, self.key, model)
        _check_written(schema_editor, [model])
        store.drop_if_empty()


class _Values(Keeper):
    def __init__(
        self,
        key: str,
        model_name: str,
        field_name: str,
        older: Callable[[Any], Any],
        where: dict[str, Any],
    ) -> None:
        self.key, self.model_name, self.field_name = key, model_name, field_name
        self.older, self.where = older, where

    def keep(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        model = apps.get_model(self.model_name)
        field, pk = _as_field(model._meta.get_field(self.field_name)), _pk(model)
        table = model._meta.db_table
        store = _Store(schema_editor)
        store.refuse_leftovers(self.key, VALUE, table, _column(field))
        changes: dict[Any, tuple[Any, Any]] = {}
        rows = _rows(model, schema_editor).filter(**self.where)
        for row_pk, value in rows.values_list("pk", field.attname):
            stand_in = self.older(value)
            if stand_in != value:
                changes[row_pk] = (value, stand_in)
        store.add(
            (self.key, VALUE, table, _dump(pk, k), _column(field), _dump(field, v), _dump(field, s))
            for k, (v, s) in changes.items()
        )
        try:
            _update_rows(schema_editor, model, {k: {field: s} for k, (_, s) in changes.items()})
        except IntegrityError as error:
            shown = ", ".join(f"{k}: {v!r} -> {s!r}" for k, (v, s) in changes.items())
            raise CannotReverse(
                f"The older schema refuses these values of {table}.{self.field_name} (id: value "
                f"-> stand-in), and the stand-ins break a constraint ({error}): {shown}."
            ) from error

    def restore(self, apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        store = _Store(schema_editor)
        if not store.exists():
            return
        model = apps.get_model(self.model_name)
        field, pk = _as_field(model._meta.get_field(self.field_name)), _pk(model)
        table, column = model._meta.db_table, _column(field)
        kept = {
            _load(pk, row_key): (_load(field, value), _load(field, stand_in))
            for row_key, value, stand_in in store.read(self.key, VALUE, table, column)
        }
        current = dict(
            _rows(model, schema_editor).filter(pk__in=list(kept)).values_list("pk", field.attname)
        )
        # Where an editor changed the stand-in since, the newer value stays.
        back = {
            row_pk: {field: value}
            for row_pk, (value, stand_in) in kept.items()
            if row_pk in current and current[row_pk] == stand_in
        }
        _update_rows(schema_editor, model, back)
        store.remove(self.key, VALUE, table, column)
        _check_written(schema_editor, [model])
        store.drop_if_empty()


# -- rows in and out --------------------------------------------------------------------------


def _as_field(field: Any) -> Field:
    if not isinstance(field, models.Field) or field.column is None:
        raise CannotReverse(f"{field!r} is not a field with a column of its own.")
    return field


def _pk(model: Model) -> Field:
    return _as_field(model._meta.pk)


def _column(field: Field) -> str:
    return str(field.column)


def _rows(model: Model, schema_editor: BaseDatabaseSchemaEditor) -> models.QuerySet:
    return model._base_manager.using(schema_editor.connection.alias).order_by("pk")


def _link_models(model: Model, fields: Iterable[Any]) -> list[Model]:
    """The link tables Django makes for these many-to-many fields of `model`."""
    through = [field.remote_field.through for field in fields]
    return [link for link in through if link._meta.auto_created]


def _fields(model: Model) -> list[Field]:
    if model._meta.parents:
        raise CannotReverse(f"{model._meta.label} inherits from another model: not supported.")
    return [_as_field(field) for field in model._meta.local_concrete_fields]


def _keep_whole_rows(store: _Store, key: str, model: Model, queryset: models.QuerySet) -> list[Any]:
    """Keep the rows of `queryset` whole; their primary keys."""
    table, fields, pk = model._meta.db_table, _fields(model), _pk(model)
    store.refuse_leftovers(key, ROW, table, "")
    kept: list[Any] = []

    def entries() -> Iterator[Entry]:
        for row in queryset.values_list(*[f.attname for f in fields]).iterator(chunk_size=BATCH):
            value = {_column(f): _encode(f, v) for f, v in zip(fields, row, strict=True)}
            kept.append(row[fields.index(pk)])
            yield key, ROW, table, _dump(pk, kept[-1]), "", json.dumps(value), None

    store.add(entries())
    return kept


def _restore_whole_rows(store: _Store, key: str, model: Model) -> None:
    table, fields = model._meta.db_table, _fields(model)
    entries = store.read(key, ROW, table, "")
    if not entries:
        return
    connection = store.connection
    columns = {_column(f) for f in fields}
    rows = []
    for row_key, value, _ in entries:
        kept = json.loads(value or "{}")
        if set(kept) != columns:
            raise CannotReverse(
                f"A row of {table} kept in {KEPT_TABLE} (key {row_key}) has other columns than "
                f"the table: {sorted(set(kept) ^ columns)}. Nothing was restored."
            )
        rows.append([f.get_db_prep_save(_decode(f, kept[_column(f)]), connection) for f in fields])
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(table), ", ".join(quote(_column(f)) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            try:
                cursor.executemany(sql, rows[start : start + BATCH])
            except IntegrityError as error:
                raise CannotReverse(
                    f"Rows of {table} kept in {KEPT_TABLE} could not be put back ({error}). "
                    "Nothing was restored."
                ) from error
    store.remove(key, ROW, table, "")
    _reset_sequence(connection, model)


def _update_rows(
    schema_editor: BaseDatabaseSchemaEditor, model: Model, by_row: Mapping[Any, Mapping[Field, Any]]
) -> None:
    """Write each row's values with one UPDATE (a CHECK sees them all together), grouped by
    the set of columns written."""
    connection = schema_editor.connection
    quote, pk = connection.ops.quote_name, _pk(model)
    groups: dict[tuple[Field, ...], list[list[Any]]] = defaultdict(list)
    for row_pk, values in by_row.items():
        fields = tuple(sorted(values, key=_column))
        params = [f.get_db_prep_save(values[f], connection) for f in fields]
        groups[fields].append([*params, pk.get_db_prep_save(row_pk, connection)])
    with connection.cursor() as cursor:
        for fields, params in groups.items():
            sql = "UPDATE {} SET {} WHERE {} = %s".format(
                quote(model._meta.db_table),
                ", ".join(f"{quote(_column(f))} = %s" for f in fields),
                quote(_column(pk)),
            )
            for start in range(0, len(params), BATCH):
                cursor.executemany(sql, params[start : start + BATCH])


def _check_written(schema_editor: BaseDatabaseSchemaEditor, written: Sequence[Model]) -> None:
    """Foreign keys of what was written, checked now: a broken one names its row here, and on
    PostgreSQL no deferred check is left pending for the schema changes that follow."""
    if written:
        schema_editor.connection.check_constraints(
            table_names=[model._meta.db_table for model in written]
        )


# -- sequences --------------------------------------------------------------------------------


def _has_sequence(model: Model) -> bool:
    return _pk(model).get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")


def _pg_sequence(connection: BaseDatabaseWrapper, model: Model) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, _column(_pk(model))]
        )
        return cursor.fetchone()[0]


def _read_sequence(connection: BaseDatabaseWrapper, model: Model) -> Any:
    """Where the table's id sequence stands, so that ids of deleted rows stay unused."""
    if not _has_sequence(model):
        return None
    if connection.vendor == "postgresql":
        sequence = _pg_sequence(connection, model)
        if sequence is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            return list(cursor.fetchone())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table]
            )
            row = cursor.fetchone()
        return None if row is None else row[0]
    return None


def _write_sequence(connection: BaseDatabaseWrapper, model: Model, value: Any) -> None:
    if connection.vendor == "postgresql":
        sequence = _pg_sequence(connection, model)
        if sequence is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(%s, %s, %s)", [sequence, *value])
    elif connection.vendor == "sqlite":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, value]
            )


def _reset_sequence(connection: BaseDatabaseWrapper, model: Model) -> None:
    """After rows are inserted with their ids, the sequence hands out ids past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# -- values as JSON ---------------------------------------------------------------------------


def _encode(field: Field, value: Any) -> Any:
    """A value read through `field`, as JSON that `_decode` turns back into the same value."""
    if value is None or field.get_internal_type() == "JSONField":
        return value
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(field: Field, data: Any) -> Any:
    if data is None or field.get_internal_type() == "JSONField":
        return data
    return field.to_python(data)


def _dump(field: Field, value: Any) -> str:
    return json.dumps(_encode(field, value))


def _load(field: Field, text: str | None) -> Any:
    return None if text is None else _decode(field, json.loads(text))


# -- the holding table ------------------------------------------------------------------------

# (kept_by, kind, table_name, row_key, column_name, value, stand_in)
Entry = tuple[str, str, str, str, str, str | None, str | None]
_WHERE = "WHERE kept_by = %s AND kind = %s AND table_name = %s AND column_name = %s"


class _Store:
    """`migration_kept`, through the schema editor's connection (so inside the migration's
    transaction). Entries are picked by (kept_by, kind, table_name, column_name)."""

    def __init__(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        self.schema_editor = schema_editor
        self.connection = schema_editor.connection
        self.table = self.connection.ops.quote_name(KEPT_TABLE)

    def exists(self) -> bool:
        with self.connection.cursor() as cursor:
            return KEPT_TABLE in self.connection.introspection.table_names(cursor)

    def add(self, entries: Iterable[Entry]) -> None:
        sql = (
            f"INSERT INTO {self.table} "
            "(kept_by, kind, table_name, row_key, column_name, value, stand_in) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)"
        )
        batch: list[Entry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) == BATCH:
                self._insert(sql, batch)
                batch = []
        if batch:
            self._insert(sql, batch)

    def _insert(self, sql: str, batch: list[Entry]) -> None:
        if not self.exists():
            self.schema_editor.execute(_CREATE.format(table=self.table))
            index = self.connection.ops.quote_name(f"{KEPT_TABLE}_by_table")
            self.schema_editor.execute(_INDEX.format(index=index, table=self.table))
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, batch)

    def read(
        self, key: str, kind: str, table: str, column: str
    ) -> list[tuple[str, str | None, str | None]]:
        """(row_key, value, stand_in) of each entry."""
        if not self.exists():
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT row_key, value, stand_in FROM {self.table} {_WHERE}",
                [key, kind, table, column],
            )
            return list(cursor.fetchall())

    def remove(self, key: str, kind: str, table: str, column: str) -> None:
        if self.exists():
            with self.connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {self.table} {_WHERE}", [key, kind, table, column])

    def refuse_leftovers(self, key: str, kind: str, table: str, column: str) -> None:
        """Entries a previous reverse kept and no forward operation restored would be mixed
        with (or overwritten by) the ones about to be kept: refuse."""
        if not self.exists():
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {self.table} {_WHERE}", [key, kind, table, column]
            )
            (count,) = cursor.fetchone()
        if count:
            where = f"{table}.{column}" if column else table
            raise CannotReverse(
                f"{KEPT_TABLE} still holds {count} {kind} entries of {where} that {key} kept "
                "when it was last reversed and no forward run restored (was it applied with "
                "--fake?). Apply it forward to restore them, or delete those entries, first."
            )

    def drop_if_empty(self) -> None:
        if not self.exists():
            return
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            (count,) = cursor.fetchone()
        if not count:
            self.schema_editor.execute(f"DROP TABLE {self.table}")
