"""The map of approaches: drawn on the server from the shipped shapes, `as_of` aware, every
tracked country linked, a table saying the same."""

import json

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from policytracker.web.world_map import MAP_FILE, world

pytestmark = pytest.mark.django_db


def test_the_shapes_file_names_its_source_and_licence():
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"]["dataset"]
    assert "public domain" in data["source"]["licence"]
    national = ["US", "CN", "SG", "JP", "KR", "TH", "VN", "TW", "ID", "FR", "GB", "TL"]
    assert all(code in data["countries"] for code in national)
    assert {"SG", "BN"} <= set(data["points"])


def test_today_beside_the_article_day(seeded, client):
    response = client.get(reverse("web:map"))
    assert response.status_code == 200
    today, then = response.context["maps"]
    assert today.is_today
    assert then.day.isoformat() == "2025-08-08"
    approach = {map_.day: {s.code: s.approach for s in map_.shapes} for map_ in (today, then)}
    assert approach[today.day]["VN"] == "risk_based"
    assert approach[then.day]["VN"] == "voluntary"
    nationals = Jurisdiction.objects.filter(kind="national").count()
    assert len(today.shapes) == nationals
    assert sum(count for _, _, count in today.legend) == nationals
    html = response.content.decode()
    for code in ("CN", "VN", "SG"):
        assert f'<a href="/jurisdictions/{code}/" class="tracked"' in html
    assert 'fill="url(#fill-risk_based)"' in html
    # Not drawn but listed: blocs and international bodies (the section's heading says so;
    # the US states are neither, and have no shape of their own: they have their own section).
    assert {row["jurisdiction"].code for row in response.context["other_rows"]} == {
        "ASEAN",
        "EU",
        "OECD",
        "INTL",
        "UN",
    }
    assert len(response.context["national_rows"]) == nationals
    # The sub-national jurisdictions have a section of their own, each under its country: the
    # nine US states of the seed.
    states = ["US-CA", "US-CO", "US-CT", "US-IL", "US-NY", "US-OR", "US-TX", "US-UT", "US-WA"]
    assert [row["jurisdiction"].code for row in response.context["subnational_rows"]] == states
    assert [
        [cell["day"] for cell in row["cells"]] for row in response.context["subnational_rows"]
    ] == [[today.day, then.day]] * len(states)
    blocs = html.split('<h2 id="map-blocs">Blocs and international bodies</h2>')[1]
    blocs = blocs.split("</section>")[0]
    assert "/jurisdictions/US-" not in blocs
    assert blocs.count("<li>") == 5
    subnational = html.split('<h2 id="map-subnational">Sub-national jurisdictions</h2>')[1]
    subnational = " ".join(subnational.split("</section>")[0].split())
    assert '<section aria-labelledby="map-subnational">' in html
    assert subnational.count("<li>") == len(states)
    assert (
        '<li><a href="/jurisdictions/US-CA/">California</a> <span class="muted">(United '
        "States)</span>:"
    ) in subnational
    assert all(f'href="/jurisdictions/{code}/"' in subnational for code in states)
    assert 'href="/jurisdictions/EU/"' not in subnational
    # Nothing the browser must fetch: the shapes are in the page.
    assert "<script" not in html.split("</main>")[0].split("<main")[1]
    assert len(world()["countries"]) == html.count('<path id="shape-')


def test_as_of_beside_today_and_filters_apply_to_both(seeded, client):
    response = client.get(reverse("web:map"), {"as_of": "2025-11-01", "member_of": "ASEAN"})
    first, second = response.context["maps"]
    assert first.day.isoformat() == "2025-11-01"
    assert second.is_today
    assert {s.code for s in first.shapes} == {
        *("ID", "MY", "PH", "SG", "TH", "BN", "VN", "LA", "MM", "KH", "TL"),
    }


@pytest.mark.parametrize("query", ["as_of=2025-13-01", "as_of=yesterday", "approach=strict"])
def test_a_bad_parameter_is_a_400_page(seeded, client, query):
    assert client.get(reverse("web:map") + "?" + query).status_code == 400
