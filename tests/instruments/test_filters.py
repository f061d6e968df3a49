"""The instrument and event FilterSets: real counts behind every facet, `as_of` at its
boundaries, and a named error for every bad value."""

import datetime
import itertools

import pytest
from django.http import QueryDict

from instruments.filters import EventFilterSet, InstrumentFilterSet
from instruments.models import Event, Instrument
from tests.factories import (
    BlocFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    StatusChangeFactory,
)


def instruments(query):
    filterset = InstrumentFilterSet(QueryDict(query), queryset=Instrument.objects.for_listing())
    assert filterset.is_valid(), filterset.errors
    return filterset


def slugs(query):
    return sorted(instrument.slug for instrument in instruments(query).qs)


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


def test_binding_instruments_of_asean_members_today_and_on_the_article_day(seeded):
    assert slugs("binding=true&member_of=ASEAN") == ["vn-law-on-artificial-intelligence"]
    assert slugs("binding=true&member_of=ASEAN&as_of=2025-08-08") == []
    assert slugs("binding=false&member_of=asean&as_of=2025-08-08") == [
        "sg-ai-verify-toolkit",
        "sg-model-ai-governance-framework",
    ]


def test_membership_counts_from_its_start_year_and_ends_with_its_end_year(db):
    bloc = BlocFactory(code="XBLOC")
    early, late = JurisdictionFactory(), JurisdictionFactory()
    MembershipFactory(member=early, bloc=bloc, start_year=2000, end_year=2020)
    MembershipFactory(member=late, bloc=bloc, start_year=2020)
    for member in (early, late):
        InstrumentFactory(
            jurisdiction=member, adopted_on=datetime.date(1999, 1, 1), adopted_on_precision="day"
        )
    for day, expected in [
        ("2019-12-31", {early.code}),
        ("2020-01-01", {late.code}),
        ("2026-01-01", {late.code}),
    ]:
        found = {i.jurisdiction.code for i in instruments(f"member_of=XBLOC&as_of={day}").qs}
        assert found == expected, day


def test_as_of_status_at_the_boundaries_of_a_step(db):
    instrument = InstrumentFactory(type="binding_law")
    StatusChangeFactory(instrument=instrument, status="adopted", date=datetime.date(2024, 3, 1))
    StatusChangeFactory(instrument=instrument, status="in_effect", date=datetime.date(2024, 6, 1))
    code = instrument.jurisdiction.code

    def statuses(day):
        return [row.as_of_status for row in instruments(f"jurisdiction={code}&as_of={day}").qs]

    assert statuses("2024-02-29") == []
    assert statuses("2024-03-01") == ["adopted"]
    assert statuses("2024-05-31") == ["adopted"]
    assert statuses("2024-06-01") == ["in_effect"]
    assert slugs(f"jurisdiction={code}&as_of=2024-05-31&status=in_effect") == []
    assert slugs(f"jurisdiction={code}&as_of=2024-06-01&status=in_effect") == [instrument.slug]


@pytest.mark.parametrize(
    ("query", "parameter", "says"),
    [
        ("binding=maybe", "binding", "true, false"),
        ("type=law", "type", "binding_law"),
        ("status=enacted", "status", "in_effect"),
        ("jurisdiction=ZZ", "jurisdiction", "ZZ"),
        ("member_of=CN", "member_of", "bloc"),
        ("topic=nope", "topic", "nope"),
        ("region=asia", "region", "eastern_asia"),
        ("year=20x4", "year", "four digits"),
        ("year=99999", "year", "four digits"),
        ("as_of=2025-02-30", "as_of", "YYYY-MM-DD"),
        ("adopted_after=yesterday", "adopted_after", "YYYY-MM-DD"),
        ("updated_since=soon", "updated_since", "ISO 8601"),
        ("ordering=colour", "ordering", "-adopted_on"),
        ("jurisdicton=CN", "jurisdicton", "jurisdiction"),
        ("bindng=true", "bindng", "binding"),
    ],
)
def test_a_bad_value_names_the_parameter_and_what_it_takes(seeded, query, parameter, says):
    filterset = InstrumentFilterSet(QueryDict(query), queryset=Instrument.objects.all())
    assert not filterset.is_valid()
    assert list(filterset.errors) == [parameter]
    assert says in " ".join(filterset.errors[parameter])


def test_unrelated_parameters_are_not_errors(seeded):
    assert InstrumentFilterSet(
        QueryDict("utm_source=newsletter&page=2&format=csv"), queryset=Instrument.objects.all()
    ).is_valid()


def test_ordering_puts_undated_last_either_way(seeded):
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


def test_event_jurisdiction_matches_host_co_host_and_participant(seeded):
    filterset = EventFilterSet(QueryDict("jurisdiction=GB"), queryset=Event.objects.all())
    assert filterset.is_valid()
    assert [event.slug for event in filterset.qs] == ["ai-seoul-summit-2024"]


def test_facet_queries_do_not_grow_with_rows(db, django_assert_max_num_queries):
    jurisdiction = JurisdictionFactory()
    for kind, _ in itertools.product(["binding_law", "voluntary_framework"], range(3)):
        InstrumentFactory(jurisdiction=jurisdiction, type=kind)
    with django_assert_max_num_queries(12):
        instruments("").facets()
    for _ in range(20):
        InstrumentFactory(jurisdiction=JurisdictionFactory())
    with django_assert_max_num_queries(12):
        instruments("").facets()


def test_a_chosen_value_with_no_match_stays_on_the_form(seeded):
    filterset = EventFilterSet(QueryDict("kind=summit&year=2023"), queryset=Event.objects.all())
    assert filterset.is_valid()
    year = next(facet for facet in filterset.facets() if facet.name == "year")
    assert [(o.value, o.count, o.selected) for o in year.options if o.selected] == [
        ("2023", 0, True)
    ]


def test_events_as_of_a_day_leave_out_what_had_not_happened(seeded):
    def slugs_on(day):
        filterset = EventFilterSet(QueryDict(f"as_of={day}"), queryset=Event.objects.all())
        assert filterset.is_valid()
        return {event.slug for event in filterset.qs}

    assert "kratsios-urges-asia-to-reject-eu-regulation" not in slugs_on("2025-08-04")
    assert "kratsios-urges-asia-to-reject-eu-regulation" in slugs_on("2025-08-05")
    # Undated, but reported on 8 August 2025.
    assert "us-congress-push-to-ban-chinese-ai-from-federal-use" not in slugs_on("2025-08-07")
    assert "us-congress-push-to-ban-chinese-ai-from-federal-use" in slugs_on("2025-08-08")
