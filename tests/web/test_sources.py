import datetime

import pytest
from django.urls import reverse

from instruments.models import Source
from tests.factories import (
    ActorFactory,
    ApproachAssessmentFactory,
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
    StatusChangeFactory,
)

ARTICLE = "us-asia-ai-governance-2025-08-08"


def detail_url(slug):
    return reverse("web:source-detail", args=[slug])


def cite_everything(source, count):
    """`count` records of each kind citing `source`, the instruments twice."""
    for n in range(count):
        jurisdiction = JurisdictionFactory()
        instrument = InstrumentFactory(jurisdiction=jurisdiction)
        CitationFactory(source=source, instrument=instrument, quote=f"First {n}.")
        CitationFactory(source=source, instrument=instrument, quote=f"Second {n}.")
        for target in (
            {"jurisdiction": jurisdiction},
            {"approach_assessment": ApproachAssessmentFactory(jurisdiction=jurisdiction)},
            {"status_change": StatusChangeFactory(instrument=instrument)},
            {"event": EventFactory(host=jurisdiction)},
            {"actor": ActorFactory(jurisdiction=jurisdiction)},
        ):
            CitationFactory(source=source, instrument=None, fields=[], **target)


def test_source_list_shows_every_source_with_its_counts(seeded, client):
    response = client.get(reverse("web:source-list"))
    assert response.status_code == 200
    # 603 sources, fifty a page: every one of them once, over the thirteen pages.
    assert response.context["paginator"].num_pages == 13
    assert response.context["paginator"].count == 603
    pages = [response] + [
        client.get(reverse("web:source-list"), {"page": page}) for page in range(2, 14)
    ]
    assert all(page.status_code == 200 for page in pages)
    sources = [source for page in pages for source in page.context["sources"]]
    # By title whatever the case, ties broken by the title as written.
    assert [source.title for source in sources] == sorted(
        Source.objects.values_list("title", flat=True), key=lambda title: (title.lower(), title)
    )
    article = next(source for source in sources if source.slug == ARTICLE)
    assert article.citation_count == article.citations.count() == 41
    records = {(c.record_kind, c.record.pk) for c in article.citations.all()}
    assert article.record_count == len(records) < article.citation_count
    (html,) = [page.content.decode() for page in pages if article in page.context["sources"]]
    assert "U.S.–Asia AI Tug-of-War: Flexible Governance vs. Over-Regulation" in html
    assert f'href="{detail_url(ARTICLE)}"' in html
    # The article names no publisher or address; the M49 reference does.
    assert "not stated" in html
    m49 = next(source for source in sources if source.slug == "un-m49")
    (html,) = [page.content.decode() for page in pages if m49 in page.context["sources"]]
    assert 'href="https://unstats.un.org/unsd/methodology/m49/"' in html
    assert ">unstats.un.org<" in html
    assert "United Nations Statistics Division" in html
    assert response.context["breadcrumbs"] == [{"label": "Sources"}]
    assert 'aria-current="page">Sources</a>' in html


def test_source_list_counts_citations_and_distinct_records(empty, client):
    source = SourceFactory(title="Only source")
    cite_everything(source, 2)
    SourceFactory(title="Uncited")
    response = client.get(reverse("web:source-list"))
    counts = {s.title: (s.citation_count, s.record_count) for s in response.context["sources"]}
    assert counts == {"Only source": (14, 12), "Uncited": (0, 0)}


def test_source_list_pages_by_fifty(empty, client):
    for n in range(51):
        SourceFactory(title=f"Source {n:02d}")
    response = client.get(reverse("web:source-list"), {"page": 2})
    assert response.status_code == 200
    assert [source.title for source in response.context["sources"]] == ["Source 50"]
    assert client.get(reverse("web:source-list"), {"page": 3}).status_code == 400


@pytest.mark.parametrize("size", [2, 12])
def test_source_list_query_count_does_not_grow(empty, client, django_assert_num_queries, size):
    for _ in range(size):
        cite_everything(SourceFactory(), 1)
    # The count for the paginator, then the page with its counts.
    with django_assert_num_queries(2):
        assert client.get(reverse("web:source-list")).status_code == 200


def test_source_page_shows_every_field_and_every_citing_record(seeded, client):
    response = client.get(detail_url(ARTICLE))
    assert response.status_code == 200
    html = response.content.decode()
    source = response.context["source"]
    assert source.slug == ARTICLE
    assert "Anish" in html
    assert '<time datetime="2025-08-08">8 August 2025</time>' in html
    # Neither publisher nor address is given in the article.
    assert html.count('<span class="not-stated">not stated</span>') >= 2
    groups = {group.kind: group for group in response.context["groups"]}
    # The article backs the approaches, texts, events and people it names; no status change.
    assert set(groups) == {"jurisdiction", "approach_assessment", "instrument", "event", "actor"}
    assert {kind: len(group.records) for kind, group in groups.items()} == {
        "jurisdiction": 1,
        "approach_assessment": 11,
        "instrument": 12,
        "event": 4,
        "actor": 3,
    }
    assert response.context["citation_count"] == source.citations.count() == 41
    # Every citation appears once, under its record.
    shown = [c for group in groups.values() for r in group.records for c in r.citations]
    assert sorted(c.pk for c in shown) == sorted(source.citations.values_list("pk", flat=True))
    # A status change links to its instrument's page: a report of a court ruling backs one.
    report = client.get(detail_url("us-ca-iapp-xai-v-bonta"))
    report_groups = {group.kind: group for group in report.context["groups"]}
    assert {"instrument", "status_change", "event", "actor"} <= set(report_groups)
    shown = [c for group in report_groups.values() for r in group.records for c in r.citations]
    assert sorted(c.pk for c in shown) == sorted(
        report.context["source"].citations.values_list("pk", flat=True)
    )
    step = next(r for r in report_groups["status_change"].records)
    assert step.url.startswith("/instruments/")
    assert response.context["breadcrumbs"] == [
        {"label": "Sources", "url": reverse("web:source-list")},
        {"label": source.title},
    ]
    assert "Edit history" in html


def test_source_page_groups_records_by_kind_and_links_them(empty, client):
    source = SourceFactory(
        slug="src", title="A source", published_on=datetime.date(2024, 5, 21), author="Ann"
    )
    jurisdiction = JurisdictionFactory(code="XA", name="Xanadu")
    instrument = InstrumentFactory(slug="xa-act", title="Xanadu AI Act", jurisdiction=jurisdiction)
    CitationFactory(source=source, instrument=instrument, quote="It “binds” — all.")
    CitationFactory(source=source, instrument=instrument, quote="Second quote.", locator="§ 2")
    CitationFactory(
        source=source,
        instrument=None,
        approach_assessment=ApproachAssessmentFactory(jurisdiction=jurisdiction),
        quote="Voluntary <b>guidance</b>.",
    )
    CitationFactory(
        source=source,
        instrument=None,
        status_change=StatusChangeFactory(instrument=instrument, status="in_effect"),
        quote="In force.",
    )
    CitationFactory(
        source=source, instrument=None, actor=ActorFactory(name="Nobody", jurisdiction=None)
    )

    response = client.get(detail_url("src"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [group.kind for group in groups] == [
        "approach_assessment",
        "instrument",
        "status_change",
        "actor",
    ]
    records = {group.kind: group.records for group in groups}
    (act,) = records["instrument"]
    assert (act.title, act.url) == ("Xanadu AI Act", "/instruments/xa-act/")
    assert [c.quote for c in act.citations] == ["It “binds” — all.", "Second quote."]
    # A timeline step links to its parent's page, at the timeline.
    assert records["approach_assessment"][0].url == "/jurisdictions/XA/#approach-heading"
    assert records["status_change"][0].url == "/instruments/xa-act/#status-timeline"
    assert records["status_change"][0].title == "Xanadu AI Act: In effect (21 May 2024)"
    assert records["actor"][0].url is None
    html = response.content.decode()
    assert "It “binds” — all." in html
    assert "Voluntary &lt;b&gt;guidance&lt;/b&gt;." in html
    assert "§ 2" in html
    assert '<a href="/instruments/xa-act/">Xanadu AI Act</a>' in html
    assert "Cited 5 times by 4 records." in html
    # Blank publisher and address say so.
    assert html.count('<span class="not-stated">not stated</span>') == 2
    assert "Ann" in html
    # The source's own history: created once, no editor named; then the citations it gives,
    # which its page shows.
    history = response.context["history"]
    assert [entry.action for entry in history if entry.kind == "source"] == ["created"]
    assert {entry.kind for entry in history} == {"source", "citation"}
    assert len([entry for entry in history if entry.kind == "citation"]) == 5


def test_a_source_nobody_cites(empty, client):
    SourceFactory(slug="lonely")
    response = client.get(detail_url("lonely"))
    assert response.status_code == 200
    assert "No record cites this source yet." in response.content.decode()
    # Author, publisher, date and address are all unknown.
    assert response.content.decode().count('<span class="not-stated">not stated</span>') == 4


def test_unknown_source_is_404(seeded, client):
    response = client.get(detail_url("no-such-source"))
    assert response.status_code == 404
    assert b"Not found" in response.content


@pytest.mark.parametrize("size", [1, 6])
def test_source_page_query_count_does_not_grow(empty, client, django_assert_num_queries, size):
    source = SourceFactory(slug="src")
    cite_everything(source, size)
    source.title = "Renamed"
    source.save()
    # The source, its citations with their records (2); "Earlier versions" (1); the history
    # of the source and of the citations it gives: one per history table, the rows before
    # the changed ones, and the records their entries and fields name (10).
    with django_assert_num_queries(13):
        response = client.get(detail_url("src"))
    assert response.status_code == 200
    assert response.context["citation_count"] == 7 * size
    history = [entry for entry in response.context["history"] if entry.kind == "source"]
    assert [entry.changed_fields for entry in history] == [("title",), ()]
    html = response.content.decode()
    assert '<span class="history-action history-changed">Changed</span>' in html
    assert "<li>Title: <del>" in html
    assert "</del> → <ins>Renamed</ins></li>" in html


def test_sources_sort_by_title_whatever_the_case(empty, client):
    for title in ("beta report", "Alpha Review", "alpha notes", "Gamma"):
        SourceFactory(title=title)
    expected = ["alpha notes", "Alpha Review", "beta report", "Gamma"]
    page = client.get(reverse("web:source-list"))
    assert [source.title for source in page.context["sources"]] == expected
    # The API lists them in the same order.
    api = client.get(reverse("api:source-list")).json()
    assert [row["title"] for row in api["results"]] == expected
