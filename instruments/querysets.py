"""Read-side query building for the instruments app: every list calls its `for_listing()`."""

import datetime
import functools

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value, Window
from django.db.models.expressions import Col, RawSQL
from django.db.models.functions import Coalesce, Least, Lower, NullIf, RowNumber
from django.db.models.lookups import Exact, In

from instruments.vocabulary import (
    STATUS_SEQUENCE,
    CitedRecordKind,
    Force,
    InstrumentStatus,
    types_of_force,
)
from policytracker.core.dates import PARTIAL_PRECISIONS, DatePrecision, check_day
from policytracker.core.search import SEARCH_RANK, text_search

# An instrument's own dates, each with a `<name>_precision` column beside it.
OWN_DATE_FIELDS = ("introduced_on", "adopted_on", "effective_on")
# What an instrument stores of its timeline, own dates and sources (`refresh_timeline_dates`).
TIMELINE_DATE_FIELDS = (
    "status_since",
    "status_since_precision",
    "timeline_status",
    "exists_from",
    "exists_from_day",
    "first_in_effect_on",
    "first_in_effect_precision",
)
# Stands for "no date" inside `Least`: later than any real date.
_NO_DATE = datetime.date(9999, 12, 31)


def citations_prefetch(path=""):
    """Prefetch of the citations at `path` (e.g. "status_changes__"), in the order they were
    recorded (the order pages number them in), each with its source: `source` for the pages,
    `source_title` for the API. Every page and API record that shows a record's citations reads
    them through this. (The model is looked up, not imported: the models import this module.)"""
    citation = apps.get_model("instruments", "Citation")
    return Prefetch(
        f"{path}citations",
        queryset=citation.objects.select_related("source")
        .annotate(source_title=F("source__title"))
        .order_by("pk"),
    )


def events_prefetch(path=""):
    """Prefetch of the events at `path` (an instrument's, an actor's), newest first."""
    return Prefetch(
        f"{path}events", queryset=apps.get_model("instruments", "Event").objects.chronological()
    )


def force_condition(*forces, path=""):
    """Q matching instruments of the given forces (`Force` values); `path` reaches them from
    another model ("instruments__")."""
    return Q(**{f"{path}type__in": types_of_force(*forces)})


def _any_own_date(**lookups):
    """Q: one of the instrument's own dates matches `lookups` (e.g. lte=day)."""
    condition = Q()
    for name in OWN_DATE_FIELDS:
        condition |= Q(**{f"{name}__{lookup}": value for lookup, value in lookups.items()})
    return condition


class InstrumentQuerySet(models.QuerySet):
    SEARCH_FIELDS = ("title", "short_name", "original_title", "summary", "issuing_body")

    # Topic names are searched too ("sandbox" finds the frameworks filed under Sandboxes),
    # each on its own: they live in another table, outside the instruments' GIN index.
    SEARCH_RELATED = ("topics__name",)

    # On PostgreSQL the search document over SEARCH_FIELDS is a stored generated column of its
    # own (migration 0015), indexed, so that ranking a million matches reads it rather than
    # working it out again from each row's text.
    SEARCH_DOCUMENT = "search_document"

    # The order every list of instruments takes unless asked for another (`page_rows`).
    LIST_ORDER = ("jurisdiction__name", "title", "pk")
    GROUPED_PAGE_LIMIT = 1000
    LATERAL_PAGE_LIMIT = 250
    # Up to this many jurisdictions named by a filter, their pages are one query each, united.
    UNITED_JURISDICTIONS = 50

    def search(self, q):
        """Instruments whose own text, or the name of one of whose topics, matches the search
        `q`, annotated with `search_rank` (a topic-only match ranks lowest)."""
        return text_search(
            self,
            q,
            self.SEARCH_FIELDS,
            related=self.SEARCH_RELATED,
            stored_document=self.SEARCH_DOCUMENT,
        )

    def force(self, *forces):
        """Instruments of the given legal forces (`Force` values)."""
        return self.filter(force_condition(*forces))

    def binding(self, value=True):
        """Binding laws or, with `value=False`, voluntary texts (frameworks and declarations).
        Draft bills are in neither: they bind only if enacted (`force(Force.PENDING)`)."""
        return self.force(Force.BINDING if value else Force.VOLUNTARY)

    def in_force(self, value=True, *, day=None):
        """Instruments in effect (or, with `value=False`, not in effect): on `day` when the
        queryset was read `as_of` it (its `as_of_status`), else by their current status."""
        column = "as_of_status" if day is not None else "status"
        condition = Q(**{column: InstrumentStatus.IN_EFFECT})
        return self.filter(condition) if value else self.exclude(condition)

    def as_of(self, day):
        """The instruments that existed on `day` (a date), each annotated with its status then.

        Existence: a status change or one of its own dates (introduced, adopted, in effect) on
        or before `day`. An instrument with no dates of its own and no timeline existed from
        the publication date of the earliest source that cites it; with no dated source it is
        left out, since nothing shows when it existed. (The stored `exists_from`.)

        Annotations:
        - `as_of_status`: the status of its latest status change on or before `day` (changes on
          one date follow the life cycle). An instrument with no timeline at all reads its
          recorded status, which its sources state without a date. "" when neither says.
        - `as_of_status_on`, `as_of_status_precision`: the date and precision of the change it
          rests on (None and "" for an undated status).
        - `as_of_partial`: True when the answer rests on a date known only to the month or year
          (such a date counts from the first day of its period): the status change it reads, or
          every date that shows the instrument existed.

        One query, reading the stored timeline dates (`refresh_timeline_dates`): only an
        instrument whose timeline moved after `day` has its steps looked up, by a correlated
        subquery on the (instrument, date) index."""
        day = check_day(day)
        changes_model = self.model._meta.get_field("status_changes").related_model
        changes_by_then = changes_model.objects.filter(
            instrument=OuterRef("pk"), date__lte=day
        ).chronological(newest_first=True)
        # Its latest change was on or before the day: the stored one is the answer.
        settled = Q(status_since__lte=day)
        no_timeline = Q(status_since__isnull=True)
        undated = no_timeline & ~_any_own_date(isnull=False)

        def then(current, without_timeline, column, default=None):
            looked_up = Subquery(changes_by_then.values(column)[:1])
            return models.Case(
                models.When(settled, then=F(current)),
                models.When(no_timeline, then=without_timeline),
                default=looked_up if default is None else Coalesce(looked_up, default),
            )

        return (
            self.existed_on(day)
            .annotate(
                as_of_status=then("timeline_status", F("status"), "status", Value("")),
                as_of_status_on=then(
                    "status_since", Value(None, output_field=models.DateField()), "date"
                ),
                as_of_status_precision=then(
                    "status_since_precision", Value(""), "date_precision", Value("")
                ),
            )
            .annotate(
                as_of_partial=models.Case(
                    models.When(as_of_status_precision__in=PARTIAL_PRECISIONS, then=True),
                    models.When(undated | Q(exists_from_day__lte=day), then=False),
                    default=True,
                    output_field=models.BooleanField(),
                )
            )
        )

    def existed_on(self, day):
        """The instruments that existed on `day` (see `as_of`), without the annotations."""
        return self.filter(exists_from__lte=check_day(day))

    def timeline_dates(self):
        """{field: expression} of the stored timeline dates (`TIMELINE_DATE_FIELDS`), each read
        afresh from the instrument's status changes, own dates and sources, for `update()` or
        `annotate()`. A missing date counts as the last day there is (`_NO_DATE`) inside
        `Least`, which PostgreSQL and SQLite read differently for a NULL."""
        changes_model = self.model._meta.get_field("status_changes").related_model
        citations_model = self.model._meta.get_field("citations").related_model
        # Through the querysets themselves, not the models' managers, so that a migration can
        # call this on its historical models.
        changes = StatusChangeQuerySet(changes_model).filter(instrument=OuterRef("pk"))
        latest = changes.chronological(newest_first=True)
        no_date = Value(_NO_DATE, output_field=models.DateField())

        def first(steps):
            return Coalesce(Subquery(steps.order_by("date").values("date")[:1]), no_date)

        def own(name, day_only=False):
            if day_only:
                precise = Q(**{f"{name}__isnull": False, f"{name}_precision": DatePrecision.DAY})
                return models.Case(models.When(precise, then=F(name)), default=no_date)
            return Coalesce(F(name), no_date)

        def earliest(*dates):
            return NullIf(Least(*dates), no_date)

        first_in_effect = changes.filter(status=InstrumentStatus.IN_EFFECT).order_by("date", "pk")
        first_source = Subquery(
            citations_model.objects.filter(
                instrument=OuterRef("pk"), source__published_on__isnull=False
            )
            .order_by("source__published_on")
            .values("source__published_on")[:1]
        )
        return {
            "status_since": Subquery(latest.values("date")[:1]),
            "status_since_precision": Coalesce(
                Subquery(latest.values("date_precision")[:1]), Value("")
            ),
            "timeline_status": Coalesce(Subquery(latest.values("status")[:1]), Value("")),
            "exists_from": Coalesce(
                earliest(first(changes), *(own(name) for name in OWN_DATE_FIELDS)), first_source
            ),
            "first_in_effect_on": Subquery(first_in_effect.values("date")[:1]),
            "first_in_effect_precision": Coalesce(
                Subquery(first_in_effect.values("date_precision")[:1]), Value("")
            ),
            "exists_from_day": earliest(
                first(changes.filter(date_precision=DatePrecision.DAY)),
                *(own(name, day_only=True) for name in OWN_DATE_FIELDS),
            ),
        }

    def refresh_timeline_dates(self):
        """Set the stored timeline dates of these instruments afresh (one UPDATE). Returns how
        many instruments it read."""
        return self.order_by().update(**self.timeline_dates())

    def stale_timeline_dates(self):
        """The instruments whose stored timeline dates differ from what their timeline, own
        dates and sources say now (none, unless a write went around the models)."""
        fresh = {f"fresh_{name}": value for name, value in self.timeline_dates().items()}
        differs = Q()
        for name in TIMELINE_DATE_FIELDS:
            same = Q(**{name: F(f"fresh_{name}")}) | Q(
                **{f"{name}__isnull": True, f"fresh_{name}__isnull": True}
            )
            differs |= ~same
        return self.annotate(**fresh).filter(differs)

    def force_counts(self):
        """{"total", "binding", "pending", "voluntary"}: how many instruments, and how many of
        each legal force."""
        return self.aggregate(
            total=models.Count("id"),
            **{force: models.Count("id", filter=force_condition(force)) for force in Force.values},
        )

    def first_by_title(self, jurisdiction_ids, n):
        """Keys of the first `n` of these instruments by title that each of the jurisdictions
        `jurisdiction_ids` issued, in one query. Where the database can (PostgreSQL), it is a
        union of one limited query per jurisdiction, each read in the order of the
        (jurisdiction, title) index and stopped at `n`: a jurisdiction with 100,000
        instruments costs what one with 30 does. Elsewhere a window numbers every row."""
        ids = sorted({int(pk) for pk in jurisdiction_ids})
        if not ids:
            return []
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            parts = [
                self.filter(jurisdiction_id=pk).order_by("title", "pk").values_list("pk")[:n]
                for pk in ids
            ]
            rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
            return [pk for (pk,) in rows]
        ranked = self.filter(jurisdiction_id__in=ids).annotate(
            rank=Window(RowNumber(), partition_by=[F("jurisdiction_id")], order_by=["title", "pk"])
        )
        return list(ranked.filter(rank__lte=n).values_list("pk", flat=True))

    def page_rows(self, bottom, top):
        """Rows `bottom` to `top` of these instruments in their order (what a paginator reads).

        In the lists' own order (`LIST_ORDER`: jurisdiction name, then title) PostgreSQL would
        sort every row the filters select to find the first fifty: at a million instruments, a
        country's binding laws are 75,000 rows sorted for each page. The page is read instead
        jurisdiction by jurisdiction, each in the order of the (jurisdiction, type, title) or
        (jurisdiction, title) index and stopped at `top` rows, and only those are sorted: a
        jurisdiction with 100,000 instruments costs what one with 50 does. When a filter names
        the jurisdictions (the `jurisdiction` filter: a country and its sub-national ones), it
        is one query per jurisdiction, united, which the planner fits to each jurisdiction's
        size; otherwise a lateral join over every jurisdiction. Deep pages (past
        `GROUPED_PAGE_LIMIT` rows, or `LATERAL_PAGE_LIMIT` for the lateral join), other orders,
        searches, `distinct` lists and other databases are read as they are."""
        connection = connections[self.db]
        query = self.query
        if (
            connection.vendor != "postgresql"
            or top > self.GROUPED_PAGE_LIMIT
            or tuple(query.order_by) != self.LIST_ORDER
            or query.is_sliced
            or query.combinator
            or query.distinct
            # A search is found through its own (GIN) index, not jurisdiction by jurisdiction.
            or SEARCH_RANK in query.annotations
        ):
            return self[bottom:top]
        try:
            page = self._page_sql(bottom, top)
        except EmptyResultSet:  # a filter that selects nothing (`pk__in=[]`, `none()`)
            return self.none()
        if page is None:
            return self[bottom:top]
        return self.filter(pk__in=RawSQL(*page))

    def _page_sql(self, bottom, top):
        """The SQL, and its parameters, of the keys of rows `bottom` to `top` read jurisdiction
        by jurisdiction (`page_rows`); None where the list is better read as it is."""
        quote = connections[self.db].ops.quote_name
        group, rows = quote("pt_group"), quote("pt_rows")
        jurisdictions = self.model._meta.get_field("jurisdiction").related_model._meta.db_table

        def first(rows_of):
            each = rows_of.order_by("title", "pk").values("id", "title", "jurisdiction_id")
            return each[:top].query.sql_with_params()

        chosen = self._chosen_jurisdictions()
        if chosen is not None and len(chosen) <= self.UNITED_JURISDICTIONS:
            if not chosen:
                raise EmptyResultSet
            parts = [first(self.filter(jurisdiction_id=pk)) for pk in chosen]
            united = " UNION ALL ".join(f"({sql})" for sql, _ in parts)
            source = (
                f"({united}) {rows} JOIN {quote(jurisdictions)} {group} "
                f"ON {group}.{quote('id')} = {rows}.{quote('jurisdiction_id')}"
            )
            params = tuple(param for _, part_params in parts for param in part_params)
        elif top > self.LATERAL_PAGE_LIMIT:
            # Every jurisdiction read this far costs more than one sort of them all.
            return None
        else:
            sql, params = first(self.filter(jurisdiction_id=RawSQL(f"{group}.{quote('id')}", ())))
            source = f"{quote(jurisdictions)} {group} CROSS JOIN LATERAL ({sql}) {rows}"
        order = f"{group}.{quote('name')}, {rows}.{quote('title')}, {rows}.{quote('id')}"
        sql = (
            f"SELECT {rows}.{quote('id')} FROM {source} ORDER BY {order} "
            f"LIMIT {int(top) - int(bottom)} OFFSET {int(bottom)}"
        )
        return sql, params

    def _chosen_jurisdictions(self):
        """The keys of the jurisdictions a filter of these instruments on their issuer's key
        limits them to (`jurisdiction__in=[…]` or `jurisdiction=…`, as the `jurisdiction`
        filter puts it), or None when no such filter applies to every row."""
        field = self.model._meta.get_field("jurisdiction")
        where = self.query.where
        if where.connector != "AND" or where.negated:
            return None
        for condition in where.children:
            if not isinstance(condition, Exact | In) or not isinstance(condition.lhs, Col):
                continue
            if condition.lhs.target is not field or condition.lhs.alias != self.query.base_table:
                continue
            values = condition.rhs if isinstance(condition, In) else [condition.rhs]
            if isinstance(values, list | tuple | set) and all(type(v) is int for v in values):
                return sorted(set(values))
        return None

    def for_listing(self):
        """Everything a list of instruments shows, in a fixed number of queries."""
        return self.select_related("jurisdiction").prefetch_related("topics", "parties")

    def for_page(self):
        """Everything an instrument's page shows, in a fixed number of queries: its topics,
        parties and identifiers, its citations, its status timeline oldest first with each
        step's citations, its relations both ways with the other instrument, and its events."""
        steps = self.model._meta.get_field("status_changes").related_model
        relations = self.model._meta.get_field("relations_out").related_model

        def related(other):
            return relations.objects.select_related(other).order_by("kind", f"{other}__title")

        return self.select_related("jurisdiction").prefetch_related(
            "topics",
            "parties",
            "identifiers",
            citations_prefetch(),
            Prefetch("status_changes", queryset=steps.objects.chronological()),
            citations_prefetch("status_changes__"),
            Prefetch("relations_out", queryset=related("to_instrument")),
            Prefetch("relations_in", queryset=related("from_instrument")),
            "events",
        )


def with_instrument_counts(jurisdictions, day=None):
    """`jurisdictions` (a Jurisdiction queryset) annotated with `binding_count`,
    `pending_count` and `voluntary_count`: the instruments of each legal force each one issued,
    a country's counts including its sub-national jurisdictions' (as the `jurisdiction` filter
    selects them), or, given `day`, those that existed on that day (see
    `InstrumentQuerySet.as_of`). Correlated subqueries: one query in all."""
    instrument_model = jurisdictions.model._meta.get_field("instruments").related_model
    issued = instrument_model.objects.order_by()
    if day is not None:
        issued = issued.existed_on(day)

    def count(queryset):
        counted = (
            queryset.annotate(group=Value(1))
            .values("group")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)

    def issued_by(force):
        # Its own and its sub-national jurisdictions', counted apart: each reads the
        # (jurisdiction, type) index, where one condition with OR would read every row.
        forced = issued.force(force)
        return count(forced.filter(jurisdiction=OuterRef("pk"))) + count(
            forced.filter(jurisdiction__parent=OuterRef("pk"))
        )

    return jurisdictions.annotate(
        binding_count=issued_by(Force.BINDING),
        pending_count=issued_by(Force.PENDING),
        voluntary_count=issued_by(Force.VOLUNTARY),
    )


def with_binding_laws(jurisdictions, day):
    """`jurisdictions` (a Jurisdiction queryset) annotated with whether AI is bound by law there
    on `day` (a date), read from the instruments, never from the approach label:

    - `binding_laws_in_force`: how many binding laws the jurisdiction issued were in effect on
      `day` (see `InstrumentQuerySet.as_of`);
    - `binds_by_law`: True when at least one was;
    - `binding_law_since`, `binding_law_since_precision`: the earliest day one of those laws
      came into effect (its first "in effect" step on or before `day`, or, for a law without
      a timeline, its own "in effect from" date), at its precision; None and "" when no date
      says so;
    - `subdivisions_binding_by_law`: how many of its sub-national jurisdictions have a binding
      law of their own in force on `day` (a federation with no federal law may have some).

    Correlated subqueries: one query in all."""
    day = check_day(day)
    instrument_model = jurisdictions.model._meta.get_field("instruments").related_model
    # Its first "in effect" step is on or before the day, or it has none by then.
    entered_by_then = Q(first_in_effect_on__lte=day)
    laws = (
        instrument_model.objects.as_of(day)
        .force(Force.BINDING)
        .filter(as_of_status=InstrumentStatus.IN_EFFECT, jurisdiction=OuterRef("pk"))
        .annotate(
            entered_on=models.Case(
                models.When(entered_by_then, then=F("first_in_effect_on")),
                default=F("effective_on"),
            ),
            entered_precision=models.Case(
                models.When(entered_by_then, then=F("first_in_effect_precision")),
                default=F("effective_on_precision"),
            ),
        )
        .order_by()
    )
    counted = (
        laws.annotate(group=Value(1)).values("group").annotate(n=models.Count("pk")).values("n")
    )
    earliest = laws.filter(entered_on__isnull=False).order_by("entered_on", "pk")
    # Its sub-national jurisdictions (a state's provinces) with a binding law of their own in
    # force: `laws` read from inside this subquery names the sub-national one (`pk`).
    bound_subdivisions = (
        jurisdictions.model.objects.filter(parent=OuterRef("pk"))
        .filter(Exists(laws))
        .order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return jurisdictions.annotate(
        subdivisions_binding_by_law=Coalesce(
            Subquery(bound_subdivisions, output_field=models.IntegerField()), 0
        ),
        binding_laws_in_force=Coalesce(Subquery(counted, output_field=models.IntegerField()), 0),
        binding_law_since=Subquery(earliest.values("entered_on")[:1]),
        binding_law_since_precision=Coalesce(
            Subquery(earliest.values("entered_precision")[:1]), Value("")
        ),
    ).annotate(
        binds_by_law=models.Case(
            models.When(binding_laws_in_force__gt=0, then=True),
            default=False,
            output_field=models.BooleanField(),
        )
    )


@functools.lru_cache(maxsize=8)
def _jurisdictions_bound_by_law(day, counts):
    model = apps.get_model("jurisdictions", "Jurisdiction")
    jurisdictions = model.objects.all()
    if counts:
        jurisdictions = with_instrument_counts(jurisdictions)
    return with_binding_laws(jurisdictions, day)


def jurisdictions_bound_by_law(day, counts=False):
    """Every jurisdiction, annotated by `with_binding_laws` on `day` (a date) and, with
    `counts`, by `with_instrument_counts`: a queryset to filter and order as any other.

    Building those annotations (their correlated subqueries resolved against the model) takes
    longer than running them for one jurisdiction, so they are built once per day and kind and
    kept; each call hands out a copy (`all()`), and what the caller adds (`filter`, `order_by`)
    goes on the copy."""
    return _jurisdictions_bound_by_law(check_day(day), counts).all()


class StatusChangeQuerySet(models.QuerySet):
    def chronological(self, newest_first=False):
        """Oldest first (or newest first); the newest is the current status. Changes on the same
        day follow the life cycle (adopted before in effect)."""
        step = models.Case(
            *(models.When(status=status, then=rank) for rank, status in enumerate(STATUS_SEQUENCE)),
            output_field=models.IntegerField(),
        )
        if newest_first:
            return self.order_by("-date", step.desc(), "-id")
        return self.order_by("date", step, "id")


class EventQuerySet(models.QuerySet):
    SEARCH_FIELDS = ("title", "summary", "location")

    def search(self, q):
        """Events matching the search `q`, annotated with `search_rank`."""
        return text_search(self, q, self.SEARCH_FIELDS)

    def as_of(self, day):
        """The events that had happened by `day` (a date): dated on or before it (a date known
        only to the month or year counts from the first day of its period), or, undated,
        reported on or before it. An undated, unreported event is left out."""
        day = check_day(day)
        return self.filter(Q(date__lte=day) | Q(date__isnull=True, reported_on__lte=day))

    def chronological(self):
        """Newest first, undated events last; the primary key breaks ties, so pages of a list
        never overlap."""
        return self.order_by(models.F("date").desc(nulls_last=True), "title", "pk")

    def for_listing(self):
        """Everything a list of events shows, in a fixed number of queries."""
        return self.select_related("host").prefetch_related(
            "co_hosts", "participants", "actors", "instruments"
        )

    def for_page(self):
        """Everything an event's page shows, in a fixed number of queries: its host, co-hosts
        and participants, its actors with their jurisdictions, its instruments with theirs, and
        its citations."""
        actor = self.model._meta.get_field("actors").related_model
        instrument = self.model._meta.get_field("instruments").related_model
        return self.select_related("host").prefetch_related(
            "co_hosts",
            "participants",
            Prefetch("actors", queryset=actor.objects.select_related("jurisdiction")),
            Prefetch("instruments", queryset=instrument.objects.select_related("jurisdiction")),
            citations_prefetch(),
        )


class ActorQuerySet(models.QuerySet):
    SEARCH_FIELDS = ("name", "role")

    def search(self, q):
        """Actors matching the search `q`, annotated with `search_rank`."""
        return text_search(self, q, self.SEARCH_FIELDS)

    def for_listing(self):
        """Everything a list of actors shows, in one query."""
        return self.select_related("jurisdiction")


class TopicQuerySet(models.QuerySet):
    # No GIN index behind this search, unlike the others: a few dozen topics are read faster
    # whole than through an index.
    SEARCH_FIELDS = ("name", "description")

    def search(self, q):
        """Topics whose name or description matches the search `q`, annotated with
        `search_rank`."""
        return text_search(self, q, self.SEARCH_FIELDS)


class CitationQuerySet(models.QuerySet):
    SEARCH_FIELDS = ("quote", "note")

    def search(self, q):
        """Citations whose quote (or note) matches the search `q`, annotated with
        `search_rank`."""
        return text_search(self, q, self.SEARCH_FIELDS)

    def backing(self, kinds):
        """Citations backing a record of one of `kinds` (`CitedRecordKind` values)."""
        condition = Q()
        for kind in kinds:
            condition |= Q(**{f"{kind}__isnull": False})
        return self.filter(condition)

    def with_updated_at(self):
        """Citations annotated with `updated_at`: when the latest entry of their change history
        was written (created or changed; null for a row written around the history). Citations
        keep no timestamp of their own; their history says when they last changed."""
        latest = self.model.history.filter(id=OuterRef("pk")).order_by("-history_date")
        return self.annotate(updated_at=Subquery(latest.values("history_date")[:1]))

    def with_records(self):
        """Citations with their source and the record each backs, and, for a record shown on
        another's page (`page_parent`: a status change's instrument, an actor's jurisdiction),
        that record too: what naming the record and linking to its page need. One query."""
        related = ["source"]
        for kind in CitedRecordKind.values:
            model = self.model._meta.get_field(kind).related_model
            parent = getattr(model, "page_parent", "")
            related.append(f"{kind}__{parent}" if parent else kind)
        return self.select_related(*related)

    def for_listing(self):
        """Everything a list of citations shows, in one query: `with_records` and
        `updated_at`."""
        return self.with_records().with_updated_at()


class SourceQuerySet(models.QuerySet):
    SEARCH_FIELDS = ("title", "author", "publisher")

    def search(self, q):
        """Sources whose title, author or publisher matches the search `q`, annotated with
        `search_rank`. No GIN index behind it: the sources are a few dozen rows."""
        return text_search(self, q, self.SEARCH_FIELDS)

    def by_title(self):
        """By title as a reader sorts it, whatever the case ("data…" beside "Data…")."""
        return self.order_by(Lower("title"), "title", "pk")

    def founding_date(self):
        """Publication date of the founding article (`settings.FOUNDING_SOURCE`, the source
        the data set was first built from), which the home page and the map compare today with.
        None when that source is absent or undated. (Not the earliest article: sources added
        later may be older.)"""
        return (
            self.filter(slug=settings.FOUNDING_SOURCE, published_on__isnull=False)
            .values_list("published_on", flat=True)
            .first()
        )

    def with_counts(self, cited_records):
        """Sources annotated with `citation_count` (their citations) and `record_count` (the
        distinct records those back: `cited_records` names the citation's target fields). A
        citation backs exactly one record, so the distinct records are the sum of the distinct
        targets of each kind. One query."""
        records = sum(
            (models.Count(f"citations__{name}", distinct=True) for name in cited_records),
            Value(0),
        )
        return self.annotate(
            citation_count=models.Count("citations", distinct=True), record_count=records
        )
