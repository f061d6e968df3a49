"""What the benchmark asks for (`policytracker.benchmarks.scenarios`): the largest synthetic
country, the CSV filter nearest to a row count, and each request beside its Datasette
equivalent."""

from collections import Counter

import pytest
from django.db.models import Q

from instruments import synthetic
from instruments.models import Instrument
from instruments.vocabulary import InstrumentType
from policytracker.benchmarks import scenarios

COUNTS = Counter({
    ("ZS001", "binding_law"): 700, ("ZS001", "draft_bill"): 500, ("ZS001", "policy"): 300,
    ("ZS002", "binding_law"): 400, ("ZS002", "declaration"): 90,
    ("VN", "binding_law"): 5000,
})  # fmt: skip


def test_the_largest_synthetic_country_whatever_real_ones_hold():
    assert scenarios.largest_country(COUNTS) == ("ZS001", 1500)


def test_no_synthetic_country_is_said():
    with pytest.raises(scenarios.NoSyntheticData):
        scenarios.largest_country(Counter({("VN", "binding_law"): 5}))


def test_the_filter_nearest_to_a_row_count():
    assert scenarios.nearest_filter(COUNTS, 490) == scenarios.RowFilter(
        "ZS002", ("binding_law", "declaration"), 490
    )
    assert scenarios.nearest_filter(COUNTS, 1200) == scenarios.RowFilter(
        "ZS001", ("binding_law", "draft_bill"), 1200
    )
    every_type = Counter({("ZS001", kind): 10 for kind in InstrumentType.values})
    everything = scenarios.nearest_filter(every_type, 50)
    assert everything == scenarios.RowFilter("ZS001", (), 50)
    assert everything.ours() == "jurisdiction=ZS001"
    assert everything.datasette() == "country_code=ZS001"


def test_a_filter_in_both_dialects():
    chosen = scenarios.RowFilter("ZS001", ("binding_law", "policy"), 1000)
    assert chosen.ours() == "jurisdiction=ZS001&type=binding_law&type=policy"
    assert chosen.datasette() == "country_code=ZS001&type__in=binding_law%2Cpolicy"


def test_each_request_and_its_datasette_equivalent():
    plan = scenarios.build("ZS001", "safety", "syn-7", 42, scenarios.RowFilter("ZS003", (), 10))
    by_key = {scenario.key: scenario for scenario in plan}
    assert tuple(by_key) == scenarios.KEYS
    assert (
        by_key["list"].ours == "/api/v1/instruments/?binding=true&jurisdiction=ZS001&page_size=50"
    )
    assert by_key["list"].datasette.startswith(
        "/tracker/instruments.json?type=binding_law&country_code=ZS001&_size=50&_shape=objects"
    )
    assert "&facet=type&facet=status&facet=topic" in by_key["facets"].ours
    assert "&_facet=type&_facet=status&_facet_array=topics" in by_key["facets"].datasette
    assert by_key["as_of"].ours.endswith("&as_of=2025-08-08")
    assert by_key["record"].ours == "/api/v1/instruments/syn-7/"
    assert by_key["record"].datasette == "/tracker/instruments/42.json?_shape=objects"
    assert "_search=safety" in by_key["search"].datasette
    assert by_key["html_jurisdiction"].ours == "/jurisdictions/ZS001/"
    assert by_key["csv"].ours == "/api/v1/instruments/?jurisdiction=ZS003&format=csv"
    assert (
        by_key["csv"].datasette
        == "/tracker/instruments.csv?country_code=ZS003&_stream=on&_size=max"
    )
    # Datasette has no day to show the list as of, no pages of ours, no change feed.
    for key in ("as_of", "html_list", "html_jurisdiction", "html_search", "changes"):
        assert by_key[key].datasette is None


@pytest.mark.django_db
def test_chosen_from_the_database(seeded):
    synthetic.generate(200, seed=1)
    counts = scenarios.country_type_counts()
    country, rows = scenarios.largest_country(counts)
    assert country.startswith(synthetic.CODE_PREFIX)
    issued = Instrument.objects.filter(
        Q(jurisdiction__code=country) | Q(jurisdiction__parent__code=country)
    )
    assert rows == issued.count()
    totals = Counter()
    for (code, _), n in counts.items():
        totals[code] += n
    assert rows == max(n for code, n in totals.items() if code.startswith("ZS"))
    word = scenarios.search_word()
    assert Instrument.objects.filter(slug__startswith="syn-", title__icontains=word).exists()
    assert Instrument.objects.get(slug=scenarios.first_binding(country)).type == "binding_law"
