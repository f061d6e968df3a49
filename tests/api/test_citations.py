"""The citations of the API: the list, the record each one backs (of every kind), filters and
facets."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from instruments.models import Citation
from tests.factories import CitationFactory
from tests.helpers.api import all_rows, get_json, instrument

CITATIONS = reverse("api:citation-list")

CITATION_FIELDS = [
    "source",
    "quote",
    "locator",
    "note",
    "fields",
    "checked_on",
    "unverified_since",
    "unverified_fields",
    "record",
    "url",
    "html_url",
    "updated_at",
]

RECORD_FIELDS = ["kind", "kind_label", "key", "title", "url"]


def records(data):
    return [(row["record"]["kind"], row["record"]["key"]) for row in data["results"]]


def test_citation_list_shape(client, seeded):
    data = get_json(client, CITATIONS, page_size=3)
    assert data["count"] == Citation.objects.count()
    assert [list(row) for row in data["results"]] == [CITATION_FIELDS] * 3
    assert [list(row["record"]) for row in data["results"]] == [RECORD_FIELDS] * 3
    assert [list(row["source"]) for row in data["results"]] == [["slug", "title"]] * 3
    first = Citation.objects.order_by("source__title", "pk").first()
    assert data["results"][0]["url"] == "http://testserver" + reverse(
        "api:citation-detail", args=[first.pk]
    )


def test_citation_records_of_every_kind(client, seeded):
    rows = all_rows(client, CITATIONS, source="korea-net-seoul-declaration")
    by_kind = {row["record"]["kind"]: row for row in rows}
    step = by_kind["status_change"]
    assert step["record"] == {
        "kind": "status_change",
        "kind_label": "Status change",
        "key": "seoul-declaration-2024/adopted/2024-05-21",
        "title": "Seoul Declaration for Safe, Innovative and Inclusive AI: Adopted (21 May 2024)",
        "url": "http://testserver" + instrument("seoul-declaration-2024"),
    }
    assert (
        step["html_url"]
        == "http://testserver"
        + reverse("web:instrument-detail", args=["seoul-declaration-2024"])
        + "#status-timeline"
    )
    assert step["fields"] == ["status", "date"]
    assessment = all_rows(client, CITATIONS, record="approach_assessment", q="sandbox")[0]
    assert assessment["record"]["key"] == "SG/2025-08-08"
    assert assessment["record"]["url"] == "http://testserver" + reverse(
        "api:jurisdiction-detail", args=["SG"]
    )
    actor = all_rows(client, CITATIONS, record="actor", q="Premier")[0]
    assert actor["record"]["url"] == "http://testserver" + reverse(
        "api:actor-detail", args=["li-qiang"]
    )
    assert (
        actor["html_url"]
        == "http://testserver" + reverse("web:jurisdiction-detail", args=["CN"]) + "#actors"
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"source": "korea-net-seoul-declaration"},
            [
                ("instrument", "seoul-declaration-2024"),
                ("instrument", "seoul-declaration-2024"),
                ("status_change", "seoul-declaration-2024/adopted/2024-05-21"),
                ("event", "ai-seoul-summit-2024"),
                ("event", "ai-seoul-summit-2024"),
            ],
        ),
        (
            {"source": "korea-net-seoul-declaration", "record": "event"},
            [("event", "ai-seoul-summit-2024"), ("event", "ai-seoul-summit-2024")],
        ),
        (
            {"source": "korea-net-seoul-declaration", "record": ["event", "instrument"]},
            [
                ("instrument", "seoul-declaration-2024"),
                ("instrument", "seoul-declaration-2024"),
                ("event", "ai-seoul-summit-2024"),
                ("event", "ai-seoul-summit-2024"),
            ],
        ),
        (
            {"q": "sandbox"},
            [
                ("coverage_review", "GB/2026-12-04"),
                ("instrument", "gb-mhra-ai-airlock"),
                ("instrument", "eu-digital-omnibus-ai"),
                ("instrument", "cn-anthropomorphic-ai-measures"),
                ("instrument", "us-tx-hb-149"),
                ("instrument", "in-ai-governance-guidelines"),
                ("instrument", "us-fy2026-ndaa-ai-provisions"),
                ("instrument", "in-rbi-free-ai-framework"),
                ("instrument", "th-draft-ai-law-principles"),
                ("approach_assessment", "SG/2025-08-08"),
                ("instrument", "sg-model-ai-governance-framework"),
                ("instrument", "sg-ai-verify-toolkit"),
            ],
        ),
        (
            {"q": "sandbox", "record": "approach_assessment"},
            [("approach_assessment", "SG/2025-08-08")],
        ),
        (
            {"record": "actor", "q": "Kratsios or Congress"},
            [("actor", "michael-kratsios"), ("actor", "us-congress")],
        ),
    ],
)
def test_citation_filters(client, seeded, params, expected):
    assert records(get_json(client, CITATIONS, **params)) == expected


def test_citation_updated_at_is_when_its_history_last_changed(client, seeded):
    before = timezone.now()
    citation = CitationFactory(source__slug="fresh-source")
    (row,) = get_json(client, CITATIONS, updated_since=before.isoformat())["results"]
    assert row["record"]["key"] == citation.instrument.slug
    assert parse_datetime(row["updated_at"]) >= before
    citation.locator = "p. 9"
    citation.save()
    assert get_json(client, CITATIONS, source="fresh-source")["results"][0]["locator"] == "p. 9"


def test_citation_facets(client, seeded):
    facets = get_json(
        client, CITATIONS, facet=["record", "source"], source="korea-net-seoul-declaration"
    )["facets"]
    assert facets["record"] == [
        {"value": "instrument", "label": "Instrument", "count": 2, "selected": False},
        {"value": "event", "label": "Event", "count": 2, "selected": False},
        {"value": "status_change", "label": "Status change", "count": 1, "selected": False},
    ]
    chosen = [option for option in facets["source"] if option["selected"]]
    assert chosen == [
        {
            "value": "korea-net-seoul-declaration",
            "label": "AI Seoul Summit adopts the Seoul Declaration (news report)",
            "count": 5,
            "selected": True,
        }
    ]
