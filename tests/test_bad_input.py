"""Bad input from anyone answers 4xx naming the fault, never 5xx, and changes nothing.

Table-driven: pages and the API, anonymous reads and an editor's writes, on both databases
(PostgreSQL refuses a NUL in any text it stores or compares: such input answered 500 there).
After each request every table of the records is counted and checksummed again."""

import json

import pytest
from django.urls import reverse

from tests.helpers.fingerprint import fingerprint
from tests.helpers.writes import NEW_INSTRUMENT, read

pytestmark = pytest.mark.django_db


# (address, what the answer names)
PAGES = [
    ("/jurisdictions/%00/", "path"),
    ("/jurisdictions/US%00/", "path"),
    ("/jurisdictions/%01/", "path"),
    ("/jurisdictions/%7F/", "path"),
    ("/instruments/%00/", "path"),
    ("/instruments/eu-ai-act%00/", "path"),
    ("/events/%00/", "path"),
    ("/sources/%00/", "path"),
    ("/%00/", "path"),
    ("/instruments/?q=%00", "q"),
    ("/instruments/?jurisdiction=%00", "jurisdiction"),
    ("/instruments/?jurisdiction=US%00", "jurisdiction"),
    ("/instruments/?topic=%00", "topic"),
    ("/instruments/?type=binding_law%00", "type"),
    ("/instruments/?as_of=2025-01-01%00", "as_of"),
    ("/instruments/?page=%00", "page"),
    ("/instruments/?binding=true&jurisdiction=EU&q=a%00", "q"),
    ("/jurisdictions/?region=%00", "region"),
    ("/jurisdictions/?q=%1B", "q"),
    ("/events/?jurisdiction=%00", "jurisdiction"),
    ("/sources/?q=%00", "q"),
    ("/search/?q=a%00b", "q"),
    ("/search/?q=%08", "q"),
    ("/map/?type=%00", "type"),
    ("/compare/?jurisdiction=EU&jurisdiction=%00", "jurisdiction"),
    ("/about/?a%00b=1", "(a parameter's name)"),
    ("/?x=%00", "x"),
    ("/feeds/updates/?x=%00", "x"),
    ("/jurisdictions/US/?as_of=%00", "as_of"),
    ("/instruments/?%00=%00", "(a parameter's name)"),
]


@pytest.mark.parametrize(("address", "named"), PAGES)
def test_a_page_answers_400_naming_the_fault(seeded, client, address, named):
    before = fingerprint()
    response = client.get(address)
    assert response.status_code == 400, (address, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Bad request" in page
    assert f"<code>{named}</code>" in page.replace("&#x27;", "'")
    assert "NUL character" in page or "control character" in page
    assert fingerprint() == before


API = "/api/v1"
# (address, the key of `errors` that names the fault)
API_READS = [
    *(
        (f"{API}/{name}/%00/", "path")
        for name in (
            "instruments",
            "events",
            "jurisdictions",
            "actors",
            "topics",
            "sources",
            "citations",
        )
    ),  # fmt: skip
    (f"{API}/instruments/eu-ai-act%00/", "path"),
    (f"{API}/jurisdictions/%01/", "path"),
    (f"{API}/instruments/?jurisdiction=%00", "jurisdiction"),
    (f"{API}/instruments/?topic=a%00b", "topic"),
    (f"{API}/instruments/?q=%00", "q"),
    (f"{API}/instruments/?as_of=%00", "as_of"),
    (f"{API}/instruments/?updated_since=%00", "updated_since"),
    (f"{API}/instruments/?facet=%00", "facet"),
    (f"{API}/instruments/?ordering=%00", "ordering"),
    (f"{API}/instruments/?format=csv&jurisdiction=%00", "jurisdiction"),
    (f"{API}/instruments/?page=%00", "page"),
    (f"{API}/instruments/?page_size=%7F", "page_size"),
    (f"{API}/instruments/?%00=1", "(a parameter's name)"),
    (f"{API}/events/?jurisdiction=%00", "jurisdiction"),
    (f"{API}/jurisdictions/?region=%00", "region"),
    (f"{API}/jurisdictions/?as_of=%00", "as_of"),
    (f"{API}/citations/?source=%00", "source"),
    (f"{API}/sources/?q=%00", "q"),
    (f"{API}/topics/?q=%00", "q"),
    (f"{API}/actors/?jurisdiction=%00", "jurisdiction"),
    (f"{API}/changes/?after=%00", "after"),
    (f"{API}/changes/?kind=%00", "kind"),
    (f"{API}/nothing%00/", "path"),
    ("/api/schema/?x=%00", "x"),
]


@pytest.mark.parametrize(("address", "named"), API_READS)
def test_an_api_read_answers_400_json_naming_the_fault(seeded, client, address, named):
    before = fingerprint()
    response = client.get(address)
    assert response.status_code == 400, (address, response.status_code)
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert list(errors) == [named]
    assert "NUL character" in errors[named][0] or "control character" in errors[named][0]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "address",
    ["/search/?q=line%0Abreak", "/search/?q=tab%09here", "/instruments/?q=a%0D%0Ab"],
)
def test_tabs_and_line_breaks_are_text_like_any_other(seeded, client, address):
    assert client.get(address).status_code == 200


def deep(levels):
    value = "bottom"
    for _ in range(levels):
        value = [value]
    return value


# (changes to a valid new instrument, where the answer says the fault is)
WRITES = [
    ({"title": "A\x00B"}, "title"),
    ({"summary": "text\x00"}, "summary"),
    ({"slug": "xa\x00act"}, "slug"),
    ({"jurisdiction": "X\x00A"}, "jurisdiction"),
    ({"jurisdiction": {"code": "X\x00"}}, "jurisdiction"),
    ({"topics": ["test-topic", "a\x00b"]}, "topics[1]"),
    ({"parties": ["X\x00B"]}, "parties[0]"),
    ({"title": "bell \x07"}, "title"),
    ({"ti\x00tle": "A title"}, "a key"),
    ({"citations": [{"source": "test-source", "quote": "q\x00"}]}, "citations[0].quote"),
    ({"status_timeline": [{"status": "adopted", "date": "2024\x00"}]}, "status_timeline[0].date"),
    ({"summary": deep(40)}, "nested more than 32 levels"),
    ({"topics": deep(33)}, "nested more than 32 levels"),
]


@pytest.mark.parametrize(("change", "named"), WRITES)
def test_an_editors_write_answers_400_naming_the_fault(vocabulary, as_editor, change, named):
    before = fingerprint()
    response = as_editor.post(
        reverse("api:instrument-list"), {**NEW_INSTRUMENT, **change}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert named in response.content.decode(), response.content[:300]
    assert fingerprint() == before


# Bodies no JSON reader takes whole: (body, what the answer says)
RAW_BODIES = [
    (b"[" * 100_000 + b"]" * 100_000, "nested"),
    (b'{"title": ' + b"9" * 5000 + b"}", "JSON parse error"),
    (b'{"title": "\xff\xfe"}', "JSON parse error"),
    (b'{"title": "unterminated', "JSON parse error"),
    (b"", "This field is required."),
    (b'{"title": "A"} trailing', "JSON parse error"),
]


@pytest.mark.parametrize(("body", "said"), RAW_BODIES)
def test_a_body_no_reader_takes_answers_400(vocabulary, as_editor, body, said):
    before = fingerprint()
    response = as_editor.post(reverse("api:instrument-list"), body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    # The shape of every bad write: the body as a whole, or the fields it lacks, named.
    errors = response.json()["errors"]
    assert said in json.dumps(errors)
    assert list(errors) == ["body"] or "slug" in errors
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("change", "named"),
    [({"title": "A\x00"}, "title"), ({"topics": ["a\x00"]}, "topics[0]")],
)
def test_an_update_with_a_nul_changes_nothing(seeded, as_editor, change, named):
    url = reverse("api:instrument-detail", args=["eu-ai-act"])
    _, etag = read(as_editor, url)
    before = fingerprint()
    response = as_editor.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400, response.content[:300]
    assert named in response.content.decode()
    assert fingerprint() == before


def test_a_status_change_note_with_a_nul_changes_nothing(seeded, as_editor):
    url = reverse("api:instrument-status-changes", args=["eu-ai-act"])
    _, etag = read(as_editor, reverse("api:instrument-detail", args=["eu-ai-act"]))
    before = fingerprint()
    response = as_editor.post(
        url,
        {"status": "in_effect", "date": "2030-01-01", "note": "n\x00"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400, response.content[:300]
    assert "note" in response.content.decode()
    assert fingerprint() == before


# Values of the wrong kind (not characters): (address, status, what the answer names). An API
# address answers JSON naming the parameter; a page, the 400 page naming it.
BAD_VALUES = [
    (f"{API}/instruments/?page=-1", 400, "page"),
    (f"{API}/instruments/?page=99999999999999999999999999", 400, "page"),
    (f"{API}/instruments/?page_size=0", 400, "page_size"),
    (f"{API}/instruments/?page_size=1e400", 400, "page_size"),
    (f"{API}/instruments/?as_of=2025-13-45", 400, "as_of"),
    (f"{API}/instruments/?as_of=2025-2-3", 400, "as_of"),
    (f"{API}/instruments/?updated_since=yesterday", 400, "updated_since"),
    (f"{API}/instruments/?ordering=colour", 400, "ordering"),
    (f"{API}/instruments/?facet=colour", 400, "facet"),
    (f"{API}/instruments/?type=treaty", 400, "type"),
    (f"{API}/instruments/?binding=maybe", 400, "binding"),
    (f"{API}/instruments/?format=xml", 400, "format"),
    (f"{API}/instruments/?colour=red", 400, "colour"),
    (f"{API}/events/?year=99999999999999999999", 400, "year"),
    (f"{API}/changes/?since=last-week", 400, "since"),
    (f"{API}/changes/?page_size=100000", 400, "page_size"),
    ("/instruments/?page=-1", 400, "page"),
    ("/instruments/?as_of=2025-13-45", 400, "as_of"),
    ("/instruments/?type=treaty", 400, "type"),
    ("/jurisdictions/?region=atlantis", 400, "region"),
    ("/events/?year=99999999999999999999", 400, "year"),
]


@pytest.mark.parametrize(("address", "status", "named"), BAD_VALUES)
def test_a_value_of_the_wrong_kind_answers_400_naming_it(seeded, client, address, status, named):
    before = fingerprint()
    response = client.get(address)
    assert response.status_code == status, (address, response.status_code, response.content[:300])
    if address.startswith(API):
        assert response["Content-Type"] == "application/json"
        assert named in response.json()["errors"], response.content[:300]
    else:
        assert f"<code>{named}</code>" in response.content.decode()
    assert fingerprint() == before


# Bytes that are not UTF-8, where a key or a value should be: never a server error, and the
# site's own answer (a 404 names no record, a list finds nothing or names the value).
NOT_UTF8 = [
    "/jurisdictions/%FF/",
    "/instruments/%C3%28/",
    f"{API}/instruments/%FF%FE/",
    f"{API}/jurisdictions/%C0%AF/",
    "/search/?q=%FF%FE",
    f"{API}/instruments/?q=%C3%28",
    f"{API}/instruments/?jurisdiction=%FF",
]


@pytest.mark.parametrize("address", NOT_UTF8)
def test_bytes_that_are_not_utf8_never_fail_the_server(seeded, client, address):
    before = fingerprint()
    response = client.get(address)
    assert response.status_code in (200, 400, 404), (address, response.status_code)
    if address.startswith(API):
        assert response["Content-Type"] == "application/json"
    assert fingerprint() == before


def test_a_body_over_the_limit_answers_413_and_writes_nothing(vocabulary, as_editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = fingerprint()
    body = json.dumps({**NEW_INSTRUMENT, "summary": "x" * 20_000})
    response = as_editor.post(reverse("api:instrument-list"), body, content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    assert list(response.json()["errors"]) == ["body"]
    assert fingerprint() == before
