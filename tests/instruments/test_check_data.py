import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from instruments.models import Citation, Instrument
from tests.conftest import ARTICLE_PATH, ARTICLE_SLUG
from tests.factories import CitationFactory, InstrumentFactory, SourceFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


def run(capsys, *args):
    """Run check_data; return (exit code, output)."""
    try:
        call_command("check_data", *args)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        print(exc)
    return code, capsys.readouterr().out


def test_seed_passes(seeded, capsys):
    args = []
    if ARTICLE_PATH.exists():
        args = ["--source-text", f"{ARTICLE_SLUG}={ARTICLE_PATH}"]
    code, out = run(capsys, *args)
    assert code == 0, out
    assert "No problems found" in out


def test_seed_passes_against_the_article(seeded, article_text, capsys):
    code, out = run(capsys, "--source-text", f"{ARTICLE_SLUG}={ARTICLE_PATH}")
    assert code == 0, out
    assert f"quotes checked against {ARTICLE_SLUG}" in out


def test_uncited_record_is_reported(seeded, capsys):
    InstrumentFactory(slug="uncited-law")
    code, out = run(capsys)
    assert code == 1
    assert "[uncited] instrument uncited-law: has no citation" in out


def test_empty_quote_from_an_article_is_reported(seeded, capsys):
    CitationFactory(source__kind="article", quote="")
    code, out = run(capsys)
    assert code == 1
    assert "[empty-quote]" in out


def test_empty_quote_from_a_reference_is_fine(empty, capsys):
    citation = CitationFactory(source__kind="reference", quote="")
    CitationFactory(instrument=None, jurisdiction=citation.instrument.jurisdiction, fields=["name"])
    code, out = run(capsys)
    assert code == 0, out


def test_type_and_status_contradiction_is_reported(seeded, capsys):
    Instrument.objects.filter(slug="us-ban-chinese-ai-federal-use").update(status="in_effect")
    code, out = run(capsys)
    assert code == 1
    assert (
        "[type-status] instrument us-ban-chinese-ai-federal-use: a draft bill cannot be in effect"
        in out
    )


def test_stale_status_is_reported(seeded, capsys):
    Instrument.objects.filter(slug="eu-ai-act").update(status="adopted")
    code, out = run(capsys)
    assert code == 1
    assert "[stale-status] instrument eu-ai-act" in out
    assert "'in_effect'" in out


def test_contradicting_status_change_is_reported(empty, capsys):
    change = StatusChangeFactory(
        instrument__type="binding_law", status="adopted", date=datetime.date(2024, 1, 1)
    )
    CitationFactory(instrument=change.instrument)
    CitationFactory(instrument=None, status_change=change)
    type(change).objects.filter(pk=change.pk).update(status="draft")
    type(change.instrument).objects.filter(pk=change.instrument.pk).update(status="draft")
    code, out = run(capsys)
    assert code == 1
    assert "in its timeline: a binding law cannot be draft" in out


def test_unknown_cited_field_is_reported(seeded, capsys):
    citation = Citation.objects.filter(instrument__slug="eu-ai-act").first()
    Citation.objects.filter(pk=citation.pk).update(fields=["colour"])
    code, out = run(capsys)
    assert code == 1
    assert "[unknown-field]" in out
    assert "colour" in out


def test_quote_not_in_source_text_is_reported(empty, tmp_path, capsys):
    source = SourceFactory(slug="tiny")
    CitationFactory(source=source, quote="It said this.")
    CitationFactory(source=source, quote="It never said “that”.")
    text = tmp_path / "tiny.txt"
    text.write_text("Before. It said this. After.", encoding="utf-8")
    code, out = run(capsys, "--source-text", f"tiny={text}")
    assert code == 1
    assert "[quote-not-found]" in out
    assert "never said" in out
    assert "It said this" not in out


def test_quotes_are_compared_character_for_character(empty, tmp_path, capsys):
    CitationFactory(source__slug="typographic", quote="Asia’s path")
    text = tmp_path / "t.txt"
    text.write_text("Asia's path", encoding="utf-8")
    code, out = run(capsys, "--source-text", f"typographic={text}")
    assert code == 1


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("no-equals-sign", "SLUG=PATH"),
        ("unknown-source=/dev/null", "no source has the slug"),
        (f"{ARTICLE_SLUG}=/nonexistent/file.txt", "cannot read"),
    ],
)
def test_bad_source_text_argument(seeded, argument, message):
    with pytest.raises(CommandError, match=message):
        call_command("check_data", "--source-text", argument)
