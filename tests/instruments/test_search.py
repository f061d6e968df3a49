"""Search on each model: `search(q)` over the fields each model names (full-text on PostgreSQL,
the fallback elsewhere) and the GIN indexes that serve it (the engine itself is tested in
tests/core/test_search.py, the `/search/` page in tests/web/test_search.py)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from instruments.models import Actor, Citation, Event, Instrument
from jurisdictions.models import Jurisdiction
from policytracker.core.search import StoredDocument, search_vector
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    TopicFactory,
)
from tests.helpers.search import SANDBOX_INSTRUMENTS, SG_FRAMEWORKS

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="GIN indexes and EXPLAIN are PostgreSQL's"
)


def ranked(queryset):
    return list(queryset.order_by("-search_rank", "pk"))


# The models' search ------------------------------------------------------------------------


def test_sandbox_finds_singapore_its_frameworks_and_the_quotes(seeded):
    assert [j.code for j in Jurisdiction.objects.search("sandbox")] == ["SG"]
    # Singapore's frameworks say "sandbox" only through their topic, Sandboxes.
    assert {i.slug for i in Instrument.objects.search("sandbox")} == SANDBOX_INSTRUMENTS
    quotes = Citation.objects.search("sandbox")
    assert quotes.count() == 12
    assert all("sandbox" in citation.quote.lower() for citation in quotes)
    # The article's "sandbox-driven" backs Singapore's approach and both its frameworks.
    driven = [citation for citation in quotes if "sandbox-driven" in citation.quote]
    assert {c.source.slug for c in driven} == {"us-asia-ai-governance-2025-08-08"}
    assert sorted(str(c.record) for c in driven if c.record_kind == "instrument") == [
        "AI Verify Toolkit",
        "Model AI Governance Framework",
    ]
    assert [c.record.jurisdiction.code for c in driven if c.record_kind != "instrument"] == ["SG"]
    assert {citation.record_kind for citation in quotes} == {
        "instrument",
        "approach_assessment",
        "coverage_review",
    }
    assert not Event.objects.search("sandbox").exists()
    assert not Actor.objects.search("sandbox").exists()


def test_other_forms_of_a_word_match(seeded):
    assert {i.slug for i in Instrument.objects.search("sandboxes")} == SANDBOX_INSTRUMENTS
    assert [j.code for j in Jurisdiction.objects.search("Sandboxes")] == ["SG"]


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


def test_websearch_syntax_reads_the_seed(seeded):
    assert {j.code for j in Jurisdiction.objects.search("china or japan")} == {"CN", "JP"}
    slugs = {i.slug for i in Instrument.objects.search('"model ai governance"')}
    assert "sg-model-ai-governance-framework" in slugs
    assert not {i.slug for i in Instrument.objects.search("sandbox -singapore")} & SG_FRAMEWORKS


# The indexes ---------------------------------------------------------------------------------


def index_migrations():
    return [
        (app, importlib.import_module(f"{app}.migrations.0004_search_indexes"))
        for app in ("jurisdictions", "instruments")
    ]


def document_migration():
    return importlib.import_module("instruments.migrations.0015_instrument_search_document")


def test_the_indexes_cover_the_fields_the_searches_read():
    """An index built on other fields than the search reads is never used: a change to
    SEARCH_FIELDS needs a migration rebuilding the index (for instruments, their stored
    document)."""
    for app, migration in index_migrations():
        for model_name, (_, fields) in migration.INDEXES.items():
            model = apps.get_model(app, model_name)
            assert fields == model.objects.all().SEARCH_FIELDS, model_name
    assert document_migration().FIELDS == Instrument.objects.all().SEARCH_FIELDS
    assert document_migration().COLUMN == Instrument.objects.all().SEARCH_DOCUMENT


@on_postgresql
def test_the_stored_document_is_the_searched_fields_document(db):
    """The stored column holds what `search_vector(SEARCH_FIELDS)` gives, and follows edits."""
    instrument = InstrumentFactory(title="Quokka act", summary="On wombats.", issuing_body="Diet")
    fields = Instrument.objects.all().SEARCH_FIELDS

    def documents():
        row = Instrument.objects.filter(pk=instrument.pk)
        stored = row.annotate(doc=StoredDocument("search_document")).values_list("doc", flat=True)
        worked_out = row.annotate(doc=search_vector(fields)).values_list("doc", flat=True)
        return stored.get(), worked_out.get()

    stored, worked_out = documents()
    assert stored == worked_out
    assert "quokka" in stored
    Instrument.objects.filter(pk=instrument.pk).update(title="Numbat act")
    stored, worked_out = documents()
    assert stored == worked_out
    assert "numbat" in stored
    assert "quokka" not in stored


@on_postgresql
def test_the_instrument_search_reads_the_stored_document(db):
    sql = str(Instrument.objects.search("quokka").query)
    assert '"search_document" @@' in sql
    assert 'ts_rank("instruments_instrument"."search_document"' in sql
    assert "to_tsvector" not in sql  # no topic is named "quokka": no union with the topics
    TopicFactory(name="Quokka sandboxes")
    sql = str(Instrument.objects.search("quokka").query)
    assert "UNION" in sql
    assert 'U0."search_document" @@' in sql  # the own-text half, inside the union


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

    def columns():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                [Instrument._meta.db_table],
            )
            return {row[0] for row in cursor.fetchall()}

    expected = {name for _, m in index_migrations() for name, _ in m.INDEXES.values()}
    assert index_names() >= expected
    assert "search_document" in columns()
    with connection.schema_editor() as editor:
        document_migration().remove_search_document(apps, editor)
    assert "search_document" not in columns()
    for _, migration in index_migrations():
        with connection.schema_editor() as editor:
            migration.remove_search_indexes(apps, editor)
    assert not index_names() & expected
    for _, migration in index_migrations():
        with connection.schema_editor() as editor:
            migration.add_search_indexes(apps, editor)
    assert index_names() >= expected
    with connection.schema_editor() as editor:
        document_migration().add_search_document(apps, editor)
    assert "search_document" in columns()
    assert index_names() >= expected
    InstrumentFactory(title="Quokka act")
    assert [i.title for i in Instrument.objects.search("quokka")] == ["Quokka act"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the no-op is for other databases")
def test_the_index_migrations_do_nothing_elsewhere(db):
    # An editor that fails on any use: the operations must not touch it beyond its vendor.
    editor = SimpleNamespace(connection=connection)
    for _, migration in index_migrations():
        migration.add_search_indexes(apps, editor)
        migration.remove_search_indexes(apps, editor)
    document_migration().add_search_document(apps, editor)
    document_migration().remove_search_document(apps, editor)
