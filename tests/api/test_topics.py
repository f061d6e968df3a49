"""The topics of the API: the list, its filters, and each record with its instruments."""

import pytest
from django.urls import reverse

from instruments.models import Topic
from tests.helpers.api import by_slug, get_json, slugs

TOPICS = reverse("api:topic-list")

TOPIC_FIELDS = ["slug", "name", "description", "url", "html_url", "updated_at"]


def test_topic_list_and_record(client, seeded):
    data = get_json(client, TOPICS)
    assert data["count"] == Topic.objects.count()
    assert [list(row) for row in data["results"]] == [TOPIC_FIELDS] * Topic.objects.count()
    assert slugs(data)[:2] == ["ai-safety", "automated-decision-rights"]
    sandboxes = by_slug(data["results"])["sandboxes"]
    assert sandboxes["html_url"] == "http://testserver/instruments/?topic=sandboxes"
    record = get_json(client, sandboxes["url"])
    assert list(record) == [*TOPIC_FIELDS, "instruments"]
    # By title.
    assert record["instruments"] == [
        "gb-mhra-ai-airlock",
        "sg-ai-verify-toolkit",
        "gb-ai-regulation-white-paper-2023",
        "de-ki-mig",
        "us-ct-sb-5",
        "us-ut-sb-149",
        "us-ut-sb-332",
        "th-draft-ai-law-principles",
        "in-rbi-free-ai-framework",
        "in-ai-governance-guidelines",
        "cn-anthropomorphic-ai-measures",
        "sg-model-ai-governance-framework",
        "us-fy2026-ndaa-ai-provisions",
        "us-ut-hb-320",
        "us-tx-hb-149",
    ]
    # The page the address names lists exactly those (in its own order).
    page = client.get(sandboxes["html_url"])
    assert sorted(i.slug for i in page.context["object_list"]) == sorted(record["instruments"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "sandbox"}, ["sandboxes"]),
        ({"q": "relaxed rules"}, ["sandboxes"]),
        ({"q": "sandbox", "updated_since": "2000-01-01T00:00:00Z"}, ["sandboxes"]),
        ({"ordering": "-name", "page_size": 2}, ["transparency", "testing-and-assurance"]),
    ],
)
def test_topic_filters(client, seeded, params, expected):
    assert slugs(get_json(client, TOPICS, **params)) == expected
