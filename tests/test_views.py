import pytest
from django.urls import reverse

from tests.factories import (
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def test_index_lists_the_seed(seeded, client):
    response = client.get(reverse("instruments:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Interim Measures for the Management of Generative Artificial Intelligence Services" in html
    )
    assert "生成式人工智能服务管理暂行办法" in html
    assert "Light-touch" in html
    # Dates at their precision: the Japanese guidelines are known to the year only.
    assert "1 January 2024" not in html
    assert "Date not stated (reported 8 August 2025)" in html
    assert "hosted by South Korea with United Kingdom" in html
    assert "ASEAN (member since 1995)" in html
    counts = {
        j.code: (j.binding_count, j.voluntary_count) for j in response.context["jurisdictions"]
    }
    assert counts["SG"] == (0, 2)
    assert counts["JP"] == (2, 1)
    assert counts["MY"] == (0, 0)
    # Current approaches, with the date each has held since.
    approaches = {
        j.code: (j.get_approach_display(), str(j.as_of_approach_when))
        for j in response.context["jurisdictions"]
    }
    assert approaches["VN"] == ("Risk-based", "1 March 2026")
    assert approaches["TW"] == ("Transitioning", "14 January 2026")
    assert 'Risk-based</span> <span class="local">since 1 March 2026' in html


def test_index_counts_binding_and_voluntary(empty, client):
    InstrumentFactory(type="binding_law")
    InstrumentFactory(type="draft_bill", status="draft")
    InstrumentFactory(type="declaration")
    response = client.get(reverse("instruments:index"))
    assert response.context["counts"] == {"total": 3, "binding": 2, "voluntary": 1}


@pytest.mark.parametrize("size", [2, 12])
def test_index_query_count_does_not_grow(empty, client, django_assert_num_queries, size):
    for _ in range(size):
        instrument = InstrumentFactory()
        event = EventFactory(host=instrument.jurisdiction)
        event.instruments.add(instrument)
        event.co_hosts.add(JurisdictionFactory())
        MembershipFactory(member=instrument.jurisdiction)
        SourceFactory()
    # counts, jurisdictions (+memberships, +blocs), instruments (+topics, +parties), events
    # (+co-hosts, +participants, +actors, +instruments), sources
    with django_assert_num_queries(13):
        assert client.get(reverse("instruments:index")).status_code == 200


def test_unknown_page_is_a_proper_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert b"Policy Tracker" in response.content


def test_bad_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert b"Bad request" in response.content
