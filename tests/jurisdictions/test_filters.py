"""The jurisdiction FilterSet (the strict, faceted base every list uses is tested in
tests/core/test_filters.py)."""

import pytest
from django.http import QueryDict

from jurisdictions.filters import JurisdictionFilterSet
from jurisdictions.models import Jurisdiction, Membership
from tests.helpers.filters import codes


def test_approach_is_read_on_the_as_of_day(seeded):
    assert "VN" in codes("approach=risk_based")
    assert "VN" not in codes("approach=risk_based&as_of=2025-08-08")
    assert "VN" in codes("approach=voluntary&as_of=2025-08-08")


def test_members_of_asean_on_a_day(seeded):
    today = codes("member_of=ASEAN")
    members = Membership.objects.filter(bloc__code="ASEAN", role="member", ended_on__isnull=True)
    assert len(today) == members.count()
    assert "TL" in today
    # Timor-Leste joined as a member on 26 October 2025 (an observer before).
    assert "TL" not in codes("member_of=ASEAN&as_of=2025-10-25")
    assert "TL" in codes("member_of=ASEAN&as_of=2025-10-26")
    assert len(codes("member_of=ASEAN&as_of=2025-08-08")) == 10


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


def test_a_member_by_a_year_only_start_is_flagged_partial_in_that_year(db, client):
    import datetime

    from django.urls import reverse

    from tests.factories import (
        BlocFactory,
        InstrumentFactory,
        JurisdictionFactory,
        MembershipFactory,
    )

    bloc = BlocFactory(code="XBLOC")
    by_year = JurisdictionFactory(code="XY")
    by_day = JurisdictionFactory(code="XD")
    MembershipFactory(member=by_year, bloc=bloc, started_on=datetime.date(2025, 1, 1))
    MembershipFactory(
        member=by_day, bloc=bloc, started_on=datetime.date(2020, 3, 4), started_on_precision="day"
    )
    InstrumentFactory(
        jurisdiction=by_year, adopted_on=datetime.date(2019, 1, 1), adopted_on_precision="day"
    )

    def rows(day):
        response = client.get(
            reverse("api:jurisdiction-list"), {"member_of": "XBLOC", "as_of": day}
        )
        return {row["code"]: row["member_of_partial"] for row in response.json()["results"]}

    # Inside 2025 the year-only start may or may not have passed: flagged, never silent.
    assert rows("2025-06-01") == {"XY": True, "XD": False}
    assert rows("2026-06-01") == {"XY": False, "XD": False}
    assert rows("2024-12-31") == {"XD": False}
    instruments = client.get(
        reverse("api:instrument-list"), {"member_of": "XBLOC", "as_of": "2025-06-01"}
    ).json()["results"]
    assert [row["as_of"]["partial"] for row in instruments] == [True]


def test_sub_national_jurisdictions_are_kept_unless_left_out(db, client):
    from django.urls import reverse

    from jurisdictions.models import Jurisdiction
    from tests.factories import InstrumentFactory, JurisdictionFactory

    nation = JurisdictionFactory(code="XU", kind="national")
    state = Jurisdiction.objects.create(code="XU-CA", name="Cal", kind="subnational", parent=nation)
    InstrumentFactory(jurisdiction=nation, slug="federal")
    InstrumentFactory(jurisdiction=state, slug="state-law")

    def codes(url, **params):
        response = client.get(url, {"page_size": 200, **params})
        assert response.status_code == 200, response.content
        return {row.get("code") or row["slug"] for row in response.json()["results"]}

    jurisdictions, instruments = reverse("api:jurisdiction-list"), reverse("api:instrument-list")
    assert {"XU", "XU-CA"} <= codes(jurisdictions)
    assert "XU-CA" not in codes(jurisdictions, include_subnational="false")
    ours = {"jurisdiction": ["XU", "XU-CA"]}
    assert codes(instruments, **ours) == {"federal", "state-law"}
    assert codes(instruments, include_subnational="false", **ours) == {"federal"}
    bad = client.get(instruments, {"include_subnational": "no"})
    assert bad.status_code == 400
    assert "include_subnational" in bad.json()["errors"]
