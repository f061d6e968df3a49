"""Read-side query building for the jurisdictions app."""

import datetime

from django.db import models
from django.db.models.functions import Coalesce

from jurisdictions.dates import PARTIAL_PRECISIONS
from jurisdictions.vocabulary import Approach


def check_day(day):
    """`day` as a date; `as_of` takes a calendar day, not a moment."""
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise TypeError(f"as_of takes a datetime.date, not {day!r}")
    return day


class JurisdictionQuerySet(models.QuerySet):
    def as_of(self, day):
        """Every jurisdiction, annotated with the approach it had on `day` (a date):

        - `as_of_approach`, `as_of_approach_summary`: from its latest approach assessment dated
          on or before `day`; `not_assessed` and "" when there is none by then;
        - `as_of_approach_on`, `as_of_approach_precision`: that assessment's date and precision;
        - `as_of_partial`: True when that date is known only to the month or year (it counts
          from the first day of its period).

        One query: the assessment is found by correlated subqueries, not per row."""
        day = check_day(day)
        assessments = self.model._meta.get_field("approach_assessments").related_model
        latest = assessments.objects.filter(
            jurisdiction=models.OuterRef("pk"), date__lte=day
        ).chronological(newest_first=True)

        def pick(column):
            return models.Subquery(latest.values(column)[:1])

        return self.annotate(
            as_of_approach=Coalesce(pick("approach"), models.Value(Approach.NOT_ASSESSED)),
            as_of_approach_summary=Coalesce(
                pick("summary"), models.Value(""), output_field=models.TextField()
            ),
            as_of_approach_on=pick("date"),
            as_of_approach_precision=Coalesce(pick("date_precision"), models.Value("")),
        ).annotate(
            as_of_partial=models.Case(
                models.When(as_of_approach_precision__in=PARTIAL_PRECISIONS, then=True),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def for_listing(self):
        """Everything a list of jurisdictions shows, in a fixed number of queries."""
        return self.prefetch_related("memberships__bloc")


class ApproachAssessmentQuerySet(models.QuerySet):
    def chronological(self, newest_first=False):
        """Oldest first (or newest first); the newest is the jurisdiction's current approach."""
        if newest_first:
            return self.order_by("-date", "-id")
        return self.order_by("date", "id")
