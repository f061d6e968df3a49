"""Facet counts kept in the cache while the database has not moved
(`policytracker.core.facet_cache`): the same list asked again counts nothing, any write counts
afresh, and a cache that fails is only a miss.

The position is fixed by hand in most tests here: on PostgreSQL the real one moves with every
write to the cluster, the other test workers' included."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.models import Instrument
from policytracker.core import facet_cache
from tests.factories import InstrumentFactory
from tests.helpers.filters import instruments

QUERY = "binding=true&facet=type"


@pytest.fixture
def position(monkeypatch):
    """The database's position, as the test sets it."""
    at = {"position": "test/1", "settled": True}
    monkeypatch.setattr(
        facet_cache, "database_position", lambda alias: (at["position"], at["settled"])
    )
    cache.clear()
    yield at
    cache.clear()


def counts(query, name="jurisdiction"):
    facet = next(facet for facet in instruments(query).facets([name]) if facet.name == name)
    return {option.value: option.count for option in facet.options}


def test_the_same_list_asked_again_counts_nothing(seeded, position):
    first = counts(QUERY)
    with CaptureQueriesContext(connection) as captured:
        again = counts(QUERY)
    assert again == first
    assert not captured.captured_queries


def test_a_write_moves_the_position_and_the_counts_follow(seeded, position):
    before = counts(QUERY)
    law = Instrument.objects.filter(type="binding_law").first()
    InstrumentFactory(type="binding_law", jurisdiction=law.jurisdiction)
    # Unmoved (as no real database is), the kept count is read...
    assert counts(QUERY) == before
    # ...and the position any write moves gives the new one.
    position["position"] = "test/2"
    after = counts(QUERY)
    assert after[law.jurisdiction.code] == before[law.jurisdiction.code] + 1


def test_each_filter_and_day_is_kept_apart(seeded, position, settings):
    assert counts("binding=true") != counts("binding=false")
    assert counts("binding=true") == counts("binding=true&page=2&ordering=title")
    assert counts("as_of=2025-08-08") != counts("")


def test_zero_seconds_counts_every_time(seeded, position, settings):
    settings.FACET_CACHE_SECONDS = 0
    counts(QUERY)
    with CaptureQueriesContext(connection) as captured:
        counts(QUERY)
    assert captured.captured_queries


def test_a_failing_cache_is_a_miss(seeded, position, monkeypatch):
    expected = counts(QUERY)

    class Down:
        def get_many(self, keys):
            raise ConnectionError("cache down")

        set_many = get_many

    monkeypatch.setattr(facet_cache, "cache", Down())
    assert counts(QUERY) == expected


def test_an_unsettled_position_counts_and_keeps_nothing(seeded, position):
    # A commit being flushed, or a transaction's own writes: what is counted is not kept.
    position["settled"] = False
    first = counts(QUERY)
    with CaptureQueriesContext(connection) as captured:
        assert counts(QUERY) == first
    assert captured.captured_queries
    position["settled"] = True
    counts(QUERY)
    with CaptureQueriesContext(connection) as captured:
        counts(QUERY)
    assert not captured.captured_queries


def test_the_position_is_postgresqls_and_moves_with_a_write(db):
    read = facet_cache.database_position("default")
    if connection.vendor != "postgresql":
        assert read is None
        return
    position, _ = read
    InstrumentFactory()
    # Inside the test's transaction, which sees its own uncommitted rows: nothing is kept.
    moved, settled = facet_cache.database_position("default")
    assert settled is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::pg_lsn > %s::pg_lsn", [moved, position])
        assert cursor.fetchone()[0]


def test_pages_show_the_kept_counts(client, seeded, position):
    with CaptureQueriesContext(connection) as counted:
        first = client.get("/instruments/", {"binding": "true"})
    with CaptureQueriesContext(connection) as kept:
        again = client.get("/instruments/", {"binding": "true"})
    facets = first.context["facets"]
    assert [facet.options for facet in again.context["facets"]] == [
        facet.options for facet in facets
    ]
    # One query fewer for each facet: what is left is the page's own rows and count.
    assert len(kept.captured_queries) <= len(counted.captured_queries) - len(facets)


# Any query's rows (`read_rows_through`) ------------------------------------------------------


def binding_by_jurisdiction():
    from django.db.models import Count

    return (
        Instrument.objects.filter(type="binding_law")
        .order_by("jurisdiction__code")
        .values_list("jurisdiction__code")
        .annotate(n=Count("pk"))
    )


def test_rows_asked_again_are_read_from_the_cache_until_the_position_moves(seeded, position):
    first = facet_cache.read_rows_through(binding_by_jurisdiction())
    assert first == list(binding_by_jurisdiction())
    with CaptureQueriesContext(connection) as captured:
        assert facet_cache.read_rows_through(binding_by_jurisdiction()) == first
    assert not captured.captured_queries
    law = Instrument.objects.filter(type="binding_law").first()
    InstrumentFactory(type="binding_law", jurisdiction=law.jurisdiction)
    position["position"] = "test/2"
    after = dict(facet_cache.read_rows_through(binding_by_jurisdiction()))
    assert after[law.jurisdiction.code] == dict(first)[law.jurisdiction.code] + 1
    # The same SQL read into another shape is another entry.
    as_dicts = binding_by_jurisdiction().values("jurisdiction__code", "n")
    assert facet_cache.read_rows_through(as_dicts) == list(as_dicts)
    assert isinstance(facet_cache.read_rows_through(as_dicts)[0], dict)
    # Another query is another entry; an empty one is no query at all.
    other = Instrument.objects.filter(type="draft_bill").values_list("slug")
    assert facet_cache.read_rows_through(other) == list(other)
    assert facet_cache.read_rows_through(Instrument.objects.none()) == []


def test_rows_are_read_and_not_kept_when_unsettled_off_or_failing(
    seeded, position, settings, monkeypatch
):
    expected = list(binding_by_jurisdiction())
    position["settled"] = False
    facet_cache.read_rows_through(binding_by_jurisdiction())
    with CaptureQueriesContext(connection) as captured:
        assert facet_cache.read_rows_through(binding_by_jurisdiction()) == expected
    assert captured.captured_queries
    position["settled"] = True
    settings.FACET_CACHE_SECONDS = 0
    facet_cache.read_rows_through(binding_by_jurisdiction())
    with CaptureQueriesContext(connection) as captured:
        facet_cache.read_rows_through(binding_by_jurisdiction())
    assert captured.captured_queries
    settings.FACET_CACHE_SECONDS = 300

    class Down:
        def get(self, key):
            raise ConnectionError("cache down")

        def set(self, key, value, seconds):
            raise ConnectionError("cache down")

    monkeypatch.setattr(facet_cache, "cache", Down())
    assert facet_cache.read_rows_through(binding_by_jurisdiction()) == expected


def test_a_jurisdiction_page_asked_again_reads_its_counts_from_the_cache(client, seeded, position):
    with CaptureQueriesContext(connection) as counted:
        first = client.get("/jurisdictions/US/")
    with CaptureQueriesContext(connection) as kept:
        again = client.get("/jurisdictions/US/")
    assert again.content == first.content
    # Its laws in force, its two grouped counts and its states' counts.
    assert len(kept.captured_queries) == len(counted.captured_queries) - 4
