"""What a reader sees on the lists and pages, item by item: names not codes, one date format
per page, sortable columns, long facets folded, marks that mean what they say, the API's page."""

import re

import pytest
from django.urls import reverse

from instruments.vocabulary import EventKind
from policytracker.web.events_chart import EVENT_STYLES

pytestmark = pytest.mark.django_db


def test_a_chosen_jurisdiction_shows_its_name_even_when_nothing_matches(seeded, client):
    html = client.get(reverse("web:instrument-list"), {"jurisdiction": "cn", "party": "SG"})
    page = " ".join(html.content.decode().split())
    assert "<span>Jurisdiction: China</span>" in page
    assert "Jurisdiction: CN" not in page


DATE_TEXT = re.compile(
    r"^(\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4}|(January|February|March|April|May|June|July|August|September|"
    r"October|November|December) \d{4}|\d{4})(, \d{2}:\d{2}( UTC)?)?$"
)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/about/",
        "/map/",
        "/jurisdictions/",
        "/jurisdictions/VN/",
        "/instruments/eu-ai-act/",
        "/events/",
        "/events/ai-seoul-summit-2024/",
        "/sources/",
        "/compare/?jurisdiction=CN&jurisdiction=VN&as_of=2025-08-08",
    ],
)
def test_every_date_on_a_page_is_written_one_way(seeded, client, path):
    html = client.get(path).content.decode()
    dates = re.findall(r"<time[^>]*>([^<]*)</time>", html)
    assert dates
    odd = [text for text in (" ".join(d.split()) for d in dates) if not DATE_TEXT.match(text)]
    assert not odd, odd


def test_jurisdiction_columns_sort_and_say_how(seeded, client):
    html = client.get(reverse("web:jurisdiction-list"), {"ordering": "-name"}).content.decode()
    assert html.count("<caption>") == 1
    assert 'aria-sort="descending"' in html
    names = re.findall(r'<th scope="row"><a href="/jurisdictions/[A-Z]+/">([^<]+)</a>', html)
    assert names == sorted(names, reverse=True)
    default = client.get(reverse("web:jurisdiction-list")).content.decode()
    assert 'href="?ordering=name"' in default
    assert default.count("<caption>") > 1  # grouped by region without a sort


def test_source_columns_sort_and_a_bad_order_is_a_400(seeded, client):
    response = client.get(reverse("web:source-list"), {"ordering": "-citation_count"})
    counts = [source.citation_count for source in response.context["sources"]]
    assert counts == sorted(counts, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()
    assert client.get(reverse("web:source-list"), {"ordering": "colour"}).status_code == 400


def test_a_long_facet_shows_its_top_values_and_folds_the_rest(seeded, client):
    response = client.get(reverse("web:instrument-list"), {"jurisdiction": "INTL"})
    facet = next(f for f in response.context["facets"] if f.name == "jurisdiction")
    assert len(facet.options) > facet.LONG
    assert len(facet.shown) <= facet.TOP + 1
    assert "INTL" in {option.value for option in facet.shown}  # a chosen value stays in view
    html = " ".join(response.content.decode().split())
    assert f'<summary>{len(facet.more)} more<span class="visually-hidden"> (jurisdiction)' in html


def test_a_proposed_ban_is_not_marked_as_an_error():
    style = EVENT_STYLES[EventKind.PROPOSED_BAN]
    assert style.shape not in {"cross", "plus"}


def test_the_api_has_a_front_page_in_the_sites_look(seeded, client):
    response = client.get("/api/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("api:api-root", "redoc", "docs", "schema"):
        assert f'href="{reverse(name)}"' in html
    assert 'class="site-header"' in html
    assert f'href="{reverse("web:api-home")}">API</a>' in client.get("/").content.decode()
