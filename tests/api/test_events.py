"""The events of the API: the list (shape, filters, order, CSV, query counts) and each record."""

import math

import pytest
from django.urls import reverse

from instruments.models import Event
from policytracker.api.events import EventViewSet
from tests.factories import EventFactory
from tests.helpers.api import (
    all_rows,
    assert_bad_parameter,
    assert_csv_matches_json,
    by_slug,
    count_queries,
    csv_table,
    flat_names,
    get_json,
    slugs,
)
from tests.helpers.seed import SEED_EVENTS

EVENTS = reverse("api:event-list")

EVENT_FIELDS = [
    "slug",
    "title",
    "kind",
    "kind_label",
    "date",
    "date_precision",
    "location",
    "host",
    "co_hosts",
    "participants",
    "actors",
    "instruments",
    "summary",
    "url",
    "html_url",
    "updated_at",
]


def test_event_list_shape_and_values(client, seeded):
    data = get_json(client, EVENTS, page_size=2)
    assert data["count"] == Event.objects.count()
    assert [list(row) for row in data["results"]] == [EVENT_FIELDS] * 2
    rows = by_slug(all_rows(client, EVENTS))
    summit = rows["ai-seoul-summit-2024"]
    assert summit["kind"] == "summit"
    assert summit["kind_label"] == "Summit"
    assert summit["date"] == "2024-05-21"
    assert summit["date_precision"] == "day"
    assert summit["host"] == {"code": "KR", "name": "South Korea"}
    assert summit["co_hosts"] == ["GB"]
    assert "US" in summit["participants"]
    assert summit["instruments"] == ["seoul-declaration-2024"]
    assert summit["html_url"] == "http://testserver" + reverse(
        "web:event-detail", args=["ai-seoul-summit-2024"]
    )
    assert rows["kratsios-urges-asia-to-reject-eu-regulation"]["actors"] == ["michael-kratsios"]
    # Every event of the seed is dated; one without a date gives nulls.
    event = EventFactory(date=None, date_precision="")
    undated = by_slug(all_rows(client, EVENTS))[event.slug]
    assert (undated["date"], undated["date_precision"]) == (None, None)


def test_event_without_host_and_partial_date(client, seeded):
    event = EventFactory(host=None, date="2024-01-01", date_precision="year")
    row = by_slug(all_rows(client, EVENTS))[event.slug]
    assert row["host"] is None
    assert (row["date"], row["date_precision"]) == ("2024", "year")
    header, rows = csv_table(client.get(EVENTS, {"format": "csv"}))
    cells = next(dict(zip(header, row, strict=True)) for row in rows if row[0] == event.slug)
    assert (cells["host.code"], cells["host.name"], cells["date"]) == ("", "", "2024")


def test_event_default_order_is_newest_first_undated_last(client, seeded):
    # Every event of the seed is dated: an undated one is added to show where it goes.
    undated = EventFactory(date=None, date_precision="", title="An undated event")
    assert slugs(get_json(client, EVENTS)) == [*SEED_EVENTS, undated.slug]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"kind": "summit"},
            [
                "in-ai-impact-summit-2026",
                "kr-apec-leaders-gyeongju-2025",
                "timor-leste-joins-asean-2025",
                "intl-ai-action-summit-paris-2025",
                "ai-seoul-summit-2024",
                "intl-ai-safety-summit-2023",
            ],
        ),
        (
            {"jurisdiction": "SG"},
            [
                "in-ai-impact-summit-2026",
                "intl-ai-action-summit-paris-2025",
                "ai-seoul-summit-2024",
                "asean-digital-ministers-meeting-2024",
            ],
        ),
        ({"year": "2024"}, ["ai-seoul-summit-2024", "asean-digital-ministers-meeting-2024"]),
        (
            {"date_after": "2025-07-01", "date_before": "2025-08-31"},
            [
                "kratsios-urges-asia-to-reject-eu-regulation",
                "kr-apec-digital-ai-ministerial-2025",
                "li-qiang-calls-for-international-ai-governance-body",
            ],
        ),
        ({"q": "Kratsios"}, ["kratsios-urges-asia-to-reject-eu-regulation"]),
        (
            {"ordering": "date", "year": "2025"},
            [
                "intl-ai-action-summit-paris-2025",
                "gb-ai-safety-institute-renamed-2025",
                "us-congress-push-to-ban-chinese-ai-from-federal-use",
                "li-qiang-calls-for-international-ai-governance-body",
                "kr-apec-digital-ai-ministerial-2025",
                "kratsios-urges-asia-to-reject-eu-regulation",
                "jp-ai-strategy-headquarters-2025",
                "un-global-dialogue-launch-2025",
                "timor-leste-joins-asean-2025",
                "cn-xi-proposes-waico-apec-2025",
                "kr-apec-leaders-gyeongju-2025",
                "us-fy2026-ndaa-signed-2025-12-18",
            ],
        ),
    ],
)
def test_event_filters(client, seeded, params, expected):
    assert slugs(get_json(client, EVENTS, **params)) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kind=meeting", "kind"),
        ("jurisdiction=ZZ", "jurisdiction"),
        ("year=twenty", "year"),
        ("date_after=2025-13-01", "date_after"),
        ("ordering=kind", "ordering"),
        ("page=abc", "page"),
        ("page_size=500", "page_size"),
    ],
)
def test_event_bad_parameter(client, seeded, query, parameter):
    assert_bad_parameter(client, EVENTS, query, parameter)


def test_event_csv(client, seeded):
    header, rows = assert_csv_matches_json(client, EVENTS)
    assert header == flat_names(rows[0])
    assert header[7:9] == ["host.code", "host.name"]
    response = client.get(EVENTS, HTTP_ACCEPT="text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="events.csv"'
    header, csv_rows = csv_table(response)
    seoul = next(
        dict(zip(header, row, strict=True)) for row in csv_rows if row[0] == "ai-seoul-summit-2024"
    )
    assert seoul["co_hosts"] == "GB"
    assert seoul["participants"].split(";")[:2] == ["AU", "CA"]


def test_event_json_query_count_does_not_depend_on_page_size(
    client, seeded, django_assert_num_queries
):
    # count, rows (with their hosts), co-hosts, participants, actors, instruments
    for page_size in (2, 50):
        with django_assert_num_queries(6):
            client.get(EVENTS, {"page_size": page_size})


def test_event_csv_query_count_grows_only_with_chunks(client, seeded, monkeypatch):
    per_chunk = count_queries(client, EVENTS) - 2
    csv_queries = count_queries(client, EVENTS, format="csv")
    assert csv_queries == 1 + per_chunk
    for _ in range(9):
        event = EventFactory()
        event.participants.add(event.host)
        event.co_hosts.add(event.host)
    assert count_queries(client, EVENTS, format="csv") == csv_queries
    monkeypatch.setattr(EventViewSet, "csv_chunk_size", 4)
    assert count_queries(client, EVENTS, format="csv") == 1 + per_chunk * math.ceil(
        Event.objects.count() / 4
    )


def test_event_record(client, seeded):
    data = get_json(client, reverse("api:event-detail", args=["ai-seoul-summit-2024"]))
    assert list(data) == [*EVENT_FIELDS, "reported_on", "citations"]
    assert data["citations"][0]["source"].startswith("U.S.–Asia AI Tug-of-War")
    undated = reverse(
        "api:event-detail", args=["us-congress-push-to-ban-chinese-ai-from-federal-use"]
    )
    assert get_json(client, undated)["reported_on"] == "2025-08-08"
