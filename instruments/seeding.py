"""Loading the seed fixtures: all or nothing, idempotent, with errors that name file and record.

`loaddata` is not used because it skips model validation, re-saves unchanged rows (touching
`updated_at` and the change history) and reports errors without saying which record failed.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers import base, python
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import signals

from instruments import timeline_dates
from instruments.citation_marks import marks_suspended
from instruments.models import Instrument, StatusChange
from instruments.querysets import TIMELINE_DATE_FIELDS
from instruments.services import instrument_sync_status
from jurisdictions.models import ApproachAssessment, Jurisdiction
from jurisdictions.services import jurisdiction_sync_approach

# Order matters: each file refers only to records in the files before it.
SEED_FILES = (
    "sources.json",
    "topics.json",
    "jurisdictions.json",
    "instruments.json",
    "actors.json",
    "events.json",
)


class FixtureError(Exception):
    """A fixture cannot be loaded; the message names the file and the record."""


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_model: dict = field(default_factory=dict)

    def count(self, label, outcome):
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.by_model[label] = self.by_model.get(label, 0) + 1


def describe(raw):
    """A short human name for a raw fixture record, for error messages."""
    if not isinstance(raw, dict):
        return f"not an object: {str(raw)[:60]!r}"
    fields = raw.get("fields") if isinstance(raw.get("fields"), dict) else {}
    for key in ("slug", "code"):
        if fields.get(key):
            return f"{raw.get('model', '?')} {fields[key]!r}"
    parts = [f"{k}={v!r}" for k, v in fields.items() if k not in ("quote", "note", "summary")][:3]
    return f"{raw.get('model', '?')} {', '.join(parts)}"[:160]


# How Django words a field it cannot read: "<error>: (<label>:pk=None) field_value was '<value>'".
_FIELD_ERROR = re.compile(r"^(?P<error>.*?): \(\S+:pk=\S+\) field_value was '(?P<value>.*)'$", re.S)
_MISSING = re.compile(r"^(?P<model>\w+) matching query does not exist\.$")


def _error_text(exc):
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    text = str(exc)
    field_error = _FIELD_ERROR.match(text) if isinstance(exc, base.DeserializationError) else None
    if field_error:
        error, value = field_error["error"], field_error["value"]
        missing = _MISSING.match(error)
        if missing:
            return f"refers to a {missing['model']} that does not exist: {value}"
        if error.startswith("['") and error.endswith("']"):
            error = error[2:-2]
        return f"{error} (value: {value})"
    return f"{exc.__class__.__name__}: {text}"


def _timestamp(field):
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


@dataclass(frozen=True)
class TimelineSync:
    """How a parent's current value follows a timeline of child records: which records, which
    fields, and the service that keeps them in step."""

    parent_model: type
    accessor: str  # the parent's related name for its timeline
    parent_field: str  # the timeline record's foreign key to the parent
    derived_fields: tuple  # the parent's fields the service keeps
    sync: Callable  # the service that keeps them: sync(**{parent_field: parent})


TIMELINES = {
    StatusChange: TimelineSync(
        Instrument, "status_changes", "instrument", ("status",), instrument_sync_status
    ),
    ApproachAssessment: TimelineSync(
        Jurisdiction,
        "approach_assessments",
        "jurisdiction",
        ("approach", "approach_summary"),
        jurisdiction_sync_approach,
    ),
}
DERIVED = {timeline.parent_model: timeline for timeline in TIMELINES.values()}


class _Writes:
    """What one seed run wrote: records awaiting their history entry, and parents whose
    timeline it loaded."""

    def __init__(self):
        self.pending = {}  # (model, pk) -> [instance, created, reason], in load order
        self.parents = {}  # (model, pk) -> TimelineSync, for every timeline parent loaded

    def record(self, instance, created, reason):
        self.pending.setdefault((type(instance), instance.pk), [instance, created, reason])

    def sync_parents(self):
        """Bring every loaded parent up to date with its timeline through its service. A
        parent written in this run gets the synced values in its one history entry; one that
        only the sync changed gets an entry of its own."""
        for (model, pk), timeline in self.parents.items():
            entry = self.pending.get((model, pk))
            parent = entry[0] if entry else model._default_manager.get(pk=pk)
            before = [getattr(parent, name) for name in timeline.derived_fields]
            parent.skip_history_when_saving = True
            try:
                timeline.sync(**{timeline.parent_field: parent})
            finally:
                del parent.skip_history_when_saving
            if entry is None and before != [
                getattr(parent, name) for name in timeline.derived_fields
            ]:
                self.record(parent, False, "seed: current value from its timeline")

    def write_history(self):
        # One post_save for each finished record, links and timeline-derived values
        # included, is what makes its history entry. The history is the only post_save
        # receiver on these models; a new receiver must expect this signal after a seed.
        for instance, created, reason in self.pending.values():
            instance._change_reason = reason
            signals.post_save.send(
                sender=type(instance),
                instance=instance,
                created=created,
                update_fields=None,
                raw=False,
                using=instance._state.db,
            )


def _constraint_errors(instance):
    """The ValidationError naming the unique or check constraint `instance` breaks, in the
    model's own words, or None when none of them says why the database refused it."""
    try:
        instance.validate_unique()
        instance.validate_constraints()
    except ValidationError as exc:
        return exc
    return None


def _save(deserialized, reason, writes, stated=None):
    """Create or update one record, writing only when something differs. Returns the outcome
    and the record as saved.

    The row and its many-to-many links are written with history switched off; `writes` makes
    one history entry per record once the whole seed is in, so a seeded record's history reads
    "created" (or "changed") once rather than once per relation or timeline step. Fields that
    follow a timeline (an instrument's status, a jurisdiction's approach) are left to the
    timeline's service on a record that has one."""
    incoming = deserialized.object
    model = type(incoming)
    if incoming.pk is not None:
        # Found by its natural key: validate it as the existing row it is.
        incoming._state.adding = False
    # Fields and `clean()` here; the unique and check constraints, which the database holds
    # too, only when it refuses the row (`_constraint_errors`): checking them first costs a
    # query per constraint and record, most of a seed's time.
    incoming.full_clean(validate_unique=False, validate_constraints=False)
    if incoming.pk is None:
        current, outcome = incoming, "created"
        changed = True
    else:
        current, outcome = model._default_manager.get(pk=incoming.pk), "unchanged"
        derived = DERIVED.get(model)
        kept = ()
        if derived and getattr(current, derived.accessor).exists():
            kept = derived.derived_fields
        changed = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key
            and not _timestamp(f)
            and f.attname not in kept
            and f.attname not in TIMELINE_DATE_FIELDS
            # What the fixture does not state (an archived copy, a citation's unverified
            # mark) is the editors', and stays as they left it.
            and (stated is None or f.name in stated or f.attname in stated)
            and getattr(current, f.attname) != getattr(incoming, f.attname)
        ]
        for name in changed:
            setattr(current, name, getattr(incoming, name))
    current.skip_history_when_saving = True
    try:
        if changed:
            try:
                with transaction.atomic():
                    current.save()
            except IntegrityError as exc:
                errors = _constraint_errors(current)
                if errors is None:
                    raise
                raise errors from exc
        for name, pks in (deserialized.m2m_data or {}).items():
            related = getattr(current, name)
            if set(related.values_list("pk", flat=True)) != set(pks):
                related.set(pks)
                changed = True
    finally:
        del current.skip_history_when_saving
    timeline = TIMELINES.get(model)
    if timeline is not None:
        parent_id = getattr(current, f"{timeline.parent_field}_id")
        writes.parents.setdefault((timeline.parent_model, parent_id), timeline)
    elif model in DERIVED:
        writes.parents.setdefault((model, current.pk), DERIVED[model])
    if not changed:
        return outcome, current
    writes.record(current, outcome == "created", reason)
    return ("created" if outcome == "created" else "updated"), current


class _KnownRecords:
    """The records this seed run has loaded, by model and natural key, so that a later
    record's references to them are read from here rather than looked up one query at a time.
    A reference to anything not loaded in this run is left for the deserializer to find (or
    to report missing, in its own words)."""

    def __init__(self):
        self.by_key = {}

    @staticmethod
    def _key(model, natural_key):
        return (model, json.dumps(list(natural_key), ensure_ascii=False, default=str))

    def add(self, instance):
        natural_key = getattr(instance, "natural_key", None)
        if natural_key is not None:
            self.by_key[self._key(type(instance), natural_key())] = instance

    def _find(self, model, value):
        if not isinstance(value, list):
            return None
        return self.by_key.get(self._key(model, value))

    def resolve(self, raw):
        """`raw` with every reference to a known record given as its primary key, and the
        (field name, record) of each foreign key so resolved."""
        try:
            model = apps.get_model(raw["model"])
        except (LookupError, ValueError, TypeError):
            return raw, []
        fields, related = dict(raw["fields"]), []
        for name, value in raw["fields"].items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_one:
                found = self._find(field.related_model, value)
                if found is not None:
                    fields[name] = found.pk
                    related.append((name, found))
            elif field.many_to_many and isinstance(value, list):
                found = [self._find(field.related_model, item) for item in value]
                if value and None not in found:
                    fields[name] = [record.pk for record in found]
        return {**raw, "fields": fields}, related


def load_fixture(path, report, writes, known):
    path = Path(path)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path.name}: cannot read the file: {exc}") from exc
    if not isinstance(records, list):
        raise FixtureError(f"{path.name}: a fixture is a JSON list of records")
    for number, raw in enumerate(records, start=1):
        where = f"{path.name}, record {number} ({describe(raw)})"
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("fields"), dict)
            or "model" not in raw
        ):
            raise FixtureError(f'{where}: each record needs "model" and a "fields" object')
        if "pk" in raw:
            raise FixtureError(
                f"{where}: fixtures carry no primary keys; the record is found by its natural key"
            )
        try:
            # Each record runs in its own savepoint so that a database error leaves the
            # transaction usable long enough to report it.
            with transaction.atomic():
                resolved, related = known.resolve(raw)
                [deserialized] = list(python.Deserializer([resolved]))
                for name, record in related:
                    setattr(deserialized.object, name, record)
                outcome, saved = _save(
                    deserialized,
                    reason=f"seed from {path.name}",
                    writes=writes,
                    stated=set(raw["fields"]),
                )
                known.add(saved)
        except (
            base.DeserializationError,
            ValidationError,
            ObjectDoesNotExist,
            DatabaseError,
            LookupError,
            ValueError,
            TypeError,
            AttributeError,
        ) as exc:
            raise FixtureError(f"{where}: {_error_text(exc)}") from exc
        report.count(raw["model"], outcome)


def seed(directory, files=SEED_FILES):
    """Load `files` from `directory` in one transaction; on any error nothing is written."""
    report = SeedReport()
    writes = _Writes()
    known = _KnownRecords()
    directory = Path(directory)
    # The seed's values come with their citations: nothing it writes leaves one unverified.
    with transaction.atomic(), marks_suspended(), timeline_dates.deferred():
        for name in files:
            load_fixture(directory / name, report, writes, known)
        try:
            writes.sync_parents()
        except ValidationError as exc:
            raise FixtureError(f"keeping current values in step: {_error_text(exc)}") from exc
        writes.write_history()
    return report
