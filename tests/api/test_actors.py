"""The actors of the API: the list, its filters and facets, and each record."""

import pytest
from django.urls import reverse

from instruments.models import Actor
from tests.factories import ActorFactory
from tests.helpers.api import all_rows, by_slug, csv_table, get_json, slugs

ACTORS = reverse("api:actor-list")

ACTOR_FIELDS = [
    "slug",
    "name",
    "kind",
    "kind_label",
    "role",
    "jurisdiction",
    "url",
    "html_url",
    "updated_at",
]


def test_actor_list_shape_and_values(client, seeded):
    data = get_json(client, ACTORS)
    assert data["count"] == Actor.objects.count()
    assert [list(row) for row in data["results"]] == [ACTOR_FIELDS] * Actor.objects.count()
    li = by_slug(data["results"])["li-qiang"]
    assert (li["name"], li["kind"], li["kind_label"], li["role"]) == (
        "Li Qiang",
        "person",
        "Person",
        "Premier",
    )
    assert li["jurisdiction"] == {"code": "CN", "name": "China"}
    assert li["url"] == "http://testserver" + reverse("api:actor-detail", args=["li-qiang"])
    # Actors have no page: their jurisdiction's lists them, in its "Actors" section.
    assert li["html_url"] == (
        "http://testserver" + reverse("web:jurisdiction-detail", args=["CN"]) + "#actors"
    )


def test_actor_without_jurisdiction_has_no_page(client, seeded):
    actor = ActorFactory(jurisdiction=None)
    row = by_slug(all_rows(client, ACTORS))[actor.slug]
    assert (row["jurisdiction"], row["html_url"]) == (None, None)
    header, rows = csv_table(client.get(ACTORS, {"format": "csv"}))
    cells = next(dict(zip(header, row, strict=True)) for row in rows if row[0] == actor.slug)
    assert (cells["jurisdiction.code"], cells["html_url"]) == ("", "")


def test_actor_record(client, seeded):
    data = get_json(client, reverse("api:actor-detail", args=["michael-kratsios"]))
    assert list(data) == [*ACTOR_FIELDS, "events", "citations"]
    assert data["events"] == ["kratsios-urges-asia-to-reject-eu-regulation"]
    assert data["citations"][0]["quote"] == "White House tech adviser Michael Kratsios"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"jurisdiction": "us"}, ["michael-kratsios", "us-congress", "xai"]),
        (
            {"kind": "organisation"},
            [
                "gb-ai-security-institute",
                "au-ai-safety-institute",
                "jp-ai-safety-institute",
                "kr-national-ai-strategy-committee",
                "us-congress",
                "xai",
            ],
        ),
        ({"q": "Premier"}, ["li-qiang"]),
        ({"jurisdiction": "US", "kind": "person"}, ["michael-kratsios"]),
        (
            {"jurisdiction": ["CN", "US"], "kind": "person"},
            ["li-qiang", "michael-kratsios", "xi-jinping"],
        ),
        (
            {"ordering": "-name"},
            [
                "xai",
                "xi-jinping",
                "us-congress",
                "kr-national-ai-strategy-committee",
                "michael-kratsios",
                "li-qiang",
                "jp-ai-safety-institute",
                "ca-evan-solomon",
                "au-ai-safety-institute",
                "gb-ai-security-institute",
            ],
        ),
        (
            {"ordering": "jurisdiction"},
            [
                "au-ai-safety-institute",
                "ca-evan-solomon",
                "li-qiang",
                "xi-jinping",
                "jp-ai-safety-institute",
                "kr-national-ai-strategy-committee",
                "gb-ai-security-institute",
                "michael-kratsios",
                "us-congress",
                "xai",
            ],
        ),
    ],
)
def test_actor_filters(client, seeded, params, expected):
    assert slugs(get_json(client, ACTORS, **params)) == expected


def test_actor_facets(client, seeded):
    facets = get_json(client, ACTORS, facet=["kind", "jurisdiction"], kind="person")["facets"]
    assert facets["kind"] == [
        {"value": "person", "label": "Person", "count": 4, "selected": True},
        {"value": "organisation", "label": "Organisation", "count": 6, "selected": False},
    ]
    assert facets["jurisdiction"] == [
        {"value": "CA", "label": "Canada", "count": 1, "selected": False},
        {"value": "CN", "label": "China", "count": 2, "selected": False},
        {"value": "US", "label": "United States", "count": 1, "selected": False},
    ]
