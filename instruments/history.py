"""The change history of every tracked record, read in one place.

Every record model of both apps keeps a history table: one row per save or delete, holding the
record's fields as they were after it. This module turns those rows into `Change` entries, so
the Atom feed, the API's change feed and the "Edit history" block on record pages all say the
same thing about what happened:

- `changes(since=..., until=..., after=cursor, kinds=..., limit=...)`: every change across the
  tracked models, oldest first, resumable with a cursor;
- `latest_changes(limit=...)`: the newest changes first;
- `record_history(instance, limit=...)`: one record's changes, newest first;
- `record_changes(instance, limit=...)`: those of a record and of what its page shows with it
  (its timeline, citations…), newest first, as record pages list them;
- `changes(within=queryset)` and `latest_changes(within=queryset)`: those of the records a
  list selects and of what their pages show (`belonging_to`), as the lists' feeds and the
  webhooks read them.

Each entry carries its fields' old and new values (`Change.fields`, `FieldChange`).

Each call reads a fixed number of queries whatever the number of entries: one per history
table, one for the previous rows of the "changed" entries of each table (to name the fields
that changed), one per tracked many-to-many field, and one or two per model whose records the
entries refer to (to build parents' keys, titles and pages).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast, overload

from django.db.models import (
    CharField,
    F,
    Field,
    ForeignKey,
    ManyToManyField,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.utils import get_m2m_reverse_field_name

from instruments.models import (
    CITED_RECORDS,
    Actor,
    Event,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Source,
    StatusChange,
    Topic,
)
from instruments.records import KINDS as RECORDS
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction, Membership
from policytracker.core.dates import partial_date, precision_field_name
from policytracker.core.records import RecordKind, ShownOnParentPage, parent_page

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}

# Timestamps every save moves: a change that touched only them changed nothing a reader sees.
_BOOKKEEPING = frozenset({"created_at", "updated_at"})

DEFAULT_LIMIT = 100

# Where a reader of the change feed stopped: (time, kind, history_id) of its last entry.
_Cursor = tuple[datetime.datetime, str, int]
# A history row or a live record, read by field name. simple_history makes its models (a
# tracked model's `history`, the historical model behind it) at run time, without type stubs:
# their rows, and those models, are typed Any.
_Row = Any
# (model, primary key) of a record an entry refers to; None where a row refers to no record.
_Ref = tuple[type[Model], int | None]


# A field's value as the history states it, in JSON's terms: text, number, true/false, null, a
# date or time as ISO 8601 text, another record as its key ("kr-ai-framework-act"), and a
# many-to-many field as the sorted list of its records' keys. Never a primary key.
FieldValue = str | int | bool | None | list[str] | dict[str, Any] | list[Any]


@dataclass(frozen=True)
class FieldChange:
    """One field of one change: its value before and after.

    - `name`: the field's name (the model's; a relation's without `_id`), `label` its human
      name;
    - `old`, `new`: the values (`FieldValue`); `old` is None for a created record;
    - `old_label`, `new_label`: how a reader names them where that differs from the value: a
      vocabulary value's label ("In effect" for "in_effect"), a record's title, a date at its
      precision ("March 2026"); None where the value speaks for itself;
    - `refers_to`: for a relation, the kind of the records its value names by key (so a copy
      can follow a `previous_key`); None for other fields;
    - `text`: whether the field holds running text, which readers compare word by word."""

    name: str
    label: str
    old: FieldValue
    new: FieldValue
    old_label: str | list[str] | None = None
    new_label: str | list[str] | None = None
    refers_to: str | None = None
    text: bool = False

    @property
    def shown_old(self) -> Any:
        return self.old if self.old_label is None else self.old_label

    @property
    def shown_new(self) -> Any:
        return self.new if self.new_label is None else self.new_label


@dataclass(frozen=True)
class Change:
    """One created, changed or deleted record, as one row of its history table records it.

    - `kind`: the record's kind ("instrument", "status_change", …; see `KINDS`);
    - `natural_key`: the record's natural key as it was after the change, a child's built from
      its parent's current key (e.g. ("kr-ai-framework-act", "in_effect", "2026-01-22"));
      `key` is the same joined with "/". Neither ever holds a primary key.
    - `action`: "created", "changed" or "deleted";
    - `time`: when (timezone-aware); `user`: the editor's username, or None when the change was
      not made by a signed-in editor (a seed, a script). Public pages do not show it.
    - `changed_fields`: for "changed", the names of the fields whose value differs from the
      record's previous history row, many-to-many fields included, in the model's field order
      (empty for a save that changed nothing, and for "created" and "deleted");
      `changed_labels` are their human names.
    - `title`: a human name for the record; `url`: the path of the public page that shows it
      (a child's is its parent's page), or None when that page no longer exists or there is
      none.
    - `history_id`: the history row's id, unique within its kind; `(time, kind, history_id)`
      orders entries and is the cursor `changes(after=...)` resumes from.
    - `resource`: `(kind, key)` of the record that shows this one to readers of the API, at its
      current key: the record itself for jurisdictions, topics, instruments, actors, events and
      sources; for the others the record they belong to (a status change's instrument, a
      membership's member, a citation's cited record). None when that record no longer exists.
    - `previous_key`: for a "changed" entry that changed the record's own key (a slug or code
      edited), the key before; None otherwise. A copy kept by key needs it to drop the old one.
    - `fields`: what the change did to each field (`FieldChange`, old and new values): for
      "changed", the `changed_fields`; for "created", every field the record was created with,
      so that a copy can be built from the entries alone; empty for "deleted".
    """

    kind: str
    key: str
    natural_key: tuple[str, ...]
    action: str
    time: datetime.datetime
    user: str | None
    changed_fields: tuple[str, ...]
    changed_labels: tuple[str, ...]
    title: str
    url: str | None
    history_id: int
    resource: tuple[str, str] | None = None
    previous_key: str | None = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def cursor(self) -> _Cursor:
        return (self.time, self.kind, self.history_id)


def format_cursor(cursor: _Cursor) -> str:
    """A cursor `(time, kind, history_id)` as text for a URL, e.g.
    "2025-08-08T10:00:00.000001Z~instrument~42"."""
    time, kind, history_id = cursor
    stamp = time.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{stamp}~{kind}~{history_id}"


def parse_cursor(text: str) -> _Cursor:
    """Read a cursor written by `format_cursor`; raise ValueError on anything else."""
    try:
        stamp, kind, history_id = text.split("~")
        time = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.UTC
        )
        # Digits only, and few enough for a 64-bit column: `int()` would also take "-1", "1_0"
        # and numbers the database cannot compare with.
        if not re.fullmatch(r"[0-9]{1,18}", history_id):
            raise ValueError("bad history id")
        number = int(history_id)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ValueError(f"{text!r} is not a cursor from this change feed") from exc
    if kind not in KINDS:
        raise ValueError(f"{text!r} is not a cursor from this change feed: unknown kind")
    return (time, kind, number)


# Describing records --------------------------------------------------------------------------
#
# The same functions describe a historical row and a live row: both carry the record's fields
# under their attribute names (`instrument_id`, `date`, …), and the record's own id as `id`.


@dataclass(frozen=True)
class _Kind:
    """How the history describes records of one kind of the registry (`instruments.records`)."""

    record: RecordKind
    # (model, pk) of the records its key, title or page are built from (its parents).
    refs: Callable[[_Row], list[_Ref]]
    key: Callable[[_Row, _Names], tuple[str, ...]]  # (row, names) -> tuple of str
    title: Callable[[_Row, _Names], str]  # (row, names) -> str
    page: Callable[[_Row, _Names], str | None]  # (row, names) -> path or None
    # (row, names) -> (kind, current key) of the record the API shows it in, or None.
    resource: Callable[[_Row, _Names], tuple[str, str] | None]

    @property
    def kind(self) -> str:
        return self.record.kind

    @property
    def model(self) -> type[Any]:
        return self.record.model


def _choice(model: type[Model], name: str, value: str) -> str:
    # A field with choices, not a relation.
    field = cast("Field[Any, Any]", model._meta.get_field(name))
    return dict(field.flatchoices).get(value, value)


def _when(row: _Row) -> str:
    return str(partial_date(row.date, row.date_precision))


def _own(model: type[Model]) -> Callable[[_Row], list[_Ref]]:
    """A top-level record refers to itself: its page needs to know whether it still exists."""
    return lambda row: [(model, row.id)]


def _own_page(model: type[Model]) -> Callable[[_Row, _Names], str | None]:
    """The record's own page (`get_absolute_url()`), at its current key, while it exists."""

    def page(row: _Row, names: _Names) -> str | None:
        current, live = names.row(model, row.id)
        return current.get_absolute_url() if live else None

    return page


def _parent_page(model: type[ShownOnParentPage]) -> Callable[[_Row, _Names], str | None]:
    """For a record shown on its parent's page (`ShownOnParentPage`): that page, at the section
    that lists it, as `get_absolute_url()` gives it, read from the history row."""
    field = cast("type[Model]", model)._meta.get_field(model.page_parent)
    attname = cast("ForeignKey[Any, Any]", field).attname
    parent = cast("type[Model]", field.related_model)
    return lambda row, names: parent_page(
        names.page(parent, getattr(row, attname)), model.page_anchor
    )


def _own_resource(
    model: type[Model], field: str
) -> Callable[[_Row, _Names], tuple[str, str] | None]:
    """The record itself, at its current key, while it exists."""

    def resource(row: _Row, names: _Names) -> tuple[str, str] | None:
        current, live = names.row(model, row.id)
        return (_BY_MODEL[model].kind, getattr(current, field)) if live else None

    return resource


def _parent_resource(
    attname: str, model: type[Model]
) -> Callable[[_Row, _Names], tuple[str, str] | None]:
    return lambda row, names: names.resource(model, getattr(row, attname))


def _citation_target(
    row: _Row,
) -> tuple[str, type[Model], int] | tuple[None, None, None]:
    for name, model in CITED_RECORDS.items():
        pk = getattr(row, f"{name}_id")
        if pk is not None:
            return name, model, pk
    return None, None, None


def _citation_refs(row: _Row) -> list[_Ref]:
    _, model, pk = _citation_target(row)
    return [(Source, row.source_id), *([(model, pk)] if model else [])]


def _citation_key(row: _Row, names: _Names) -> tuple[str, ...]:
    name, model, pk = _citation_target(row)
    record_key = names.key(model, pk) if model else ()
    return (*names.key(Source, row.source_id), name or "", *record_key, row.quote)


def _citation_title(row: _Row, names: _Names) -> str:
    _, model, pk = _citation_target(row)
    record = names.title(model, pk) if model else "no record"
    return f"{names.title(Source, row.source_id)} → {record}"


def _citation_page(row: _Row, names: _Names) -> str | None:
    _, model, pk = _citation_target(row)
    return (names.page(model, pk) if model else None) or names.page(Source, row.source_id)


def _citation_resource(row: _Row, names: _Names) -> tuple[str, str] | None:
    _, model, pk = _citation_target(row)
    return names.resource(model, pk) if model else None


_DESCRIBED = [
    _Kind(
        RECORDS["jurisdiction"],
        _own(Jurisdiction),
        lambda row, names: (row.code,),
        lambda row, names: f"{row.name} ({row.code})",
        _own_page(Jurisdiction),
        _own_resource(Jurisdiction, "code"),
    ),
    _Kind(
        RECORDS["membership"],
        lambda row: [(Jurisdiction, row.member_id), (Jurisdiction, row.bloc_id)],
        lambda row, names: (
            *names.key(Jurisdiction, row.member_id),
            *names.key(Jurisdiction, row.bloc_id),
            row.role,
            row.started_on.isoformat(),
        ),
        lambda row, names: (
            f"{names.key(Jurisdiction, row.member_id)[0]} "
            f"{_choice(Membership, 'role', row.role).lower()} of "
            f"{names.key(Jurisdiction, row.bloc_id)[0]} "
            f"({partial_date(row.started_on, row.started_on_precision)}–"
            f"{partial_date(row.ended_on, row.ended_on_precision) or ''})"
        ),
        _parent_page(Membership),
        # The member lists its memberships; the bloc does not list its members.
        _parent_resource("member_id", Jurisdiction),
    ),
    _Kind(
        RECORDS["approach_assessment"],
        lambda row: [(Jurisdiction, row.jurisdiction_id)],
        lambda row, names: (*names.key(Jurisdiction, row.jurisdiction_id), row.date.isoformat()),
        lambda row, names: (
            f"{names.title(Jurisdiction, row.jurisdiction_id)}: "
            f"{_choice(ApproachAssessment, 'approach', row.approach)} ({_when(row)})"
        ),
        _parent_page(ApproachAssessment),
        _parent_resource("jurisdiction_id", Jurisdiction),
    ),
    _Kind(
        RECORDS["coverage_review"],
        lambda row: [(Jurisdiction, row.jurisdiction_id)],
        lambda row, names: (
            *names.key(Jurisdiction, row.jurisdiction_id),
            row.reviewed_on.isoformat(),
        ),
        lambda row, names: (
            f"{names.title(Jurisdiction, row.jurisdiction_id)}: coverage reviewed "
            f"{row.reviewed_on.day} {row.reviewed_on:%B %Y}"
        ),
        _parent_page(CoverageReview),
        _parent_resource("jurisdiction_id", Jurisdiction),
    ),
    _Kind(
        RECORDS["topic"],
        _own(Topic),
        lambda row, names: (row.slug,),
        lambda row, names: row.name,
        # A topic has no page of its own: the instruments that cover it stand for it.
        _own_page(Topic),
        _own_resource(Topic, "slug"),
    ),
    _Kind(
        RECORDS["instrument"],
        _own(Instrument),
        lambda row, names: (row.slug,),
        lambda row, names: row.title,
        _own_page(Instrument),
        _own_resource(Instrument, "slug"),
    ),
    _Kind(
        RECORDS["instrument_identifier"],
        lambda row: [(Instrument, row.instrument_id)],
        lambda row, names: (*names.key(Instrument, row.instrument_id), row.scheme, row.value),
        lambda row, names: (
            f"{names.title(Instrument, row.instrument_id)}: "
            f"{_choice(InstrumentIdentifier, 'scheme', row.scheme)} {row.value}"
        ),
        _parent_page(InstrumentIdentifier),
        _parent_resource("instrument_id", Instrument),
    ),
    _Kind(
        RECORDS["instrument_relation"],
        lambda row: [(Instrument, row.from_instrument_id), (Instrument, row.to_instrument_id)],
        lambda row, names: (
            *names.key(Instrument, row.from_instrument_id),
            *names.key(Instrument, row.to_instrument_id),
            row.kind,
        ),
        lambda row, names: (
            f"{names.title(Instrument, row.from_instrument_id)} "
            f"{_choice(InstrumentRelation, 'kind', row.kind)} "
            f"{names.title(Instrument, row.to_instrument_id)}"
        ),
        _parent_page(InstrumentRelation),
        # The other instrument lists the relation too (as "in"); its slug is in the key.
        _parent_resource("from_instrument_id", Instrument),
    ),
    _Kind(
        RECORDS["status_change"],
        lambda row: [(Instrument, row.instrument_id)],
        lambda row, names: (
            *names.key(Instrument, row.instrument_id),
            row.status,
            row.date.isoformat(),
        ),
        lambda row, names: (
            f"{names.title(Instrument, row.instrument_id)}: "
            f"{_choice(StatusChange, 'status', row.status)} ({_when(row)})"
        ),
        _parent_page(StatusChange),
        _parent_resource("instrument_id", Instrument),
    ),
    _Kind(
        RECORDS["actor"],
        # Actors have no page of their own; their jurisdiction's page lists them. The API has
        # them as records of their own, which needs to know whether the actor still exists.
        lambda row: [(Jurisdiction, row.jurisdiction_id), (Actor, row.id)],
        lambda row, names: (row.slug,),
        lambda row, names: row.name,
        _parent_page(Actor),
        _own_resource(Actor, "slug"),
    ),
    _Kind(
        RECORDS["event"],
        _own(Event),
        lambda row, names: (row.slug,),
        lambda row, names: row.title,
        _own_page(Event),
        _own_resource(Event, "slug"),
    ),
    _Kind(
        RECORDS["source"],
        _own(Source),
        lambda row, names: (row.slug,),
        lambda row, names: row.title,
        _own_page(Source),
        _own_resource(Source, "slug"),
    ),
    _Kind(
        RECORDS["citation"],
        _citation_refs,
        _citation_key,
        _citation_title,
        _citation_page,
        _citation_resource,
    ),
]
_BY_KIND = {spec.kind: spec for spec in _DESCRIBED}
# In the registry's order, which orders kinds changed in the same instant; a kind the registry
# names and the history cannot describe fails here, at import.
_KINDS = [_BY_KIND[kind] for kind in RECORDS.names()]
_BY_MODEL = {spec.model: spec for spec in _KINDS}
KINDS = RECORDS.names()


class _Names:
    """Keys, titles and pages of the records history entries refer to, fetched in bulk: each
    round reads the records still wanted, one query per model (and one more per model for
    those since deleted, from their latest history row), until every parent of every parent is
    known."""

    def __init__(self) -> None:
        self._rows: dict[_Ref, tuple[_Row, bool]] = {}  # (model, pk) -> (row, exists now)
        self._tried: set[_Ref] = set()
        self._pending: set[_Ref] = set()

    def know(self, instance: Model) -> None:
        self._rows[(type(instance), instance.pk)] = (instance, True)
        self._tried.add((type(instance), instance.pk))

    def want(self, refs: Iterable[_Ref]) -> None:
        for model, pk in refs:
            if pk is not None and (model, pk) not in self._tried:
                self._pending.add((model, pk))

    def fetch(self) -> None:
        while self._pending:
            wanted: defaultdict[type[Model], set[int | None]] = defaultdict(set)
            for model, pk in self._pending:
                wanted[model].add(pk)
            self._tried |= self._pending
            self._pending = set()
            fetched: list[tuple[type[Model], _Row]] = []
            for model, pks in wanted.items():
                gone = set(pks)
                for row in model._base_manager.filter(pk__in=pks):
                    self._rows[(model, row.pk)] = (row, True)
                    fetched.append((model, row))
                    gone.discard(row.pk)
                if gone:
                    for row in _latest_history_rows(model, gone):
                        self._rows[(model, row.id)] = (row, False)
                        fetched.append((model, row))
            for model, row in fetched:
                self.want(_BY_MODEL[model].refs(row))

    def row(self, model: type[Model], pk: int | None) -> tuple[_Row, bool]:
        return self._rows.get((model, pk), (None, False))

    def key(self, model: type[Model], pk: int | None) -> tuple[str, ...]:
        row, _ = self.row(model, pk)
        if row is None:
            # Only when a history table was pruned: say so rather than invent a key.
            return (f"unknown-{model._meta.model_name}",)
        return _BY_MODEL[model].key(row, self)

    def title(self, model: type[Model], pk: int | None) -> str:
        row, _ = self.row(model, pk)
        if row is None:
            return f"unknown {model._meta.verbose_name}"
        return _BY_MODEL[model].title(row, self)

    def page(self, model: type[Model], pk: int | None) -> str | None:
        row, _ = self.row(model, pk)
        if row is None:
            return None
        return _BY_MODEL[model].page(row, self)

    def resource(self, model: type[Model], pk: int | None) -> tuple[str, str] | None:
        row, live = self.row(model, pk)
        if not live:
            return None
        return _BY_MODEL[model].resource(row, self)


def _latest_history_rows(model: type[Any], pks: Collection[int | None]) -> QuerySet[Any]:
    """The last history row of each of the records `pks` of `model` (deleted ones: the row
    that records their deletion, holding their last fields)."""
    historical = model.history.model
    latest = (
        historical.objects.filter(id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return historical.objects.filter(id__in=pks, history_id=Subquery(latest))


# Reading history rows ------------------------------------------------------------------------


def _previous_row_id(historical: type[Any]) -> Subquery:
    """The id of the history row before each row of the same record."""
    return Subquery(
        historical.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )


def _m2m_fields(historical: type[Any]) -> list[ManyToManyField]:
    return list(getattr(historical, "_history_m2m_fields", ()))


def _m2m_values(
    historical: type[Any], history_ids: Collection[int]
) -> dict[str, dict[int, set[int]]]:
    """{field name: {history row id: set of related ids}} for the tracked many-to-many fields,
    one query per field."""
    values: dict[str, dict[int, set[int]]] = {}
    if not history_ids:
        return values
    for field in _m2m_fields(historical):
        through_history = getattr(historical, field.name).model
        target = through_history._meta.get_field(get_m2m_reverse_field_name(field)).attname
        links: defaultdict[int, set[int]] = defaultdict(set)
        rows = through_history.objects.filter(history__in=history_ids).values_list(
            "history_id", target
        )
        for history_id, related_id in rows:
            links[history_id].add(related_id)
        values[field.name] = links
    return values


# Fields the history keeps and the public never reads: a source's archived copy is the editors'
# own, for checking quotes against it (neither the pages nor the API show it).
_NOT_PUBLISHED = {"source": frozenset({"archived_text", "archived_file", "archived_on"})}


def _published_fields(spec: _Kind) -> list[Field[Any, Any]]:
    """The fields of `spec`'s history rows a change is told by, in the model's order: every
    tracked field but the primary key, the timestamps and what is not published; then the
    tracked many-to-many fields."""
    historical = spec.model.history.model
    hidden = _NOT_PUBLISHED.get(spec.kind, frozenset())
    fields = [
        field
        for field in historical.tracked_fields
        if not field.primary_key
        and field.name not in _BOOKKEEPING | hidden
        # A relation to a model the history does not describe would have no key to name.
        and (not field.is_relation or field.related_model in _BY_MODEL)
    ]
    fields += [field for field in _m2m_fields(historical) if field.related_model in _BY_MODEL]
    order = {field.name: n for n, field in enumerate(spec.model._meta.get_fields())}
    return sorted(fields, key=lambda field: order.get(field.name, len(order)))


def _value_refs(spec: _Kind, row: _Row, links: Mapping[str, Mapping[int, set[int]]]) -> list[_Ref]:
    """The records `row`'s relations name, for `_Names` to fetch with the rest."""
    refs: list[_Ref] = []
    for field in _published_fields(spec):
        if isinstance(field, ManyToManyField):
            related = field.related_model
            ids = links.get(field.name, {}).get(row.history_id, set())
            refs += [(related, pk) for pk in ids]
        elif field.is_relation:
            refs.append((cast("type[Model]", field.related_model), getattr(row, field.attname)))
    return refs


def _plain(value: Any) -> FieldValue:
    """A stored value in JSON's terms (see `FieldValue`)."""
    if isinstance(value, datetime.date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return cast("FieldValue", value)


def _field_value(
    spec: _Kind,
    field: Field[Any, Any],
    row: _Row,
    links: Mapping[str, Mapping[int, set[int]]],
    names: _Names,
) -> tuple[FieldValue, str | list[str] | None]:
    """(value, label) of one field of one history row (see `FieldChange`)."""
    if isinstance(field, ManyToManyField):
        related = field.related_model
        ids = links.get(field.name, {}).get(row.history_id, set())
        named = sorted(("/".join(names.key(related, pk)), names.title(related, pk)) for pk in ids)
        return [key for key, _ in named], [title for _, title in named]
    if field.is_relation:
        related = cast("type[Model]", field.related_model)
        pk = getattr(row, field.attname)
        if pk is None:
            return None, None
        return "/".join(names.key(related, pk)), names.title(related, pk)
    value = getattr(row, field.attname)
    if field.flatchoices and value not in (None, ""):
        return _plain(value), str(dict(field.flatchoices).get(value, value))
    precision = precision_field_name(field.name)
    if isinstance(value, datetime.date) and hasattr(row, precision):
        return _plain(value), str(partial_date(value, getattr(row, precision)) or value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return _plain(value), f"{value.day} {value:%B %Y}"
    return _plain(value), None


def _is_text(field: Field[Any, Any]) -> bool:
    return isinstance(field, TextField | CharField) and not field.choices


def _field_changes(
    spec: _Kind,
    row: _Row,
    before: _Row | None,
    links: Mapping[str, Mapping[int, set[int]]],
    names: _Names,
) -> tuple[FieldChange, ...]:
    """What `row` did to each field: against `before` (the record's previous history row) for
    a change, every field for a created record (`before` None)."""
    changes: list[FieldChange] = []
    for field in _published_fields(spec):
        new, new_label = _field_value(spec, field, row, links, names)
        old: FieldValue = None
        old_label: str | list[str] | None = None
        if before is not None:
            old, old_label = _field_value(spec, field, before, links, names)
            if old == new:
                continue
        changes.append(
            FieldChange(
                name=field.name,
                label=capfirst(str(spec.model._meta.get_field(field.name).verbose_name)),
                old=old,
                new=new,
                old_label=old_label,
                new_label=new_label,
                refers_to=_BY_MODEL[field.related_model].kind if field.related_model else None,
                text=_is_text(field),
            )
        )
    return tuple(changes)


def _build(
    rows: Sequence[tuple[_Kind, _Row]], previous: Mapping[tuple[str, int], _Row], names: _Names
) -> list[Change]:
    """Turn `rows` (pairs of kind and history row, in the order wanted) into Change entries.

    `previous` maps (kind, history_id) of each "changed" row to the history row before it."""
    m2m: dict[str, dict[str, dict[int, set[int]]]] = {}
    by_kind: defaultdict[str, set[int]] = defaultdict(set)
    for spec, row in rows:
        before = previous.get((spec.kind, row.history_id))
        if _m2m_fields(type(row)) and row.history_type != "-":
            by_kind[spec.kind].add(row.history_id)
            if row.history_type == "~" and before is not None:
                by_kind[spec.kind].add(before.history_id)
    for kind, history_ids in by_kind.items():
        m2m[kind] = _m2m_values(_BY_KIND[kind].model.history.model, history_ids)
    for spec, row in rows:
        names.want(spec.refs(row))
        before = previous.get((spec.kind, row.history_id))
        if row.history_type != "-":
            names.want(_value_refs(spec, row, m2m.get(spec.kind, {})))
        if row.history_type == "~" and before is not None:
            # Its key before the change may name other parents (a step moved to another
            # instrument); they are fetched in the same queries as the rest.
            names.want(spec.refs(before))
            names.want(_value_refs(spec, before, m2m.get(spec.kind, {})))
    names.fetch()

    entries: list[Change] = []
    for spec, row in rows:
        before = previous.get((spec.kind, row.history_id))
        fields: tuple[FieldChange, ...] = ()
        natural_key = tuple(str(part) for part in spec.key(row, names))
        previous_key: str | None = None
        links = m2m.get(spec.kind, {})
        if row.history_type == "+":
            fields = _field_changes(spec, row, None, links, names)
        if row.history_type == "~" and before is not None:
            fields = _field_changes(spec, row, before, links, names)
            key_before = tuple(str(part) for part in spec.key(before, names))
            if key_before != natural_key:
                previous_key = "/".join(key_before)
        entries.append(
            Change(
                kind=spec.kind,
                key="/".join(natural_key),
                natural_key=natural_key,
                action=ACTIONS[row.history_type],
                time=row.history_date,
                user=getattr(row, "username", None),
                changed_fields=tuple(field.name for field in fields)
                if row.history_type == "~"
                else (),
                changed_labels=tuple(field.label for field in fields)
                if row.history_type == "~"
                else (),
                title=spec.title(row, names),
                url=spec.page(row, names),
                history_id=row.history_id,
                resource=spec.resource(row, names),
                previous_key=previous_key,
                fields=fields,
            )
        )
    return entries


@overload
def _aware(value: datetime.datetime) -> datetime.datetime: ...
@overload
def _aware(value: None) -> None: ...
def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, datetime.UTC)
    return value


def _rows_of(
    spec: _Kind,
    *,
    since: datetime.datetime | None,
    until: datetime.datetime | None,
    after: _Cursor | None,
    limit: int,
    newest_first: bool,
    condition: Q | None = None,
) -> list[_Row]:
    historical = spec.model.history.model
    rows = historical.objects.annotate(
        username=F("history_user__username"),
        previous_history_id=_previous_row_id(historical),
    )
    if condition is not None:
        rows = rows.filter(condition)
    if since is not None:
        rows = rows.filter(history_date__gte=since)
    if until is not None:
        rows = rows.filter(history_date__lt=until)
    if after is not None:
        time, kind, history_id = after
        if spec.kind > kind:
            rows = rows.filter(history_date__gte=time)
        elif spec.kind == kind:
            rows = rows.filter(
                Q(history_date__gt=time) | Q(history_date=time, history_id__gt=history_id)
            )
        else:
            rows = rows.filter(history_date__gt=time)
    order = ("-history_date", "-history_id") if newest_first else ("history_date", "history_id")
    return list(rows.order_by(*order)[:limit])


def _select(
    *,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    after: _Cursor | None = None,
    kinds: Collection[str] | None = None,
    within: QuerySet[Any] | None = None,
    limit: int,
    newest_first: bool,
) -> list[Change]:
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if kinds is not None and not set(kinds) <= set(KINDS):
        raise ValueError(f"unknown kinds: {sorted(set(kinds) - set(KINDS))}")
    conditions = belonging_to(within) if within is not None else None
    since, until = _aware(since), _aware(until)
    if after is not None:
        after = (_aware(after[0]), after[1], after[2])
    rows: list[tuple[_Kind, _Row]] = []
    for spec in _KINDS:
        if kinds is not None and spec.kind not in kinds:
            continue
        if conditions is not None and spec.kind not in conditions:
            continue
        for row in _rows_of(
            spec,
            since=since,
            until=until,
            after=after,
            limit=limit,
            newest_first=newest_first,
            condition=conditions[spec.kind] if conditions is not None else None,
        ):
            rows.append((spec, row))
    rows.sort(
        key=lambda pair: (pair[1].history_date, pair[0].kind, pair[1].history_id),
        reverse=newest_first,
    )
    rows = rows[:limit]

    wanted: defaultdict[str, set[int]] = defaultdict(set)
    for spec, row in rows:
        if row.history_type == "~" and row.previous_history_id is not None:
            wanted[spec.kind].add(row.previous_history_id)
    fetched = {
        (kind, before.history_id): before
        for kind, history_ids in wanted.items()
        for before in _BY_KIND[kind].model.history.model.objects.filter(history_id__in=history_ids)
    }
    previous = {
        (spec.kind, row.history_id): fetched[(spec.kind, row.previous_history_id)]
        for spec, row in rows
        if (spec.kind, row.previous_history_id) in fetched
    }
    return _build(rows, previous, _Names())


def changes(
    *,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    after: _Cursor | None = None,
    kinds: Collection[str] | None = None,
    within: QuerySet[Any] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[Change]:
    """Every created, changed and deleted record of every tracked kind, oldest first.

    - `since`: only changes at or after this time; `until`: only those before it (naive
      datetimes are read as UTC);
    - `after`: a cursor `(time, kind, history_id)` (`Change.cursor` of the last entry a client
      has); only the entries after it, so a client resumes exactly where it stopped, even among
      changes made in the same instant;
    - `kinds`: only records of these kinds (values of `KINDS`); the history tables of the
      others are not read;
    - `within`: only the changes to the records of this queryset (of jurisdictions,
      instruments, events or sources: a list's selection, or one record) and to the records
      their pages show with them (`belonging_to`);
    - `limit`: at most this many entries.

    Entries are ordered by `(time, kind, history_id)`, so a cursor from a call with other
    `kinds` still marks the same place."""
    return _select(
        since=since,
        until=until,
        after=after,
        kinds=kinds,
        within=within,
        limit=limit,
        newest_first=False,
    )


def last_change_time() -> datetime.datetime | None:
    """When any tracked record last changed (created, changed or deleted): the newest entry of
    every history table, in one query. None before any change."""
    latest = [
        spec.model.history.model.objects.order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(newest=Max("history_date"))
        .values("newest")
        for spec in _KINDS
    ]
    times = [row["newest"] for row in latest[0].union(*latest[1:], all=True) if row["newest"]]
    return _aware(max(times)) if times else None


def latest_changes(limit: int = 50, *, within: QuerySet[Any] | None = None) -> list[Change]:
    """The `limit` newest changes across every tracked kind (or `within` a selection, as
    `changes` reads it), newest first."""
    return _select(within=within, limit=limit, newest_first=True)


def record_changes(instance: Model, *, limit: int = 50) -> list[Change]:
    """The newest changes to one jurisdiction, instrument, event or source and to what its
    page shows with it (its timeline, citations, identifiers…), newest first."""
    return latest_changes(limit, within=type(instance)._base_manager.filter(pk=instance.pk))


def _ids_of(model: type[Any], **lookups: Any) -> QuerySet[Any]:
    """Ids of every record of `model` whose history rows match `lookups`, deleted ones too."""
    return model.history.model.objects.filter(**lookups).order_by().values("id")


def belonging_to(selection: QuerySet[Any]) -> dict[str, Q]:
    """{kind: condition on that kind's history rows} selecting the changes to the records of
    `selection` and to those their pages show with them:

    - jurisdictions: themselves, their memberships (as the member), approach assessments,
      coverage reviews and actors, and the citations of any of these;
    - instruments: themselves, their identifiers, status changes and relations (either way),
      and the citations of the instrument and of its status changes;
    - events: themselves and their citations;
    - sources: themselves and the citations they give.

    Child records are matched through their history, so a deleted status change, and a
    citation of it, still belongs to its instrument."""
    pks = selection.order_by().values("pk")
    model = selection.model
    if model is Jurisdiction:
        return {
            "jurisdiction": Q(id__in=pks),
            "membership": Q(member_id__in=pks),
            "approach_assessment": Q(jurisdiction_id__in=pks),
            "coverage_review": Q(jurisdiction_id__in=pks),
            "actor": Q(jurisdiction_id__in=pks),
            "citation": Q(jurisdiction_id__in=pks)
            | Q(approach_assessment_id__in=_ids_of(ApproachAssessment, jurisdiction_id__in=pks))
            | Q(coverage_review_id__in=_ids_of(CoverageReview, jurisdiction_id__in=pks))
            | Q(actor_id__in=_ids_of(Actor, jurisdiction_id__in=pks)),
        }
    if model is Instrument:
        return {
            "instrument": Q(id__in=pks),
            "instrument_identifier": Q(instrument_id__in=pks),
            "instrument_relation": Q(from_instrument_id__in=pks) | Q(to_instrument_id__in=pks),
            "status_change": Q(instrument_id__in=pks),
            "citation": Q(instrument_id__in=pks)
            | Q(status_change_id__in=_ids_of(StatusChange, instrument_id__in=pks)),
        }
    if model is Event:
        return {"event": Q(id__in=pks), "citation": Q(event_id__in=pks)}
    if model is Source:
        return {"source": Q(id__in=pks), "citation": Q(source_id__in=pks)}
    raise ValueError(f"no changes are selected by a list of {model._meta.verbose_name_plural}")


def record_history(instance: Model, *, limit: int = 20) -> list[Change]:
    """The changes of one record, newest first, at most `limit` of them, for the "Edit
    history" block (`templates/includes/_history.html`).

    One query for its history rows (one more than shown, so the oldest shown can be compared
    with the row before it); when some of them are changes, one more per tracked many-to-many
    field (an instrument's parties and topics); and for a child record, one per model its
    parents belong to (none for a jurisdiction, instrument, event or source)."""
    spec = _BY_MODEL[type(instance)]
    rows = list(
        # simple_history's `history` manager, added at run time and without type stubs.
        instance.history.annotate(  # type: ignore[attr-defined]
            username=F("history_user__username")
        ).order_by("-history_date", "-history_id")[: limit + 1]
    )
    previous = {
        (spec.kind, row.history_id): before for row, before in zip(rows, rows[1:], strict=False)
    }
    names = _Names()
    names.know(instance)
    return _build([(spec, row) for row in rows[:limit]], previous, names)
