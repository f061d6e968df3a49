"""The instrument and event FilterSets: `as_of` at its boundaries, memberships on a day, and a
named error for every bad value (real counts behind every facet are tested with the rest of the
faceted base in tests/core/test_filters.py)."""

import datetime

import pytest
from django.http import QueryDict

from instruments.filters import EventFilterSet, InstrumentFilterSet
from instruments.models import Event, Instrument
from tests.factories import (
    BlocFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    StatusChangeFactory,
)
from tests.helpers.filters import instruments, slugs

VIETNAMS_LAWS = [
    "vn-decree-142-2026",
    "vn-law-digital-technology-industry",
    "vn-law-on-artificial-intelligence",
]
PHILIPPINES_ELECTION_RULES = "ph-comelec-resolution-11064"


def test_binding_instruments_of_asean_members_today_and_on_the_article_day(seeded):
    # The Philippines' COMELEC Resolution No. 11064 (the May 2025 election rules) is binding but
    # its timeline has no step past "adopted" (18 September 2024), so it is never in force.
    assert slugs("binding=true&member_of=ASEAN") == [PHILIPPINES_ELECTION_RULES, *VIETNAMS_LAWS]
    assert slugs("binding=true&in_force=true&member_of=ASEAN") == VIETNAMS_LAWS
    # On the article day only that resolution and the Law on Digital Technology Industry
    # (adopted on 14 June 2025, in effect from 1 January 2026) existed: no binding law was in
    # force.
    assert slugs("binding=true&member_of=ASEAN&as_of=2025-08-08") == [
        PHILIPPINES_ELECTION_RULES,
        "vn-law-digital-technology-industry",
    ]
    assert slugs("binding=true&in_force=true&member_of=ASEAN&as_of=2025-08-08") == []
    assert slugs("binding=false&member_of=asean&as_of=2025-08-08") == [
        "bn-guide-ai-governance-ethics",
        "id-ojk-ai-governance-banking",
        "id-se-9-2023-ai-ethics",
        "id-stranas-ka",
        "kh-draft-national-ai-strategy",
        "mm-national-ai-strategy-policy-draft",
        "my-ai-roadmap-2021-2025",
        "my-aige-guidelines",
        "ph-nais",
        "ph-naisr-2",
        "sg-ai-verify-toolkit",
        "sg-hsa-software-medical-devices-guidelines",
        "sg-mas-feat-principles",
        "sg-mgf-generative-ai",
        "sg-model-ai-governance-framework",
        "sg-nais-2",
        "th-bot-ai-risk-management-guidelines",
        "th-nais-2022-2027",
        "vn-national-ai-strategy-2030",
    ]


def test_membership_counts_from_its_start_and_ends_on_its_end(db):
    bloc = BlocFactory(code="XBLOC")
    early, late = JurisdictionFactory(), JurisdictionFactory()
    MembershipFactory(
        member=early,
        bloc=bloc,
        started_on=datetime.date(2000, 1, 1),
        ended_on=datetime.date(2020, 1, 1),
        ended_on_precision="year",
    )
    MembershipFactory(member=late, bloc=bloc, started_on=datetime.date(2020, 1, 1))
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


def test_event_jurisdiction_matches_host_co_host_and_participant(seeded):
    filterset = EventFilterSet(QueryDict("jurisdiction=GB"), queryset=Event.objects.all())
    assert filterset.is_valid()
    found = {event.slug: event for event in filterset.qs}
    assert list(found) == [
        "in-ai-impact-summit-2026",
        "gb-ai-safety-institute-renamed-2025",
        "ai-seoul-summit-2024",
        "intl-ai-safety-summit-2023",
    ]

    def roles(slug):
        event = found[slug]
        return (
            event.host is not None and event.host.code == "GB",
            event.co_hosts.filter(code="GB").exists(),
            event.participants.filter(code="GB").exists(),
        )

    # (host, co-host, participant): each role alone is enough to match.
    assert roles("gb-ai-safety-institute-renamed-2025") == (True, False, False)
    assert roles("ai-seoul-summit-2024") == (False, True, True)
    assert roles("in-ai-impact-summit-2026") == (False, False, True)


def test_events_as_of_a_day_leave_out_what_had_not_happened(seeded):
    def slugs_on(day):
        filterset = EventFilterSet(QueryDict(f"as_of={day}"), queryset=Event.objects.all())
        assert filterset.is_valid()
        return {event.slug for event in filterset.qs}

    assert "kratsios-urges-asia-to-reject-eu-regulation" not in slugs_on("2025-08-04")
    assert "kratsios-urges-asia-to-reject-eu-regulation" in slugs_on("2025-08-05")
    # Reported on 8 August 2025, but dated: it counts from its date.
    assert "us-congress-push-to-ban-chinese-ai-from-federal-use" not in slugs_on("2025-06-24")
    assert "us-congress-push-to-ban-chinese-ai-from-federal-use" in slugs_on("2025-06-25")
    # Undated, but reported on 8 August 2025 (the seed holds no undated event any more).
    undated = EventFactory(
        date=None, date_precision="", reported_on=datetime.date(2025, 8, 8), host=None
    )
    assert undated.slug not in slugs_on("2025-08-07")
    assert undated.slug in slugs_on("2025-08-08")
