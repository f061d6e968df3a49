"""What the tracker said on a day (`known_at`): a record rebuilt from the history tables as the
tracker stated it at the end of that day (UTC), with everything its page and its API address
show: its own fields, its timeline and citations, the records it names, as they then stood.

`as_of` asks what was legally true on a day, by what the tracker knows today. `known_at` asks
what the tracker said, whatever it has learned since. The two combine: the status an instrument
had on the `as_of` day by the timeline recorded at the end of the `known_at` day.

Every record model keeps a history table (django-simple-history): one row per save or delete
holding the record's fields after it, and for an instrument's and an event's many-to-many
fields the links as they were. A `Snapshot` reads, for each record, its latest history row
dated before the end of the day, unless that row records a deletion, and builds model instances
from those rows alone: the related managers' prefetch caches and the foreign keys' caches are
filled with other rebuilt instances, so the pages' templates and the API's serializers read
them as they read a live record, without a query and without today's values. A record a
foreign key then named but whose own history has no row at that moment (a pruned table) is
read from its nearest history row; a many-to-many link to a record that no longer existed then
is left out, as the page then left it out (deleting a record deletes the links to it without a
history row of the records it was linked from).

- `read_known_at(raw)`: the day a `known_at` parameter names, or `BadParameters` naming it (a
  malformed value, a day before the tracker's first history, a day not yet begun);
- `instrument_then`, `jurisdiction_then`, `event_then`, `source_then`: a record as it then
  stood (`Then.record`, None when it was not in the tracker that day) and the record as it is
  now (`Then.current`, None when it is gone), each in a fixed number of queries whatever the
  record's size;
- `jurisdiction_instruments_then`, `jurisdiction_events_then`,
  `jurisdiction_subdivisions_then`: what a jurisdiction's page lists besides the record itself;
- `status_on`: an instrument's status on a day by a timeline (as `InstrumentQuerySet.as_of`
  reads it), and `approach_on` a jurisdiction's approach;
- `record_versions(instance)`: the days on which a record, or a row its page shows with it,
  changed; `known_at_url(instance, day)` the address of the record as published on a day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django import forms
from django.db.models import (
    Case,
    Count,
    F,
    ManyToManyField,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django.utils.http import urlencode
from simple_history.utils import get_m2m_reverse_field_name

from instruments.models import (
    CITED_RECORDS,
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
from instruments.records import KINDS
from instruments.vocabulary import (
    FORCE_OF_TYPE,
    STATUS_SEQUENCE,
    CitedRecordKind,
    Force,
    InstrumentStatus,
    InstrumentType,
)
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction, Membership
from jurisdictions.vocabulary import Approach
from policytracker.core.dates import PARTIAL_PRECISIONS, DatePrecision, PartialDate, partial_date
from policytracker.core.filters import DATE_MESSAGE, IsoDateField
from policytracker.core.params import BadParameters

PARAMETER = "known_at"
AS_OF = "as_of"

_M = TypeVar("_M", bound=Model)
# A history row: simple_history builds its models at run time, without type stubs.
_Row = Any

# How many of a long list a jurisdiction's page shows (its instruments of one legal force, a
# sub-national jurisdiction's, its events), as the page of the current record does.
SHOWN = 25

_OWN_DATES = ("introduced_on", "adopted_on", "effective_on")
_STATUS_RANK: dict[str, int] = {status: rank for rank, status in enumerate(STATUS_SEQUENCE)}


def long_date(day: datetime.date) -> str:
    """ "3 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` ends, in UTC: the history `known_at=day` reads is what was
    written before it."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min).replace(
        tzinfo=datetime.UTC
    )


def today() -> datetime.date:
    """Today in UTC, the calendar `known_at` days are counted in."""
    return timezone.now().astimezone(datetime.UTC).date()


def first_history_day() -> datetime.date | None:
    """The day (UTC) of the oldest row of any record's history, in one query; None before any."""
    oldest = [
        _historical(kind.model)
        .objects.order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(oldest=Min("history_date"))
        .values("oldest")
        for kind in KINDS
    ]
    times = [row["oldest"] for row in oldest[0].union(*oldest[1:], all=True) if row["oldest"]]
    if not times:
        return None
    first = min(times)
    if timezone.is_naive(first):
        first = timezone.make_aware(first, datetime.UTC)
    return first.astimezone(datetime.UTC).date()


def read_day(raw: str | None, name: str) -> datetime.date | None:
    """The day a query parameter `name` gives as YYYY-MM-DD, None when it is missing or empty
    (as if not given), or `BadParameters` naming it, in the words `as_of` uses."""
    if raw is None or not raw.strip():
        return None
    reader = IsoDateField(input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_MESSAGE})
    try:
        return cast(datetime.date, reader.clean(raw.strip()))
    except forms.ValidationError:
        raise BadParameters({name: [DATE_MESSAGE]}) from None


def read_known_at(raw: str | None) -> datetime.date | None:
    """The day `known_at` names (YYYY-MM-DD), None when it is missing or empty, or
    `BadParameters` naming `known_at`: a malformed day, a day before the tracker's first
    history (it said nothing then) and a day after today (not yet said) are refused."""
    day = read_day(raw, PARAMETER)
    if day is None:
        return None
    now = today()
    if day > now:
        raise BadParameters(
            {
                PARAMETER: [
                    f"{day.isoformat()} is in the future: the tracker can show what it stated "
                    f"up to today ({now.isoformat()}), not what it will state."
                ]
            }
        )
    first = first_history_day()
    if first is None:
        raise BadParameters({PARAMETER: ["The tracker has no history yet: leave it out."]})
    if day < first:
        raise BadParameters(
            {
                PARAMETER: [
                    f"The tracker's history begins on {long_date(first)} "
                    f"({first.isoformat()}): give that day or a later one."
                ]
            }
        )
    return day


def known_at_url(instance: Model, day: datetime.date | datetime.datetime) -> str | None:
    """The address of `instance`'s page as the tracker published it at the end of `day` (a
    date, or a moment, read as its UTC day): `/instruments/<slug>/?known_at=YYYY-MM-DD`. None
    for a record with no page of its own."""
    if isinstance(day, datetime.datetime):
        if timezone.is_naive(day):
            day = timezone.make_aware(day, datetime.UTC)
        day = day.astimezone(datetime.UTC).date()
    page = cast(Callable[[], str | None] | None, getattr(instance, "get_absolute_url", None))
    url = page() if page is not None else None
    if not url or "#" in url or "?" in url:
        return None
    return f"{url}?{urlencode({PARAMETER: day.isoformat()})}"


# Reading the history as it stood -------------------------------------------------------------


def _historical(model: type[Model]) -> Any:
    return model.history.model  # type: ignore[attr-defined]


def set_prefetched(instance: Model, name: str, objects: Iterable[Model]) -> None:
    """Fill the prefetch cache of `instance`'s to-many relation `name` with `objects`, in that
    order, as `prefetch_related` does: `instance.<name>.all()` then reads them without a query."""
    manager = getattr(instance, name)
    cache_name = getattr(manager, "prefetch_cache_name", None)
    if cache_name is None:  # a reverse foreign key
        cache_name = manager.field.remote_field.cache_name
    # Empty rather than today's rows if anything ever asked this queryset again.
    queryset = manager.model._default_manager.none()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    caches = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    caches[cache_name] = queryset


def annotate(instance: Model, **values: Any) -> None:
    """Set values a queryset would have annotated (`as_of_status`, `binds_by_law`…)."""
    for name, value in values.items():
        setattr(instance, name, value)


def _set_related(instance: Model, name: str, related: Model | None) -> None:
    """Fill the cache of `instance`'s foreign key `name` (its key stays as history gave it)."""
    instance._meta.get_field(name).set_cached_value(instance, related)  # type: ignore[union-attr]


class Snapshot:
    """The history tables as they stood at `moment`: for each record, its latest history row
    written before then, unless that row records its deletion.

    Records are built once per model and key and kept, so that every place a record appears
    holds the same instance. `last_modified` is the newest history date of the rows built: when
    what was read last changed."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment
        self.last_modified: datetime.datetime | None = None
        self._built: dict[tuple[type[Model], int], Model] = {}
        self._history_ids: dict[tuple[type[Model], int], int] = {}

    def rows(self, model: type[Model]) -> QuerySet[Any]:
        """The history rows of `model` current at the moment (one per record that existed
        then), to filter and order as any queryset."""
        historical = _historical(model)
        latest = (
            historical.objects.filter(id=OuterRef("id"), history_date__lt=self.moment)
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        return (
            historical.objects.filter(history_date__lt=self.moment, history_id=Subquery(latest))
            .exclude(history_type="-")
            .order_by()
        )

    def build(self, model: type[_M], rows: Iterable[_Row], *, then: bool = True) -> list[_M]:
        """Instances of `model` from its history `rows`, in their order (`then`: rows current
        at the moment, which date what was read)."""
        built = []
        for row in rows:
            key = (model, row.id)
            instance = self._built.get(key)
            if instance is None:
                instance = _instance(model, row)
                self._built[key] = instance
                self._history_ids[key] = row.history_id
                later = self.last_modified is None or row.history_date > self.last_modified
                if then and later:
                    self.last_modified = row.history_date
            built.append(instance)
        return cast(list[_M], built)

    def fetch(
        self, model: type[_M], *conditions: Q, order_by: Sequence[Any] = ("id",), **filters: Any
    ) -> list[_M]:
        """The records of `model` that matched `conditions` and `filters` then, in `order_by`
        (their fields as history names them: `instrument_id`, `title`…). One query."""
        rows = self.rows(model).filter(*conditions, **filters).order_by(*order_by)
        return self.build(model, rows)

    def get_many(self, model: type[_M], pks: Iterable[int | None]) -> dict[int, _M]:
        """{pk: record} for the records `pks` names, as they then stood: one query for those not
        built yet. One that has no row then (a foreign key to it outliving a pruned history) is
        read from its nearest history row, else, with no history at all, from its table."""
        wanted = {pk for pk in pks if pk is not None}
        missing = {pk for pk in wanted if (model, pk) not in self._built}
        if missing:
            self.fetch(model, id__in=sorted(missing))
            missing = {pk for pk in missing if (model, pk) not in self._built}
        if missing:
            self._nearest(model, missing)
        return {
            pk: cast(_M, self._built[(model, pk)]) for pk in wanted if (model, pk) in self._built
        }

    def _nearest(self, model: type[Model], pks: Collection[int]) -> None:
        """Build the records `pks` from their latest row before the moment (a deletion's
        included), else their first row after it, else their live row."""
        historical = _historical(model)
        before = (
            historical.objects.filter(id=OuterRef("id"), history_date__lt=self.moment)
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        after = (
            historical.objects.filter(id=OuterRef("id"))
            .order_by("history_date", "history_id")
            .values("history_id")[:1]
        )
        rows = list(historical.objects.filter(id__in=pks, history_id=Subquery(before)))
        found = {row.id for row in rows}
        rows += list(historical.objects.filter(id__in=set(pks) - found, history_id=Subquery(after)))
        self.build(model, rows, then=False)
        for instance in model._base_manager.filter(pk__in=set(pks) - {row.id for row in rows}):
            self._built[(model, instance.pk)] = instance

    def links(
        self, model: type[Model], name: str, instances: Iterable[Model]
    ) -> dict[int, set[int]]:
        """{pk: keys of the related records} of the many-to-many field `name` of `instances`
        (built by this snapshot), as their history rows hold it. One query."""
        field = cast("ManyToManyField[Any, Any]", model._meta.get_field(name))
        through = getattr(_historical(model), name).model
        target = through._meta.get_field(get_m2m_reverse_field_name(field)).attname
        by_history = {
            self._history_ids[(model, instance.pk)]: instance.pk
            for instance in instances
            if (model, instance.pk) in self._history_ids
        }
        found: dict[int, set[int]] = {pk: set() for pk in by_history.values()}
        if by_history:
            rows = through.objects.filter(history_id__in=sorted(by_history)).values_list(
                "history_id", target
            )
            for history_id, related in rows:
                found[by_history[history_id]].add(related)
        return found

    def linking(self, model: type[Model], name: str, pk: int) -> QuerySet[Any]:
        """The history rows of `model` current then whose many-to-many field `name` held the
        record `pk` (the events that named an instrument, the instruments a jurisdiction was
        a party to)."""
        field = cast("ManyToManyField[Any, Any]", model._meta.get_field(name))
        through = getattr(_historical(model), name).model
        target = through._meta.get_field(get_m2m_reverse_field_name(field)).attname
        return self.rows(model).filter(
            history_id__in=through.objects.filter(**{target: pk}).values("history_id")
        )


def _instance(model: type[_M], row: _Row) -> _M:
    """A `model` instance holding the fields of the history `row`, as if read from the table."""
    stored = row.__dict__
    values = {
        field.attname: stored[field.attname]
        if field.attname in stored
        else getattr(row, field.attname)
        for field in row.tracked_fields
    }
    instance = model(**values)
    instance._state.adding = False
    instance._state.db = row._state.db
    return instance


# What a record's page and API address then showed ---------------------------------------------


@dataclass
class Then:
    """A record as the tracker stated it at the end of `day`.

    - `record`: the rebuilt instance, None when the tracker did not hold it then (not created
      yet, or deleted by then); `current`: the record as it is now, None when it is gone;
    - `as_of`: the day the status or approach was read on, when asked (else None);
    - `snapshot`: the history read, for more of what the page shows;
    - `extras`: what a rebuild found besides the record (`status_on`, `approach_on`, a
      source's `citations`)."""

    day: datetime.date
    record: Model | None
    current: Model | None
    snapshot: Snapshot
    as_of: datetime.date | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def moment(self) -> datetime.datetime:
        return self.snapshot.moment

    @property
    def last_modified(self) -> datetime.datetime | None:
        return self.snapshot.last_modified

    @property
    def current_url(self) -> str | None:
        if self.current is None:
            return None
        url: str | None = self.current.get_absolute_url()  # type: ignore[attr-defined]
        return url


def _find(model: type[Model], lookup: str, key: str, day: datetime.date) -> Then:
    """The record whose `lookup` (slug or code) was `key` at the end of `day`, or, if none had
    it then, the record that has it now as it then stood; and the record as it is now. Two
    queries, three when the key has since moved to another record."""
    snapshot = Snapshot(end_of(day))
    live = model._default_manager.filter(**{lookup: key}).first()
    row = snapshot.rows(model).filter(**{lookup: key}).first()
    if row is None and live is not None:
        row = snapshot.rows(model).filter(id=live.pk).first()
    if row is None:
        return Then(day, None, live, snapshot)
    current = live
    if live is None or live.pk != row.id:
        current = model._default_manager.filter(pk=row.id).first()
    record = snapshot.build(model, [row])[0]
    return Then(day, record, current, snapshot)


def _in_order(
    snapshot: Snapshot,
    model: type[_M],
    pks: Iterable[int | None],
    order_by: Sequence[str],
    *,
    linked: bool = False,
) -> list[_M]:
    """The records `pks` names as they then stood, in `order_by` as the database sorts. A
    record with no row then is read from a nearer one (listed last) when a foreign key names
    it; a many-to-many link to it (`linked`) is left out: deleting a record removes the links
    to it without a history row of the records it was linked from, and their pages stopped
    showing it. One query, three with a record read from a nearer row."""
    wanted = sorted({pk for pk in pks if pk is not None})
    if not wanted:
        return []
    ordered = snapshot.fetch(model, id__in=wanted, order_by=order_by)
    if linked:
        return ordered
    found = snapshot.get_many(model, wanted)
    listed = {instance.pk for instance in ordered}
    return ordered + [found[pk] for pk in wanted if pk in found and pk not in listed]


def _citations(snapshot: Snapshot, condition: Q) -> list[Citation]:
    """The citations matching `condition` then, in the order they were recorded, each with its
    source as it then stood (`source`, and `source_title` as the API reads it)."""
    citations = snapshot.fetch(Citation, condition)
    sources = snapshot.get_many(Source, {citation.source_id for citation in citations})
    for citation in citations:
        source = sources.get(citation.source_id)
        _set_related(citation, "source", source)
        annotate(citation, source_title=source.title if source else "")
    return citations


def _cite(records: Iterable[Model], name: str, citations: Iterable[Citation]) -> None:
    """Fill each record's `citations` with those whose foreign key `name` points at it."""
    by_record: defaultdict[int, list[Citation]] = defaultdict(list)
    for citation in citations:
        key = getattr(citation, f"{name}_id")
        if key is not None:
            by_record[key].append(citation)
    for record in records:
        set_prefetched(record, "citations", by_record.get(record.pk, []))


def _chronological_steps(steps: Iterable[StatusChange]) -> list[StatusChange]:
    """Oldest first; steps of one day follow the life cycle (`StatusChangeQuerySet`)."""
    return sorted(steps, key=lambda step: (step.date, _STATUS_RANK.get(step.status, -1), step.pk))


def _set_timeline_dates(
    instrument: Instrument, steps: Sequence[StatusChange], source_dates: Iterable[datetime.date]
) -> None:
    """Set what `Instrument` stores of its timeline, own dates and sources (the fields history
    leaves out, `TIMELINE_DATE_FIELDS`) from `steps` (oldest first) and the publication dates
    of the sources citing it, as `InstrumentQuerySet.timeline_dates` reads them."""
    latest = steps[-1] if steps else None
    instrument.status_since = latest.date if latest else None
    instrument.status_since_precision = latest.date_precision if latest else ""
    instrument.timeline_status = latest.status if latest else ""
    entered = [step for step in steps if step.status == InstrumentStatus.IN_EFFECT]
    first_in = min(entered, key=lambda step: (step.date, step.pk)) if entered else None
    instrument.first_in_effect_on = first_in.date if first_in else None
    instrument.first_in_effect_precision = first_in.date_precision if first_in else ""
    own = [getattr(instrument, name) for name in _OWN_DATES if getattr(instrument, name)]
    dated = [step.date for step in steps] + own
    sourced = list(source_dates)
    instrument.exists_from = min(dated) if dated else (min(sourced) if sourced else None)
    days = [step.date for step in steps if step.date_precision == DatePrecision.DAY] + [
        getattr(instrument, name)
        for name in _OWN_DATES
        if getattr(instrument, name)
        and getattr(instrument, f"{name}_precision") == DatePrecision.DAY
    ]
    instrument.exists_from_day = min(days) if days else None


@dataclass(frozen=True)
class StatusOn:
    """An instrument's status on a day by a timeline, as `InstrumentQuerySet.as_of` reads it:
    whether it existed then, its status, the date of the step that status rests on (None for a
    status stated without a date) and whether the answer rests on a partial date."""

    existed: bool
    status: str
    on: datetime.date | None
    precision: str
    partial: bool

    @property
    def since(self) -> PartialDate | None:
        return partial_date(self.on, self.precision)

    @property
    def label(self) -> str:
        return InstrumentStatus(self.status).label if self.status else ""


def status_on(
    instrument: Instrument, steps: Sequence[StatusChange], day: datetime.date
) -> StatusOn:
    """`instrument`'s status on `day` by `steps` (its timeline, oldest first), read from the
    timeline dates `_set_timeline_dates` set on it."""
    existed = instrument.exists_from is not None and instrument.exists_from <= day
    if steps:
        by_then = [step for step in steps if step.date <= day]
        step = by_then[-1] if by_then else None
        status = step.status if step else ""
        on, precision = (step.date, step.date_precision) if step else (None, "")
    else:
        status, on, precision = instrument.status, None, ""
    undated = not steps and not any(getattr(instrument, name) for name in _OWN_DATES)
    known_to_the_day = instrument.exists_from_day is not None and instrument.exists_from_day <= day
    partial = precision in PARTIAL_PRECISIONS or not (undated or known_to_the_day)
    return StatusOn(existed, status, on, precision, partial)


def _annotate_status(
    instrument: Instrument, steps: Sequence[StatusChange], day: datetime.date
) -> StatusOn:
    """Set the annotations `InstrumentQuerySet.as_of` gives (`as_of_status`…) for `day`, and
    `as_of_existed`: whether it existed then (a list `as_of` a day leaves out one that did
    not)."""
    then = status_on(instrument, steps, day)
    annotate(
        instrument,
        as_of_existed=then.existed,
        as_of_status=then.status,
        as_of_status_on=then.on,
        as_of_status_precision=then.precision,
        as_of_partial=then.partial,
    )
    return then


def instrument_then(slug: str, day: datetime.date, *, as_of: datetime.date | None = None) -> Then:
    """The instrument at `slug` as the tracker stated it at the end of `day`, with what its page
    and API address show, each as it then stood: its jurisdiction, topics and parties, its
    identifiers, its citations with their sources, its status timeline oldest first with each
    step's citations, its relations both ways with the other instrument, and the events about
    it (newest first). Its stored timeline dates are read from that timeline. With `as_of`, the
    `as_of_*` annotations say its status on that day by that timeline (`extras["status_on"]`).
    Fifteen queries at most, whatever the record's size."""
    then = _find(Instrument, "slug", slug, day)
    then.as_of = as_of
    instrument = cast(Instrument | None, then.record)
    if instrument is None:
        return then
    snapshot = then.snapshot
    pk = instrument.pk
    steps = _chronological_steps(snapshot.fetch(StatusChange, instrument_id=pk))
    identifiers = snapshot.fetch(
        InstrumentIdentifier, instrument_id=pk, order_by=("scheme", "value")
    )
    relations = snapshot.fetch(
        InstrumentRelation, Q(from_instrument_id=pk) | Q(to_instrument_id=pk)
    )
    citations = _citations(
        snapshot, Q(instrument_id=pk) | Q(status_change_id__in=[step.pk for step in steps])
    )
    topic_links = snapshot.links(Instrument, "topics", [instrument])[pk]
    party_links = snapshot.links(Instrument, "parties", [instrument])[pk]
    topics = _in_order(snapshot, Topic, topic_links, ("name", "id"), linked=True)
    parties = _in_order(snapshot, Jurisdiction, party_links, ("name", "id"), linked=True)
    jurisdictions = snapshot.get_many(Jurisdiction, [instrument.jurisdiction_id])
    others = {
        relation.to_instrument_id
        if relation.from_instrument_id == pk
        else relation.from_instrument_id
        for relation in relations
    }
    # By title as the database sorts titles, as the current page orders the relations.
    ordered_others = _in_order(snapshot, Instrument, others, ("title", "id"))
    rank = {other.pk: position for position, other in enumerate(ordered_others)}
    other_by_pk = {other.pk: other for other in ordered_others}
    other_by_pk[instrument.pk] = instrument
    for relation in relations:
        _set_related(relation, "from_instrument", other_by_pk.get(relation.from_instrument_id))
        _set_related(relation, "to_instrument", other_by_pk.get(relation.to_instrument_id))
    events = snapshot.build(
        Event,
        snapshot.linking(Event, "instruments", pk).order_by(
            F("date").desc(nulls_last=True), "title", "id"
        ),
    )

    _set_related(instrument, "jurisdiction", jurisdictions.get(instrument.jurisdiction_id))
    for step in steps:
        _set_related(step, "instrument", instrument)
    for identifier in identifiers:
        _set_related(identifier, "instrument", instrument)
    _cite([instrument], "instrument", citations)
    _cite(steps, "status_change", citations)
    set_prefetched(instrument, "status_changes", steps)
    set_prefetched(instrument, "identifiers", identifiers)
    set_prefetched(instrument, "topics", topics)
    set_prefetched(instrument, "parties", parties)
    outgoing = [relation for relation in relations if relation.from_instrument_id == pk]
    incoming = [relation for relation in relations if relation.to_instrument_id == pk]
    outgoing.sort(key=lambda relation: (relation.kind, rank.get(relation.to_instrument_id, 0)))
    incoming.sort(key=lambda relation: (relation.kind, rank.get(relation.from_instrument_id, 0)))
    set_prefetched(instrument, "relations_out", outgoing)
    set_prefetched(instrument, "relations_in", incoming)
    set_prefetched(instrument, "events", events)
    source_dates = [
        citation.source.published_on
        for citation in citations
        if citation.instrument_id == pk and citation.source and citation.source.published_on
    ]
    _set_timeline_dates(instrument, steps, source_dates)
    if as_of is not None:
        then.extras["status_on"] = _annotate_status(instrument, steps, as_of)
    return then


def event_then(slug: str, day: datetime.date) -> Then:
    """The event at `slug` as the tracker stated it at the end of `day`: its host, co-hosts and
    participants, its actors with their jurisdictions, its instruments with theirs, and its
    citations with their sources, each as it then stood. Twelve queries at most."""
    then = _find(Event, "slug", slug, day)
    event = cast(Event | None, then.record)
    if event is None:
        return then
    snapshot = then.snapshot
    links = {
        name: snapshot.links(Event, name, [event])[event.pk]
        for name in ("co_hosts", "participants", "actors", "instruments")
    }
    actors = _in_order(snapshot, Actor, links["actors"], ("name", "id"), linked=True)
    instruments = _in_order(
        snapshot, Instrument, links["instruments"], ("title", "id"), linked=True
    )
    jurisdictions = _in_order(
        snapshot,
        Jurisdiction,
        {*links["co_hosts"], *links["participants"]},
        ("name", "id"),
        linked=True,
    )
    by_pk = snapshot.get_many(
        Jurisdiction,
        {
            event.host_id,
            *(actor.jurisdiction_id for actor in actors),
            *(instrument.jurisdiction_id for instrument in instruments),
        },
    )
    citations = _citations(snapshot, Q(event_id=event.pk))
    _set_related(event, "host", by_pk.get(event.host_id) if event.host_id else None)
    for actor in actors:
        _set_related(
            actor,
            "jurisdiction",
            by_pk.get(actor.jurisdiction_id) if actor.jurisdiction_id else None,
        )
    for instrument in instruments:
        _set_related(instrument, "jurisdiction", by_pk.get(instrument.jurisdiction_id))
    set_prefetched(event, "co_hosts", [j for j in jurisdictions if j.pk in links["co_hosts"]])
    set_prefetched(
        event, "participants", [j for j in jurisdictions if j.pk in links["participants"]]
    )
    set_prefetched(event, "actors", actors)
    set_prefetched(event, "instruments", instruments)
    _cite([event], "event", citations)
    return then


# The records a citation backs that are shown on another's page, and that other record.
_PAGE_PARENTS: dict[type[Model], tuple[str, type[Model]]] = {
    Actor: ("jurisdiction", Jurisdiction),
    StatusChange: ("instrument", Instrument),
    ApproachAssessment: ("jurisdiction", Jurisdiction),
    CoverageReview: ("jurisdiction", Jurisdiction),
}


def source_then(slug: str, day: datetime.date) -> Then:
    """The source at `slug` as the tracker stated it at the end of `day`, with the citations
    that then quoted it, each with the record it backed (and, for a record shown on another's
    page, that record), as they then stood; `citation_count` and `record_count` count them.
    At most two queries per kind of record cited, and five more."""
    then = _find(Source, "slug", slug, day)
    source = cast(Source | None, then.record)
    if source is None:
        return then
    snapshot = then.snapshot
    citations = snapshot.fetch(Citation, source_id=source.pk)
    for citation in citations:
        _set_related(citation, "source", source)
        annotate(citation, source_title=source.title)
    wanted: defaultdict[type[Model], set[int]] = defaultdict(set)
    for citation in citations:
        kind = citation.record_kind
        if kind:
            wanted[CITED_RECORDS[kind]].add(getattr(citation, f"{kind}_id"))
    records: dict[type[Model], dict[int, Model]] = {}
    parents: defaultdict[type[Model], set[int]] = defaultdict(set)
    for model, pks in wanted.items():
        records[model] = cast(dict[int, Model], snapshot.get_many(model, pks))
        if model in _PAGE_PARENTS:
            name, parent = _PAGE_PARENTS[model]
            parents[parent] |= {getattr(record, f"{name}_id") for record in records[model].values()}
    parent_records = {
        model: cast(dict[int, Model], snapshot.get_many(model, pks))
        for model, pks in parents.items()
    }
    for model, found in records.items():
        if model not in _PAGE_PARENTS:
            continue
        name, parent = _PAGE_PARENTS[model]
        for record in found.values():
            key = getattr(record, f"{name}_id")
            _set_related(record, name, parent_records[parent].get(key) if key else None)
    for citation in citations:
        kind = citation.record_kind
        if kind:
            model = CITED_RECORDS[kind]
            _set_related(citation, kind, records[model].get(getattr(citation, f"{kind}_id")))
    backed = {
        (c.record_kind, getattr(c, f"{c.record_kind}_id")) for c in citations if c.record_kind
    }
    annotate(source, citation_count=len(citations), record_count=len(backed))
    then.extras["citations"] = citations
    return then


# Jurisdictions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApproachOn:
    """A jurisdiction's approach on a day by its approach timeline: the assessment it rests on
    (None: not assessed by then)."""

    assessment: ApproachAssessment | None

    @property
    def approach(self) -> str:
        return self.assessment.approach if self.assessment else Approach.NOT_ASSESSED


def approach_on(assessments: Iterable[ApproachAssessment], day: datetime.date) -> ApproachOn:
    """The latest of `assessments` dated on or before `day`, as `JurisdictionQuerySet.as_of`
    reads it."""
    by_then = [step for step in assessments if step.date <= day]
    return ApproachOn(max(by_then, key=lambda step: (step.date, step.pk)) if by_then else None)


def _annotate_approach(jurisdiction: Jurisdiction, then: ApproachOn) -> None:
    """The annotations `JurisdictionQuerySet.as_of` gives (`as_of_approach`…)."""
    step = then.assessment
    values = {
        "as_of_approach": then.approach,
        "as_of_approach_summary": step.summary if step else "",
        "as_of_approach_on": step.date if step else None,
        "as_of_approach_precision": step.date_precision if step else "",
        "as_of_approach_assessed_on": step.assessed_on if step else None,
        "as_of_approach_assessed_on_precision": step.assessed_on_precision if step else "",
        "as_of_approach_holds_from": step.holds_from if step else None,
        "as_of_approach_holds_from_precision": step.holds_from_precision if step else "",
        "as_of_partial": bool(step and step.date_precision in PARTIAL_PRECISIONS),
    }
    for name, value in values.items():
        setattr(jurisdiction, name, value)


def _binding_laws(
    snapshot: Snapshot, jurisdictions: Sequence[Jurisdiction], day: datetime.date
) -> set[int]:
    """On each of `jurisdictions`, the annotations `with_binding_laws` gives for `day`
    (`binding_laws_in_force`, `binds_by_law`, `binding_law_since`…), read from the binding
    laws, timelines and sources as they then stood; returns the keys of those bound by law.
    Four queries at most."""
    ids = [jurisdiction.pk for jurisdiction in jurisdictions]
    laws = snapshot.fetch(
        Instrument, jurisdiction_id__in=ids, type=InstrumentType.BINDING_LAW, order_by=("id",)
    )
    steps: defaultdict[int, list[StatusChange]] = defaultdict(list)
    if laws:
        for step in snapshot.fetch(StatusChange, instrument_id__in=[law.pk for law in laws]):
            steps[step.instrument_id].append(step)
    # Only a law with no timeline and no date of its own exists from its sources' dates.
    undated = [
        law.pk
        for law in laws
        if not steps[law.pk] and not any(getattr(law, name) for name in _OWN_DATES)
    ]
    source_dates: defaultdict[int, list[datetime.date]] = defaultdict(list)
    if undated:
        for citation in _citations(snapshot, Q(instrument_id__in=undated)):
            if citation.instrument_id and citation.source and citation.source.published_on:
                source_dates[citation.instrument_id].append(citation.source.published_on)
    in_force: defaultdict[int, list[Instrument]] = defaultdict(list)
    for law in laws:
        timeline = _chronological_steps(steps[law.pk])
        _set_timeline_dates(law, timeline, source_dates[law.pk])
        then = status_on(law, timeline, day)
        if then.existed and then.status == InstrumentStatus.IN_EFFECT:
            in_force[law.jurisdiction_id].append(law)
    for jurisdiction in jurisdictions:
        entered = []
        for law in in_force[jurisdiction.pk]:
            if law.first_in_effect_on is not None and law.first_in_effect_on <= day:
                entered.append((law.first_in_effect_on, law.pk, law.first_in_effect_precision))
            elif law.effective_on is not None:
                entered.append((law.effective_on, law.pk, law.effective_on_precision))
        earliest = min(entered) if entered else None
        annotate(
            jurisdiction,
            binding_laws_in_force=len(in_force[jurisdiction.pk]),
            binds_by_law=bool(in_force[jurisdiction.pk]),
            binding_law_since=earliest[0] if earliest else None,
            binding_law_since_precision=earliest[2] if earliest else "",
        )
    return {key for key, laws in in_force.items() if laws}


def jurisdiction_then(code: str, day: datetime.date, *, as_of: datetime.date | None = None) -> Then:
    """The jurisdiction with `code` as the tracker stated it at the end of `day`: its parent and
    sub-national jurisdictions, its coverage reviews newest first and its approach timeline
    newest first (each with its citations), its memberships in blocs and a bloc's members, its
    own citations and its actors, each as it then stood. Annotated as the current record's
    page and API address read it on a day: its approach (`as_of_approach`…, with the
    assessment in `extras["approach_on"]`) and whether AI was bound by law there
    (`binds_by_law`…, also on each sub-national jurisdiction), on `as_of` when given, else on
    `day`. Nineteen queries at most, whatever the record's size."""
    then = _find(Jurisdiction, "code", code.upper(), day)
    then.as_of = as_of
    jurisdiction = cast(Jurisdiction | None, then.record)
    if jurisdiction is None:
        return then
    snapshot = then.snapshot
    pk = jurisdiction.pk
    subdivisions = snapshot.fetch(Jurisdiction, parent_id=pk, order_by=("name", "id"))
    reviews = sorted(
        snapshot.fetch(CoverageReview, jurisdiction_id=pk),
        key=lambda review: review.reviewed_on,
        reverse=True,
    )
    assessments = sorted(
        snapshot.fetch(ApproachAssessment, jurisdiction_id=pk),
        key=lambda step: (step.date, step.pk),
        reverse=True,
    )
    memberships = snapshot.fetch(Membership, Q(member_id=pk) | Q(bloc_id=pk))
    actors = snapshot.fetch(Actor, jurisdiction_id=pk, order_by=("name", "id"))
    citations = _citations(
        snapshot,
        Q(jurisdiction_id=pk)
        | Q(approach_assessment_id__in=[step.pk for step in assessments])
        | Q(coverage_review_id__in=[review.pk for review in reviews]),
    )
    others = {
        *(m.bloc_id for m in memberships),
        *(m.member_id for m in memberships),
        jurisdiction.parent_id,
    } - {pk, None}
    # By name as the database sorts names, as the current page orders a bloc's members.
    named = _in_order(snapshot, Jurisdiction, others, ("name", "id"))
    rank = {other.pk: position for position, other in enumerate(named)}
    by_pk = {other.pk: other for other in named}
    by_pk[pk] = jurisdiction
    for membership in memberships:
        _set_related(membership, "member", by_pk.get(membership.member_id))
        _set_related(membership, "bloc", by_pk.get(membership.bloc_id))
    for subdivision in subdivisions:
        _set_related(subdivision, "parent", jurisdiction)
    for record in (*reviews, *assessments, *actors):
        _set_related(record, "jurisdiction", jurisdiction)
    _set_related(
        jurisdiction,
        "parent",
        by_pk.get(jurisdiction.parent_id) if jurisdiction.parent_id else None,
    )
    set_prefetched(jurisdiction, "subdivisions", subdivisions)
    set_prefetched(jurisdiction, "coverage_reviews", reviews)
    set_prefetched(jurisdiction, "approach_assessments", assessments)
    held = [membership for membership in memberships if membership.member_id == pk]
    held.sort(key=lambda membership: (membership.started_on, membership.pk))
    members = [membership for membership in memberships if membership.bloc_id == pk]
    members.sort(key=lambda m: (rank.get(m.member_id, 0), m.started_on, m.pk))
    set_prefetched(jurisdiction, "memberships", held)
    set_prefetched(jurisdiction, "member_links", members)
    set_prefetched(jurisdiction, "actors", actors)
    _cite([jurisdiction], "jurisdiction", citations)
    _cite(assessments, "approach_assessment", citations)
    _cite(reviews, "coverage_review", citations)
    annotate(jurisdiction, coverage_reviewed_on=reviews[0].reviewed_on if reviews else None)
    on = as_of or day
    approach = approach_on(assessments, on)
    _annotate_approach(jurisdiction, approach)
    then.extras["approach_on"] = approach
    bound = _binding_laws(snapshot, [jurisdiction, *subdivisions], on)
    annotate(jurisdiction, subdivisions_binding_by_law=len(bound - {pk}))
    return then


def _force() -> Case:
    """The legal force of an instrument's history row, from its type (`Force` values)."""
    return Case(
        *(When(type=value, then=Value(force)) for value, force in FORCE_OF_TYPE.items()),
        default=Value(""),
    )


def jurisdiction_instruments_then(then: Then, shown: int = SHOWN) -> dict[str, dict[str, Any]]:
    """{force: {"items", "own", "party"}}: for each legal force, how many instruments the
    jurisdiction of `then` had issued and how many others it was a party to at the end of the
    day, and the first `shown` of both together by title (each marked `as_party`, with its
    issuing jurisdiction), as its page then listed them. Four queries."""
    jurisdiction = cast(Jurisdiction, then.record)
    snapshot = then.snapshot
    pk = jurisdiction.pk
    counts = {force: {"own": 0, "party": 0} for force in Force.values}
    own = snapshot.rows(Instrument).filter(jurisdiction_id=pk)
    for instrument_type, n in own.values_list("type").annotate(n=Count("history_id")):
        counts[FORCE_OF_TYPE[instrument_type]]["own"] += n
    party_rows = snapshot.linking(Instrument, "parties", pk).exclude(jurisdiction_id=pk)
    for instrument_type, n in party_rows.values_list("type").annotate(n=Count("history_id")):
        counts[FORCE_OF_TYPE[instrument_type]]["party"] += n
    party_ids = party_rows.values("history_id")
    first = (
        snapshot.rows(Instrument)
        .filter(Q(jurisdiction_id=pk) | Q(history_id__in=party_ids))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[_force()],
                order_by=[F("title").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=shown)
        .order_by("title", "id")
    )
    items = snapshot.build(Instrument, first)
    issuers = snapshot.get_many(Jurisdiction, {item.jurisdiction_id for item in items})
    groups: dict[str, dict[str, Any]] = {}
    for force in Force.values:
        listed = [item for item in items if item.force == force]
        for item in listed:
            annotate(item, as_party=item.jurisdiction_id != pk)
            _set_related(item, "jurisdiction", issuers.get(item.jurisdiction_id))
        groups[force] = {"items": listed, **counts[force]}
    return groups


def jurisdiction_events_then(then: Then, shown: int = SHOWN) -> tuple[list[Event], int]:
    """The latest `shown` events the jurisdiction of `then` had hosted, co-hosted or taken
    part in at the end of the day (newest first, undated last), each with `hosted_here`, and
    how many there were. Two queries."""
    jurisdiction = cast(Jurisdiction, then.record)
    snapshot = then.snapshot
    pk = jurisdiction.pk
    co_hosted = snapshot.linking(Event, "co_hosts", pk).values("history_id")
    joined = snapshot.linking(Event, "participants", pk).values("history_id")
    events = snapshot.rows(Event).filter(
        Q(host_id=pk) | Q(history_id__in=co_hosted) | Q(history_id__in=joined)
    )
    count = events.count()
    listed = snapshot.build(
        Event, events.order_by(F("date").desc(nulls_last=True), "title", "id")[:shown]
    )
    for event in listed:
        annotate(event, hosted_here=event.host_id == pk)
    return listed, count


def jurisdiction_subdivisions_then(then: Then, shown: int = SHOWN) -> list[dict[str, Any]]:
    """For each sub-national jurisdiction of the jurisdiction of `then` (by name): the first
    `shown` of its instruments by title and how many it had issued, at the end of the day.
    Two queries (none without sub-national jurisdictions)."""
    jurisdiction = cast(Jurisdiction, then.record)
    subdivisions = list(jurisdiction.subdivisions.all())
    if not subdivisions:
        return []
    snapshot = then.snapshot
    ids = [subdivision.pk for subdivision in subdivisions]
    issued = snapshot.rows(Instrument).filter(jurisdiction_id__in=ids)
    totals = dict(issued.values_list("jurisdiction_id").annotate(n=Count("history_id")))
    first = snapshot.build(
        Instrument,
        issued.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("jurisdiction_id")],
                order_by=[F("title").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=shown)
        .order_by("jurisdiction_id", "title", "id"),
    )
    by_pk = {subdivision.pk: subdivision for subdivision in subdivisions}
    for instrument in first:
        _set_related(instrument, "jurisdiction", by_pk[instrument.jurisdiction_id])
    return [
        {
            "jurisdiction": subdivision,
            "instruments": [i for i in first if i.jurisdiction_id == subdivision.pk],
            "total": totals.get(subdivision.pk, 0),
        }
        for subdivision in subdivisions
    ]


def records_then(then: Then, slugs: Collection[str]) -> dict[str, str]:
    """{slug: address as published at the end of the day} of the instruments and events among
    `slugs` the tracker held then (what a coverage review's note names). Two queries."""
    addresses: dict[str, str] = {}
    if not slugs:
        return addresses
    for model in (Instrument, Event):
        for slug in (
            then.snapshot.rows(model).filter(slug__in=sorted(slugs)).values_list("slug", flat=True)
        ):
            record = model(slug=slug)
            url = known_at_url(record, then.day)
            if url:
                addresses[slug] = url
    return addresses


# Versions --------------------------------------------------------------------------------------

# For each kind of record with a page: the rows its page shows with it, as (model, foreign key
# to the record), and the kinds of those rows whose own citations it shows.
_SHOWN_WITH: dict[type[Model], tuple[tuple[tuple[type[Model], str], ...], tuple[str, ...]]] = {
    Instrument: (
        (
            (StatusChange, "instrument_id"),
            (InstrumentIdentifier, "instrument_id"),
            (InstrumentRelation, "from_instrument_id"),
            (InstrumentRelation, "to_instrument_id"),
            (Citation, "instrument_id"),
        ),
        ("status_change",),
    ),
    Jurisdiction: (
        (
            (ApproachAssessment, "jurisdiction_id"),
            (CoverageReview, "jurisdiction_id"),
            (Membership, "member_id"),
            (Membership, "bloc_id"),
            (Actor, "jurisdiction_id"),
            (Citation, "jurisdiction_id"),
        ),
        ("approach_assessment", "coverage_review"),
    ),
    Event: (((Citation, "event_id"),), ()),
    Source: (((Citation, "source_id"),), ()),
}


def record_versions(instance: Model) -> list[datetime.date]:
    """The days (UTC) on which `instance`, or a row its page shows with it (a timeline step,
    an identifier, a citation, a membership…), was created, changed or deleted, newest first:
    each day's end is a version of the page, read with `known_at`. One query."""
    children, cited_children = _SHOWN_WITH.get(type(instance), ((), ()))
    parts = [(_historical(type(instance)), Q(id=instance.pk))]
    parts += [(_historical(model), Q(**{key: instance.pk})) for model, key in children]
    citation_history = _historical(Citation)
    for kind in cited_children:
        model = CITED_RECORDS[CitedRecordKind(kind)]
        key = next(name for child, name in children if child is model)
        steps = _historical(model).objects.filter(**{key: instance.pk}).values("id")
        parts.append((citation_history, Q(**{f"{kind}_id__in": steps})))
    days = [
        historical.objects.filter(condition)
        .order_by()
        .annotate(day=TruncDate("history_date", tzinfo=datetime.UTC))
        .values_list("day", flat=True)
        for historical, condition in parts
    ]
    return sorted(set(days[0].union(*days[1:])), reverse=True)
