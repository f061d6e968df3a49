import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import (
    CitationFactory,
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client):
    response = client.get(reverse("web:feed-updates"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response, ET.fromstring(response.content)


def entries_of(feed):
    return feed.findall(f"{ATOM}entry")


def test_the_feed_lists_created_changed_and_deleted_records(empty, client):
    jurisdiction = JurisdictionFactory(code="XA")
    instrument = InstrumentFactory(
        slug="xa-ai-act", title="Framework Act on AI", jurisdiction=jurisdiction
    )
    instrument.status = "in_effect"
    instrument.effective_on = datetime.date(2026, 1, 22)
    instrument.effective_on_precision = "day"
    instrument.save()
    gone = InstrumentFactory(slug="gone", title="Withdrawn bill", jurisdiction=jurisdiction)
    gone.delete()

    response, feed = fetch(client)
    assert feed.findtext(f"{ATOM}title") == "Policy Tracker: updates"
    entries = entries_of(feed)
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    # Newest first.
    assert titles == [
        "Deleted: Withdrawn bill",
        "Created: Withdrawn bill",
        "Changed: Framework Act on AI (Status, Effective on)",
        "Created: Framework Act on AI",
        f"Created: {jurisdiction.name} (XA)",
    ]
    changed = entries[2]
    assert changed.find(f"{ATOM}link").get("href") == "http://testserver/instruments/xa-ai-act/"
    summary = changed.findtext(f"{ATOM}summary")
    assert "Status: Adopted → In effect; Effective on: not stated → 22 January 2026." in summary
    updated = datetime.datetime.fromisoformat(changed.findtext(f"{ATOM}updated"))
    assert updated == instrument.history.order_by("-history_date")[0].history_date
    # A deleted record's page is gone: its entry points at the list it was in.
    assert entries[0].find(f"{ATOM}link").get("href") == "http://testserver/instruments/"
    # Each history row has its own stable id.
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    assert all(id_.startswith("tag:testserver,") for id_ in ids)
    assert ids == [entry.findtext(f"{ATOM}id") for entry in entries_of(fetch(client)[1])]
    # Editors stay unnamed; the feed as a whole has an author.
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Policy Tracker"
    assert all(entry.find(f"{ATOM}author") is None for entry in entries)


def test_titles_are_escaped(empty, client):
    InstrumentFactory(title="<script>alert(1)</script> & more")
    response, feed = fetch(client)
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in response.content
    titles = [entry.findtext(f"{ATOM}title") for entry in entries_of(feed)]
    assert "Created: <script>alert(1)</script> & more" in titles


def test_the_feed_holds_the_latest_fifty(seeded, client):
    _, feed = fetch(client)
    entries = entries_of(feed)
    assert len(entries) == 50
    updated = [entry.findtext(f"{ATOM}updated") for entry in entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == updated[0]


@pytest.mark.parametrize("size", [3, 30])
def test_feed_query_count_does_not_grow(empty, client, django_assert_num_queries, size):
    jurisdiction = JurisdictionFactory()
    for _ in range(size):
        InstrumentFactory(jurisdiction=jurisdiction).save()
        SourceFactory()
    jurisdiction.save()  # so that every kind above is among the latest fifty
    # One per history table, the previous rows of the changed instruments and jurisdiction,
    # the instruments' many-to-many fields (parties, topics), and the instruments, sources
    # and jurisdictions the entries name (whether they still exist).
    with django_assert_num_queries(13 + 2 + 2 + 3):
        fetch(client)


PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def tags_of(html):
    """{(tag, attributes)} of the elements of an HTML fragment, as a browser would parse it."""
    from html.parser import HTMLParser

    tags = set()

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add((tag, tuple(attrs)))

    Collector().feed(html)
    return tags


def test_no_text_of_a_record_reaches_a_feed_reader_as_markup(empty, client):
    """A feed reader renders an entry's HTML summary: every record's text, a verbatim quote
    included, reaches it as text. Read with a real feed parser, which unescapes once, as a
    reader does."""
    import feedparser

    instrument = InstrumentFactory(slug="xss-act", title=f"Act {PAYLOAD}")
    CitationFactory(instrument=instrument, quote=f"A page about XSS quotes {PAYLOAD} verbatim.")
    response, _ = fetch(client)
    parsed = feedparser.parse(response.content, sanitize_html=False)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.entries
    seen = []
    for entry in parsed.entries:
        for detail in (entry.title_detail, entry.summary_detail):
            if detail.type == "text/html":
                # HTML: nothing the record holds is a tag, only escaped text; the only tags
                # are the feed's own, and they carry no attribute.
                assert tags_of(detail.value) <= {("p", ()), ("ul", ()), ("li", ())}, detail.value
                seen.append(detail.value)
            else:
                assert detail.type == "text/plain"
    # The quote is there, as text to show.
    assert any("&lt;script&gt;alert(2)&lt;/script&gt;" in value for value in seen), seen
