"""The jurisdiction FilterSet (and the strict, faceted base every list uses)."""

import pytest
from django.http import QueryDict

from jurisdictions.filters import JurisdictionFilterSet
from jurisdictions.models import Jurisdiction


def filtered(query):
    filterset = JurisdictionFilterSet(QueryDict(query), queryset=Jurisdiction.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset


def codes(query):
    return sorted(jurisdiction.code for jurisdiction in filtered(query).qs)


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


def test_approach_is_read_on_the_as_of_day(seeded):
    assert "VN" in codes("approach=risk_based")
    assert "VN" not in codes("approach=risk_based&as_of=2025-08-08")
    assert "VN" in codes("approach=voluntary&as_of=2025-08-08")


def test_members_of_asean_on_a_day(seeded):
    today = codes("member_of=ASEAN")
    assert len(today) == 11
    assert "TL" in today
    # Timor-Leste joined as a member in 2025 (year precision: from 1 January).
    assert "TL" not in codes("member_of=ASEAN&as_of=2024-12-31")
    assert "TL" in codes("member_of=ASEAN&as_of=2025-01-01")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kind=country", "kind"),
        ("approach=strict", "approach"),
        ("member_of=US", "member_of"),
        ("as_of=08/08/2025", "as_of"),
        ("ordering=size", "ordering"),
        ("aproach=binding", "aproach"),
    ],
)
def test_bad_values_are_named(seeded, query, parameter):
    filterset = JurisdictionFilterSet(QueryDict(query), queryset=Jurisdiction.objects.all())
    assert not filterset.is_valid()
    assert list(filterset.errors) == [parameter]


def test_search(seeded):
    assert codes("q=korea") == ["KR"]
    assert "ASEAN" in codes("q=ASEAN")
