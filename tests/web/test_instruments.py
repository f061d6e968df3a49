"""Instrument pages: the list and each instrument's page: content, provenance, escaping, errors,
query counts."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import (
    CitationFactory,
    InstrumentFactory,
    JurisdictionFactory,
    RelationFactory,
    StatusChangeFactory,
    TopicFactory,
)
from tests.helpers.filters import position_queries
from tests.helpers.web import get

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


# -- instrument list -------------------------------------------------------------------------


def test_instrument_list_shows_facets_chips_and_downloads(seeded, client):
    response = get(client, "instrument-list", query="binding=false&member_of=ASEAN")
    assert response.status_code == 200
    html = response.content.decode()
    # Voluntary frameworks, declarations and policies of ASEAN members, by issuer then title.
    assert [i.slug for i in response.context["object_list"]] == [
        "bn-guide-ai-governance-ethics",
        "kh-draft-national-ai-strategy",
        "id-ojk-ai-governance-banking",
        "id-se-9-2023-ai-ethics",
        "id-stranas-ka",
        "la-national-ai-strategy",
        "my-ai-roadmap-2021-2025",
        "my-aige-guidelines",
        "mm-national-ai-strategy-policy-draft",
        "ph-naisr-2",
        "ph-nais",
        "sg-ai-verify-toolkit",
        "sg-mas-ai-risk-management-guidelines",
        "sg-model-ai-governance-framework",
        "sg-mgf-agentic-ai",
        "sg-mgf-generative-ai",
        "sg-nais-2",
        "sg-mas-feat-principles",
        "sg-hsa-software-medical-devices-guidelines",
        "th-bot-ai-risk-management-guidelines",
        "th-nais-2022-2027",
        "vn-national-ai-strategy-2030",
    ]
    assert "<span>Voluntary texts</span>" in html
    assert "Issued by members of: Association" in html
    # Each chip drops only its own filter.
    removes = {item.name: item.remove_query for item in response.context["active_filters"]}
    assert removes == {"binding": "member_of=ASEAN", "member_of": "binding=false"}
    # The downloads point at the API with the same filters.
    links = [link["url"] for link in response.context["download_links"]]
    assert links == [
        "/api/v1/instruments/?binding=false&member_of=ASEAN&format=csv&columns=sheet&bom=1",
        "/api/v1/instruments/?binding=false&member_of=ASEAN&format=csv",
        "/api/v1/instruments/?binding=false&member_of=ASEAN&format=json",
    ]


def test_a_binding_list_holds_laws_and_points_at_the_bills(seeded, client):
    response = get(client, "instrument-list", query="binding=true")
    assert {i.type for i in response.context["object_list"]} == {"binding_law"}
    html = response.content.decode()
    assert "Draft bills bind only if enacted" in html
    assert '<a href="?force=pending">' in html
    bills = get(client, "instrument-list", query="force=pending").content.decode()
    assert "Binds if enacted" in bills


def test_instrument_list_as_of_reads_statuses_of_that_day(seeded, client):
    response = get(client, "instrument-list", query="jurisdiction=JP&as_of=2025-05-01")
    statuses = {i.slug: i.as_of_status for i in response.context["object_list"]}
    assert statuses == {
        "jp-basic-law-responsible-ai-draft": "draft",  # superseded on 28 May 2025
        "jp-ai-promotion-act": "proposed",  # the Cabinet's bill; adopted on 28 May 2025
        "jp-ai-guidelines-for-business-2024": "in_effect",
    }
    assert "jp-ai-basic-plan" not in statuses  # adopted on 23 December 2025
    assert "as of 1 May 2025" in response.content.decode()


def test_an_empty_list_says_which_filter_emptied_it(seeded, client):
    # ASEAN's first binding law is the Philippine COMELEC's Resolution No. 11064 on AI in
    # election campaigns (18 September 2024); the day before, members had none.
    response = get(client, "instrument-list", query="binding=true&member_of=ASEAN&as_of=2024-09-17")
    assert response.context["paginator"].count == 0
    assert response.context["empty_by"].name in {"binding", "as_of", "member_of"}
    assert "would bring results back" in response.content.decode()
    first = get(client, "instrument-list", query="binding=true&member_of=ASEAN&as_of=2024-09-18")
    assert [i.slug for i in first.context["object_list"]] == ["ph-comelec-resolution-11064"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("binding=maybe", "binding"),
        ("type=law", "type"),
        ("as_of=2025-02-30", "as_of"),
        ("jurisdicton=CN", "jurisdicton"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=99", "page"),
        ("ordering=colour", "ordering"),
    ],
)
def test_bad_parameters_get_a_400_page_naming_them(seeded, client, query, parameter):
    response = get(client, "instrument-list", query=query)
    assert response.status_code == 400
    assert parameter in response.context["errors"]
    assert f"<code>{parameter}</code>" in response.content.decode()


def test_filter_values_are_escaped_in_the_400_page(seeded, client):
    response = get(client, "instrument-list", query="type=" + XSS)
    assert response.status_code == 400
    assert XSS not in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_instrument_list_query_count_does_not_grow(empty, client, django_assert_num_queries, size):
    topic = TopicFactory()
    for _ in range(size):
        instrument = InstrumentFactory()
        instrument.topics.add(topic)
        instrument.parties.add(JurisdictionFactory())
    # page (+topics, +parties), ten facets; the jurisdiction facet takes three (counts by
    # issuer, the issuers with their countries' names, the sub-national ones' countries); the
    # database's position on PostgreSQL. No count: the chosen "binding" value's facet says it.
    with django_assert_num_queries(15 + position_queries()):
        assert get(client, "instrument-list", query="binding=true").status_code == 200


# -- instrument page -------------------------------------------------------------------------


def test_instrument_page_cites_each_field_and_marks_unstated_ones(seeded, client):
    response = get(client, "instrument-detail", "vn-law-on-artificial-intelligence")
    assert response.status_code == 200
    html = response.content.decode()
    record = response.context["provenance"]
    for name in ("title", "type", "adopted_on", "effective_on", "status"):
        anchors = [cite.anchor for cite in record.fields[name]]
        assert anchors, name
        assert f'href="#{anchors[0]}"' in html
        assert f'id="{anchors[0]}"' in html
    assert "not stated" in html  # the law's introduction date is not in any source
    assert "10 December 2025" in html
    assert "1 March 2026" in html
    assert "last checked" in html


def test_instrument_page_json_ld_is_legislation(seeded, client):
    html = get(client, "instrument-detail", "eu-ai-act").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Legislation"
    assert data["legislationType"] == "Binding law"
    assert data["legislationJurisdiction"] == "European Union"
    assert data["legislationLegalForce"] == "https://schema.org/InForce"
    assert "legislationDate" in data


def test_relations_read_both_ways(seeded, client):
    act = get(client, "instrument-detail", "eu-ai-act").context["relations"]
    omnibus = get(client, "instrument-detail", "eu-digital-omnibus-ai").context["relations"]
    assert ("amended by", "eu-digital-omnibus-ai") in [(r["label"], r["other"].slug) for r in act]
    assert ("amends", "eu-ai-act") in [(r["label"], r["other"].slug) for r in omnibus]


def test_instrument_page_escapes_what_editors_type(db, client):
    instrument = InstrumentFactory(title=XSS, summary=XSS, original_title="</script><b>x</b>")
    CitationFactory(instrument=instrument, quote=XSS, fields=["title"])
    html = get(client, "instrument-detail", instrument.slug).content.decode()
    assert XSS not in html
    assert "</script><b>" not in html
    assert "&lt;script&gt;" in html
    # The JSON-LD block cannot be closed from inside.
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["name"] == XSS


def test_unknown_instrument_is_404(db, client):
    assert get(client, "instrument-detail", "no-such-law").status_code == 404


@pytest.mark.parametrize("size", [1, 8])
def test_instrument_page_query_count_does_not_grow(db, client, django_assert_num_queries, size):
    instrument = InstrumentFactory()
    for index in range(size):
        CitationFactory(instrument=instrument)
        change = StatusChangeFactory(instrument=instrument, date=f"2024-0{index % 9 + 1}-01")
        CitationFactory(instrument=None, status_change=change)
        instrument.topics.add(TopicFactory())
        RelationFactory(from_instrument=instrument)
    # instrument, topics, parties, identifiers, citations, changes (+citations), relations
    # both ways, events (10); the edit history of the instrument and what its page shows
    # (14): one per history table of the five kinds, the rows before the changed ones, the
    # m2m history of topics and parties, and the records the entries and their fields name.
    with django_assert_num_queries(24):
        assert get(client, "instrument-detail", instrument.slug).status_code == 200


def test_the_title_says_what_a_filtered_list_shows(seeded, client):
    response = client.get(
        reverse("web:instrument-list"),
        {"binding": "false", "member_of": "asean", "as_of": "2025-08-08"},
    )
    title = response.content.decode().split("<title>")[1].split("</title>")[0]
    assert title == (
        "Instruments as of 8 August 2025 (Voluntary texts; Issued by members of: "
        "Association of Southeast Asian Nations) · Policy Tracker"
    )
    plain = client.get(reverse("web:instrument-list")).content.decode()
    assert "<title>Instruments · Policy Tracker</title>" in plain


def test_the_title_names_the_page_of_a_long_list(empty, client):
    InstrumentFactory.create_batch(30)
    html = client.get(reverse("web:instrument-list"), {"page": "2"}).content.decode()
    assert "<title>Instruments, page 2 · Policy Tracker</title>" in html


def test_a_yes_or_no_filter_names_itself_once(seeded, client):
    response = get(client, "instrument-list", query="binding=true&in_force=true&jurisdiction=CN")
    chips = [item.text for item in response.context["active_filters"]]
    assert chips == ["Binding laws", "In force", "Jurisdiction: China"]
    html = response.content.decode()
    assert "<span>Binding laws</span>" in html
    assert "Binding: Binding" not in html
