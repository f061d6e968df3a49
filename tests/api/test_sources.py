"""The sources of the API: the list with the counts of the sources page, its filters and order,
and each record."""

import pytest
from django.urls import reverse

from instruments.models import Source
from tests.helpers.api import all_rows, by_slug, get_json, slugs

SOURCES = reverse("api:source-list")

SOURCE_FIELDS = [
    "slug",
    "title",
    "author",
    "publisher",
    "external_url",
    "published_on",
    "kind",
    "kind_label",
    "citation_count",
    "record_count",
    "url",
    "html_url",
    "updated_at",
]

ARTICLE = "us-asia-ai-governance-2025-08-08"


def test_source_list_shape_and_counts(client, seeded):
    rows = all_rows(client, SOURCES)
    assert len(rows) == Source.objects.count()
    assert [list(row) for row in rows] == [SOURCE_FIELDS] * Source.objects.count()
    article = by_slug(rows)[ARTICLE]
    assert (article["kind"], article["kind_label"], article["published_on"]) == (
        "article",
        "Article",
        "2025-08-08",
    )
    assert article["html_url"] == "http://testserver" + reverse("web:source-detail", args=[ARTICLE])
    # The counts are the sources page's (every page of it: it lists 50 sources a page).
    counts, number = {}, 1
    while True:
        page = client.get(reverse("web:source-list"), {"page": number})
        assert page.status_code == 200
        counts.update(
            (source.slug, (source.citation_count, source.record_count))
            for source in page.context["sources"]
        )
        if not page.context["page_obj"].has_next():
            break
        number += 1
    assert number > 1
    assert {row["slug"]: (row["citation_count"], row["record_count"]) for row in rows} == counts
    assert by_slug(rows)["eur-lex-ai-act"]["external_url"].startswith("https://eur-lex.europa.eu/")


def test_source_record(client, seeded):
    data = get_json(client, reverse("api:source-detail", args=[ARTICLE]))
    assert list(data) == [*SOURCE_FIELDS, "citations_url"]
    citations = get_json(client, data["citations_url"] + "&page_size=200")
    assert citations["count"] == data["citation_count"]
    assert {row["source"]["slug"] for row in citations["results"]} == {ARTICLE}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"kind": "article", "q": "Seoul"},
            [
                "intl-koreaherald-seoul-declaration-2024-05-21",
                "kr-chinadailyasia-seoul-declaration-2024-05-22",
            ],
        ),
        ({"kind": "reference", "q": "Seoul"}, ["korea-net-seoul-declaration"]),
        ({"q": "Anish"}, [ARTICLE]),
        ({"ordering": "-citation_count", "page_size": 3}, [ARTICLE, "un-m49", "iso-3166-1"]),
        (
            {"ordering": "-published_on", "page_size": 2},
            ["un-vectrel-global-dialogue", "eu-dlapiper-digital-omnibus-on-ai-2026-07-02"],
        ),
    ],
)
def test_source_filters(client, seeded, params, expected):
    assert slugs(get_json(client, SOURCES, **params)) == expected


def test_source_ordering_puts_undated_last(client, seeded):
    dates = [row["published_on"] for row in all_rows(client, SOURCES, ordering="published_on")]
    dated = [date for date in dates if date]
    assert dates == dated + [None] * (len(dates) - len(dated))
    assert dated == sorted(dated)
