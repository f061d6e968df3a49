"""The search engine (`policytracker.core.search`): how a search is read (web-search syntax,
word prefixes) and what it matches and ranks, whatever model it searches."""

import pytest

from instruments.models import Actor, Citation, Event, Instrument
from jurisdictions.models import Jurisdiction
from policytracker.core.search import parse_search, search_prefix, search_terms
from tests.factories import InstrumentFactory
from tests.helpers.search import AWKWARD

pytestmark = pytest.mark.django_db

SEARCHED = [Jurisdiction, Instrument, Event, Actor, Citation]


@pytest.mark.parametrize("model", SEARCHED)
def test_every_search_is_annotated_with_a_rank(seeded, model):
    for row in model.objects.search("ai"):
        assert row.search_rank is not None


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


@pytest.mark.parametrize("q", AWKWARD)
@pytest.mark.parametrize("model", SEARCHED)
def test_awkward_searches_never_fail(seeded, model, q):
    list(model.objects.search(q))


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
