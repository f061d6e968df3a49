"""Sub-national jurisdictions grouped under their country: a country's code selects what its
states issued unless `include_subnational=false`, facets and counts include them under it, and a
federation whose states bind AI by law while it has no national law is answered so, on every
page and in the API."""

import datetime

import pytest

from jurisdictions.models import Jurisdiction
from tests.factories import CitationFactory, InstrumentFactory, JurisdictionFactory
from tests.factories import StatusChangeFactory as Step

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 1, 1)


@pytest.fixture
def federation(empty):
    """Xland (XU) with a national framework, and two states: Calstate (XU-CA) with a law in
    force and a bill, Texstate (XU-TX) with nothing; and another country with a law."""
    nation = JurisdictionFactory(code="XU", name="Xland", kind="national", region="world")
    cal = Jurisdiction.objects.create(
        code="XU-CA", name="Calstate", kind="subnational", parent=nation, region="world"
    )
    Jurisdiction.objects.create(
        code="XU-TX", name="Texstate", kind="subnational", parent=nation, region="world"
    )
    other = JurisdictionFactory(code="XO", name="Otherland", kind="national", region="world")
    framework = InstrumentFactory(
        slug="xu-framework", jurisdiction=nation, type="voluntary_framework"
    )
    Step(instrument=framework, status="in_effect", date=DAY)
    law = InstrumentFactory(slug="xu-ca-law", jurisdiction=cal, type="binding_law")
    Step(instrument=law, status="in_effect", date=DAY)
    bill = InstrumentFactory(slug="xu-ca-bill", jurisdiction=cal, type="draft_bill")
    Step(instrument=bill, status="proposed", date=DAY)
    foreign = InstrumentFactory(slug="xo-law", jurisdiction=other, type="binding_law")
    Step(instrument=foreign, status="in_effect", date=DAY)
    for instrument in (framework, law, bill, foreign):
        CitationFactory(instrument=instrument)
    return nation


def slugs(client, **params):
    rows = client.get("/api/v1/instruments/", params).json()["results"]
    return sorted(row["slug"] for row in rows)


def test_a_countrys_code_selects_its_states_texts_unless_they_are_left_out(client, federation):
    assert slugs(client, jurisdiction="XU") == ["xu-ca-bill", "xu-ca-law", "xu-framework"]
    assert slugs(client, jurisdiction="XU", include_subnational="false") == ["xu-framework"]
    assert slugs(client, jurisdiction="XU-CA") == ["xu-ca-bill", "xu-ca-law"]
    assert slugs(client, jurisdiction="XU-TX") == []
    # The HTML list selects the same.
    html = client.get("/instruments/", {"jurisdiction": "XU"}).content.decode()
    assert "3 instruments" in html


def test_the_facet_counts_states_under_their_country_and_names_them_after_it(client, federation):
    facet = client.get("/api/v1/instruments/", {"facet": "jurisdiction"}).json()["facets"]
    counts = {row["value"]: (row["label"], row["count"]) for row in facet["jurisdiction"]}
    assert counts == {
        "XU": ("Xland", 3),
        "XU-CA": ("Xland: Calstate", 2),
        "XO": ("Otherland", 1),
    }
    # Ordered by name, a state follows its country.
    labels = [row["label"] for row in facet["jurisdiction"]]
    assert labels.index("Xland: Calstate") == labels.index("Xland") + 1


def test_list_counts_include_states_and_link_to_the_same_rows(client, federation):
    row = client.get("/api/v1/jurisdictions/XU/").json()
    assert (row["binding_law_in_force"], row["subnational_binding_law_in_force"]) == (False, 1)
    html = " ".join(client.get("/jurisdictions/").content.decode().split())
    xland = html.split(">Xland</a>")[1].split("</tr>")[0]
    assert "No national law; in force in" in xland
    assert "1 sub-national jurisdiction</a>" in xland
    # Its counts are its own and its states': the links list exactly those.
    assert 'aria-label="1 binding laws of Xland"' in xland
    assert 'aria-label="1 bills (bind if enacted) of Xland"' in xland
    assert slugs(client, jurisdiction="XU", binding="true") == ["xu-ca-law"]
    assert slugs(client, jurisdiction="XU", force="pending") == ["xu-ca-bill"]


def test_a_federation_page_lists_its_states_laws_and_answers_the_law_question(client, federation):
    html = " ".join(client.get("/jurisdictions/XU/").content.decode().split())
    assert "No binding AI law of its own is in effect today; binding laws are in force in" in html
    assert '<a href="#subdivisions">1 of its sub-national jurisdictions</a>' in html
    section = html.split('id="subdivisions"')[1].split("</section>")[0]
    assert "1 binding law in force today." in section
    assert "No binding law in force today." in section  # Texstate
    assert '/instruments/xu-ca-law/"' in section
    assert '/instruments/xu-ca-bill/"' in section
    assert "xu-framework" not in section


def test_the_home_page_gives_the_same_answer(client, federation):
    html = " ".join(client.get("/").content.decode().split())
    assert "no national law; binding laws in force in 1 of its sub-national jurisdictions)" in html
