"""The `/search/` page: results grouped by kind, highlighted, linked and escaped, in a fixed
number of queries; and the search box of the lists."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from policytracker.web.views.search import GROUP_SIZE, MAX_QUERY_LENGTH
from tests.factories import (
    ActorFactory,
    ApproachAssessmentFactory,
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    StatusChangeFactory,
    TopicFactory,
)
from tests.helpers.search import AWKWARD, SANDBOX_INSTRUMENTS

pytestmark = pytest.mark.django_db


def search_url(q=None):
    url = reverse("web:search")
    return url if q is None else f"{url}?{urlencode({'q': q})}"


def groups(response):
    return {group.kind: group for group in response.context["groups"]}


def test_the_search_filter_of_the_lists_is_the_same_search(seeded, client):
    response = client.get(reverse("web:instrument-list"), {"q": "sandbox"})
    assert response.status_code == 200
    assert {i.slug for i in response.context["object_list"]} == SANDBOX_INSTRUMENTS


def test_sandbox_page_groups_the_results_by_kind(seeded, client):
    response = client.get(search_url("sandbox"))
    assert response.status_code == 200
    found = groups(response)
    assert list(found) == ["jurisdictions", "instruments", "events", "actors", "quotes"]
    assert [hit.record.code for hit in found["jurisdictions"].hits] == ["SG"]
    assert {hit.record.slug for hit in found["instruments"].hits} == SANDBOX_INSTRUMENTS
    assert (found["events"].total, found["actors"].total, found["quotes"].total) == (0, 0, 12)
    # The sentence cited for both frameworks is shown once, linking to both; so is the MHRA's
    # sentence on its AI Airlock, cited for the Airlock and for the UK's coverage review; each
    # other quote backs one record.
    backs = [hit.backs for hit in found["quotes"].hits]
    assert sorted(len(b) for b in backs) == [1, 1, 1, 1, 1, 1, 1, 1, 2, 2]
    urls = {url for b in backs for _, url in b}
    assert urls == {
        reverse("web:jurisdiction-detail", args=["SG"]) + "#approach-heading",
        reverse("web:jurisdiction-detail", args=["GB"]) + "#coverage-heading",
        *(
            reverse("web:instrument-detail", args=[slug])
            for slug in (
                "sg-model-ai-governance-framework",
                "sg-ai-verify-toolkit",
                "cn-anthropomorphic-ai-measures",
                "eu-digital-omnibus-ai",
                "gb-mhra-ai-airlock",
                "in-ai-governance-guidelines",
                "in-rbi-free-ai-framework",
                "th-draft-ai-law-principles",
                "us-fy2026-ndaa-ai-provisions",
                "us-tx-hb-149",
            )
        ),
    }
    html = response.content.decode()
    # 1 jurisdiction, 15 instruments, 12 quotes
    assert "28 results for “sandbox”" in html
    assert "with <mark>sandboxes</mark> to encourage innovation" in html
    assert "voluntary, <mark>sandbox</mark>-driven approach" in html
    assert "Topic: <mark>Sandboxes</mark>" in html
    assert 'href="/instruments/?q=sandbox"' in html
    assert 'href="/jurisdictions/SG/"' in html


def test_results_link_to_their_pages(db, client):
    place = JurisdictionFactory(name="Quokkaland")
    instrument = InstrumentFactory(title="Quokka act", jurisdiction=place)
    event = EventFactory(title="Quokka summit", host=place)
    actor = ActorFactory(name="Quokka council", jurisdiction=place)
    stateless = ActorFactory(name="Quokka watchers", jurisdiction=None)
    change = StatusChangeFactory(instrument=instrument)
    assessment = ApproachAssessmentFactory(jurisdiction=place)
    CitationFactory(quote="The quokka act passed.", instrument=None, status_change=change)
    CitationFactory(quote="Quokkaland volunteers.", instrument=None, approach_assessment=assessment)
    CitationFactory(quote="The quokka council met.", instrument=None, actor=actor)
    CitationFactory(quote="Quokka summit held.", instrument=None, event=event)

    found = groups(client.get(search_url("quokka or quokkaland")))
    place_url = reverse("web:jurisdiction-detail", args=[place.code])
    instrument_url = reverse("web:instrument-detail", args=[instrument.slug])
    assert [hit.url for hit in found["jurisdictions"].hits] == [place_url]
    assert [hit.url for hit in found["instruments"].hits] == [instrument_url]
    assert [hit.url for hit in found["events"].hits] == [
        reverse("web:event-detail", args=[event.slug])
    ]
    assert {hit.record: hit.url for hit in found["actors"].hits} == {
        actor: place_url + "#actors",
        stateless: None,
    }
    backs = {hit.record.quote: hit.backs[0][1] for hit in found["quotes"].hits}
    assert backs == {
        "The quokka act passed.": instrument_url + "#status-timeline",
        "Quokkaland volunteers.": place_url + "#approach-heading",
        "The quokka council met.": place_url + "#actors",
        "Quokka summit held.": reverse("web:event-detail", args=[event.slug]),
    }


def test_markup_in_a_record_stays_escaped(db, client):
    InstrumentFactory(title="<b>Quokka</b> & co", summary='<img src=x onerror="alert(1)">')
    html = client.get(search_url("quokka")).content.decode()
    assert "&lt;b&gt;<mark>Quokka</mark>&lt;/b&gt; &amp; co" in html
    assert "<b>Quokka" not in html
    assert "<img src=x" not in html


def test_markup_in_the_search_stays_escaped(seeded, client):
    response = client.get(search_url('<script>alert("x")</script>'))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_ranking_orders_each_group(db, client):
    InstrumentFactory(title="Rules for robots", summary="Covers the quokka trade.")
    InstrumentFactory(title="Quokka protection rules")
    hits = groups(client.get(search_url("quokka")))["instruments"].hits
    assert [hit.record.title for hit in hits] == ["Quokka protection rules", "Rules for robots"]


def test_no_results_names_the_search(seeded, client):
    response = client.get(search_url("zyzzyva"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing matches “zyzzyva”." in html
    assert "any of them" not in html


def test_no_results_for_several_words_offers_any_of_them(seeded, client):
    html = client.get(search_url("china zyzzyva")).content.decode()
    assert "Nothing matches “china zyzzyva”." in html
    assert '<a href="/search/?q=china%20or%20zyzzyva">china or zyzzyva</a>' in html
    html = client.get(search_url('"china zyzzyva"')).content.decode()
    assert "any of them" not in html


@pytest.mark.parametrize("q", [None, "", "   "])
def test_without_a_search_only_the_form_is_shown(db, client, django_assert_num_queries, q):
    with django_assert_num_queries(0):
        response = client.get(search_url(q))
    assert response.status_code == 200
    assert response.context["groups"] == []
    html = response.content.decode()
    assert '<label for="search-q">' in html
    assert "Nothing matches" not in html


def test_a_search_longer_than_the_limit_is_a_400(db, client):
    response = client.get(search_url("a" * (MAX_QUERY_LENGTH + 1)))
    assert response.status_code == 400
    assert response.context["errors"]["q"]
    assert f"at most {MAX_QUERY_LENGTH} characters" in response.content.decode()
    assert client.get(search_url("a" * MAX_QUERY_LENGTH)).status_code == 200


@pytest.mark.parametrize("q", [q for q in AWKWARD if "\x00" not in q])
def test_awkward_searches_never_fail_the_page(seeded, client, q):
    assert client.get(search_url(q)).status_code == 200


@pytest.mark.parametrize("q", [q for q in AWKWARD if "\x00" in q])
def test_a_search_holding_a_nul_is_a_400_naming_it(seeded, client, q):
    # No text holds one (tests/test_bad_input.py has every page and parameter).
    response = client.get(search_url(q))
    assert response.status_code == 400
    assert response.context["errors"]["q"] == [
        "Holds a NUL character (U+0000), which no value may hold."
    ]


def test_the_header_box_keeps_the_search(seeded, client):
    html = client.get(search_url("sandbox")).content.decode()
    assert 'id="site-search-q" type="search" name="q" placeholder' in html
    assert 'value="sandbox"' in html


def make_matches(count):
    place = JurisdictionFactory(name="Quokkaland")
    for n in range(count):
        JurisdictionFactory(name=f"Quokka isle {n}")
        instrument = InstrumentFactory(title=f"Quokka act {n}", jurisdiction=place)
        instrument.topics.add(TopicFactory(name=f"Quokka topic {n}"))
        EventFactory(title=f"Quokka summit {n}", host=place)
        ActorFactory(name=f"Quokka council {n}", jurisdiction=place)
        CitationFactory(quote=f"The quokka act {n}.", instrument=instrument)
        assessment = ApproachAssessmentFactory(
            jurisdiction=place, date=datetime.date(2000 + n, 1, 1)
        )
        CitationFactory(quote=f"Quokka is {n}.", instrument=None, approach_assessment=assessment)


@pytest.mark.parametrize("count", [2, GROUP_SIZE + 5])
def test_one_query_per_kind_whatever_the_number_of_matches(
    db, client, django_assert_num_queries, count
):
    make_matches(count)
    # On PostgreSQL the instruments' search reads the topics whose names match first.
    with django_assert_num_queries(5 + (connection.vendor == "postgresql")):
        response = client.get(search_url("quokka"))
    found = groups(response)
    assert found["instruments"].total == count
    assert found["quotes"].total == 2 * count
    assert len(found["instruments"].hits) == min(count, GROUP_SIZE)
    html = response.content.decode()
    if count > GROUP_SIZE:
        assert found["instruments"].capped
        assert f"See all {count} in the instruments list" in html
        assert f"The {GROUP_SIZE} best matches of {count} instruments" in html
    else:
        assert not found["instruments"].capped
