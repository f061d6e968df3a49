"""The strict, faceted FilterSet every list builds on (`policytracker.core.filters`), through
the domain's FilterSets: every facet count is the real count of choosing its value, in a fixed
number of queries; a chosen value stays on the form; unknown parameters are no error; undated
rows sort last either way."""

import datetime
import itertools

import pytest
from django.http import QueryDict

from instruments.filters import EventFilterSet, InstrumentFilterSet
from instruments.models import Event, Instrument
from tests.factories import EventFactory, InstrumentFactory, JurisdictionFactory
from tests.helpers.filters import codes, filtered, instruments, position_queries

COMBINATIONS = [
    "",
    "binding=true",
    "binding=false&member_of=ASEAN",
    "binding=true&as_of=2025-08-08",
    "region=eastern_asia&status=in_effect",
    "topic=risk-tiers&jurisdiction=EU&jurisdiction=KR",
    "as_of=2024-06-01&type=binding_law&type=draft_bill",
    "year=2024&binding=false",
    "party=KR",
]


@pytest.mark.parametrize("query", COMBINATIONS)
def test_every_facet_count_is_the_real_count_of_choosing_that_value(seeded, query):
    """Choosing a value (in place of the facet's current ones) gives exactly its count."""
    filterset = instruments(query)
    checked = 0
    for facet in filterset.facets():
        for option in facet.options:
            data = QueryDict(query, mutable=True)
            data.setlist(facet.name, [option.value])
            real = InstrumentFilterSet(data, queryset=Instrument.objects.all()).qs.count()
            assert option.count == real, (query, facet.name, option.value)
            checked += 1
    assert checked


def test_unrelated_parameters_are_not_errors(empty):
    assert InstrumentFilterSet(
        QueryDict("utm_source=newsletter&page=2&format=csv"), queryset=Instrument.objects.all()
    ).is_valid()


def test_ordering_puts_undated_last_either_way(empty):
    for day in [datetime.date(2024, 5, 21), None, datetime.date(2019, 1, 1), None]:
        InstrumentFactory(adopted_on=day, adopted_on_precision="day" if day else "")
    ascending = [i.adopted_on for i in instruments("ordering=adopted_on").qs]
    descending = [i.adopted_on for i in instruments("ordering=-adopted_on").qs]
    dated = [day for day in ascending if day]
    assert dated == sorted(dated)
    assert ascending[-1] is None
    assert descending[-1] is None
    assert [day for day in descending if day] == sorted(dated, reverse=True)


@pytest.mark.parametrize(
    "query", ["", "kind=summit", "jurisdiction=KR", "year=2024", "jurisdiction=SG&kind=statement"]
)
def test_event_facet_counts_are_real(seeded, query):
    filterset = EventFilterSet(QueryDict(query), queryset=Event.objects.all())
    assert filterset.is_valid(), filterset.errors
    for facet in filterset.facets():
        for option in facet.options:
            data = QueryDict(query, mutable=True)
            data.setlist(facet.name, [option.value])
            real = EventFilterSet(data, queryset=Event.objects.all()).qs.count()
            assert option.count == real, (query, facet.name, option.value)


def test_facet_queries_do_not_grow_with_rows(db, django_assert_max_num_queries):
    jurisdiction = JurisdictionFactory()
    for kind, _ in itertools.product(["binding_law", "voluntary_framework"], range(3)):
        InstrumentFactory(jurisdiction=jurisdiction, type=kind)
    with django_assert_max_num_queries(12 + position_queries()):
        instruments("").facets()
    for _ in range(20):
        InstrumentFactory(jurisdiction=JurisdictionFactory())
    with django_assert_max_num_queries(12 + position_queries()):
        instruments("").facets()


def test_a_chosen_value_with_no_match_stays_on_the_form(empty):
    EventFactory(kind="summit", date=datetime.date(2024, 5, 21), date_precision="day")
    filterset = EventFilterSet(QueryDict("kind=summit&year=2023"), queryset=Event.objects.all())
    assert filterset.is_valid()
    year = next(facet for facet in filterset.facets() if facet.name == "year")
    assert [(o.value, o.count, o.selected) for o in year.options if o.selected] == [
        ("2023", 0, True)
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "member_of=ASEAN",
        "region=eastern_asia&as_of=2025-08-08",
        "approach=voluntary",
        "kind=national&q=korea",
    ],
)
def test_facet_counts_are_real(seeded, query):
    for facet in filtered(query).facets():
        for option in facet.options:
            data = QueryDict(query, mutable=True)
            data.setlist(facet.name, [option.value])
            assert option.count == len(codes(data.urlencode())), (query, facet.name, option.value)
