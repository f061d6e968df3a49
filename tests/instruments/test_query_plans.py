"""At 100,000 instruments on PostgreSQL, the commonest lists read indexes: no query of the
filtered list, its count, its facets or its `as_of` reading scans the instruments table whole.
(The figures themselves are `make bench`'s; this pins the plans that give them.)"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from instruments import synthetic
from instruments.models import Instrument

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans"),
]

SIZE = 100_000
INSTRUMENTS = Instrument._meta.db_table


def sequential_scans(sql, params):
    """The tables a query's plan reads whole (its `Seq Scan` nodes)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    tables, nodes = [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        if node.get("Node Type") == "Seq Scan":
            tables.append(node["Relation Name"])
        nodes.extend(node.get("Plans", []))
    return tables


def largest_code():
    """The code of the synthetic jurisdiction that issued the most instruments."""
    return (
        Instrument.objects.filter(slug__startswith=synthetic.SLUG_PREFIX)
        .values("jurisdiction__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("jurisdiction__code", flat=True)
        .first()
    )


@pytest.fixture(scope="module")
def hundred_thousand(django_db_setup, django_db_blocker):
    """The synthetic data set at 100,000 instruments, for this module only."""
    with django_db_blocker.unblock():
        call_command("generate_synthetic", "--instruments", str(SIZE), "--seed", "1", verbosity=0)
        try:
            yield
        finally:
            synthetic.remove()


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/instruments/?binding=true&jurisdiction={code}&facet=type&facet=status",
        "/api/v1/instruments/?binding=true&jurisdiction={code}&as_of=2025-08-08&facet=status",
        "/api/v1/instruments/?type=draft_bill&jurisdiction={code}&status=proposed",
        "/instruments/?binding=true&jurisdiction={code}",
    ],
)
def test_the_filtered_list_its_count_and_facets_read_indexes(hundred_thousand, client, address):
    # The jurisdiction holding the most instruments: the hardest case for an index.
    code = largest_code()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address.format(code=code)).status_code == 200
    read = [query["sql"] for query in captured.captured_queries if INSTRUMENTS in query["sql"]]
    assert read
    scanned = {sql[:120]: sequential_scans(sql, None) for sql in read if sql.startswith("SELECT")}
    assert not {sql: tables for sql, tables in scanned.items() if INSTRUMENTS in tables}


def sorted_rows(sql, params):
    """The most rows any `Sort` node of the query's plan sorted, as run."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    most, nodes = 0, [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        if node.get("Node Type") in {"Sort", "Incremental Sort"}:
            rows = sum(child["Actual Rows"] * child["Actual Loops"] for child in node["Plans"])
            most = max(most, rows)
        nodes.extend(node.get("Plans", []))
    return most


def test_a_page_of_the_largest_jurisdiction_sorts_a_page_per_jurisdiction(hundred_thousand):
    """The first page of a country's binding laws, in the lists' order, sorts at most a page
    of rows from each of its jurisdictions, not every law it has (`page_rows`)."""
    from jurisdictions.models import Jurisdiction

    code = largest_code()
    country = Jurisdiction.objects.get(code=code)
    chosen = [country.pk, *country.subdivisions.values_list("pk", flat=True)]
    laws = (
        Instrument.objects.filter(type="binding_law", jurisdiction__in=chosen)
        .select_related("jurisdiction")
        .order_by("jurisdiction__name", "title", "pk")
    )
    assert laws.count() > 50 * len(chosen) * 4
    for bottom in (0, 500):
        page = laws.page_rows(bottom, bottom + 51)
        sql, params = page.query.sql_with_params()
        assert sorted_rows(sql, params) <= (bottom + 51) * len(chosen)
        assert [row.pk for row in page] == [row.pk for row in laws[bottom : bottom + 51]]
    every = Instrument.objects.order_by("jurisdiction__name", "title", "pk")
    sql, params = every.page_rows(0, 51).query.sql_with_params()
    assert sorted_rows(sql, params) <= 51 * Jurisdiction.objects.count()
