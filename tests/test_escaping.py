"""A record whose every text holds markup renders it as text everywhere: the pages, the JSON-LD
of a record, the admin, the API's JSON and CSV.

One seeded instrument (the EU AI Act), its jurisdiction, citations, sources, timeline,
identifiers, topics, events and their actors get the payload below in every free-text field the
site stores (every character and text field that is not a key, a vocabulary or an address). The
payload tries each way out of a context: out of an element (`<script>`), out of an attribute
(`"'>` then a handler), out of a JSON-LD block (`</script>`), and into a spreadsheet formula
(`=`). Every page is parsed as a browser parses it; none may hold a script the site did not
write, an attribute handler, or an address that runs script. The feed's own test reads the same
payload back with a feed parser (`tests/web/test_feeds.py`)."""

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models

from instruments.models import Instrument
from tests.helpers.writes import make_user

pytestmark = pytest.mark.django_db

PAYLOAD = "=1+1\"'></script><script>alert(1)</script><img src=x onerror=alert(2)>"
SLUG = "eu-ai-act"

# Fields that are keys or addresses, not free text (kept, so that every page still resolves).
KEEP = {"code"}


def text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not field.choices
        and not field.unique
        and field.name not in KEEP
        and not isinstance(field, (models.SlugField, models.URLField, models.EmailField))
    ]


def fill(obj, number):
    """Every free-text field of `obj` set to the payload and `number` (records that must differ,
    two citations of one source, still do), cut to the field's length."""
    fields = text_fields(type(obj))
    text = f"{PAYLOAD} #{number}"
    for field in fields:
        setattr(obj, field.attname, text[: field.max_length] if field.max_length else text)
    obj.save(update_fields=[field.attname for field in fields])


@pytest.fixture
def hostile(seeded):
    """The instrument and everything its pages show, filled with the payload."""
    instrument = Instrument.objects.get(slug=SLUG)
    jurisdiction = instrument.jurisdiction
    records = [instrument, jurisdiction]
    records += list(instrument.citations.all())
    records += [citation.source for citation in instrument.citations.all()]
    records += list(instrument.status_changes.all())
    records += list(instrument.identifiers.all())
    records += list(instrument.topics.all())
    records += list(jurisdiction.approach_assessments.all())
    for event in instrument.events.all():
        records.append(event)
        records += list(event.actors.all())
    for number, record in enumerate(records):
        fill(record, number)
    assert instrument.events.exists()
    return instrument


class Inspector(HTMLParser):
    """Reads a page as a browser's parser does, and notes anything that could run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.faults = []
        self.json_ld = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.faults.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:text/html")):
                self.faults.append(f"<{tag} {name}={value}>")
        if tag == "img" and attributes.get("src") == "x":
            self.faults.append("<img src=x>")
        if tag == "script":
            kind = attributes.get("type", "")
            if kind == "application/ld+json":
                self._in = "json-ld"
            elif "src" not in attributes and kind != "application/json":
                self._in = "inline-script"
            else:
                self._in = "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in == "json-ld":
            self.json_ld.append(data)
        elif self._in == "inline-script":
            self.faults.append(f"inline script: {data[:60]!r}")
        elif self._in == "script" and data.strip():
            self.faults.append(f"script with a source and a body: {data[:60]!r}")


def inspect(response):
    assert response.status_code == 200, response.status_code
    inspector = Inspector()
    inspector.feed(response.content.decode())
    inspector.close()
    return inspector


def page_addresses(instrument):
    jurisdiction = instrument.jurisdiction.code
    event = instrument.events.first()
    source = instrument.citations.first().source
    return [
        "/",
        "/instruments/",
        f"/instruments/?jurisdiction={jurisdiction}",
        f"/instruments/{instrument.slug}/",
        f"/instruments/{instrument.slug}/?as_of=2025-01-01",
        "/jurisdictions/",
        f"/jurisdictions/{jurisdiction}/",
        "/events/",
        f"/events/{event.slug}/",
        f"/compare/?jurisdiction={jurisdiction}&jurisdiction=US",
        "/map/",
        "/sources/",
        f"/sources/{source.slug}/",
        "/search/?q=alert",
        "/search/?q=script",
    ]


def test_every_page_shows_the_payload_as_text(hostile, client):
    shown = 0
    for address in page_addresses(hostile):
        response = client.get(address)
        inspector = inspect(response)
        assert inspector.faults == [], address
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
    # The payload is on the pages, escaped: not left out.
    assert shown >= 10


def test_the_json_ld_holds_the_payload_as_a_value_and_cannot_close_its_element(hostile, client):
    inspector = inspect(client.get(f"/instruments/{hostile.slug}/?as_of=2025-01-01&utm=x"))
    [block] = inspector.json_ld
    assert "<" not in block
    data = json.loads(block)
    assert data["name"] == f"{PAYLOAD} #0"
    assert data["abstract"] == f"{PAYLOAD} #0"
    assert data["legislationJurisdiction"] == f"{PAYLOAD} #1"
    # Its address is the record's own, whatever the address it was read at.
    assert data["url"] == f"http://testserver/instruments/{hostile.slug}/"


def test_a_citation_of_the_record_gives_its_own_address(hostile, client):
    address = f"/instruments/{hostile.slug}/?as_of=2025-01-01&utm_x=%22%3E"
    page = client.get(address).content.decode()
    own = f"http://testserver/instruments/{hostile.slug}/"
    assert f'<link rel="canonical" href="{own}">' in page
    assert "utm_x" not in page
    # The text to cite and the BibTeX entry give the record's address, not the one it was read at.
    blocks = page.split("<pre>")[1:]
    assert len(blocks) == 2
    for block in blocks:
        assert f"{own} " in block or f"{{{own}}}" in block
        assert "as_of" not in block.split("</pre>")[0]


def test_the_admin_shows_the_payload_as_text(hostile, client):
    admin_user = make_user("admin-reader", staff=True)
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    citation = hostile.citations.first()
    event = hostile.events.first()
    addresses = [
        "/admin/instruments/instrument/",
        f"/admin/instruments/instrument/?q={hostile.slug}",
        f"/admin/instruments/instrument/{hostile.pk}/change/",
        f"/admin/instruments/instrument/{hostile.pk}/history/",
        "/admin/instruments/citation/",
        f"/admin/instruments/citation/{citation.pk}/change/",
        f"/admin/instruments/event/{event.pk}/change/",
        f"/admin/instruments/source/{citation.source.pk}/change/",
        f"/admin/jurisdictions/jurisdiction/{hostile.jurisdiction.pk}/change/",
        "/admin/data-health/",
    ]
    for address in addresses:
        inspector = inspect(client.get(address))
        assert inspector.faults == [], address


def test_the_api_returns_the_payload_unchanged_in_json(hostile, client):
    record = client.get(f"/api/v1/instruments/{hostile.slug}/").json()
    assert record["title"] == f"{PAYLOAD} #0"
    assert record["summary"] == f"{PAYLOAD} #0"
    # JSON is not HTML: served as JSON, never sniffed as a page.
    response = client.get(f"/api/v1/instruments/{hostile.slug}/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_csv_opens_the_payload_as_text_in_a_spreadsheet(hostile, client):
    response = client.get("/api/v1/instruments/", {"format": "csv", "jurisdiction": "EU"})
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    cells = [cell for row in rows[1:] for cell in row if "alert(1)" in cell]
    assert cells
    # A cell starting with `=` would be a formula: each is written as text, `'` first.
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    assert any(cell.startswith("'=1+1") for cell in cells)


def test_every_model_with_free_text_is_filled_by_the_fixture(hostile):
    """The fixture covers each kind of record a page shows; a new kind with free text is
    caught here, to be added to it."""
    covered = {
        "Instrument", "Jurisdiction", "Citation", "Source", "StatusChange",
        "InstrumentIdentifier", "Topic", "ApproachAssessment", "Event", "Actor",
    }  # fmt: skip
    # Not shown to readers as records: the editors' desk's revisions, and the coverage
    # reviews (shown as vocabulary; their notes are covered by the admin).
    left_out = {"Revision", "CoverageReview"}
    with_text = {
        model.__name__
        for label in ("jurisdictions", "instruments")
        for model in apps.get_app_config(label).get_models()
        if text_fields(model) and not model.__name__.startswith("Historical")
    }
    assert with_text - left_out == covered
