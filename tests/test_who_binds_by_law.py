""" "Which jurisdictions bind AI by law?" gets one answer, on the day asked, from the home page,
the jurisdiction list, the instrument list and the API."""

import datetime
import re

import pytest
from django.urls import reverse

from instruments.querysets import with_binding_laws
from jurisdictions.models import Jurisdiction
from tests.factories import InstrumentFactory, JurisdictionFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db

ARTICLE_DAY = "2025-08-08"
# The jurisdictions with a binding law of their own in effect on the day, read from the seed's
# status timelines. On the article's day: China, the EU, Japan, South Korea, the US (the ONC
# HTI-1 rule, 8 February 2024, then the TAKE IT DOWN Act, 19 May 2025), and three US states:
# California (AB 3030, 1 January 2025), Illinois (HB 1806, effective on signing, 1 August 2025)
# and Utah (its AI Policy Act and amendments). Since then India (IT Rules amendment,
# 20 February 2026), Italy (Law 132/2025, 10 October 2025), Taiwan, Vietnam, and Connecticut,
# New York (its AI companion law, 5 November 2025) and Texas.
TODAY = {
    *("CN", "EU", "IN", "IT", "JP", "KR", "TW", "US", "VN"),
    *("US-CA", "US-CT", "US-IL", "US-NY", "US-TX", "US-UT"),
}
ON_ARTICLE_DAY = {"CN", "EU", "JP", "KR", "US", "US-CA", "US-IL", "US-UT"}
# The home page's heading for each day (today's names the day it is read, e.g. "Today,
# 4 December 2026"): every jurisdiction the list links to, sub-national ones included.
HEADINGS = {
    None: "{day}: 15 jurisdictions (6 of them sub-national)",
    ARTICLE_DAY: "On 8 August 2025: 8 jurisdictions (3 of them sub-national)",
}


def _api_codes(client, **params):
    response = client.get(reverse("api:jurisdiction-list"), {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def _instrument_codes(client, **params):
    response = client.get(reverse("api:instrument-list"), {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return {row["jurisdiction"]["code"] for row in response.json()["results"]}


@pytest.mark.parametrize(("as_of", "expected"), [(None, TODAY), (ARTICLE_DAY, ON_ARTICLE_DAY)])
def test_one_answer_everywhere(seeded, client, as_of, expected):
    day = {"as_of": as_of} if as_of else {}
    assert _api_codes(client, binding_law_in_force="true", **day) == expected
    assert _instrument_codes(client, binding="true", in_force="true", **day) == expected

    page = client.get(reverse("web:jurisdiction-list"), {"binding_law_in_force": "true", **day})
    assert page.status_code == 200
    assert {row.code for row in page.context["object_list"]} == expected
    facet = {
        option.value: option.count
        for facet in page.context["facets"]
        if facet.name == "binding_law_in_force"
        for option in facet.options
    }
    assert facet["true"] == len(expected)

    home = client.get(reverse("web:home"))
    answers = {
        answer["day"].isoformat() if not answer["is_today"] else None: answer
        for answer in home.context["bound_by_law"]
    }
    answer = answers[as_of]
    subnational = set(
        Jurisdiction.objects.filter(code__in=expected, kind="subnational").values_list(
            "code", flat=True
        )
    )
    # One answer: the number the home page gives is the number of rows its "These
    # jurisdictions" link (`?binding_law_in_force=true`) lists, sub-national ones included.
    assert (answer["count"], answer["subnational"]) == (len(expected), len(subnational))
    # Countries and blocs by name, each with its sub-national jurisdictions that bind by law
    # nested under it: the US has a law of its own, so it is no federation bound only in its
    # states, and every entry binds by law itself.
    entries = answer["entries"]
    assert [entry["jurisdiction"].name for entry in entries] == sorted(
        entry["jurisdiction"].name for entry in entries
    )
    assert all(entry["jurisdiction"].binds_by_law for entry in entries)
    assert {entry["jurisdiction"].code for entry in entries} == expected - subnational
    nested = {
        entry["jurisdiction"].code: [state.code for state in entry["states"]] for entry in entries
    }
    assert {code for states in nested.values() for code in states} == subnational
    assert nested["US"] == sorted(subnational)
    assert all(states == [] for code, states in nested.items() if code != "US")

    html = home.content.decode()
    assert "Who binds AI by law" in html
    today = home.context["today"]
    block = html.split(f'<h3 id="bound-{as_of or today.isoformat()}">')[1].split("</h3>")
    assert " ".join(block[0].split()) == HEADINGS[as_of].format(
        day=f"Today, {today.day} {today:%B %Y}"
    )
    listed = block[1].split("These")[0]
    # The names the home page lists are the jurisdictions the list and the API give.
    assert set(re.findall(r'href="/jurisdictions/([A-Z-]+)/"', listed)) == expected
    text = " ".join(listed.split())
    assert f"and in {len(subnational)} of its sub-national jurisdictions:" in text


def test_the_approach_label_does_not_decide_it(seeded):
    # Japan and the US are labelled "light touch" (Japan "transitioning" on 8 August 2025):
    # the laws decide, not the label.
    day = datetime.date(2025, 8, 8)
    for code in ("JP", "US"):
        assert with_binding_laws(Jurisdiction.objects.filter(code=code), day).get().binds_by_law
        assert Jurisdiction.objects.get(code=code).approach == "light_touch"
    assert Jurisdiction.objects.as_of(day).get(code="JP").as_of_approach == "transitioning"


def test_since_is_the_first_day_a_law_in_force_took_effect(empty):
    land = JurisdictionFactory(code="XA")
    first = InstrumentFactory(jurisdiction=land, type="binding_law")
    StatusChangeFactory(instrument=first, status="adopted", date=datetime.date(2020, 1, 1))
    StatusChangeFactory(instrument=first, status="in_effect", date=datetime.date(2020, 6, 1))
    later = InstrumentFactory(jurisdiction=land, type="binding_law")
    StatusChangeFactory(instrument=later, status="in_effect", date=datetime.date(2024, 2, 1))
    bill = InstrumentFactory(jurisdiction=land, type="draft_bill")
    StatusChangeFactory(instrument=bill, status="proposed", date=datetime.date(2019, 1, 1))
    framework = InstrumentFactory(jurisdiction=land, type="voluntary_framework")
    StatusChangeFactory(instrument=framework, status="in_effect", date=datetime.date(2018, 1, 1))

    def read(day):
        return with_binding_laws(Jurisdiction.objects.filter(pk=land.pk), day).get()

    before = read(datetime.date(2020, 5, 31))
    assert (before.binds_by_law, before.binding_laws_in_force, before.binding_law_since) == (
        False,
        0,
        None,
    )
    both = read(datetime.date(2025, 1, 1))
    assert (both.binds_by_law, both.binding_laws_in_force) == (True, 2)
    assert (both.binding_law_since, both.binding_law_since_precision) == (
        datetime.date(2020, 6, 1),
        "day",
    )


def test_a_repealed_law_no_longer_binds(empty):
    land = JurisdictionFactory(code="XB")
    law = InstrumentFactory(jurisdiction=land, type="binding_law")
    StatusChangeFactory(instrument=law, status="in_effect", date=datetime.date(2020, 1, 1))
    StatusChangeFactory(instrument=law, status="repealed", date=datetime.date(2023, 1, 1))
    assert (
        not with_binding_laws(Jurisdiction.objects.all(), datetime.date(2024, 1, 1))
        .get(pk=land.pk)
        .binds_by_law
    )


def test_a_bad_value_names_the_parameter(seeded, client):
    response = client.get(reverse("api:jurisdiction-list"), {"binding_law_in_force": "yes"})
    assert response.status_code == 400
    assert "binding_law_in_force" in response.json()["errors"]
    page = client.get(reverse("web:jurisdiction-list"), {"binding_law_in_force": "yes"})
    assert page.status_code == 400


def test_a_federation_without_a_federal_law_counts_its_states_that_have_one(empty):
    nation = JurisdictionFactory(code="XF", kind="national")
    bound = Jurisdiction.objects.create(code="XF-A", name="A", kind="subnational", parent=nation)
    Jurisdiction.objects.create(code="XF-B", name="B", kind="subnational", parent=nation)
    law = InstrumentFactory(jurisdiction=bound, type="binding_law")
    StatusChangeFactory(instrument=law, status="in_effect", date=datetime.date(2026, 1, 1))

    def read(day):
        return with_binding_laws(Jurisdiction.objects.filter(pk=nation.pk), day).get()

    before, after = read(datetime.date(2025, 12, 31)), read(datetime.date(2026, 1, 2))
    assert (before.binds_by_law, before.subdivisions_binding_by_law) == (False, 0)
    assert (after.binds_by_law, after.subdivisions_binding_by_law) == (False, 1)


def test_the_home_page_says_a_federation_binds_in_its_states_not_nationally(empty, client):
    nation = JurisdictionFactory(code="XF", name="Fedland", kind="national")
    state = Jurisdiction.objects.create(
        code="XF-A", name="Astate", kind="subnational", parent=nation
    )
    law = InstrumentFactory(jurisdiction=state, type="binding_law")
    StatusChangeFactory(instrument=law, status="in_effect", date=datetime.date(2024, 1, 1))
    response = client.get(reverse("web:home"))
    (today,) = response.context["bound_by_law"]
    # Astate counts (it has a law of its own); Fedland, with none, does not, but carries it.
    assert (today["count"], today["subnational"]) == (1, 1)
    (entry,) = today["entries"]
    assert entry["jurisdiction"].code == "XF"
    assert not entry["jurisdiction"].binds_by_law
    assert [state.code for state in entry["states"]] == ["XF-A"]
    html = " ".join(response.content.decode().split())
    section = html.split("Who binds AI by law")[1].split("</section>")[0]
    assert "1 jurisdiction (1 of them sub-national)" in section
    assert (
        'Fedland</a> <span class="muted">(no national law; binding laws in force in 1 of its '
        "sub-national jurisdictions)</span>"
    ) in section
    # The state is listed, nested under its country, with its own law.
    assert (
        '<ul> <li><a href="/jurisdictions/XF-A/">Astate</a> <span class="muted">(1 law; in '
        'force since <time datetime="2024-01-01">1 January 2024</time>)</span>'
    ) in section
    assert "and in 1 of its sub-national jurisdictions" not in section
