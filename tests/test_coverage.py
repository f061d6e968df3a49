"""Coverage reviews: the record, the jurisdiction page and the API that show it, the coverage
ledger (`manage.py coverage`), and what the seed promises of its own coverage."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from instruments.models import Citation
from jurisdictions.models import CoverageReview, Jurisdiction
from tests.factories import (
    CitationFactory,
    CoverageReviewFactory,
    InstrumentFactory,
    JurisdictionFactory,
    StatusChangeFactory,
)

pytestmark = pytest.mark.django_db

SEED_REVIEWED_ON = datetime.date(2026, 12, 4)


def page(client, code):
    response = client.get(f"/jurisdictions/{code}/")
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def reviewed(jurisdiction, **findings):
    review = CoverageReviewFactory(
        jurisdiction=jurisdiction,
        reviewed_on=datetime.date(2026, 12, 1),
        checked_legislature=True,
        law_in_force="nothing_found",
        law_in_force_note="No AI-specific law in the gazette.",
        **findings,
    )
    CitationFactory(
        instrument=None,
        coverage_review=review,
        quote="Quokkaland has no AI-specific law in the gazette.",
        fields=["law_in_force"],
    )
    return review


# -- the record ---------------------------------------------------------------------------------


def test_a_finding_needs_a_kind_of_source_checked():
    review = CoverageReview(
        jurisdiction=JurisdictionFactory(),
        reviewed_on=datetime.date(2026, 12, 1),
        bills="nothing_found",
    )
    with pytest.raises(ValidationError, match="Say which kinds of source were checked"):
        review.full_clean()
    review.checked_tracker = True
    review.full_clean()


def test_a_review_with_nothing_reviewed_needs_no_source():
    CoverageReview(
        jurisdiction=JurisdictionFactory(), reviewed_on=datetime.date(2026, 12, 1)
    ).full_clean()


def test_a_review_is_not_dated_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    review = CoverageReview(jurisdiction=JurisdictionFactory(), reviewed_on=tomorrow)
    with pytest.raises(ValidationError, match="is in the future"):
        review.full_clean()


def test_nothing_found_is_distinct_from_not_reviewed():
    review = CoverageReviewFactory(law_in_force="nothing_found", bills="not_reviewed")
    findings = {name: label for name, _, _, label, _ in review.findings}
    assert findings["law_in_force"] == "Nothing found"
    assert findings["bills"] == "Not reviewed"


# -- the page and the API -----------------------------------------------------------------------


def test_the_jurisdiction_page_shows_the_latest_review_with_its_citations(client):
    land = JurisdictionFactory(code="XQ", name="Quokkaland")
    CoverageReviewFactory(jurisdiction=land, reviewed_on=datetime.date(2025, 1, 1))
    reviewed(land, bills="found", bills_note="The Quokka AI Bill, in committee.")
    html = page(client, "XQ")
    assert '<h2 id="coverage-heading">Coverage</h2>' in html
    assert "Reviewed on 1 December 2026" in html
    assert "checked official gazette or legislature" in html
    assert "(1 earlier review)" in html
    # Each finding with its words, its citation marker and the records the tracker holds.
    assert "Nothing found</span>" in html
    assert "— No AI-specific law in the gazette." in html
    assert "— The Quokka AI Bill, in committee." in html
    assert "Quokkaland has no AI-specific law in the gazette." in html  # the quote, below
    assert html.count('class="finding finding-not_reviewed"') == 5


def test_a_page_says_when_a_jurisdiction_was_never_reviewed(client):
    JurisdictionFactory(code="XQ", name="Quokkaland")
    assert "Not yet reviewed" in page(client, "XQ")


def test_the_page_counts_the_records_of_each_category(client):
    land = JurisdictionFactory(code="XQ")
    law = InstrumentFactory(jurisdiction=land, type="binding_law")
    StatusChangeFactory(instrument=law, status="in_effect", date=datetime.date(2025, 1, 1))
    InstrumentFactory(
        slug="xq-plan",
        jurisdiction=land,
        type="policy",
        adopted_on=datetime.date(2025, 2, 1),
        adopted_on_precision="day",
    )
    reviewed(
        land,
        strategy="found",
        strategy_note="A national plan (xq-plan); a <b>draft</b> (xq-nothing) is not recorded.",
    )
    html = page(client, "XQ")
    # The note names records by key: each one the tracker holds links to its page; the rest
    # of the note is text.
    assert (
        '— A national plan (<a href="/instruments/xq-plan/"><code>xq-plan</code></a>); '
        "a &lt;b&gt;draft&lt;/b&gt; (xq-nothing) is not recorded." in html
    )
    rows = html.split('<table class="coverage">')[1].split("</table>")[0]
    law_row = rows.split("AI-specific law in force</th>")[1].split("</tr>")[0]
    strategy_row = rows.split("National strategy or plan</th>")[1].split("</tr>")[0]
    bills_row = rows.split("Bills and drafts</th>")[1].split("</tr>")[0]
    assert re.search(r'<td class="num">\s*1\s*</td>', law_row)
    assert re.search(r'<td class="num">\s*1\s*</td>', strategy_row)
    assert re.search(r'<td class="num">\s*0\s*</td>', bills_row)


def test_the_api_gives_the_reviews_and_the_list_the_latest_day(client):
    land = JurisdictionFactory(code="XQ")
    reviewed(land)
    detail = client.get("/api/v1/jurisdictions/XQ/").json()
    (review,) = detail["coverage_reviews"]
    assert review["reviewed_on"] == "2026-12-01"
    assert review["sources_checked"] == ["legislature", "government"]
    findings = {item["category"]: item for item in review["findings"]}
    assert list(findings) == [
        "law_in_force",
        "law_adopted",
        "bills",
        "strategy",
        "voluntary",
        "sector_rules",
        "international",
    ]
    assert findings["law_in_force"]["result"] == "nothing_found"
    assert findings["law_in_force"]["result_label"] == "Nothing found"
    assert findings["law_in_force"]["note"] == "No AI-specific law in the gazette."
    quote = "Quokkaland has no AI-specific law in the gazette."
    assert [c["quote"] for c in findings["law_in_force"]["citations"]] == [quote]
    assert findings["bills"]["citations"] == []
    assert [c["quote"] for c in review["citations"]] == [quote]
    rows = client.get("/api/v1/jurisdictions/", {"q": land.name}).json()["results"]
    assert [row["coverage_reviewed_on"] for row in rows] == ["2026-12-01"]


# -- the ledger ---------------------------------------------------------------------------------


def run_coverage(*args):
    out = io.StringIO()
    try:
        call_command("coverage", *args, stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue()


def test_the_ledger_lists_reviews_records_and_what_is_overdue(empty):
    recent = JurisdictionFactory(code="XQ")
    reviewed(recent)
    InstrumentFactory(
        jurisdiction=recent,
        type="policy",
        adopted_on=datetime.date(2025, 2, 1),
        adopted_on_precision="day",
    )
    old = JurisdictionFactory(code="XR")
    CoverageReviewFactory(jurisdiction=old, reviewed_on=datetime.date(2020, 1, 1))
    JurisdictionFactory(code="XS")
    code, out = run_coverage()
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()[1:-1]}
    assert "2026-12-01" in lines["XQ"]
    assert "OVERDUE" not in lines["XQ"]
    assert "N 0" in lines["XQ"]  # nothing found, and no law in force recorded
    assert "F 1" not in lines["XQ"]
    assert "- 1" in lines["XQ"]
    assert "OVERDUE: reviewed" in lines["XR"]
    assert "OVERDUE: never reviewed" in lines["XS"]
    assert out.splitlines()[-1].endswith("2 overdue.")


def test_the_ledger_lists_only_the_overdue_and_fails_on_them_when_asked(empty):
    reviewed(JurisdictionFactory(code="XQ"))
    JurisdictionFactory(code="XS")
    code, out = run_coverage("--overdue")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["XS"]
    code, _ = run_coverage("--fail-on-overdue")
    assert code == 1
    code, _ = run_coverage("--fail-on-overdue", "--max-age-days", "100000", "--overdue")
    assert code == 1  # XS was never reviewed, whatever the age allowed


def test_the_ledger_writes_csv(empty):
    reviewed(JurisdictionFactory(code="XQ", name="Quokkaland"))
    code, out = run_coverage("--csv")
    header, row = out.splitlines()
    assert header.startswith("code,name,kind,reviewed_on,law_in_force,law_in_force_records,")
    assert row.startswith("XQ,Quokkaland,national,2026-12-01,nothing_found,0,")


def test_the_ledger_refuses_a_negative_age(empty):
    with pytest.raises(CommandError, match="--max-age-days takes 0 or more"):
        call_command("coverage", "--max-age-days", "-1")


# -- the seed -----------------------------------------------------------------------------------


def test_every_jurisdiction_of_the_seed_has_a_review_that_found_or_searched(seeded):
    for jurisdiction in Jurisdiction.objects.all():
        review = jurisdiction.coverage_reviews.order_by("-reviewed_on").first()
        assert review is not None, jurisdiction.code
        assert review.reviewed_on >= datetime.date(2026, 12, 1), jurisdiction.code
        assert review.citations.exists(), jurisdiction.code
        assert review.sources_checked, jurisdiction.code


def test_most_citations_of_the_seed_quote_their_source(seeded):
    quotes = Citation.objects.exclude(quote="").count()
    assert quotes / Citation.objects.count() >= 0.7


def test_the_seed_passes_the_strict_check_with_citations_checked_in_six_months(seeded, capsys):
    # Six months counted back from the seed's review day (4 December 2026), not from today, so
    # the seed's own promise is tested whatever day the suite runs.
    since_review = (timezone.localdate() - SEED_REVIEWED_ON).days
    call_command("check_data", "--strict", "--stale-days", str(180 + max(since_review, 0)))
    assert "No problems found" in capsys.readouterr().out
