import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from instruments.models import Citation, Instrument
from jurisdictions.models import Jurisdiction
from jurisdictions.services import jurisdiction_sync_approach
from tests.conftest import ARTICLE_PATH, ARTICLE_SLUG
from tests.factories import (
    ApproachAssessmentFactory,
    CitationFactory,
    CoverageReviewFactory,
    InstrumentFactory,
    JurisdictionFactory,
    RelationFactory,
    SourceFactory,
    StatusChangeFactory,
    TopicFactory,
)

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


def test_uncited_record_is_reported(empty, capsys):
    InstrumentFactory(slug="uncited-law")
    code, out = run(capsys)
    assert code == 1
    assert "[uncited] instrument uncited-law: has no citation" in out


def test_empty_quote_from_an_article_is_reported(empty, capsys):
    CitationFactory(source__kind="article", quote="")
    code, out = run(capsys)
    assert code == 1
    assert "[empty-quote]" in out


def test_empty_quote_from_a_reference_is_fine(empty, capsys):
    citation = CitationFactory(source__kind="reference", quote="")
    CitationFactory(
        instrument=None,
        jurisdiction=citation.instrument.jurisdiction,
        fields=["name"],
        locator="Top",
    )
    code, out = run(capsys)
    assert code == 0, out


def test_article_citation_without_a_locator_is_reported(empty, capsys):
    instrument = clean_instrument()
    CitationFactory(instrument=instrument, source__kind="article", locator="")
    code, out = run(capsys)
    assert code == 1
    assert "[no-locator]" in out


@pytest.mark.parametrize(
    ("fields", "empty_names"),
    [
        (["summary"], "summary"),
        (["topics", "type"], "topics"),
        (["related"], "related"),
        (["identifiers", "effective_on"], "identifiers, effective_on"),
    ],
)
def test_citation_of_an_empty_field_is_reported(empty, capsys, fields, empty_names):
    instrument = clean_instrument(summary="")
    cited("instrument", instrument, fields=fields)
    code, out = run(capsys)
    assert code == 1
    assert f"leaves empty: {empty_names}" in out


def test_citation_of_filled_fields_and_relations_is_fine(empty, capsys):
    instrument = clean_instrument(summary="Something.")
    instrument.topics.add(TopicFactory())
    RelationFactory(
        from_instrument=InstrumentFactory(jurisdiction=instrument.jurisdiction),
        to_instrument=instrument,
    )
    cited("instrument", instrument, fields=["summary", "topics", "related", "jurisdiction"])
    for other in type(instrument).objects.exclude(pk=instrument.pk):
        cited("instrument", other)
    code, out = run(capsys)
    assert code == 0, out


def test_stale_approach_is_reported(empty, capsys):
    assessment = ApproachAssessmentFactory(approach="binding")
    cited("jurisdiction", assessment.jurisdiction)
    cited("approach_assessment", assessment)
    code, out = run(capsys)
    assert code == 1
    assert (
        f"[stale-approach] jurisdiction {assessment.jurisdiction.code}: approach is "
        "'not_assessed' but the latest assessment says 'binding'"
    ) in out
    jurisdiction_sync_approach(jurisdiction=assessment.jurisdiction)
    assert run(capsys)[0] == 0
    Jurisdiction.objects.filter(pk=assessment.jurisdiction.pk).update(approach_summary="Other.")
    code, out = run(capsys)
    assert "approach summary is not the latest assessment's" in out


def test_an_approach_without_an_assessment_is_reported(empty, capsys):
    jurisdiction = JurisdictionFactory(approach="voluntary")
    cited("jurisdiction", jurisdiction)
    code, out = run(capsys)
    assert code == 1
    assert "[stale-approach]" in out


def test_uncited_assessment_is_reported(empty, capsys):
    assessment = ApproachAssessmentFactory()
    cited("jurisdiction", assessment.jurisdiction)
    jurisdiction_sync_approach(jurisdiction=assessment.jurisdiction)
    code, out = run(capsys)
    assert code == 1
    assert f"[uncited] approach assessment {assessment.jurisdiction.code}/2025-08-08" in out


def test_stale_citations_are_warnings_unless_strict(empty, capsys):
    instrument = clean_instrument()
    today = timezone.localdate()
    Citation.objects.update(checked_on=today)
    old = cited("instrument", instrument, fields=["type"])
    Citation.objects.filter(pk=old.pk).update(checked_on=today - datetime.timedelta(days=400))
    never = cited("instrument", instrument, fields=["title"], note="never")
    Citation.objects.filter(pk=never.pk).update(checked_on=None)
    code, out = run(capsys, "--stale-days", "365")
    assert code == 0, out
    assert f"warning: [stale-citation] citation {never.pk} " in out
    assert "never checked" in out
    assert f"warning: [stale-citation] citation {old.pk} " in out
    assert "2 citation(s) not checked in the last 365 days." in out
    code, out = run(capsys, "--stale-days", "365", "--strict")
    assert code == 1
    assert run(capsys, "--stale-days", "500")[1].count("warning:") == 1


def test_stale_days_must_not_be_negative(empty):
    with pytest.raises(CommandError, match="0 or more"):
        call_command("check_data", "--stale-days", "-1")


def test_type_and_status_contradiction_is_reported(empty, capsys):
    bill = clean_instrument(slug="xa-ban-bill", type="draft_bill", status="proposed")
    Instrument.objects.filter(pk=bill.pk).update(status="in_effect")
    code, out = run(capsys)
    assert code == 1
    assert "[type-status] instrument xa-ban-bill: a draft bill cannot be in effect" in out


def test_stale_status_is_reported(empty, capsys):
    act = clean_instrument(slug="xa-ai-act", type="binding_law", status="")
    for status, day in [("adopted", 1), ("in_effect", 2)]:
        change = StatusChangeFactory(
            instrument=act, status=status, date=datetime.date(2024, 8, day)
        )
        cited("status_change", change)
    Instrument.objects.filter(pk=act.pk).update(status="adopted")
    code, out = run(capsys)
    assert code == 1
    assert "[stale-status] instrument xa-ai-act" in out
    assert "'in_effect'" in out


def cited(record_kind, record, **kwargs):
    """A citation from a reference source (no quote needed) backing `record`."""
    kwargs.setdefault("fields", [])
    targets = {"instrument": None, record_kind: record}
    return CitationFactory(source__kind="reference", quote="", **targets, **kwargs)


def clean_instrument(**kwargs):
    """An instrument whose jurisdiction and itself are cited: check_data has nothing to say."""
    instrument = InstrumentFactory(**kwargs)
    cited("jurisdiction", instrument.jurisdiction)
    cited("instrument", instrument)
    return instrument


def test_a_clean_record_set_passes(empty, capsys):
    clean_instrument()
    assert run(capsys) == (0, "No problems found.\n")


def test_contradicting_status_change_is_reported(empty, capsys):
    instrument = clean_instrument(type="draft_bill", status="")
    change = StatusChangeFactory(
        instrument=instrument, status="adopted", date=datetime.date(2024, 1, 1)
    )
    cited("status_change", change)
    type(change).objects.filter(pk=change.pk).update(status="in_effect")
    type(instrument).objects.filter(pk=instrument.pk).update(status="in_effect")
    code, out = run(capsys)
    assert code == 1
    assert "in its timeline: a draft bill cannot be in effect" in out


def test_a_law_that_was_once_a_bill_is_fine(empty, capsys):
    law = clean_instrument(type="binding_law", status="")
    for status, day in [("proposed", 1), ("adopted", 2)]:
        change = StatusChangeFactory(
            instrument=law, status=status, date=datetime.date(2024, 1, day)
        )
        cited("status_change", change)
    type(law).objects.filter(pk=law.pk).update(status="adopted")
    code, out = run(capsys)
    assert code == 0, out


def test_unknown_cited_field_is_reported(empty, capsys):
    citation = clean_instrument().citations.get()
    Citation.objects.filter(pk=citation.pk).update(fields=["colour"])
    code, out = run(capsys)
    assert code == 1
    assert "[unknown-field]" in out
    assert "colour" in out


def test_quote_not_in_source_text_is_reported(empty, tmp_path, capsys):
    instrument = clean_instrument()
    source = SourceFactory(slug="tiny")
    CitationFactory(source=source, instrument=instrument, quote="It said this.", locator="Top")
    CitationFactory(
        source=source, instrument=instrument, quote="It never said “that”.", locator="Top"
    )
    text = tmp_path / "tiny.txt"
    text.write_text("Before. It said this. After.", encoding="utf-8")
    code, out = run(capsys, "--source-text", f"tiny={text}")
    assert code == 1
    [problem] = [line for line in out.splitlines() if line.startswith("[")]
    assert problem.startswith("[quote-not-found] citation ")
    assert "never said" in problem


def test_quotes_are_compared_character_for_character(empty, tmp_path, capsys):
    instrument = clean_instrument()
    CitationFactory(
        source__slug="typographic", instrument=instrument, quote="Asia’s path", locator="Top"
    )
    text = tmp_path / "t.txt"
    text.write_text("Asia's path", encoding="utf-8")
    code, out = run(capsys, "--source-text", f"typographic={text}")
    assert code == 1
    [problem] = [line for line in out.splitlines() if line.startswith("[")]
    assert problem.startswith("[quote-not-found]")
    assert "'Asia’s path'" in problem
    text.write_text("Asia’s path", encoding="utf-8")
    assert run(capsys, "--source-text", f"typographic={text}")[0] == 0


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


def test_a_quote_that_shares_no_word_with_its_field_is_listed_for_review(empty, capsys):
    instrument = clean_instrument(type="binding_law", title="Robot Safety Act")
    CitationFactory(
        instrument=instrument,
        source__kind="reference",
        quote="The Robot Safety Act was passed by the assembly.",
        fields=["title", "jurisdiction"],
    )
    code, out = run(capsys)
    assert code == 0, out
    assert "quote-shares-no-word" in out
    assert "shares no word with jurisdiction of the cited instrument Robot Safety Act" in out
    assert "title" not in out.split("shares no word with", 1)[1].split("of the cited", 1)[0]
    assert "1 quote(s) share no word with a field they back: review them." in out
    code, out = run(capsys, "--strict")
    assert code == 1


def test_a_date_the_sources_own_date_states_needs_no_word(empty, capsys):
    instrument = clean_instrument(adopted_on=datetime.date(2024, 5, 21), adopted_on_precision="day")
    CitationFactory(
        instrument=instrument,
        source__kind="reference",
        source__published_on=datetime.date(2024, 5, 21),
        quote="Leaders adopted it today.",
        fields=["adopted_on"],
    )
    CitationFactory(
        instrument=instrument,
        source__kind="reference",
        quote="Leaders adopted it on 21 May 2024.",
        fields=["adopted_on"],
    )
    assert run(capsys) == (0, "No problems found.\n")


def test_a_reference_without_a_reason_is_reported(empty, capsys):
    CitationFactory(source__kind="reference", quote="", note="")
    code, out = run(capsys)
    assert code == 1
    assert "[reference-without-reason]" in out
    assert "has no quote and no note saying why" in out


def test_a_review_that_found_nothing_where_the_tracker_holds_records_is_reported(empty, capsys):
    law = InstrumentFactory(type="binding_law", status="in_effect")
    StatusChangeFactory(instrument=law, status="in_effect", date=datetime.date(2025, 1, 1))
    CitationFactory(instrument=law)
    review = CoverageReviewFactory(jurisdiction=law.jurisdiction, law_in_force="nothing_found")
    CitationFactory(
        instrument=None,
        coverage_review=review,
        quote="No AI-specific law found on the ministry's pages.",
        fields=["law_in_force"],
    )
    code, out = run(capsys)
    assert code == 1
    assert "[coverage-contradiction]" in out
    assert "finds nothing for ai-specific law in force, but the tracker holds 1 such record" in out

    # "Found" agrees with the record: nothing to report.
    type(review).objects.filter(pk=review.pk).update(law_in_force="found")
    code, out = run(capsys)
    assert "[coverage-contradiction]" not in out
