"""What the benchmark asks for, chosen from the data the database holds: the requests, each with
its Datasette equivalent where Datasette has one, and the filters they use.

The largest synthetic country (by instruments issued there or in its sub-national
jurisdictions) is the jurisdiction filtered on; the CSV download takes the filter (a country,
and a set of types) whose row count is nearest to the number asked; the search word is one the
synthetic titles use."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.db.models import Count

from instruments import synthetic
from instruments.models import Instrument
from instruments.vocabulary import InstrumentType
from policytracker.benchmarks.export import JSON_COLUMNS, ORDER, TABLE

DATABASE = "tracker"
SEARCH_WORDS = ("recognition", "liability", "safety")
AS_OF = "2025-08-08"
PAGE = 50


class NoSyntheticData(Exception):
    pass


@dataclass(frozen=True)
class RowFilter:
    """Instruments issued in `country` (or its sub-national jurisdictions), of `types` (every
    type when empty): `rows` of them."""

    country: str
    types: tuple[str, ...]
    rows: int

    def ours(self) -> str:
        return urlencode([("jurisdiction", self.country), *(("type", t) for t in self.types)])

    def datasette(self) -> str:
        pairs = [("country_code", self.country)]
        if self.types:
            pairs.append(("type__in", ",".join(self.types)))
        return urlencode(pairs)

    def describe(self) -> str:
        return self.ours()


@dataclass
class Scenario:
    key: str
    label: str
    ours: str
    datasette: str | None = None
    # "json": an API answer; "html": a page; "csv": a download.
    kind: str = "json"
    notes: list[str] = field(default_factory=list)


def country_type_counts() -> Counter:
    """Instruments by (issuing country, type): a sub-national jurisdiction's count goes to its
    country, as `jurisdiction=<country>` selects it."""
    counts: Counter = Counter()
    rows = Instrument.objects.values_list(
        "jurisdiction__code", "jurisdiction__parent__code", "type"
    ).annotate(n=Count("id"))
    for code, parent, kind, n in rows:
        counts[(parent or code, kind)] += n
    return counts


def largest_country(counts: Counter, prefix: str = synthetic.CODE_PREFIX) -> tuple[str, int]:
    """The synthetic country that issued the most instruments, and how many."""
    totals: Counter = Counter()
    for (country, _), n in counts.items():
        if country.startswith(prefix):
            totals[country] += n
    if not totals:
        raise NoSyntheticData
    return max(sorted(totals.items()), key=lambda item: item[1])


def nearest_filter(counts: Counter, target: int) -> RowFilter:
    """The country and set of types whose instruments number nearest to `target` (fewer types
    first, then the code, on a tie)."""
    by_country: dict[str, dict[str, int]] = {}
    for (country, kind), n in counts.items():
        by_country.setdefault(country, {})[kind] = n
    types = InstrumentType.values
    best: tuple | None = None
    for country in sorted(by_country):
        had = by_country[country]
        for size in range(1, len(types) + 1):
            for chosen in itertools.combinations(types, size):
                rows = sum(had.get(kind, 0) for kind in chosen)
                key = (abs(rows - target), size, country)
                if best is None or key < best[0]:
                    every = size == len(types)
                    best = (key, RowFilter(country, () if every else chosen, rows))
    if best is None:
        raise NoSyntheticData
    return best[1]


def search_word() -> str:
    """A word of synthetic titles (the first of `SEARCH_WORDS` in one)."""
    synthetic_rows = Instrument.objects.filter(slug__startswith=synthetic.SLUG_PREFIX)
    for word in SEARCH_WORDS:
        if synthetic_rows.filter(title__icontains=word).exists():
            return word
    title = synthetic_rows.order_by("pk").values_list("title", flat=True).first()
    if not title:
        raise NoSyntheticData
    return title.split()[0].lower()


def first_binding(country: str) -> str:
    """The slug of the first binding law issued in `country` in the list's order."""
    slug = (
        Instrument.objects.filter(type=InstrumentType.BINDING_LAW)
        .filter(jurisdiction__code=country)
        .order_by(*ORDER)
        .values_list("slug", flat=True)
        .first()
    )
    if slug is None:
        slug = Instrument.objects.order_by(*ORDER).values_list("slug", flat=True).first()
    if slug is None:
        raise NoSyntheticData
    return slug


def build(
    country: str, word: str, slug: str, row_id: int | None, csv_filter: RowFilter
) -> list[Scenario]:
    """The requests measured, in order. `row_id` is the record's row in the SQLite copy."""
    table = f"/{DATABASE}/{TABLE}"
    shape = "&_shape=objects&" + "&".join(f"_json={column}" for column in JSON_COLUMNS)
    listed = f"binding=true&jurisdiction={quote(country)}"
    ours_list = f"/api/v1/instruments/?{listed}&page_size={PAGE}"
    theirs_list = f"{table}.json?type=binding_law&country_code={quote(country)}&_size={PAGE}{shape}"
    record = f"{table}/{row_id}.json?_shape=objects" if row_id is not None else None
    return [
        Scenario("list", "API list, 2 filters", ours_list, theirs_list),
        Scenario(
            "facets",
            "API list + 3 facets",
            f"{ours_list}&facet=type&facet=status&facet=topic",
            f"{theirs_list}&_facet=type&_facet=status&_facet_array=topics",
        ),
        Scenario("as_of", f"API list as of {AS_OF}", f"{ours_list}&as_of={AS_OF}"),
        Scenario("record", "API record", f"/api/v1/instruments/{quote(slug)}/", record),
        Scenario(
            "search",
            f"API search “{word}”",
            f"/api/v1/instruments/?q={quote(word)}&page_size={PAGE}",
            f"{table}.json?_search={quote(word)}&_size={PAGE}{shape}",
        ),
        Scenario("html_list", "HTML list, 2 filters", f"/instruments/?{listed}", kind="html"),
        Scenario(
            "html_jurisdiction",
            "HTML jurisdiction page",
            f"/jurisdictions/{quote(country)}/",
            kind="html",
        ),
        Scenario("html_search", f"HTML search “{word}”", f"/search/?q={quote(word)}", kind="html"),
        Scenario("changes", "API change feed", "/api/v1/changes/"),
        Scenario(
            "csv",
            f"CSV, {csv_filter.rows:,} rows",
            f"/api/v1/instruments/?{csv_filter.ours()}&format=csv",
            f"{table}.csv?{csv_filter.datasette()}&_stream=on&_size=max",
            kind="csv",
        ),
    ]


# Every request's key, in the order measured (`--only`).
KEYS = (
    "list", "facets", "as_of", "record", "search", "html_list", "html_jurisdiction",
    "html_search", "changes", "csv",
)  # fmt: skip
# Pages that issue no query, the first that does serving as the no-database request.
NO_DATABASE_PATHS = ("/api/", "/static/favicon.svg")
