"""Bulk import of instruments and events, with their citations, from a spreadsheet (CSV or
Excel .xlsx): a dry run that reports what would change, row by row, and an all-or-nothing apply.

A plain module rather than django-import-export: a record here spans several rows (one per
citation), its status timeline must be recorded through `instrument_change_status`, and its
citations are keyed by source and quote. django-import-export's resources map one row to one
instance through their own widgets and diff only the columns they export; fitting these rules
into one would mean overriding most of its import path. Here every record goes through the same
steps as the admin and the API: the model's `full_clean()`, then `save()`, status steps through
`instruments.services`, citations through `Citation.full_clean()`. The rules themselves live in
the models and services, never here, so the import follows them as they change.

One row per record, keyed by `slug` (an existing slug updates that record, a new one creates
it). A record with several citations takes one row per citation: its first row carries the
record's columns, the rows after it repeat the slug and fill only the citation columns. A column
left out of the file leaves that field alone; a column present but empty in a record's row
clears the field. An import adds and changes, never deletes: status steps and citations already
recorded that the file does not name are kept.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from instruments.models import Actor, Citation, Event, Instrument, Source, Topic
from instruments.services import instrument_change_status, instrument_sync_status
from instruments.vocabulary import STATUS_SEQUENCE
from jurisdictions.models import Jurisdiction
from policytracker.core.dates import PartialDate, precision_field_name

# Separates the values of a many-valued cell (topics, parties, citation fields, status steps).
SEPARATOR = ";"
READABLE_SUFFIXES = (".csv", ".xlsx")
# Longest quote shown whole in a report.
QUOTE_SHOWN = 100


class RowAction(models.TextChoices):
    """What an import does with a row. Closed list."""

    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    UNCHANGED = "unchanged", "Unchanged"
    ERROR = "error", "Error"


class ImportFileError(ValueError):
    """The file as a whole cannot be read: not CSV or Excel, not UTF-8, an unknown column."""


# -- the report ---------------------------------------------------------------------------------


@dataclass
class Change:
    column: str
    old: str
    new: str


@dataclass
class RowReport:
    """One row of the file: what the import does with it, what it changes and what is wrong."""

    number: int
    slug: str
    action: RowAction = RowAction.UNCHANGED
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(f"{column}: {message}" if column else message)


@dataclass
class ImportReport:
    kind: str
    apply: bool
    rows: list[RowReport] = field(default_factory=list)
    # Problems with the file as a whole (it cannot be read, a column is unknown).
    file_errors: list[str] = field(default_factory=list)
    # True once the import was written; never with an error.
    applied: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    def count(self, action: RowAction) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def summary(self) -> str:
        """The rows by action, in a sentence: "2 to create, 1 to update, 0 unchanged, 1 with
        errors" (in the past tense once applied)."""
        if self.file_errors:
            return "the file could not be read"
        verbs = ("created", "updated") if self.applied else ("to create", "to update")
        return (
            f"{self.count(RowAction.CREATE)} {verbs[0]}, {self.count(RowAction.UPDATE)} "
            f"{verbs[1]}, {self.count(RowAction.UNCHANGED)} unchanged, "
            f"{self.count(RowAction.ERROR)} with errors"
        )


# -- columns ------------------------------------------------------------------------------------


class Column:
    """A column of the file that sets one field of the record."""

    many = False

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def field_names(self) -> tuple[str, ...]:
        """The model fields whose errors belong to this column."""
        return (self.name,)

    def parse(self, text: str, model: type[models.Model]) -> Any:
        """The cell's value; ValueError with a sentence when it cannot be read."""
        return text

    def apply(self, instance: models.Model, value: Any) -> None:
        setattr(instance, self.name, value)

    def show(self, instance: models.Model) -> str:
        value = getattr(instance, self.name)
        return "" if value is None else str(value)


class ChoiceColumn(Column):
    """A vocabulary value, written as its value (`binding_law`) or its label (`Binding law`)."""

    def parse(self, text: str, model: type[models.Model]) -> str:
        if not text:
            return ""
        choices = model._meta.get_field(self.name).choices or []
        for value, label in choices:
            if text.casefold() in (str(value).casefold(), str(label).casefold()):
                return str(value)
        values = ", ".join(str(value) for value, _label in choices)
        raise ValueError(f"“{text}” is not one of {values}.")


class PartialDateColumn(Column):
    """A date at the precision its source states (YYYY, YYYY-MM or YYYY-MM-DD); it sets the
    date and its `<field>_precision`."""

    @property
    def field_names(self) -> tuple[str, ...]:
        return (self.name, precision_field_name(self.name))

    def parse(self, text: str, model: type[models.Model]) -> PartialDate | None:
        return PartialDate.parse(text) if text else None

    def apply(self, instance: models.Model, value: PartialDate | None) -> None:
        setattr(instance, self.name, value.date if value else None)
        setattr(instance, precision_field_name(self.name), value.precision if value else "")

    def show(self, instance: models.Model) -> str:
        value = getattr(instance, self.name)
        precision = getattr(instance, precision_field_name(self.name))
        return PartialDate(value, precision).isoformat() if value and precision else ""


class DateColumn(Column):
    """A full date, YYYY-MM-DD."""

    def parse(self, text: str, model: type[models.Model]) -> datetime.date | None:
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a date of the form YYYY-MM-DD.") from None

    def show(self, instance: models.Model) -> str:
        value = getattr(instance, self.name)
        return value.isoformat() if value else ""


class KeyColumn(Column):
    """A related record by its code or slug (a jurisdiction's code in any case)."""

    def __init__(self, name: str, model: type[models.Model], key: str) -> None:
        super().__init__(name)
        self.model, self.key = model, key

    def find(self, text: str) -> models.Model:
        key = text.upper() if self.model is Jurisdiction else text
        try:
            return self.model._default_manager.get(**{self.key: key})
        except self.model.DoesNotExist:
            raise ValueError(
                f"No {self.model._meta.verbose_name} has the {self.key} “{text}”."
            ) from None

    def parse(self, text: str, model: type[models.Model]) -> models.Model | None:
        return self.find(text) if text else None

    def show(self, instance: models.Model) -> str:
        related = getattr(instance, self.name)
        return getattr(related, self.key) if related else ""


class KeysColumn(KeyColumn):
    """Related records (many to many) by their codes or slugs, separated by `;`: the cell
    lists all of them, so one left out is unlinked."""

    many = True

    def parse(self, text: str, model: type[models.Model]) -> list[models.Model]:
        found, unknown = [], []
        for key in split(text):
            try:
                found.append(self.find(key))
            except ValueError:
                unknown.append(f"“{key}”")
        if unknown:
            noun = self.model._meta.verbose_name_plural if len(unknown) > 1 else None
            raise ValueError(
                f"No {noun or self.model._meta.verbose_name} with the {self.key} "
                f"{', '.join(unknown)}."
            )
        return found

    def apply(self, instance: models.Model, value: list[models.Model]) -> None:
        manager = getattr(instance, self.name)
        if {record.pk for record in value} != set(manager.values_list("pk", flat=True)):
            manager.set(value)

    def show(self, instance: models.Model) -> str:
        if instance.pk is None:
            return ""
        keys = getattr(instance, self.name).values_list(self.key, flat=True)
        return f"{SEPARATOR} ".join(sorted(keys))


def split(text: str) -> list[str]:
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


STATUS_CHANGES = "status_changes"
# Citation columns, each with the Citation field it sets.
CITATION_COLUMNS = {
    "citation_source": "source",
    "citation_quote": "quote",
    "citation_locator": "locator",
    "citation_fields": "fields",
    "citation_note": "note",
}


@dataclass(frozen=True)
class RecordKind:
    """What can be imported for one kind of record: its model, its columns in the order the
    documentation lists them, whether it has a status timeline, and the citation field that
    points at it."""

    name: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    citation_target: str
    timeline: bool = False

    @property
    def column_names(self) -> list[str]:
        names = ["slug", *(column.name for column in self.columns)]
        if self.timeline:
            names.append(STATUS_CHANGES)
        return [*names, *CITATION_COLUMNS]

    @property
    def record_column_names(self) -> set[str]:
        """The columns a record's first row carries (everything but slug and citations)."""
        return set(self.column_names) - {"slug", *CITATION_COLUMNS}

    @property
    def child_models(self) -> list[type[models.Model]]:
        """The other models an import of this kind writes (for permissions)."""
        children: list[type[models.Model]] = [Citation]
        if self.timeline:
            children.append(self.model._meta.get_field(STATUS_CHANGES).related_model)
        return children

    def column_of(self, field_name: str) -> str | None:
        """The file's column for errors on the model field `field_name`, None for errors on
        the record as a whole."""
        if field_name == NON_FIELD_ERRORS:
            return None
        for column in self.columns:
            if field_name in column.field_names:
                return column.name
        return field_name

    def snapshot(self, instance: models.Model | None) -> dict[str, str]:
        """Every column's value for `instance` as the report shows it."""
        if instance is None:
            return {}
        shown = {column.name: column.show(instance) for column in self.columns}
        if self.timeline and instance.pk is not None:
            shown[STATUS_CHANGES] = f"{SEPARATOR} ".join(
                f"{step.when.isoformat()} {step.status}"
                for step in instance.status_changes.chronological()
            )
        return shown


INSTRUMENTS = RecordKind(
    name="instruments",
    model=Instrument,
    columns=(
        Column("title"),
        Column("original_title"),
        Column("short_name"),
        KeyColumn("jurisdiction", Jurisdiction, "code"),
        ChoiceColumn("type"),
        ChoiceColumn("status"),
        PartialDateColumn("introduced_on"),
        PartialDateColumn("adopted_on"),
        PartialDateColumn("effective_on"),
        Column("issuing_body"),
        Column("summary"),
        KeysColumn("topics", Topic, "slug"),
        KeysColumn("parties", Jurisdiction, "code"),
    ),
    citation_target="instrument",
    timeline=True,
)

EVENTS = RecordKind(
    name="events",
    model=Event,
    columns=(
        Column("title"),
        ChoiceColumn("kind"),
        PartialDateColumn("date"),
        DateColumn("reported_on"),
        KeyColumn("host", Jurisdiction, "code"),
        KeysColumn("co_hosts", Jurisdiction, "code"),
        KeysColumn("participants", Jurisdiction, "code"),
        Column("location"),
        Column("summary"),
        KeysColumn("actors", Actor, "slug"),
        KeysColumn("instruments", Instrument, "slug"),
    ),
    citation_target="event",
)

KINDS = {kind.name: kind for kind in (INSTRUMENTS, EVENTS)}


def kind_of_model(model: type[models.Model]) -> RecordKind:
    for kind in KINDS.values():
        if kind.model is model:
            return kind
    raise LookupError(f"{model._meta.label} records cannot be imported")


# -- reading the file ---------------------------------------------------------------------------


@dataclass
class Table:
    columns: list[str]
    # (row number as a spreadsheet shows it, the header being row 1; {column: text}).
    rows: list[tuple[int, dict[str, str]]]


def read_table(data: bytes, filename: str) -> Table:
    """The rows of a CSV (UTF-8, with or without a byte order mark; comma, semicolon or tab
    separated) or .xlsx file (its first sheet), every cell as stripped text. Raises
    ImportFileError."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        lines = _xlsx_lines(data)
    elif suffix == ".csv":
        lines = _csv_lines(data)
    else:
        raise ImportFileError(
            f"“{filename}” is neither a CSV file (.csv) nor an Excel workbook (.xlsx)."
        )
    header = next(lines, None)
    if not header or not any(header):
        raise ImportFileError("The file is empty: its first row must name the columns.")
    columns = [_column_name(name) for name in header]
    rows = []
    for number, cells in enumerate(lines, start=2):
        if not any(cells):
            continue
        row = {}
        for column, text in zip(columns, cells, strict=False):
            if column:
                row[column] = text
        extra = [text for text in cells[len(columns) :] if text]
        if extra or any(text for column, text in zip(columns, cells, strict=False) if not column):
            row[""] = "x"  # a value under no column: reported by `check_columns`
        rows.append((number, row))
    return Table(columns=[column for column in columns if column], rows=rows)


def _column_name(text: str) -> str:
    return text.strip().lower().replace(" ", "_")


def _csv_lines(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text: save it as “CSV UTF-8” (or as an Excel workbook)."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell.strip() for cell in cells]


def _xlsx_lines(data: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportFileError(
            f"The file is not an Excel workbook that can be read ({exc})."
        ) from exc
    try:
        for row in workbook.worksheets[0].iter_rows():
            yield [_cell_text(cell) for cell in row]
    finally:
        workbook.close()


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        # A date a spreadsheet recognised: keep the precision its format shows ("2024-05"
        # typed into Excel becomes 1 May 2024 shown as a month).
        shown = (cell.number_format or "").lower()
        if "d" not in shown:
            return f"{value.year:04d}-{value.month:02d}" if "m" in shown else f"{value.year:04d}"
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_columns(table: Table, kind: RecordKind) -> list[str]:
    """Sentences for columns the file has but the kind does not take, repeated ones, a
    missing `slug`, and cells under no column."""
    known = kind.column_names
    problems = []
    for name in table.columns:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean “{close[0]}”?" if close else ""
            problems.append(f"Unknown column “{name}”.{hint}")
    if problems:
        problems.append(f"The columns for {kind.name} are: {', '.join(known)}.")
    for name in sorted({name for name in table.columns if table.columns.count(name) > 1}):
        problems.append(f"The column “{name}” appears more than once.")
    if "slug" not in table.columns:
        problems.append("The file has no “slug” column: every row needs the record's slug.")
    rows = [str(number) for number, row in table.rows if "" in row]
    if rows:
        problems.append(f"Rows {', '.join(rows)} have values in columns with no name.")
    return problems


# -- importing ----------------------------------------------------------------------------------


def import_file(data: bytes, filename: str, *, kind: str, apply: bool = False) -> ImportReport:
    """Import the spreadsheet `data` (named `filename`, whose suffix says CSV or Excel) as
    records of `kind` ("instruments" or "events"). A dry run (the default) writes nothing; with
    `apply`, everything is written if no row has an error, and nothing otherwise."""
    report = ImportReport(kind=kind, apply=apply)
    try:
        table = read_table(data, filename)
    except ImportFileError as exc:
        report.file_errors.append(str(exc))
        return report
    return import_table(table, kind=kind, apply=apply, reason=f"import of {Path(filename).name}")


def import_table(
    table: Table, *, kind: str, apply: bool = False, reason: str = "import"
) -> ImportReport:
    """Import the rows of `table` (see `import_file`). The whole import runs in one
    transaction, rolled back for a dry run or when any row has an error."""
    record_kind = KINDS[kind]
    report = ImportReport(kind=kind, apply=apply)
    report.file_errors = check_columns(table, record_kind)
    if report.file_errors:
        return report
    importer = _Importer(record_kind, table.columns, reason[:100])
    with transaction.atomic():
        for slug, rows in importer.group(table.rows, report).items():
            importer.import_record(slug, rows)
        report.applied = apply and not report.has_errors
        if not report.applied:
            transaction.set_rollback(True)
    for row in report.rows:
        if row.errors:
            # What the row would have changed is moot: nothing of its record is written.
            row.action, row.changes = RowAction.ERROR, []
    return report


@dataclass
class _CitationRow:
    source: Source
    quote: str
    # The other citation columns the file has: {Citation field: value}.
    values: dict[str, Any]


class _RecordRefused(Exception):
    """A record has an error: its savepoint is rolled back, the import goes on to find more."""


class _Importer:
    def __init__(self, kind: RecordKind, columns: list[str], reason: str) -> None:
        self.kind, self.reason = kind, reason
        self.columns = [column for column in kind.columns if column.name in columns]
        self.has_status_changes = kind.timeline and STATUS_CHANGES in columns
        self.citation_columns = [name for name in CITATION_COLUMNS if name in columns]

    def group(
        self, rows: Iterable[tuple[int, dict[str, str]]], report: ImportReport
    ) -> dict[str, list[tuple[RowReport, dict[str, str]]]]:
        """The rows of each slug, in the order the slugs first appear; each row is added to
        the report in file order."""
        groups: dict[str, list[tuple[RowReport, dict[str, str]]]] = {}
        for number, cells in rows:
            row = RowReport(number=number, slug=cells.get("slug", ""))
            report.rows.append(row)
            if not row.slug:
                row.error(
                    "slug",
                    "Give the record's slug: an existing slug updates that record, a new one "
                    "creates it.",
                )
                continue
            groups.setdefault(row.slug, []).append((row, cells))
        return groups

    def import_record(self, slug: str, rows: list[tuple[RowReport, dict[str, str]]]) -> None:
        first, cells = rows[0]
        for row, repeated in rows[1:]:
            for name in sorted(self.kind.record_column_names & set(repeated)):
                if repeated[name]:
                    row.error(
                        name,
                        f"A repeated row of “{slug}” adds a citation only: write the record's "
                        f"values on its first row (row {first.number}).",
                    )
        values, unreadable = {}, set()
        for column in self.columns:
            try:
                values[column] = column.parse(cells.get(column.name, ""), self.kind.model)
            except ValueError as exc:
                first.error(column.name, str(exc))
                unreadable.update(column.field_names)
        steps = self.parse_steps(first, cells.get(STATUS_CHANGES, ""))
        citations = self.unrepeated(
            slug, [(row, self.parse_citation(row, repeated)) for row, repeated in rows]
        )

        existing = self.kind.model._default_manager.filter(slug=slug).first()
        try:
            with transaction.atomic():
                self.write(first, existing, slug, values, unreadable, steps, citations)
                if any(row.errors for row, _cells in rows):
                    raise _RecordRefused
        except _RecordRefused:
            pass
        except IntegrityError as exc:
            first.error(None, f"The database refused the record: {exc}.")
        failed = [row.number for row, _cells in rows if row.errors]
        for row, _cells in rows:
            if failed and not row.errors:
                numbers = ", ".join(str(number) for number in failed)
                rows_have = f"rows {numbers} have" if len(failed) > 1 else f"row {numbers} has"
                row.error(None, f"Not imported: {rows_have} errors for “{slug}”.")
            elif existing is None:
                row.action = RowAction.CREATE
            elif row.changes:
                row.action = RowAction.UPDATE

    def parse_steps(self, row: RowReport, text: str) -> list[tuple[str, PartialDate, str]]:
        """The `status_changes` cell: "<date> <status>" steps separated by `;`, as
        (status, date, the step as written)."""
        steps = []
        for written in split(text) if self.has_status_changes else []:
            date_text, _space, status_text = written.partition(" ")
            try:
                when = PartialDate.parse(date_text)
                status = ChoiceColumn("status").parse(status_text.strip(), Instrument)
                if not status:
                    raise ValueError("give the status after the date")
            except ValueError as exc:
                row.error(
                    STATUS_CHANGES,
                    f"Step “{written}” is not “<date> <status>” (e.g. “2024-05-21 adopted”): {exc}",
                )
                continue
            steps.append((status, when, written))
        return steps

    def parse_citation(self, row: RowReport, cells: dict[str, str]) -> _CitationRow | None:
        given = {name: cells.get(name, "") for name in self.citation_columns}
        if not any(given.values()):
            return None
        if not given.get("citation_source"):
            row.error("citation_source", "Give the slug of the source the citation quotes.")
            return None
        try:
            source = KeyColumn("citation_source", Source, "slug").find(given["citation_source"])
        except ValueError as exc:
            row.error("citation_source", str(exc))
            return None
        values: dict[str, Any] = {}
        for name in self.citation_columns:
            if name not in ("citation_source", "citation_quote"):
                text = given[name]
                values[CITATION_COLUMNS[name]] = split(text) if name == "citation_fields" else text
        return _CitationRow(source=source, quote=given.get("citation_quote", ""), values=values)

    def unrepeated(
        self, slug: str, citations: list[tuple[RowReport, _CitationRow | None]]
    ) -> list[tuple[RowReport, _CitationRow | None]]:
        """The citations, less those that repeat an earlier row's source and quote for the
        same record (which would be one citation written twice): those rows get an error."""
        seen: dict[tuple[int, str], int] = {}
        kept: list[tuple[RowReport, _CitationRow | None]] = []
        for row, citation in citations:
            key = (citation.source.pk, citation.quote) if citation else None
            if key is not None and key in seen:
                row.error(
                    "citation_quote",
                    f"Row {seen[key]} already gives this quote from “{citation.source.slug}” "
                    f"for “{slug}”: one citation per source and quote.",
                )
                citation = None
            elif key is not None:
                seen[key] = row.number
            kept.append((row, citation))
        return kept

    def write(
        self,
        first: RowReport,
        existing: models.Model | None,
        slug: str,
        values: dict[Column, Any],
        unreadable: set[str],
        steps: list[tuple[str, PartialDate, str]],
        citations: list[tuple[RowReport, _CitationRow | None]],
    ) -> None:
        instance = existing or self.kind.model(slug=slug)
        before = self.kind.snapshot(existing)
        # With a status timeline, the status follows its latest step, as in the admin and the
        # API: the cell is compared with where the timeline leads once its steps are in.
        follows_timeline = bool(steps) or (
            self.kind.timeline and existing is not None and existing.status_changes.exists()
        )
        for column, value in values.items():
            if not column.many and not (follows_timeline and column.name == "status"):
                column.apply(instance, value)
        try:
            instance.full_clean(exclude=unreadable)
        except ValidationError as exc:
            self.add_errors(first, exc, self.kind.column_of)
        if first.errors:
            raise _RecordRefused
        shown = self.kind.snapshot(instance)
        if existing is None or any(
            shown[column.name] != before[column.name] for column in self.columns if not column.many
        ):
            instance._change_reason = self.reason
            instance.save()
        for column, value in values.items():
            if column.many:
                column.apply(instance, value)
        if self.kind.timeline:
            self.write_steps(first, instance, steps)
            if first.errors:
                raise _RecordRefused
            instance.refresh_from_db()
            instrument_sync_status(instrument=instance)
            self.check_status_follows_timeline(first, instance, values, follows_timeline)
            try:
                # The record as the timeline left it (its type against its current status).
                instance.full_clean()
            except ValidationError as exc:
                self.add_errors(first, exc, self.kind.column_of)
        after = self.kind.snapshot(instance)
        first.changes = [
            Change(name, before.get(name, ""), after[name])
            for name in after
            if after[name] != before.get(name, "")
        ]
        for row, citation in citations:
            if citation is not None:
                self.write_citation(row, instance, citation)

    def write_steps(
        self, row: RowReport, instrument: Instrument, steps: list[tuple[str, PartialDate, str]]
    ) -> None:
        recorded = set(instrument.status_changes.values_list("status", "date", "date_precision"))
        # Newest first: the status the timeline leaves current is the final one from the first
        # step on, so a step the file follows with another is never the latest on its own.
        order = sorted(steps, key=lambda step: (step[1].date, STATUS_SEQUENCE.index(step[0])))
        for status, when, written in reversed(order):
            if (status, when.date, when.precision) in recorded:
                continue
            try:
                instrument_change_status(
                    instrument=instrument,
                    status=status,
                    date=when.date,
                    date_precision=when.precision,
                )
            except ValidationError as exc:
                prefix = f"Step “{written}”: "
                self.add_errors(row, exc, lambda _name: STATUS_CHANGES, prefix=prefix)

    def check_status_follows_timeline(
        self,
        row: RowReport,
        instrument: Instrument,
        values: dict[Column, Any],
        follows_timeline: bool,
    ) -> None:
        given = next((value for column, value in values.items() if column.name == "status"), "")
        if follows_timeline and given and given != instrument.status:
            row.error(
                "status",
                f"Follows the latest status change, which leaves it “{instrument.status}”: leave "
                "the cell empty, or add the step that leads to it in status_changes.",
            )

    def write_citation(self, row: RowReport, record: models.Model, given: _CitationRow) -> None:
        target = {self.kind.citation_target: record}
        found = Citation.objects.filter(source=given.source, quote=given.quote, **target).first()
        citation = found or Citation(source=given.source, quote=given.quote, **target)
        old = {name: getattr(found, name) for name in given.values} if found else {}
        for name, value in given.values.items():
            setattr(citation, name, value)
        try:
            citation.full_clean()
        except ValidationError as exc:
            columns = {value: name for name, value in CITATION_COLUMNS.items()}
            self.add_errors(row, exc, lambda name: columns.get(name, "citation"))
            return
        if found is None:
            row.changes.append(Change("citation", "", _citation_label(citation)))
        else:
            changed = [name for name in given.values if old[name] != getattr(citation, name)]
            if not changed:
                return
            columns = {value: name for name, value in CITATION_COLUMNS.items()}
            row.changes.extend(
                Change(columns[name], _shown(old[name]), _shown(getattr(citation, name)))
                for name in changed
            )
        citation._change_reason = self.reason
        citation.save()

    @staticmethod
    def add_errors(row: RowReport, exc: ValidationError, column_of: Any, prefix: str = "") -> None:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                for message in messages:
                    row.error(column_of(name), prefix + message)
        else:
            for message in exc.messages:
                row.error(column_of(NON_FIELD_ERRORS), prefix + message)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return f"{SEPARATOR} ".join(value)
    return str(value)


def _citation_label(citation: Citation) -> str:
    quote = citation.quote
    if len(quote) > QUOTE_SHOWN:
        quote = quote[: QUOTE_SHOWN - 1] + "…"
    fields = f" ({', '.join(citation.fields)})" if citation.fields else ""
    quoted = f": “{quote}”" if quote else ""
    return f"{citation.source.slug}{quoted}{fields}"
