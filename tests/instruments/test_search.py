"""Search: `search(q)` on each model (full-text on PostgreSQL, the fallback elsewhere), the
highlighting, the GIN indexes, and the `/search/` page."""

import datetime
import importlib
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from instruments.models import Actor, Citation, Event, Instrument
from jurisdictions.models import Jurisdiction
from policytracker.core.search import parse_search, search_prefix, search_terms
from policytracker.web.templatetags.search import excerpt_text, highlight_text
from policytracker.web.views.search import GROUP_SIZE, MAX_QUERY_LENGTH
from tests.factories import (
    ActorFactory,
    ApproachAssessmentFactory,
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    StatusChangeFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="GIN indexes and EXPLAIN are PostgreSQL's"
)

SEARCHED = [Jurisdiction, Instrument, Event, Actor, Citation]
SG_FRAMEWORKS = {"sg-model-ai-governance-framework", "sg-ai-verify-toolkit"}

# Searches that are syntax in one query language or another; none may fail.
AWKWARD = [
    "'",
    '"',
    "&",
    "|",
    "!",
    ":*",
    "sandbox:*",
    '"unbalanced',
    'sandbox"',
    "it's",
    "a & b | !c",
    "(sandbox",
    "sandbox)",
    "\\",
    "%",
    "_",
    "--",
    "-",
    "or",
    "sandbox or",
    "or or or",
    "-sandbox",
    "<>",
    "'; DROP TABLE instruments_instrument; --",
    "\x00",
    "sand\x00box",
    "é",
    "中国",
    "the",
]


def search_url(q=None):
    url = reverse("web:search")
    return url if q is None else f"{url}?{urlencode({'q': q})}"


def groups(response):
    return {group.kind: group for group in response.context["groups"]}


def ranked(queryset):
    return list(queryset.order_by("-search_rank", "pk"))


# The models' search ------------------------------------------------------------------------


def test_sandbox_finds_singapore_its_frameworks_and_the_quotes(seeded):
    assert [j.code for j in Jurisdiction.objects.search("sandbox")] == ["SG"]
    # The frameworks say "sandbox" only through their topic, Sandboxes.
    assert {i.slug for i in Instrument.objects.search("sandbox")} == SG_FRAMEWORKS
    quotes = Citation.objects.search("sandbox")
    assert quotes.count() == 3
    assert all("sandbox-driven" in citation.quote for citation in quotes)
    assert {citation.record_kind for citation in quotes} == {"instrument", "approach_assessment"}
    assert not Event.objects.search("sandbox").exists()
    assert not Actor.objects.search("sandbox").exists()


def test_other_forms_of_a_word_match(seeded):
    assert {i.slug for i in Instrument.objects.search("sandboxes")} == SG_FRAMEWORKS
    assert [j.code for j in Jurisdiction.objects.search("Sandboxes")] == ["SG"]


@pytest.mark.parametrize("model", SEARCHED)
def test_every_search_is_annotated_with_a_rank(seeded, model):
    for row in model.objects.search("ai"):
        assert row.search_rank is not None


def test_a_title_match_ranks_above_a_summary_match(db):
    in_summary = InstrumentFactory(title="Rules for robots", summary="Covers the quokka trade.")
    in_title = InstrumentFactory(title="Quokka protection rules", summary="Covers robots.")
    assert ranked(Instrument.objects.search("quokka")) == [in_title, in_summary]
    assert ranked(Instrument.objects.search("robots")) == [in_summary, in_title]


def test_own_text_ranks_above_a_topic_match(db):
    topical = InstrumentFactory(title="Innovation act")
    topical.topics.add(TopicFactory(name="Quokka sandboxes"))
    own = InstrumentFactory(title="Something else", summary="A quokka clause.")
    assert ranked(Instrument.objects.search("quokka")) == [own, topical]


def test_each_event_actor_jurisdiction_and_quote_ranks_its_first_field_highest(db):
    title = EventFactory(title="Quokka summit", summary="Talks.")
    summary = EventFactory(title="Talks", summary="On the quokka.")
    assert ranked(Event.objects.search("quokka")) == [title, summary]
    name = ActorFactory(name="Quokka council", role="Advises")
    role = ActorFactory(name="Jo Bloggs", role="Quokka adviser")
    assert ranked(Actor.objects.search("quokka")) == [name, role]
    named = JurisdictionFactory(name="Quokkaland", approach_summary="Voluntary.")
    summarised = JurisdictionFactory(name="Wombatland", approach_summary="Quokkaland's ally.")
    assert ranked(Jurisdiction.objects.search("quokkaland")) == [named, summarised]
    quote = CitationFactory(quote="The quokka rules.", note="")
    note = CitationFactory(quote="Something else.", note="Compare the quokka rules.")
    assert ranked(Citation.objects.search("quokka")) == [quote, note]


def test_words_match_at_their_start_not_inside_other_words(db):
    said = InstrumentFactory(title="Said and done")
    ai = InstrumentFactory(title="AI-driven rules")
    found = set(Instrument.objects.search("ai"))
    assert ai in found
    assert said not in found


def test_every_word_must_match_and_or_offers_alternatives(db):
    both = InstrumentFactory(title="Quokka wombat accord")
    quokka = InstrumentFactory(title="Quokka accord")
    wombat = InstrumentFactory(title="Wombat accord")
    assert set(Instrument.objects.search("quokka wombat")) == {both}
    assert set(Instrument.objects.search("quokka or wombat")) == {both, quokka, wombat}
    assert set(Instrument.objects.search("quokka -wombat")) == {quokka}
    assert set(Instrument.objects.search('"quokka accord"')) >= {quokka}
    assert set(Instrument.objects.search("the quokka")) == {both, quokka}


def test_websearch_syntax_reads_the_seed(seeded):
    assert {j.code for j in Jurisdiction.objects.search("china or japan")} == {"CN", "JP"}
    slugs = {i.slug for i in Instrument.objects.search('"model ai governance"')}
    assert "sg-model-ai-governance-framework" in slugs
    assert not {i.slug for i in Instrument.objects.search("sandbox -singapore")} & SG_FRAMEWORKS


@pytest.mark.parametrize("q", AWKWARD)
@pytest.mark.parametrize("model", SEARCHED)
def test_awkward_searches_never_fail(seeded, model, q):
    list(model.objects.search(q))


def test_the_search_filter_of_the_lists_is_the_same_search(seeded, client):
    response = client.get(reverse("web:instrument-list"), {"q": "sandbox"})
    assert response.status_code == 200
    assert {i.slug for i in response.context["object_list"]} == SG_FRAMEWORKS


# Reading a search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "prefix"),
    [
        ("sandboxes", "sandbox"),
        ("Sandbox", "sandbox"),
        ("policies", "polic"),
        ("laws", "law"),
        ("testing", "test"),
        ("labelled", "labell"),
        ("process", "process"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("us", "us"),
        ("ai", "ai"),
    ],
)
def test_search_prefix(word, prefix):
    assert search_prefix(word) == prefix


def test_parse_search_reads_web_search_syntax():
    alternatives = parse_search('The sandbox-driven "AI rules" or -china laws')
    assert [(a.words, a.excluded) for a in alternatives] == [
        (("sandbox", "driven", "ai", "rule"), ()),
        (("law",), ("china",)),
    ]
    assert search_terms("sandboxes or -china") == ["sandbox"]
    assert parse_search("the of and") == []
    assert parse_search("") == []


# Highlighting --------------------------------------------------------------------------------


def test_highlight_marks_words_starting_with_a_search_word():
    assert highlight_text("Sandboxes and a sandbox-driven plan", "sandbox") == (
        "<mark>Sandboxes</mark> and a <mark>sandbox</mark>-driven plan"
    )


def test_highlight_escapes_the_text_and_never_the_marks_into_it():
    html = highlight_text('<b>Sandbox</b> rules & "R&D" amp', "sandbox amp b")
    assert html == (
        "&lt;<mark>b</mark>&gt;<mark>Sandbox</mark>&lt;/<mark>b</mark>&gt; rules &amp; "
        "&quot;R&amp;D&quot; <mark>amp</mark>"
    )


def test_highlight_of_markup_in_the_search_is_escaped():
    assert highlight_text("a <script> tag", "<script>") == "a &lt;<mark>script</mark>&gt; tag"
    assert highlight_text("<i>x</i>", "") == "&lt;i&gt;x&lt;/i&gt;"


def test_excerpt_centres_on_the_first_match_and_cuts_at_spaces():
    text = " ".join(["filler"] * 80) + " the sandbox clause " + " ".join(["tail"] * 80)
    html = excerpt_text(text, "sandbox", length=100)
    assert html.startswith("…filler")
    assert html.endswith("tail…")
    assert "<mark>sandbox</mark>" in html
    assert len(html) < 160
    assert excerpt_text("Short <text>.", "text") == "Short &lt;<mark>text</mark>&gt;."


# The page ------------------------------------------------------------------------------------


def test_sandbox_page_groups_the_results_by_kind(seeded, client):
    response = client.get(search_url("sandbox"))
    assert response.status_code == 200
    found = groups(response)
    assert list(found) == ["jurisdictions", "instruments", "events", "actors", "quotes"]
    assert [hit.record.code for hit in found["jurisdictions"].hits] == ["SG"]
    assert {hit.record.slug for hit in found["instruments"].hits} == SG_FRAMEWORKS
    assert (found["events"].total, found["actors"].total, found["quotes"].total) == (0, 0, 3)
    # The sentence cited for both frameworks is shown once, linking to both.
    backs = [hit.backs for hit in found["quotes"].hits]
    assert sorted(len(b) for b in backs) == [1, 2]
    urls = {url for b in backs for _, url in b}
    assert urls == {
        reverse("web:jurisdiction-detail", args=["SG"]),
        reverse("web:instrument-detail", args=["sg-model-ai-governance-framework"]),
        reverse("web:instrument-detail", args=["sg-ai-verify-toolkit"]),
    }
    html = response.content.decode()
    assert "6 results for “sandbox”" in html
    assert "with <mark>sandboxes</mark> to encourage innovation" in html
    assert "voluntary, <mark>sandbox</mark>-driven approach" in html
    assert "Topic: <mark>Sandboxes</mark>" in html
    assert 'href="/instruments/?q=sandbox"' in html
    assert 'href="/jurisdictions/SG/"' in html


def test_results_link_to_their_pages(db, client):
    place = JurisdictionFactory(name="Quokkaland")
    instrument = InstrumentFactory(title="Quokka act", jurisdiction=place)
    event = EventFactory(title="Quokka summit", host=place)
    actor = ActorFactory(name="Quokka council", jurisdiction=place)
    stateless = ActorFactory(name="Quokka watchers", jurisdiction=None)
    change = StatusChangeFactory(instrument=instrument)
    assessment = ApproachAssessmentFactory(jurisdiction=place)
    CitationFactory(quote="The quokka act passed.", instrument=None, status_change=change)
    CitationFactory(quote="Quokkaland volunteers.", instrument=None, approach_assessment=assessment)
    CitationFactory(quote="The quokka council met.", instrument=None, actor=actor)
    CitationFactory(quote="Quokka summit held.", instrument=None, event=event)

    found = groups(client.get(search_url("quokka or quokkaland")))
    place_url = reverse("web:jurisdiction-detail", args=[place.code])
    instrument_url = reverse("web:instrument-detail", args=[instrument.slug])
    assert [hit.url for hit in found["jurisdictions"].hits] == [place_url]
    assert [hit.url for hit in found["instruments"].hits] == [instrument_url]
    assert [hit.url for hit in found["events"].hits] == [
        reverse("web:event-detail", args=[event.slug])
    ]
    assert {hit.record: hit.url for hit in found["actors"].hits} == {
        actor: place_url,
        stateless: None,
    }
    backs = {hit.record.quote: hit.backs[0][1] for hit in found["quotes"].hits}
    assert backs == {
        "The quokka act passed.": instrument_url,
        "Quokkaland volunteers.": place_url,
        "The quokka council met.": place_url,
        "Quokka summit held.": reverse("web:event-detail", args=[event.slug]),
    }


def test_markup_in_a_record_stays_escaped(db, client):
    InstrumentFactory(title="<b>Quokka</b> & co", summary='<img src=x onerror="alert(1)">')
    html = client.get(search_url("quokka")).content.decode()
    assert "&lt;b&gt;<mark>Quokka</mark>&lt;/b&gt; &amp; co" in html
    assert "<b>Quokka" not in html
    assert "<img src=x" not in html


def test_markup_in_the_search_stays_escaped(seeded, client):
    response = client.get(search_url('<script>alert("x")</script>'))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_ranking_orders_each_group(db, client):
    InstrumentFactory(title="Rules for robots", summary="Covers the quokka trade.")
    InstrumentFactory(title="Quokka protection rules")
    hits = groups(client.get(search_url("quokka")))["instruments"].hits
    assert [hit.record.title for hit in hits] == ["Quokka protection rules", "Rules for robots"]


def test_no_results_names_the_search(seeded, client):
    response = client.get(search_url("zyzzyva"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing matches “zyzzyva”." in html
    assert "any of them" not in html


def test_no_results_for_several_words_offers_any_of_them(seeded, client):
    html = client.get(search_url("china zyzzyva")).content.decode()
    assert "Nothing matches “china zyzzyva”." in html
    assert '<a href="/search/?q=china%20or%20zyzzyva">china or zyzzyva</a>' in html
    html = client.get(search_url('"china zyzzyva"')).content.decode()
    assert "any of them" not in html


@pytest.mark.parametrize("q", [None, "", "   "])
def test_without_a_search_only_the_form_is_shown(db, client, django_assert_num_queries, q):
    with django_assert_num_queries(0):
        response = client.get(search_url(q))
    assert response.status_code == 200
    assert response.context["groups"] == []
    html = response.content.decode()
    assert '<label for="search-q">' in html
    assert "Nothing matches" not in html


def test_a_search_longer_than_the_limit_is_a_400(db, client):
    response = client.get(search_url("a" * (MAX_QUERY_LENGTH + 1)))
    assert response.status_code == 400
    assert response.context["errors"]["q"]
    assert f"at most {MAX_QUERY_LENGTH} characters" in response.content.decode()
    assert client.get(search_url("a" * MAX_QUERY_LENGTH)).status_code == 200


@pytest.mark.parametrize("q", AWKWARD)
def test_awkward_searches_never_fail_the_page(seeded, client, q):
    assert client.get(search_url(q)).status_code == 200


def test_the_header_box_keeps_the_search(seeded, client):
    html = client.get(search_url("sandbox")).content.decode()
    assert 'id="site-search-q" type="search" name="q" placeholder' in html
    assert 'value="sandbox"' in html


def make_matches(count):
    place = JurisdictionFactory(name="Quokkaland")
    for n in range(count):
        JurisdictionFactory(name=f"Quokka isle {n}")
        instrument = InstrumentFactory(title=f"Quokka act {n}", jurisdiction=place)
        instrument.topics.add(TopicFactory(name=f"Quokka topic {n}"))
        EventFactory(title=f"Quokka summit {n}", host=place)
        ActorFactory(name=f"Quokka council {n}", jurisdiction=place)
        CitationFactory(quote=f"The quokka act {n}.", instrument=instrument)
        assessment = ApproachAssessmentFactory(
            jurisdiction=place, date=datetime.date(2000 + n, 1, 1)
        )
        CitationFactory(quote=f"Quokka is {n}.", instrument=None, approach_assessment=assessment)


@pytest.mark.parametrize("count", [2, GROUP_SIZE + 5])
def test_one_query_per_kind_whatever_the_number_of_matches(
    db, client, django_assert_num_queries, count
):
    make_matches(count)
    with django_assert_num_queries(5):
        response = client.get(search_url("quokka"))
    found = groups(response)
    assert found["instruments"].total == count
    assert found["quotes"].total == 2 * count
    assert len(found["instruments"].hits) == min(count, GROUP_SIZE)
    html = response.content.decode()
    if count > GROUP_SIZE:
        assert found["instruments"].capped
        assert f"See all {count} in the instruments list" in html
        assert f"The {GROUP_SIZE} best matches of {count} instruments" in html
    else:
        assert not found["instruments"].capped


# The indexes ---------------------------------------------------------------------------------


def index_migrations():
    return [
        (app, importlib.import_module(f"{app}.migrations.0004_search_indexes"))
        for app in ("jurisdictions", "instruments")
    ]


def test_the_indexes_cover_the_fields_the_searches_read():
    """An index built on other fields than the search reads is never used: a change to
    SEARCH_FIELDS needs a migration rebuilding the index."""
    for app, migration in index_migrations():
        for model_name, (_, fields) in migration.INDEXES.items():
            model = apps.get_model(app, model_name)
            assert fields == model.objects.all().SEARCH_FIELDS, model_name


@on_postgresql
@pytest.mark.parametrize(
    ("model", "index"),
    [
        (Jurisdiction, "jurisdiction_search"),
        (Instrument, "instrument_search"),
        (Event, "event_search"),
        (Actor, "actor_search"),
        (Citation, "citation_search"),
    ],
)
def test_the_search_uses_the_gin_index(seeded, model, index):
    with connection.cursor() as cursor:
        # The seed is small enough for a sequential scan to be cheaper; forbid it to see
        # whether the index can answer the search at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = model.objects.search("sandbox").explain()
    assert f"Bitmap Index Scan on {index}" in plan


@on_postgresql
def test_the_index_migrations_reverse_and_apply_again(db):
    def index_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_search'")
            return {row[0] for row in cursor.fetchall()}

    expected = {name for _, m in index_migrations() for name, _ in m.INDEXES.values()}
    assert index_names() >= expected
    for _, migration in index_migrations():
        with connection.schema_editor() as editor:
            migration.remove_search_indexes(apps, editor)
    assert not index_names() & expected
    for _, migration in index_migrations():
        with connection.schema_editor() as editor:
            migration.add_search_indexes(apps, editor)
    assert index_names() >= expected


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the no-op is for other databases")
def test_the_index_migrations_do_nothing_elsewhere(db):
    # An editor that fails on any use: the operations must not touch it beyond its vendor.
    editor = SimpleNamespace(connection=connection)
    for _, migration in index_migrations():
        migration.add_search_indexes(apps, editor)
        migration.remove_search_indexes(apps, editor)
