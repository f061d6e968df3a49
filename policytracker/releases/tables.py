"""The tables of a data release: one per kind of record of the data model (in the registry's
order, `instruments.records`), and one per link between records (an instrument's parties and
topics; an event's co-hosts, participants, actors and instruments).

Each table is described once, here, and every file of a release is written from that: the
CSV files and their Table Schema in `datapackage.json`, the SQLite file and Datasette's
metadata. A column's description is its model field's `help_text` and a vocabulary's values
and labels are its field's `choices`, the words the admin and the API schema show; the
columns a table's full-text search reads are its model's `SEARCH_FIELDS`, which the site's
search reads.

Records are named by their natural keys (a code, a slug; a child by its parent's key and its
own fields, as `natural_key()` gives them), never by a database key. What editors keep for
themselves (a source's archived copy) and what an instrument stores of its timeline for speed
(read from the status changes, which are here) are left out.

Rows come in the order of their primary key, compared as code points on either database (so
a release of the same data is the same file on SQLite and PostgreSQL), a chunk at a time, so
memory stays flat whatever the size.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db import connection, models
from django.db.models import F
from django.db.models.functions import Collate

from instruments.models import (
    Actor,
    Citation,
    Event,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Source,
    StatusChange,
    Topic,
)
from instruments.vocabulary import FORCE_OF_TYPE, CitedRecordKind, Force
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction, Membership
from policytracker.core.sqlite_files import SQLiteTable
from policytracker.releases.store import utc_text

CHUNK = 2_000

# Table Schema's type of each kind of model field (a subclass before its parent).
_FIELD_TYPES: tuple[tuple[type[models.Field], str], ...] = (
    (models.DateTimeField, "datetime"),
    (models.DateField, "date"),
    (models.BooleanField, "boolean"),
    (models.JSONField, "array"),
    (models.CharField, "string"),
    (models.TextField, "string"),
)
_SQLITE_TYPES = {
    "string": "TEXT",
    "date": "TEXT",
    "datetime": "TEXT",
    "boolean": "INTEGER",
    "array": "TEXT",
}


@dataclass(frozen=True)
class Column:
    """One column: its name, Table Schema type and description; the lookup its values are read
    with (`derive` turns that value into the column's); the vocabulary it takes, as (value,
    label) pairs; whether every row has a value; and the (table, column) it refers to."""

    name: str
    type: str
    description: str
    lookup: str
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    references: tuple[str, str] | None = None
    derive: Callable[[Any], Any] | None = None

    @property
    def full_description(self) -> str:
        """The description, with each value of its vocabulary and that value's label."""
        if not self.choices:
            return self.description
        values = "; ".join(f"`{value}`: {label}" for value, label in self.choices)
        return f"{self.description} One of {values}."

    def schema(self) -> dict[str, Any]:
        """The column as a field of a Table Schema."""
        described: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.full_description,
        }
        if self.type == "date":
            described["format"] = "%Y-%m-%d"
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.choices:
            constraints["enum"] = [value for value, _ in self.choices]
        if constraints:
            described["constraints"] = constraints
        return described


def _type_of(model_field: models.Field) -> str:
    for kind, name in _FIELD_TYPES:
        if isinstance(model_field, kind):
            return name
    raise TypeError(f"{model_field!r} has no column type in a release")


def _text(value: Any) -> str:
    return str(value).strip()


def own(model: type[models.Model], name: str) -> Column:
    """A column holding the model's own field `name`."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field), name
    assert not model_field.is_relation, name
    kind = _type_of(model_field)
    text = kind == "string"
    return Column(
        name=name,
        type=kind,
        description=_text(model_field.help_text),
        lookup=name,
        choices=tuple((str(value), str(label)) for value, label in model_field.flatchoices),
        # A text field may be empty ("not stated") unless the model requires it.
        required=not model_field.null and not (text and model_field.blank),
    )


def key_of(
    model: type[models.Model], name: str, table: str, key: str, *, column: str = ""
) -> Column:
    """A column naming the record the foreign key `name` points to, by its `key` in `table`."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.ForeignKey), name
    return Column(
        name=column or name,
        type="string",
        description=f"{_text(model_field.help_text)} Its `{key}` in `{table}`.",
        lookup=f"{name}__{key}",
        required=not model_field.null,
        references=(table, key),
    )


@dataclass(frozen=True)
class Table:
    """One table of a release: its rows are `model`'s, in the order of `primary_key`.

    - `kind`: the kind of record (`instruments.records`) a row is; "" for a link table;
    - `facets`: the columns Datasette offers to count rows by;
    - `label_column`: the column that names a row where another table refers to it;
    - `read`: where the rows come from when a lookup per column cannot say it (a citation's
      record, named by its own natural key); by default, `model`'s rows read by lookup.
    """

    name: str
    title: str
    description: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    kind: str = ""
    facets: tuple[str, ...] = ()
    label_column: str = ""
    read: Callable[[Table], Iterator[tuple[Any, ...]]] | None = None
    search: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        searched = getattr(self.model._default_manager.none(), "SEARCH_FIELDS", ())
        names = {column.name for column in self.columns}
        object.__setattr__(self, "search", tuple(name for name in searched if name in names))

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def foreign_keys(self) -> list[tuple[str, str, str]]:
        """(column, table, column there) of each column that refers to another record."""
        return [(column.name, *column.references) for column in self.columns if column.references]

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row, a value per column (Python's: str, date, datetime, bool, list, None)."""
        if self.read is not None:
            yield from self.read(self)
            return
        lookups = [column.lookup for column in self.columns]
        derive = [column.derive for column in self.columns]
        order = [_in_code_point_order(self.column(name)) for name in self.primary_key]
        rows = (
            self.model._default_manager.order_by(*order)
            .values_list(*lookups)
            .iterator(chunk_size=CHUNK)
        )
        for row in rows:
            yield tuple(
                value if change is None or value is None else change(value)
                for value, change in zip(row, derive, strict=True)
            )

    def schema(self) -> dict[str, Any]:
        """The table's Table Schema: fields, primary key, foreign keys, and that an empty cell
        is a value no source states."""
        schema: dict[str, Any] = {
            "fields": [column.schema() for column in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        foreign = [
            {
                "fields": [name],
                # "" is the table itself (a jurisdiction's parent).
                "reference": {"resource": "" if table == self.name else table, "fields": [key]},
            }
            for name, table, key in self.foreign_keys
        ]
        if foreign:
            schema["foreignKeys"] = foreign
        return schema

    def sqlite(self) -> SQLiteTable:
        """The table as the SQLite file holds it, foreign keys declared so that Datasette links
        each to the row it names, and indexed where another table's rows are looked up."""
        columns = [
            (
                column.name,
                _SQLITE_TYPES[column.type] + (" NOT NULL" if column.required else ""),
            )
            for column in self.columns
        ]
        constraints = [f"PRIMARY KEY ({', '.join(f'[{name}]' for name in self.primary_key)})"]
        constraints += [
            f"FOREIGN KEY ([{name}]) REFERENCES [{table}]([{key}])"
            for name, table, key in self.foreign_keys
        ]
        # The primary key's index serves its first column; every other reference gets one.
        indexes = [(name,) for name, _, _ in self.foreign_keys if name != self.primary_key[0]]
        return SQLiteTable(self.name, columns, constraints, indexes, self.search)


def _in_code_point_order(column: Column) -> Any:
    """The ordering of `column`'s lookup: text compared as code points (UTF-8 bytes), the same
    on SQLite and PostgreSQL, whatever the database's collation."""
    if column.type != "string":
        return F(column.lookup)
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    return Collate(F(column.lookup), collation)


def link_table(
    model: type[models.Model],
    name: str,
    title: str,
    *,
    left: tuple[str, str, str],
    right: tuple[str, str, str],
) -> Table:
    """The table of the many-to-many field `name` of `model`: one row per link, naming the two
    records; `left` and `right` are (column, table, key) of `model`'s record and the other."""
    many = model._meta.get_field(name)
    assert isinstance(many, models.ManyToManyField), name
    through = many.remote_field.through
    assert isinstance(through, type)
    assert issubclass(through, models.Model)
    (left_column, left_table, left_key), (right_column, right_table, right_key) = left, right
    noun = model._meta.verbose_name
    columns = (
        Column(
            left_column,
            "string",
            f"The {noun}. Its `{left_key}` in `{left_table}`.",
            f"{many.m2m_field_name()}__{left_key}",
            required=True,
            references=(left_table, left_key),
        ),
        Column(
            right_column,
            "string",
            f"{_text(many.help_text)} Its `{right_key}` in `{right_table}`.",
            f"{many.m2m_reverse_field_name()}__{right_key}",
            required=True,
            references=(right_table, right_key),
        ),
    )
    return Table(
        name=f"{left_table.removesuffix('s')}_{name}",
        title=title,
        description=f"{_text(many.help_text)} One row per {noun} and "
        f"{right_column.replace('_', ' ')}.",
        model=through,
        columns=columns,
        primary_key=(left_column, right_column),
        facets=(right_column,),
    )


def _citation_rows(table: Table) -> Iterator[tuple[Any, ...]]:
    """Citations, each naming the record it backs by kind and natural key (its
    `natural_key()` joined with "/", as the API names it), by source, then record, then quote."""
    citations = (
        Citation.objects.with_records()
        .order_by(_in_code_point_order(table.column("source")), "pk")
        .iterator(chunk_size=CHUNK)
    )
    for _, of_source in groupby(citations, key=lambda citation: citation.source_id):
        rows = []
        for citation in of_source:
            key = "/".join(str(part) for part in citation.record.natural_key())
            rows.append(
                (
                    citation.source.slug,
                    citation.record_kind,
                    key,
                    citation.quote,
                    citation.locator,
                    citation.note,
                    list(citation.fields),
                    citation.checked_on,
                    citation.unverified_since,
                    list(citation.unverified_fields),
                )
            )
        yield from sorted(rows, key=lambda row: (row[1], row[2], row[3]))


def _force(instrument_type: str) -> str:
    return str(FORCE_OF_TYPE[instrument_type])


def _timestamps(model: type[models.Model]) -> tuple[Column, ...]:
    return (own(model, "created_at"), own(model, "updated_at"))


def _dated(model: type[models.Model], name: str) -> tuple[Column, ...]:
    """A date and its precision."""
    return (own(model, name), own(model, f"{name}_precision"))


_JURISDICTION = ("jurisdictions", "code")

TABLES: tuple[Table, ...] = (
    Table(
        name="jurisdictions",
        title="Jurisdictions",
        description="States, their sub-national units, regional blocs and international bodies, "
        "each with its current approach to AI governance (the latest approach assessment's).",
        model=Jurisdiction,
        kind="jurisdiction",
        columns=(
            own(Jurisdiction, "code"),
            own(Jurisdiction, "name"),
            own(Jurisdiction, "local_name"),
            own(Jurisdiction, "kind"),
            own(Jurisdiction, "region"),
            key_of(Jurisdiction, "parent", *_JURISDICTION),
            own(Jurisdiction, "approach"),
            own(Jurisdiction, "approach_summary"),
            *_timestamps(Jurisdiction),
        ),
        primary_key=("code",),
        facets=("kind", "region", "approach"),
        label_column="name",
    ),
    Table(
        name="memberships",
        title="Memberships",
        description="A jurisdiction's place in a bloc or international body, from when to when.",
        model=Membership,
        kind="membership",
        columns=(
            key_of(Membership, "member", *_JURISDICTION),
            key_of(Membership, "bloc", *_JURISDICTION),
            own(Membership, "role"),
            *_dated(Membership, "started_on"),
            *_dated(Membership, "ended_on"),
        ),
        primary_key=("member", "bloc", "role", "started_on"),
        facets=("bloc", "role"),
    ),
    Table(
        name="approach_assessments",
        title="Approach assessments",
        description="Each jurisdiction's approach timeline: one dated, cited step per "
        "assessment; the latest is its approach today.",
        model=ApproachAssessment,
        kind="approach_assessment",
        columns=(
            key_of(ApproachAssessment, "jurisdiction", *_JURISDICTION),
            *_dated(ApproachAssessment, "date"),
            own(ApproachAssessment, "approach"),
            own(ApproachAssessment, "summary"),
            *_dated(ApproachAssessment, "assessed_on"),
            *_dated(ApproachAssessment, "holds_from"),
            own(ApproachAssessment, "note"),
        ),
        primary_key=("jurisdiction", "date"),
        facets=("approach",),
    ),
    Table(
        name="coverage_reviews",
        title="Coverage reviews",
        description="Dated reviews of how completely the tracker covers a jurisdiction: the "
        "kinds of source checked and, per category, what was found.",
        model=CoverageReview,
        kind="coverage_review",
        columns=(
            key_of(CoverageReview, "jurisdiction", *_JURISDICTION),
            own(CoverageReview, "reviewed_on"),
            own(CoverageReview, "checked_legislature"),
            own(CoverageReview, "checked_government"),
            own(CoverageReview, "checked_tracker"),
            *(
                own(CoverageReview, name)
                for category in (
                    "law_in_force",
                    "law_adopted",
                    "bills",
                    "strategy",
                    "voluntary",
                    "sector_rules",
                    "international",
                )
                for name in (category, f"{category}_note")
            ),
            own(CoverageReview, "note"),
            *_timestamps(CoverageReview),
        ),
        primary_key=("jurisdiction", "reviewed_on"),
    ),
    Table(
        name="topics",
        title="Topics",
        description="The obligations and themes instruments are filed under.",
        model=Topic,
        kind="topic",
        columns=(
            own(Topic, "slug"),
            own(Topic, "name"),
            own(Topic, "description"),
            *_timestamps(Topic),
        ),
        primary_key=("slug",),
        label_column="name",
    ),
    Table(
        name="instruments",
        title="Instruments",
        description="Laws, voluntary frameworks, draft bills, declarations and government "
        "policies that govern AI.",
        model=Instrument,
        kind="instrument",
        columns=(
            own(Instrument, "slug"),
            own(Instrument, "title"),
            own(Instrument, "original_title"),
            own(Instrument, "short_name"),
            key_of(Instrument, "jurisdiction", *_JURISDICTION),
            own(Instrument, "type"),
            Column(
                "force",
                "string",
                "Its legal force, derived from `type` (never stored): a binding law binds, a "
                "draft bill binds only if enacted, the rest are voluntary.",
                "type",
                choices=tuple((str(value), str(label)) for value, label in Force.choices),
                required=True,
                derive=_force,
            ),
            own(Instrument, "status"),
            *_dated(Instrument, "introduced_on"),
            *_dated(Instrument, "adopted_on"),
            *_dated(Instrument, "effective_on"),
            own(Instrument, "issuing_body"),
            own(Instrument, "summary"),
            *_timestamps(Instrument),
        ),
        primary_key=("slug",),
        facets=("type", "force", "status", "jurisdiction"),
        label_column="title",
    ),
    Table(
        name="instrument_identifiers",
        title="Instrument identifiers",
        description="Official identifiers of instruments (ELI, CELEX, law and bill numbers).",
        model=InstrumentIdentifier,
        kind="instrument_identifier",
        columns=(
            key_of(InstrumentIdentifier, "instrument", "instruments", "slug"),
            own(InstrumentIdentifier, "scheme"),
            own(InstrumentIdentifier, "value"),
        ),
        primary_key=("scheme", "value"),
        facets=("scheme",),
    ),
    Table(
        name="instrument_relations",
        title="Instrument relations",
        description="How one instrument relates to another, read “from_instrument kind "
        "to_instrument” (the Omnibus amends the Act).",
        model=InstrumentRelation,
        kind="instrument_relation",
        columns=(
            key_of(InstrumentRelation, "from_instrument", "instruments", "slug"),
            key_of(InstrumentRelation, "to_instrument", "instruments", "slug"),
            own(InstrumentRelation, "kind"),
        ),
        primary_key=("from_instrument", "to_instrument", "kind"),
        facets=("kind",),
    ),
    Table(
        name="status_changes",
        title="Status changes",
        description="Each instrument's status timeline: one dated, cited step per change; "
        "an instrument's status is its latest step's.",
        model=StatusChange,
        kind="status_change",
        columns=(
            key_of(StatusChange, "instrument", "instruments", "slug"),
            own(StatusChange, "status"),
            *_dated(StatusChange, "date"),
            own(StatusChange, "reversal"),
            own(StatusChange, "note"),
        ),
        primary_key=("instrument", "status", "date"),
        facets=("status", "reversal"),
    ),
    link_table(
        Instrument,
        "parties",
        "Instrument parties",
        left=("instrument", "instruments", "slug"),
        right=("party", *_JURISDICTION),
    ),
    link_table(
        Instrument,
        "topics",
        "Instrument topics",
        left=("instrument", "instruments", "slug"),
        right=("topic", "topics", "slug"),
    ),
    Table(
        name="actors",
        title="Actors",
        description="People and organisations that act in events.",
        model=Actor,
        kind="actor",
        columns=(
            own(Actor, "slug"),
            own(Actor, "name"),
            own(Actor, "kind"),
            own(Actor, "role"),
            key_of(Actor, "jurisdiction", *_JURISDICTION),
            *_timestamps(Actor),
        ),
        primary_key=("slug",),
        facets=("kind", "jurisdiction"),
        label_column="name",
    ),
    Table(
        name="events",
        title="Events",
        description="Summits, conferences, statements, proposals, proposed bans and other "
        "events around AI governance.",
        model=Event,
        kind="event",
        columns=(
            own(Event, "slug"),
            own(Event, "title"),
            own(Event, "kind"),
            *_dated(Event, "date"),
            own(Event, "reported_on"),
            own(Event, "location"),
            key_of(Event, "host", *_JURISDICTION),
            own(Event, "summary"),
            *_timestamps(Event),
        ),
        primary_key=("slug",),
        facets=("kind", "host"),
        label_column="title",
    ),
    link_table(
        Event,
        "co_hosts",
        "Event co-hosts",
        left=("event", "events", "slug"),
        right=("co_host", *_JURISDICTION),
    ),
    link_table(
        Event,
        "participants",
        "Event participants",
        left=("event", "events", "slug"),
        right=("participant", *_JURISDICTION),
    ),
    link_table(
        Event,
        "actors",
        "Event actors",
        left=("event", "events", "slug"),
        right=("actor", "actors", "slug"),
    ),
    link_table(
        Event,
        "instruments",
        "Event instruments",
        left=("event", "events", "slug"),
        right=("instrument", "instruments", "slug"),
    ),
    Table(
        name="sources",
        title="Sources",
        description="The articles, official documents and reference pages the tracker cites.",
        model=Source,
        kind="source",
        columns=(
            own(Source, "slug"),
            own(Source, "title"),
            own(Source, "author"),
            own(Source, "publisher"),
            own(Source, "url"),
            own(Source, "published_on"),
            own(Source, "kind"),
            *_timestamps(Source),
        ),
        primary_key=("slug",),
        facets=("kind", "publisher"),
        label_column="title",
    ),
    Table(
        name="citations",
        title="Citations",
        description="Quotes that back fields of one record each: the source, the quote copied "
        "character for character, where in the source, and the fields it backs.",
        model=Citation,
        kind="citation",
        columns=(
            key_of(Citation, "source", "sources", "slug"),
            Column(
                "record_kind",
                "string",
                "The kind of record the quote backs.",
                "",
                choices=tuple((str(value), str(label)) for value, label in CitedRecordKind.choices),
                required=True,
            ),
            Column(
                "record_key",
                "string",
                "That record's key: a jurisdiction's `code`; an instrument's, event's or "
                "actor's `slug`; a status change's `instrument/status/date`, an approach "
                "assessment's `jurisdiction/date`, a coverage review's "
                "`jurisdiction/reviewed_on` (dates as YYYY-MM-DD).",
                "",
                required=True,
            ),
            own(Citation, "quote"),
            own(Citation, "locator"),
            own(Citation, "note"),
            own(Citation, "fields"),
            own(Citation, "checked_on"),
            own(Citation, "unverified_since"),
            own(Citation, "unverified_fields"),
        ),
        primary_key=("source", "record_kind", "record_key", "quote"),
        facets=("record_kind", "source"),
        read=_citation_rows,
    ),
)

BY_NAME = {table.name: table for table in TABLES}


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: empty for none, `true`/`false`, ISO 8601 dates and times (UTC,
    `Z`), a list as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(sqlite_value(value))


def sqlite_value(value: Any) -> Any:
    """A value as the SQLite file holds it: NULL, 0/1, ISO 8601 text, a list as JSON text."""
    if value is None or isinstance(value, bool | int):
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, datetime.datetime):
        return utc_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
