"""A large synthetic data set that stays: for measuring the tracker at the size real trackers
reach (`manage.py generate_synthetic`), and for taking it away again (`--remove`).

Deterministic (the same `--seed` and size give the same rows), and skewed as real data is: about
250 jurisdictions (nationals with sub-national units, and blocs with members), a few of them
holding most of the records (a Zipf law); every instrument with a status timeline that keeps
`instruments.rules`, one to three citations of its own and one for each step; topics; parties on
declarations; an event for about one instrument in five.

Rows are written in bulk, not through the models: `COPY` on PostgreSQL, batched multi-row
`INSERT`s elsewhere (what `bulk_create` sends), with explicit keys taken above the largest in
use. Synthetic rows are known by their keys' prefix (`syn-` slugs, `ZS` jurisdiction codes), which
no real record uses, and nothing else is touched. They write no change history: they are not
editors' work, and the change feed does not list them."""

from __future__ import annotations

import datetime
import itertools
import json
import random
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from instruments.models import Citation, Event, Instrument, Source, StatusChange, Topic
from instruments.vocabulary import EventKind, InstrumentType
from jurisdictions.models import Jurisdiction, Membership
from jurisdictions.vocabulary import Approach, Kind, Region

SLUG_PREFIX = "syn-"
CODE_PREFIX = "ZS"
NATIONALS = 160
BLOCS = 12
SUBNATIONAL_PARENTS = 8  # the largest nationals, each with sub-national units
SUBNATIONALS_EACH = 6
BATCH = 5_000
CHUNK = 20_000
FIRST_DAY = datetime.date(2016, 1, 1)
PARTY = ("instrument_id", "jurisdiction_id")
LAST_DAY = datetime.date(2026, 11, 30)

# How often each type occurs, as in the seed: mostly voluntary texts and laws.
TYPE_WEIGHTS = {
    InstrumentType.VOLUNTARY_FRAMEWORK: 30,
    InstrumentType.BINDING_LAW: 25,
    InstrumentType.DRAFT_BILL: 20,
    InstrumentType.POLICY: 15,
    InstrumentType.DECLARATION: 10,
}
WORDS = (
    "Artificial Intelligence", "Algorithmic Accountability", "Automated Decision", "AI Safety",
    "Data Protection", "Digital Services", "Generative AI", "Facial Recognition", "AI Ethics",
    "Online Safety", "Synthetic Media", "Frontier Models", "Public Sector AI", "AI Liability",
)  # fmt: skip
FORMS = {
    InstrumentType.BINDING_LAW: ("Act", "Law", "Regulation", "Decree"),
    InstrumentType.DRAFT_BILL: ("Bill", "Draft Law", "Proposal"),
    InstrumentType.VOLUNTARY_FRAMEWORK: ("Framework", "Guidelines", "Code of Practice"),
    InstrumentType.POLICY: ("Strategy", "Action Plan", "Executive Order"),
    InstrumentType.DECLARATION: ("Declaration", "Statement", "Communiqué"),
}


@dataclass
class Tables:
    """Rows to write, by table, in the order of their columns."""

    rows: dict[str, list[tuple]] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, model_or_table, columns, row):
        table = getattr(getattr(model_or_table, "_meta", None), "db_table", model_or_table)
        self.columns.setdefault(table, columns)
        self.rows.setdefault(table, []).append(row)


def _next_id(model_or_table) -> Iterator[int]:
    table = getattr(getattr(model_or_table, "_meta", None), "db_table", model_or_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0]
    return itertools.count(start + 1)


def _day(rng: random.Random, after: datetime.date, before: datetime.date = LAST_DAY):
    span = (before - after).days
    return after + datetime.timedelta(days=rng.randint(0, max(span, 0)))


def _timeline(rng: random.Random, kind: str) -> list[tuple[str, datetime.date]]:
    """Steps (status, day) in the order of the life cycle, each at least 40 days after the
    last, so that no two overlap at any precision."""
    if kind == InstrumentType.DRAFT_BILL:
        stages = ["proposed"] + (["withdrawn"] if rng.random() < 0.1 else [])
    elif kind == InstrumentType.BINDING_LAW:
        stages = (["draft"] if rng.random() < 0.4 else []) + ["adopted"]
        if rng.random() < 0.75:
            stages.append("in_effect")
            if rng.random() < 0.04:
                stages.append("repealed")
    elif kind == InstrumentType.DECLARATION:
        stages = ["adopted"]
    else:
        stages = ["in_effect"] + (["superseded"] if rng.random() < 0.05 else [])
    days = []
    last = FIRST_DAY
    room = (LAST_DAY - FIRST_DAY).days // len(stages)
    for _ in stages:
        day = last + datetime.timedelta(days=rng.randint(40, max(room, 41)))
        day = min(day, LAST_DAY - datetime.timedelta(days=40 * (len(stages) - len(days))))
        day = max(day, last + datetime.timedelta(days=40)) if days else day
        days.append(day)
        last = day
    return list(zip(stages, days, strict=True))


class Generator:
    """Builds the rows of `instruments` synthetic instruments and everything around them."""

    def __init__(self, instruments: int, seed: int) -> None:
        self.count = instruments
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.tables = Tables()

    def jurisdictions(self) -> list[int]:
        """Adds the synthetic jurisdictions; returns every jurisdiction's id, most weighted
        first (the existing ones take their place among them)."""
        rng, ids = self.rng, _next_id(Jurisdiction)
        columns = ("id", "code", "name", "local_name", "kind", "region", "parent_id", "approach",
                   "approach_summary", "created_at", "updated_at")  # fmt: skip
        regions = [value for value in Region.values if value not in ("world", "europe")]
        nationals, national_regions = [], []
        for number in range(1, NATIONALS + 1):
            pk = next(ids)
            nationals.append(pk)
            national_regions.append(rng.choice(regions))
            self.tables.add(Jurisdiction, columns, (
                pk, f"{CODE_PREFIX}{number:03d}", f"Synthetic country {number}", "",
                Kind.NATIONAL, national_regions[-1], None, Approach.NOT_ASSESSED, "",
                self.now, self.now,
            ))  # fmt: skip
        subnationals = []
        for parent in range(1, SUBNATIONAL_PARENTS + 1):
            for unit in range(1, SUBNATIONALS_EACH + 1):
                pk = next(ids)
                subnationals.append(pk)
                self.tables.add(Jurisdiction, columns, (
                    pk, f"{CODE_PREFIX}{parent:03d}-{unit:02d}", f"Synthetic state {parent}.{unit}",
                    "", Kind.SUBNATIONAL, national_regions[parent - 1], nationals[parent - 1],
                    Approach.NOT_ASSESSED, "", self.now, self.now,
                ))  # fmt: skip
        memberships = _next_id(Membership)
        member_columns = ("id", "member_id", "bloc_id", "role", "started_on",
                          "started_on_precision", "ended_on", "ended_on_precision")  # fmt: skip
        for number in range(1, BLOCS + 1):
            pk = next(ids)
            self.tables.add(Jurisdiction, columns, (
                pk, f"{CODE_PREFIX}B{number:02d}", f"Synthetic bloc {number}", "",
                Kind.REGIONAL_BLOC, rng.choice(regions), None, Approach.NOT_ASSESSED, "",
                self.now, self.now,
            ))  # fmt: skip
            for member in rng.sample(nationals, rng.randint(4, 20)):
                started = _day(rng, datetime.date(1995, 1, 1), datetime.date(2024, 12, 31))
                self.tables.add(Membership, member_columns, (
                    next(memberships), member, pk, "member", started, "day", None, "",
                ))  # fmt: skip
        # Each synthetic jurisdiction cited, as every real one is.
        self.cited_places = [row[0] for row in self.tables.rows[Jurisdiction._meta.db_table]]
        existing = list(
            Jurisdiction.objects.exclude(code__startswith=CODE_PREFIX)
            .order_by("code")
            .values_list("id", flat=True)
        )
        # The big holders first: the first synthetic nationals, then states, then the rest.
        ordered = (
            nationals[:SUBNATIONAL_PARENTS]
            + subnationals
            + existing
            + nationals[SUBNATIONAL_PARENTS:]
        )
        self.nationals = nationals + existing
        return ordered

    def chunks(self) -> Iterator[Tables]:
        """The rows, `CHUNK` instruments (and what goes with them) at a time, so that memory
        stays flat in the size; the first chunk also holds the jurisdictions and sources."""
        rng = self.rng
        holders = self.jurisdictions()
        weights = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(holders))))
        topics = list(Topic.objects.order_by("slug").values_list("id", flat=True))
        types, type_weights = zip(*TYPE_WEIGHTS.items(), strict=True)
        type_weights = list(itertools.accumulate(type_weights))
        ids = {
            model: _next_id(model) for model in (Instrument, StatusChange, Citation, Source, Event)
        }
        link_ids = {
            table: _next_id(table)
            for table in ("instruments_instrument_topics", "instruments_instrument_parties",
                          "instruments_event_instruments")
        }  # fmt: skip
        sources = []
        source_columns = ("id", "slug", "title", "author", "publisher", "url", "published_on",
                          "kind", "archived_text", "archived_file", "archived_on", "created_at",
                          "updated_at")  # fmt: skip
        for number in range(max(self.count // 40, 5)):
            pk = next(ids[Source])
            sources.append(pk)
            self.tables.add(Source, source_columns, (
                pk, f"{SLUG_PREFIX}source-{number}", f"Synthetic source {number}", "",
                "Synthetic Publisher", f"https://example.org/synthetic/{number}",
                _day(rng, FIRST_DAY), "article", "", "", None, self.now, self.now,
            ))  # fmt: skip
        instrument_columns = (
            "id", "slug", "title", "original_title", "short_name", "jurisdiction_id", "type",
            "status", "introduced_on", "introduced_on_precision", "adopted_on",
            "adopted_on_precision", "effective_on", "effective_on_precision", "issuing_body",
            "summary", "created_at", "updated_at", "status_since", "status_since_precision",
            "timeline_status", "exists_from", "exists_from_day", "first_in_effect_on",
            "first_in_effect_precision",
        )  # fmt: skip
        step_columns = ("id", "date", "date_precision", "note", "instrument_id", "status",
                        "reversal")  # fmt: skip
        citation_columns = (
            "id", "source_id", "quote", "locator", "note", "fields", "checked_on",
            "unverified_since", "unverified_fields", "jurisdiction_id", "instrument_id",
            "event_id", "actor_id", "status_change_id", "approach_assessment_id",
            "coverage_review_id",
        )  # fmt: skip
        checked = self.now.date()

        def link(table, columns, *keys):
            self.tables.add(table, ("id", *columns), (next(link_ids[table]), *keys))

        def cite(source, quote, fields, *, instrument=None, step=None, event=None):
            self.tables.add(Citation, citation_columns, (
                next(ids[Citation]), source, quote, "section 1", "", json.dumps(fields),
                checked, None, "[]", None, instrument, event, None, step, None, None,
            ))  # fmt: skip

        for place in self.cited_places:
            self.tables.add(Citation, citation_columns, (
                next(ids[Citation]), rng.choice(sources), f"Synthetic jurisdiction {place}.",
                "section 1", "", json.dumps(["name", "kind"]), checked, None, "[]", place, None,
                None, None, None, None, None,
            ))  # fmt: skip
        event_columns = ("id", "slug", "title", "kind", "date", "date_precision", "reported_on",
                         "location", "host_id", "summary", "created_at", "updated_at")  # fmt: skip
        for number in range(self.count):
            pk = next(ids[Instrument])
            kind = types[bisect(type_weights, rng.random() * type_weights[-1])]
            holder = holders[bisect(weights, rng.random() * weights[-1])]
            steps = _timeline(rng, kind)
            when = dict(steps)
            introduced = when.get("draft") or when.get("proposed")
            adopted = when.get("adopted")
            effective = when.get("in_effect") if kind == InstrumentType.BINDING_LAW else None
            title = f"{rng.choice(WORDS)} {rng.choice(FORMS[kind])} {number}"
            self.tables.add(Instrument, instrument_columns, (
                pk, f"{SLUG_PREFIX}{number}", title, "", "", holder, kind, steps[-1][0],
                introduced, "day" if introduced else "", adopted, "day" if adopted else "",
                effective, "day" if effective else "", "Synthetic issuing body",
                f"A synthetic {InstrumentType(kind).label.lower()} for measuring the tracker.",
                # The stored timeline dates (`refresh_timeline_dates`): every date here is a
                # step's, known to the day, and the steps run in order.
                self.now, self.now, steps[-1][1], "day", steps[-1][0], steps[0][1], steps[0][1],
                when.get("in_effect"), "day" if "in_effect" in when else "",
            ))  # fmt: skip
            stated = [name for name, value in (("introduced_on", introduced),
                      ("adopted_on", adopted), ("effective_on", effective)) if value]  # fmt: skip
            for index in range(rng.randint(1, 3)):
                fields = ["title", "type", *stated] if index == 0 else ["summary"]
                cite(rng.choice(sources), f"Synthetic quote {number}.{index}.", fields,
                     instrument=pk)  # fmt: skip
            for status, day in steps:
                step = next(ids[StatusChange])
                self.tables.add(StatusChange, step_columns,
                                (step, day, "day", "", pk, status, False))  # fmt: skip
                cite(rng.choice(sources), f"Synthetic step {number} {status}.",
                     ["status", "date"], step=step)  # fmt: skip
            for topic in rng.sample(topics, min(len(topics), rng.randint(1, 3))):
                link("instruments_instrument_topics", ("instrument_id", "topic_id"), pk, topic)
            if kind == InstrumentType.DECLARATION:
                for party in rng.sample(self.nationals, rng.randint(3, 15)):
                    link("instruments_instrument_parties", PARTY, pk, party)
            if rng.random() < 0.2:
                event = next(ids[Event])
                day = steps[0][1]
                self.tables.add(Event, event_columns, (
                    event, f"{SLUG_PREFIX}event-{number}", f"Launch of {title}",
                    rng.choice(EventKind.values), day, "day", None, "", holder,
                    "A synthetic event.", self.now, self.now,
                ))  # fmt: skip
                link("instruments_event_instruments", ("event_id", "instrument_id"), event, pk)
                cite(rng.choice(sources), f"Synthetic event {number}.", ["title", "date"],
                     event=event)  # fmt: skip
            if (number + 1) % CHUNK == 0:
                yield self.tables
                self.tables = Tables()
        yield self.tables


# The order tables are written in: each refers only to those before it.
ORDER = (
    "jurisdictions_jurisdiction", "jurisdictions_membership", "instruments_source",
    "instruments_instrument", "instruments_statuschange", "instruments_event",
    "instruments_citation", "instruments_instrument_topics", "instruments_instrument_parties",
    "instruments_event_instruments",
)  # fmt: skip


def write(tables: Tables) -> dict[str, int]:
    """Write `tables` in one transaction: `COPY` on PostgreSQL, batched `INSERT`s elsewhere.
    Returns how many rows each table got."""
    written = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ORDER:
            rows = tables.rows.get(table, [])
            if not rows:
                continue
            columns = tables.columns[table]
            quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT MAX(id) FROM {name}))",
                    [table],
                )
            else:
                rows = [tuple(_adapted(value) for value in row) for row in rows]
                marks = ", ".join(["%s"] * len(columns))
                for start in range(0, len(rows), BATCH):
                    cursor.executemany(
                        f"INSERT INTO {name} ({quoted}) VALUES ({marks})",
                        rows[start : start + BATCH],
                    )
            written[table] = len(rows)
    return written


def _adapted(value):
    """`value` as the database backend stores it (dates and moments as its text)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def generate(
    instruments: int, seed: int, progress: Callable[[int], None] = lambda n: None
) -> dict[str, int]:
    """Add `instruments` synthetic instruments (and what goes with them), in one transaction,
    a chunk at a time; `progress(n)` hears of every n instruments written. Refuses when
    synthetic rows are there already: `remove()` them first. Returns the rows per table."""
    if exists():
        raise ValueError("Synthetic records are there already: remove them first (--remove).")
    written: Counter[str] = Counter()
    with transaction.atomic():
        for tables in Generator(instruments, seed).chunks():
            written.update(write(tables))
            progress(len(tables.rows.get(Instrument._meta.db_table, ())))
    if connection.vendor == "postgresql":
        # The planner's statistics for the tables that just grew and, where no transaction is
        # open (VACUUM cannot run in one), their visibility maps, without which an index-only
        # scan reads the table's rows as well: what autovacuum does some time after a bulk load.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in ORDER:
                cursor.execute(f"{command} {table}")
    return dict(written)


def exists() -> bool:
    return Instrument.objects.filter(slug__startswith=SLUG_PREFIX).exists() or (
        Jurisdiction.objects.filter(code__startswith=CODE_PREFIX).exists()
    )


def remove() -> dict[str, int]:
    """Delete every synthetic row, in one transaction, with plain `DELETE`s in the order that
    keeps every reference valid. Returns how many rows each table lost."""
    syn_instruments = "SELECT id FROM instruments_instrument WHERE slug LIKE 'syn-%%'"
    syn_steps = (
        f"SELECT id FROM instruments_statuschange WHERE instrument_id IN ({syn_instruments})"
    )
    syn_events = "SELECT id FROM instruments_event WHERE slug LIKE 'syn-%%'"
    syn_places = "SELECT id FROM jurisdictions_jurisdiction WHERE code LIKE 'ZS%%'"
    statements = [
        ("instruments_citation", f"instrument_id IN ({syn_instruments}) OR status_change_id IN "
                                 f"({syn_steps}) OR event_id IN ({syn_events}) OR "
                                 f"jurisdiction_id IN ({syn_places})"),
        ("instruments_instrument_topics", f"instrument_id IN ({syn_instruments})"),
        ("instruments_instrument_parties",
         f"instrument_id IN ({syn_instruments}) OR jurisdiction_id IN ({syn_places})"),
        ("instruments_event_instruments",
         f"instrument_id IN ({syn_instruments}) OR event_id IN ({syn_events})"),
        ("instruments_statuschange", f"instrument_id IN ({syn_instruments})"),
        ("instruments_event", "slug LIKE 'syn-%%'"),
        ("instruments_instrument", "slug LIKE 'syn-%%'"),
        ("instruments_source", "slug LIKE 'syn-%%'"),
        ("jurisdictions_membership", f"member_id IN ({syn_places}) OR bloc_id IN ({syn_places})"),
        ("jurisdictions_jurisdiction", "code LIKE 'ZS%%' AND parent_id IS NOT NULL"),
        ("jurisdictions_jurisdiction", "code LIKE 'ZS%%'"),
    ]  # fmt: skip
    removed: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table, condition in statements:
            cursor.execute(f"DELETE FROM {table} WHERE {condition}")
            removed[table] = removed.get(table, 0) + cursor.rowcount
    return removed


def counts(tables: Iterable[str] = ORDER) -> dict[str, int]:
    with connection.cursor() as cursor:
        result = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            result[table] = cursor.fetchone()[0]
    return result
