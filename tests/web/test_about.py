"""The methodology page: every label defined from the vocabularies, counts and "last updated"
computed from the data, linked from every page."""

import pytest
from django.urls import reverse

from instruments.models import Citation
from instruments.vocabulary import InstrumentStatus, InstrumentType
from jurisdictions.vocabulary import Approach
from tests.factories import JurisdictionFactory

pytestmark = pytest.mark.django_db


def test_about_defines_every_label_and_counts_the_data(seeded, client):
    response = client.get(reverse("web:about"))
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    for _, label in [*Approach.choices, *InstrumentType.choices, *InstrumentStatus.choices]:
        assert f"<dt>{label}</dt>" in html, label
    quotes = Citation.objects.exclude(quote="").count()
    references = Citation.objects.filter(quote="").count()
    assert f"{quotes:,} are quotes and {references:,} are references" in html
    assert "CC BY 4.0" in html
    assert "version 0.1.0" in html
    assert "The data last changed on <time" in html
    assert 'since <time datetime="2025-08-08">' not in html


def test_last_updated_follows_the_latest_change(seeded, client):
    JurisdictionFactory(code="XZ", name="Newland")
    latest = client.get(reverse("web:about")).context["last_updated"]
    home = client.get(reverse("web:home")).context["last_updated"]
    assert latest == home
    from jurisdictions.models import Jurisdiction

    assert latest == Jurisdiction.history.latest().history_date


def test_an_address_for_corrections_is_shown_when_set(seeded, client, settings):
    assert "has not published an address" in client.get(reverse("web:about")).content.decode()
    settings.REPORT_ERRORS_TO = "corrections@example.org"
    html = client.get(reverse("web:about")).content.decode()
    assert 'href="mailto:corrections@example.org"' in html


@pytest.mark.parametrize("name", ["web:home", "web:jurisdiction-list", "web:instrument-list"])
def test_every_page_links_to_the_methodology(seeded, client, name):
    assert f'href="{reverse("web:about")}"' in client.get(reverse(name)).content.decode()
