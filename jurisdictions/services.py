"""Writes that keep jurisdictions consistent. The admin, the API and the seed call these;
nothing else writes `Jurisdiction.approach` or `approach_summary`."""

import datetime

from django.db import transaction

from jurisdictions.models import ApproachAssessment, Jurisdiction
from jurisdictions.vocabulary import Approach
from policytracker.core.dates import DatePrecision


@transaction.atomic
def jurisdiction_sync_approach(*, jurisdiction: Jurisdiction) -> Jurisdiction:
    """Set `jurisdiction.approach` and `approach_summary` to its latest approach assessment's,
    or to "not assessed" and "" when it has none. Writes only when they differ. Returns the
    jurisdiction."""
    latest = (
        ApproachAssessment.objects.filter(jurisdiction=jurisdiction)
        .chronological(newest_first=True)
        .first()
    )
    approach, summary = (latest.approach, latest.summary) if latest else (Approach.NOT_ASSESSED, "")
    if (jurisdiction.approach, jurisdiction.approach_summary) != (approach, summary):
        jurisdiction.approach, jurisdiction.approach_summary = approach, summary
        jurisdiction.save(update_fields=["approach", "approach_summary", "updated_at"])
    return jurisdiction


@transaction.atomic
def jurisdiction_change_approach(
    *,
    jurisdiction: Jurisdiction,
    approach: str,
    assessed_on: datetime.date | None = None,
    assessed_on_precision: str = "",
    holds_from: datetime.date | None = None,
    holds_from_precision: str = "",
    summary: str = "",
    note: str = "",
) -> ApproachAssessment:
    """Record that a source characterised `jurisdiction`'s approach as `approach`: on
    `assessed_on` (the source's date) and/or, where a source says so, as holding from
    `holds_from`; and bring its current approach up to date. Validates the assessment
    (vocabulary, one of the two dates at least, one per day, partial-date rules) before
    writing. Returns the new ApproachAssessment."""
    jurisdiction = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    assessment = ApproachAssessment(
        jurisdiction=jurisdiction,
        approach=approach,
        summary=summary,
        assessed_on=assessed_on,
        assessed_on_precision=(assessed_on_precision or DatePrecision.DAY) if assessed_on else "",
        holds_from=holds_from,
        holds_from_precision=(holds_from_precision or DatePrecision.DAY) if holds_from else "",
        note=note,
    )
    assessment.full_clean()
    assessment.save()
    jurisdiction_sync_approach(jurisdiction=jurisdiction)
    return assessment
