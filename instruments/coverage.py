"""Coverage: what the tracker holds of each jurisdiction, by the categories a coverage review
answers for, set beside the review's findings.

A category's records are read from the instruments, never entered: a jurisdiction's own binding
laws in effect on the day (`law_in_force`), adopted but not yet in effect (`law_adopted`), its
bills still before a legislature (`bills`), its policies (`strategy`), its voluntary frameworks
(`voluntary`) and the declarations it issued or is a party to (`international`). Sector rules
are not a type of instrument, so only the review answers for them (`None` here).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from instruments.models import Instrument
from instruments.vocabulary import InstrumentStatus, InstrumentType
from jurisdictions.models import CoverageReview, Jurisdiction
from jurisdictions.vocabulary import COVERAGE_CATEGORIES, CoverageResult

# How old a review may be before the coverage report calls it overdue (about six months).
REVIEW_MAX_AGE_DAYS = 183

_PENDING_BILL = {InstrumentStatus.PROPOSED, InstrumentStatus.DRAFT, ""}


def category_of(instrument_type, status, *, party=False):
    """The coverage category an instrument of `instrument_type` with `status` on the day falls
    in for a jurisdiction (that issued it, or with `party`, that is a party to it), or None."""
    if party:
        return "international" if instrument_type == InstrumentType.DECLARATION else None
    if instrument_type == InstrumentType.BINDING_LAW:
        return {
            InstrumentStatus.IN_EFFECT: "law_in_force",
            InstrumentStatus.ADOPTED: "law_adopted",
        }.get(status)
    if instrument_type == InstrumentType.DRAFT_BILL:
        return "bills" if status in _PENDING_BILL else None
    return {
        InstrumentType.POLICY: "strategy",
        InstrumentType.VOLUNTARY_FRAMEWORK: "voluntary",
        InstrumentType.DECLARATION: "international",
    }.get(instrument_type)


def recorded_counts(jurisdictions, day=None):
    """{jurisdiction pk: {category: count}} of the instruments the tracker holds on `day`
    (today without it) for each of `jurisdictions`; `sector_rules` is None (not a type). Two
    queries."""
    day = day or timezone.localdate()
    pks = [j.pk for j in jurisdictions]
    counts = {
        pk: {name: (None if name == "sector_rules" else 0) for name in COVERAGE_CATEGORIES}
        for pk in pks
    }
    existing = Instrument.objects.as_of(day)
    for pk, instrument_type, status in existing.filter(jurisdiction__in=pks).values_list(
        "jurisdiction_id", "type", "as_of_status"
    ):
        category = category_of(instrument_type, status)
        if category:
            counts[pk][category] += 1
    parties = existing.filter(parties__in=pks).values_list(
        "parties", "jurisdiction_id", "type", "as_of_status"
    )
    for pk, issuer, instrument_type, status in parties:
        # A text a jurisdiction issued and is also a party to counts once, as its own.
        if pk in counts and pk != issuer:
            category = category_of(instrument_type, status, party=True)
            if category:
                counts[pk][category] += 1
    return counts


@dataclass(frozen=True)
class CoverageLine:
    """One jurisdiction in the coverage report."""

    jurisdiction: Jurisdiction
    review: CoverageReview | None
    counts: dict
    overdue: str  # why the review is due ("never reviewed", "reviewed 200 days ago"), or ""


def coverage_report(day=None, max_age_days=REVIEW_MAX_AGE_DAYS):
    """A `CoverageLine` per jurisdiction, by kind then code: its latest review, the records
    the tracker holds by category, and whether a review is overdue (none, or older than
    `max_age_days`)."""
    day = day or timezone.localdate()
    jurisdictions = list(
        Jurisdiction.objects.prefetch_related("coverage_reviews").order_by("kind", "code")
    )
    counts = recorded_counts(jurisdictions, day)
    lines = []
    for jurisdiction in jurisdictions:
        reviews = sorted(
            (r for r in jurisdiction.coverage_reviews.all() if r.reviewed_on <= day),
            key=lambda r: r.reviewed_on,
        )
        review = reviews[-1] if reviews else None
        if review is None:
            overdue = "never reviewed"
        elif (day - review.reviewed_on).days > max_age_days:
            overdue = f"reviewed {(day - review.reviewed_on).days} days ago"
        else:
            overdue = ""
        lines.append(CoverageLine(jurisdiction, review, counts[jurisdiction.pk], overdue))
    return lines


def review_contradictions():
    """(review, category, count) for each finding of "nothing found" where the tracker holds
    records of that category that existed on the review's day: the review or the records are
    wrong."""
    reviews = CoverageReview.objects.select_related("jurisdiction").order_by(
        "jurisdiction__code", "reviewed_on"
    )
    by_day = defaultdict(list)
    for review in reviews:
        by_day[review.reviewed_on].append(review)
    for day, day_reviews in sorted(by_day.items()):
        counts = recorded_counts([r.jurisdiction for r in day_reviews], day)
        for review in day_reviews:
            for name in COVERAGE_CATEGORIES:
                recorded = counts[review.jurisdiction_id][name]
                if getattr(review, name) == CoverageResult.NOTHING_FOUND and recorded:
                    yield review, name, recorded
