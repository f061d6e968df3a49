"""Following the tracker: a feed for any filtered list and for every record, entries that say
what changed in words, and record pages whose edit history shows each change as a diff."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.urls import reverse

from instruments.models import Citation, Event, Instrument, Source
from instruments.services import instrument_change_status
from jurisdictions.models import Jurisdiction
from policytracker.web.diffs import Piece, word_diff

ATOM = "{http://www.w3.org/2005/Atom}"


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def keys_of(parsed):
    return {entry.link for entry in parsed.entries}


def test_a_list_feed_follows_exactly_the_records_its_filter_selects(seeded, client):
    korean = Instrument.objects.get(slug="kr-ai-framework-act")
    korean.title = korean.title + " (as amended)"
    korean.save()
    other = Instrument.objects.exclude(jurisdiction__code="KR").order_by("pk").first()
    other.short_name = "Renamed elsewhere"
    other.save()

    parsed = read(client, "/instruments/feed/?jurisdiction=KR")
    assert parsed.feed.title == "Policy Tracker: instruments (Jurisdiction: South Korea)"
    # The title's change also marks the citations that back it as unverified: those come
    # first, newest first, each its own entry.
    newest = next(entry for entry in parsed.entries if entry.tags[0].term == "instrument")
    assert newest.link == "http://testserver/instruments/kr-ai-framework-act/"
    assert newest.title.startswith("Changed: Framework Act on the Development")
    assert "Title: Framework Act on the Development" in newest.summary
    assert "(as amended)" in newest.summary
    assert all(
        other.get_absolute_url() not in entry.link and other.title not in entry.title
        for entry in parsed.entries
    )
    # Its links: the list it follows, and itself, with the same query string.
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["alternate"] == "http://testserver/instruments/?jurisdiction=KR"
    assert links["self"] == "http://testserver/instruments/feed/?jurisdiction=KR"


def test_an_entry_says_in_words_what_changed(seeded, client):
    bill = Instrument.objects.get(slug="ph-hb-2827")
    instrument_change_status(instrument=bill, status="proposed", date=datetime.date(2025, 6, 2))
    parsed = read(client, reverse("web:instrument-feed", args=["ph-hb-2827"]))
    summaries = [entry.summary for entry in parsed.entries[:3]]
    assert any("Status: not stated → Proposed" in summary for summary in summaries)
    assert any(
        "Status change “Artificial Intelligence (AI) Development and Regulation Act (House Bill "
        "No. 2827): Proposed (2 June 2025)” added." in summary
        for summary in summaries
    ), summaries
    # The HTML a reader renders strikes the old value through and marks the new one.
    assert any("<del>not stated</del> → <ins>Proposed</ins>" in s for s in summaries)


@pytest.mark.parametrize(
    ("url", "selected", "excluded"),
    [
        ("/events/feed/?kind=summit", "intl-ai-safety-summit-2023", None),
        ("/jurisdictions/feed/?region=eastern_asia", "KR", "FR"),
    ],
)
def test_events_and_jurisdictions_lists_have_feeds(seeded, client, url, selected, excluded):
    model = Event if url.startswith("/events") else Jurisdiction
    lookup = "slug" if model is Event else "code"
    if not model.objects.filter(**{lookup: selected}).exists():
        pytest.skip(f"the seed has no {selected}")
    record = model.objects.get(**{lookup: selected})
    record.save()
    links = keys_of(read(client, url))
    assert f"http://testserver{record.get_absolute_url()}" in links
    if excluded and model.objects.filter(**{lookup: excluded}).exists():
        gone = model.objects.get(**{lookup: excluded})
        assert f"http://testserver{gone.get_absolute_url()}" not in links


def test_a_bad_filter_answers_the_400_page_naming_it(seeded, client):
    response = client.get("/instruments/feed/?binding=perhaps")
    assert response.status_code == 400
    assert b"binding" in response.content
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_record_has_no_feed(seeded, client):
    assert client.get(reverse("web:instrument-feed", args=["no-such-thing"])).status_code == 404
    assert client.get(reverse("web:jurisdiction-feed", args=["ZZ"])).status_code == 404


def test_every_record_with_a_page_has_a_feed_of_its_own(seeded, client):
    for record in (
        Instrument.objects.get(slug="kr-ai-framework-act"),
        Jurisdiction.objects.get(code="KR"),
        Event.objects.order_by("pk").first(),
        Source.objects.order_by("pk").first(),
    ):
        url = f"{record.get_absolute_url()}feed/"
        parsed = read(client, url)
        assert parsed.feed.link == f"http://testserver{record.get_absolute_url()}"


def test_a_list_page_links_its_feed_with_its_filters(seeded, client):
    response = client.get("/instruments/?binding=true&member_of=ASEAN&ordering=title&page=1")
    html = response.content.decode()
    feed = "/instruments/feed/?binding=true&amp;member_of=ASEAN"
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Changes to the records of '
        f'this list" href="{feed}">' in html
    )
    assert f'<a href="{feed}" type="application/atom+xml">Follow this list</a>' in html


def test_a_record_page_shows_each_change_as_a_diff(seeded, client):
    act = Instrument.objects.get(slug="kr-ai-framework-act")
    before = act.summary
    act.summary = before.replace(" ", " newly ", 1) + " One more sentence."
    act.save()
    citation = Citation.objects.filter(instrument=act).order_by("pk").first()
    citation.locator = "p. 99"
    citation.save()

    html = client.get(act.get_absolute_url()).content.decode()
    history = html[html.index('id="edit-history-heading"') :]
    # Running text word by word: the words added marked, the rest as it was.
    assert "<ins> newly</ins>" in history or "<ins>newly </ins>" in history
    assert "<ins> One more sentence.</ins>" in history
    # The citation's change is in the instrument's history, named, with old and new values.
    assert "Citation “" in history
    # A short value replaced outright reads old and new whole.
    assert "<ins>p. 99</ins>" in history
    assert "See this record as published on" in history
    assert f'href="{act.get_absolute_url()}feed/"' in history


def test_the_record_feed_is_linked_from_its_page_head(seeded, client):
    html = client.get("/instruments/kr-ai-framework-act/").content.decode()
    head = html[: html.index("</head>")]
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Changes to this record" '
        'href="/instruments/kr-ai-framework-act/feed/">' in head
    )


def test_word_diff_keeps_the_words_both_texts_share():
    assert word_diff("the act took effect", "the law took effect today") == [
        Piece("same", "the "),
        Piece("old", "act"),
        Piece("new", "law"),
        Piece("same", " took effect"),
        Piece("new", " today"),
    ]


def test_the_feed_escapes_record_text(seeded, client):
    act = Instrument.objects.get(slug="kr-ai-framework-act")
    act.short_name = "<script>alert(1)</script>"
    act.save()
    response = client.get(reverse("web:instrument-feed", args=["kr-ai-framework-act"]))
    feed = ET.fromstring(response.content)
    entry = next(
        entry
        for entry in feed.findall(f"{ATOM}entry")
        if entry.find(f"{ATOM}category").get("term") == "instrument"
    )
    summary = entry.findtext(f"{ATOM}summary")
    assert "<script>" not in summary
    assert "&lt;script&gt;" in summary


@pytest.mark.parametrize("model", [Instrument, Event])
def test_no_record_may_take_the_key_of_its_lists_feed(model):
    """`/instruments/feed/` is the list's feed: a record keyed "feed" could never be read."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="taken by the list's own address"):
        model._meta.get_field("slug").run_validators("feed")


def test_the_api_refuses_the_key_of_a_lists_feed(seeded, as_editor):
    response = as_editor.post(
        reverse("api:event-list"),
        {"slug": "feed", "title": "A summit", "kind": "summit", "date": "2025-02-10"},
        format="json",
    )
    assert response.status_code == 400
    assert "taken by the list's own address" in response.json()["errors"]["slug"][0]
