"""Jurisdiction pages: the list by region with its counts, and each jurisdiction's page."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import (
    ApproachAssessmentFactory,
    BlocFactory,
    CitationFactory,
    CoverageReviewFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    TopicFactory,
)
from tests.helpers.filters import position_queries
from tests.helpers.web import get

pytestmark = pytest.mark.django_db


def test_jurisdiction_list_groups_by_region_with_counts(seeded, client):
    response = get(client, "jurisdiction-list")
    assert response.status_code == 200
    regions = {region["label"]: region["rows"] for region in response.context["regions"]}

    def counts(region):
        return {
            j.code: (j.binding_count, j.pending_count, j.voluntary_count) for j in regions[region]
        }

    # Japan: the AI Promotion Act, the superseded draft Basic Law; the business guidelines of
    # 2024, the appropriateness guideline of 2025 and the AI Basic Plan.
    assert counts("Eastern Asia")["JP"] == (1, 1, 3)
    # Singapore: seven frameworks (the HSA's guidelines on software medical devices among them)
    # and its National AI Strategy 2.0.
    assert counts("South-eastern Asia")["SG"] == (0, 0, 8)
    # A country counts its sub-national jurisdictions' texts: the United States' own 3 binding
    # laws, 5 bills and 9 voluntary texts, and its states' 27 binding laws, 2 bills and 4
    # voluntary texts (California's 7, 1 and 1).
    assert counts("Northern America")["US"] == (30, 7, 13)
    assert counts("Northern America")["US-CA"] == (7, 1, 1)


def test_jurisdiction_list_as_of_counts_what_existed_then(seeded, client):
    then = get(client, "jurisdiction-list", query="member_of=ASEAN&as_of=2025-08-08")
    rows = {j.code: j for region in then.context["regions"] for j in region["rows"]}
    # The Law on Digital Technology Industry (adopted 14 June 2025); not yet the AI law
    # (10 December 2025) nor its decree (30 April 2026).
    assert rows["VN"].binding_count == 1
    assert rows["VN"].as_of_approach == "voluntary"
    today = get(client, "jurisdiction-list", query="member_of=ASEAN")
    rows = {j.code: j for region in today.context["regions"] for j in region["rows"]}
    assert rows["VN"].binding_count == 3
    assert rows["VN"].as_of_approach == "risk_based"


def test_jurisdiction_page(seeded, client):
    response = get(client, "jurisdiction-detail", "VN")
    assert response.status_code == 200
    html = response.content.decode()
    assert [i.slug for i in response.context["binding"]["items"]] == [
        "vn-decree-142-2026",
        "vn-law-on-artificial-intelligence",
        "vn-law-digital-technology-industry",
    ]
    assert [a["assessment"].approach for a in response.context["assessments"]] == [
        "risk_based",
        "risk_based",
        "voluntary",
    ]
    assert '<h2 id="coverage-heading">Coverage</h2>' in html
    assert 'member since <time datetime="1995-07-28">28 July 1995</time>' in " ".join(html.split())
    assert 'lang="vi"' in html


def test_a_bloc_page_lists_members_and_observers(seeded, client):
    html = " ".join(get(client, "jurisdiction-detail", "ASEAN").content.decode().split())
    assert (
        'Timor-Leste</a>: observer from <time datetime="2022-11-11">11 November 2022</time> '
        'to <time datetime="2025-10-26">26 October 2025</time>'
    ) in html
    assert (
        'Timor-Leste</a>: member since <time datetime="2025-10-26">26 October 2025</time>' in html
    )


def test_a_party_sees_multilateral_texts(seeded, client):
    response = get(client, "jurisdiction-detail", "SG")
    voluntary = {i.slug: i.as_party for i in response.context["voluntary"]["items"]}
    assert voluntary["seoul-declaration-2024"] is True
    assert voluntary["sg-ai-verify-toolkit"] is False


def test_lower_case_code_redirects_and_unknown_is_404(seeded, client):
    response = get(client, "jurisdiction-detail", "vn")
    assert response.status_code == 301
    assert response["Location"].endswith("/jurisdictions/VN/")
    assert get(client, "jurisdiction-detail", "ZZ").status_code == 404


@pytest.mark.parametrize("size", [1, 8])
def test_jurisdiction_page_query_count_does_not_grow(db, client, django_assert_num_queries, size):
    jurisdiction = JurisdictionFactory()
    for index in range(size):
        ApproachAssessmentFactory(jurisdiction=jurisdiction, date=f"202{index}-01-01")
        MembershipFactory(member=jurisdiction, bloc=BlocFactory())
        InstrumentFactory(jurisdiction=jurisdiction).topics.add(TopicFactory())
    # The counts by force (2); for the one force it issued in, its first keys by title and
    # their rows (with their topics and parties); the events and their count: a fixed number,
    # however long the lists. A force with nothing in it costs nothing.
    # Its laws in force and its counts of each legal force: read through the cache.
    # "Earlier versions" (1) and the edit history of the jurisdiction and what its page shows
    # with it (6): one per history table of its kinds, and the records the entries name.
    with django_assert_num_queries(26 + 3 * position_queries()):
        assert get(client, "jurisdiction-detail", jurisdiction.code).status_code == 200


@pytest.mark.parametrize("size", [1, 8])
def test_a_federation_page_query_count_does_not_grow(db, client, django_assert_num_queries, size):
    """With sub-national jurisdictions and their laws, and coverage reviews with citations."""
    nation = JurisdictionFactory(code="XU", kind="national")
    for index in range(size):
        state = JurisdictionFactory(code=f"XU-S{index}", kind="subnational", parent=nation)
        InstrumentFactory(jurisdiction=state).topics.add(TopicFactory())
        review = CoverageReviewFactory(
            jurisdiction=nation, reviewed_on=datetime.date(2026, 1, 1 + index)
        )
        CitationFactory(instrument=None, coverage_review=review, fields=["law_in_force"])
    # Its states' first instruments by title: their keys in one query, then their rows.
    # With its sub-national jurisdictions' counts.
    # "Earlier versions" and the edit history, as above.
    with django_assert_num_queries(31 + 4 * position_queries()):
        assert get(client, "jurisdiction-detail", nation.code).status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_jurisdiction_list_query_count_does_not_grow(
    empty, client, django_assert_num_queries, size
):
    bloc = BlocFactory()
    for _ in range(size):
        MembershipFactory(bloc=bloc)
    # count, page, memberships (+blocs), four facets; the database's position on PostgreSQL
    with django_assert_num_queries(9 + position_queries()):
        assert get(client, "jurisdiction-list").status_code == 200


def test_every_jurisdiction_page_links_to_a_comparison_with_it(seeded, client):
    html = client.get(reverse("web:jurisdiction-detail", args=["VN"])).content.decode()
    assert f'href="{reverse("web:compare")}?jurisdiction=VN"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/jurisdictions/",
        "/jurisdictions/?as_of=2025-08-08",
        "/jurisdictions/CN/",
        "/jurisdictions/VN/",
        "/compare/?jurisdiction=CN&jurisdiction=VN&jurisdiction=SG",
        "/compare/?jurisdiction=CN&jurisdiction=VN&as_of=2025-08-08",
    ],
)
def test_no_page_says_since_for_the_date_an_assessment_was_made(seeded, client, path):
    # 8 August 2025 is the article's date: when it assessed approaches, not when they began.
    html = " ".join(client.get(path).content.decode().split())
    assert 'since <time datetime="2025-08-08">' not in html
    assert "source of <time" in html.lower()


def test_an_approach_with_a_start_says_since_and_one_without_names_its_source(seeded, client):
    vietnam = " ".join(get(client, "jurisdiction-detail", "VN").content.decode().split())
    assert 'Risk-based</span> since <time datetime="2026-03-01">1 March 2026</time>' in vietnam
    china = " ".join(get(client, "jurisdiction-detail", "CN").content.decode().split())
    assert (
        'Assessed as <span class="badge approach-binding">Binding</span> <span class="muted">'
        '(source of <time datetime="2025-08-08">8 August 2025</time>)</span>'
    ) in china


def test_a_national_page_lists_its_sub_national_jurisdictions_and_they_name_it(db, client):
    from jurisdictions.models import Jurisdiction
    from tests.factories import JurisdictionFactory

    nation = JurisdictionFactory(code="XU", name="Xland", kind="national")
    Jurisdiction.objects.create(code="XU-CA", name="Calstate", kind="subnational", parent=nation)
    page = " ".join(client.get("/jurisdictions/XU/").content.decode().split())
    assert '<h2 id="subdivisions">Sub-national jurisdictions and their laws</h2>' in page
    assert '<a href="/jurisdictions/XU-CA/">Calstate</a>' in page
    state = " ".join(client.get("/jurisdictions/XU-CA/").content.decode().split())
    assert 'Sub-national (part of <a href="/jurisdictions/XU/">Xland</a>)' in state
    row = client.get("/api/v1/jurisdictions/XU-CA/").json()
    assert (row["kind"], row["parent"]) == ("subnational", "XU")


def test_a_long_list_on_a_jurisdiction_page_shows_its_first_rows_and_links_to_the_rest(client):
    """A jurisdiction with more instruments or events than the page shows (`SHOWN`) lists the
    first of them, says how many there are, and links to the filtered lists that hold them
    all; the page stays small however many there are."""
    from policytracker.web.views.jurisdictions import SHOWN

    place = JurisdictionFactory(code="XA", name="Longland")
    other = JurisdictionFactory(code="XB", name="Otherland")
    for number in range(SHOWN + 5):
        InstrumentFactory(jurisdiction=place, title=f"Law {number:03d}")
    declaration = InstrumentFactory(jurisdiction=other, type="declaration", status="adopted")
    declaration.parties.add(place)
    for number in range(SHOWN + 2):
        EventFactory(host=place, title=f"Summit {number:03d}")

    response = client.get(reverse("web:jurisdiction-detail", args=["XA"]))
    binding = response.context["binding"]
    assert [i.title for i in binding["items"]] == [f"Law {n:03d}" for n in range(SHOWN)]
    assert (binding["total"], binding["own"], binding["party"]) == (SHOWN + 5, SHOWN + 5, 0)
    assert response.context["voluntary"]["party"] == 1
    html = " ".join(response.content.decode().split())
    assert f"Binding laws ({SHOWN + 5})" in html
    assert (
        f'The first {SHOWN} of {SHOWN + 5} by title: <a href="/instruments/?jurisdiction=XA&amp;'
        f'include_subnational=false&amp;force=binding">all {SHOWN + 5} it issued</a>.'
    ) in html
    assert len(response.context["events"]) == SHOWN
    assert (
        f'The latest {SHOWN} of {SHOWN + 2}: <a href="/events/?jurisdiction=XA">all {SHOWN + 2} '
        "events</a>."
    ) in html
    # The link's list holds exactly the instruments counted.
    listed = client.get(binding["own_url"])
    assert listed.status_code == 200
    assert listed.context["paginator"].count == SHOWN + 5


def test_counts_of_a_thousand_or_more_have_thousands_separators(client):
    """A count on a jurisdiction's page and in the list of jurisdictions reads as the lists'
    own counts do: "1,001", not "1001"."""
    from instruments import timeline_dates
    from instruments.models import Instrument

    place = JurisdictionFactory(code="XA", name="Longland")
    laws = Instrument.objects.bulk_create(
        Instrument(
            slug=f"law-{n}",
            title=f"Law {n:04d}",
            jurisdiction=place,
            type="binding_law",
            status="in_effect",
            effective_on=datetime.date(2024, 1, 1),
            effective_on_precision="day",
        )  # fmt: skip
        for n in range(1001)
    )
    timeline_dates.refresh([law.pk for law in laws])
    page = " ".join(
        client.get(reverse("web:jurisdiction-detail", args=["XA"])).content.decode().split()
    )
    assert "Binding laws (1,001)" in page
    assert "all 1,001 it issued" in page
    assert "1,001 binding laws</a> of its own in effect today" in page
    listed = client.get(reverse("web:jurisdiction-list")).content.decode()
    assert ">1,001</a>" in listed
    assert "Yes: 1,001 binding laws of Longland in force" in listed
    assert not re.findall(r"\b1001\b", page + listed)
