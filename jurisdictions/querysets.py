"""Read-side query building for the jurisdictions app."""

from django.apps import apps
from django.db import models
from django.db.models.functions import Coalesce

from jurisdictions.vocabulary import Approach, MembershipRole
from policytracker.core.dates import PARTIAL_PRECISIONS, DatePrecision, check_day
from policytracker.core.search import text_search


def membership_on(day, path="", *, role=MembershipRole.MEMBER):
    """Q: a membership (reached from the filtered model by `path`, e.g. "memberships__") held on
    `day` in `role` (None: in any role): begun on or before `day` and not ended by then (its
    end is the first day it no longer holds). A start or end known only to the year or month
    counts from the first day of its period, as every partial date does, so a jurisdiction that
    moved from observer to member on one day is a member, and no longer an observer, from that
    day on."""
    day = check_day(day)
    held = models.Q(**{f"{path}started_on__lte": day}) & (
        models.Q(**{f"{path}ended_on__isnull": True}) | models.Q(**{f"{path}ended_on__gt": day})
    )
    return held & models.Q(**{f"{path}role": role}) if role else held


def partial_start_on(day, path=""):
    """Q: a membership (at `path`) whose start is known only to the year or month, with `day`
    inside that period: it counts from the period's first day, so whether it held on `day`
    itself is not known."""
    day = check_day(day)
    return models.Q(
        **{f"{path}started_on_precision": DatePrecision.YEAR, f"{path}started_on__year": day.year}
    ) | models.Q(
        **{
            f"{path}started_on_precision": DatePrecision.MONTH,
            f"{path}started_on__year": day.year,
            f"{path}started_on__month": day.month,
        }
    )


def member_of_partial(day, codes, path="pk"):
    """Exists: the row reached by `path` was selected by `member_of` (`codes`, on `day`)
    through a membership whose start is partial around `day` (`partial_start_on`). Annotated
    as `member_of_partial`, it says the row rests on a date known only to the year or month."""
    memberships = apps.get_model("jurisdictions", "Membership").objects.filter(
        membership_on(day),
        partial_start_on(day),
        member=models.OuterRef(path),
        bloc__code__in=codes,
    )
    return models.Exists(memberships)


class JurisdictionQuerySet(models.QuerySet):
    SEARCH_FIELDS = ("name", "local_name", "code", "approach_summary")

    def search(self, q):
        """Jurisdictions matching the search `q`, annotated with `search_rank`."""
        return text_search(self, q, self.SEARCH_FIELDS)

    def member_of(self, codes, day):
        """Jurisdictions that were full members, on `day`, of any of the blocs `codes`, each
        annotated with `member_of_partial` (see `member_of_partial`)."""
        return self.filter(
            membership_on(day, "memberships__"), memberships__bloc__code__in=codes
        ).annotate(member_of_partial=member_of_partial(day, codes))

    def as_of(self, day):
        """Every jurisdiction, annotated with the approach it had on `day` (a date):

        - `as_of_approach`, `as_of_approach_summary`: from its latest approach assessment dated
          on or before `day`; `not_assessed` and "" when there is none by then;
        - `as_of_approach_on`, `as_of_approach_precision`: the date that assessment counts from
          (its `holds_from` where a source says since when, else its `assessed_on`);
        - `as_of_approach_assessed_on`, `as_of_approach_holds_from` (each with `_precision`):
          that assessment's two dates, None and "" where unknown;
        - `as_of_partial`: True when the date it counts from is known only to the month or year
          (it counts from the first day of its period).

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
            as_of_approach_assessed_on=pick("assessed_on"),
            as_of_approach_assessed_on_precision=Coalesce(
                pick("assessed_on_precision"), models.Value("")
            ),
            as_of_approach_holds_from=pick("holds_from"),
            as_of_approach_holds_from_precision=Coalesce(
                pick("holds_from_precision"), models.Value("")
            ),
        ).annotate(
            as_of_partial=models.Case(
                models.When(as_of_approach_precision__in=PARTIAL_PRECISIONS, then=True),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def for_listing(self):
        """Everything a list of jurisdictions shows, in a fixed number of queries: memberships
        with their blocs, and `coverage_reviewed_on`, the day of its latest coverage review
        (None: never reviewed)."""
        return self.prefetch_related("memberships__bloc").with_coverage_reviewed_on()

    def with_coverage_reviewed_on(self):
        """Annotated with `coverage_reviewed_on`: the day of its latest coverage review (None:
        never reviewed)."""
        reviews = self.model._meta.get_field("coverage_reviews").related_model
        latest = reviews.objects.filter(jurisdiction=models.OuterRef("pk")).order_by("-reviewed_on")
        return self.annotate(coverage_reviewed_on=models.Subquery(latest.values("reviewed_on")[:1]))

    def for_page(self):
        """What a jurisdiction's page shows of this app, in a fixed number of queries: its
        sub-national jurisdictions; its coverage reviews newest first; its
        approach timeline newest first, its memberships in blocs with the blocs, and a bloc's
        members. The layers above add what they keep about it (citations, actors)."""
        assessments = self.model._meta.get_field("approach_assessments").related_model
        memberships = self.model._meta.get_field("memberships").related_model
        reviews = self.model._meta.get_field("coverage_reviews").related_model
        return self.select_related("parent").prefetch_related(
            models.Prefetch("subdivisions", queryset=self.model.objects.order_by("name")),
            models.Prefetch("coverage_reviews", queryset=reviews.objects.order_by("-reviewed_on")),
            models.Prefetch(
                "approach_assessments",
                queryset=assessments.objects.chronological(newest_first=True),
            ),
            models.Prefetch(
                "memberships",
                queryset=memberships.objects.select_related("bloc").order_by("started_on"),
            ),
            models.Prefetch(
                "member_links",
                queryset=memberships.objects.select_related("member").order_by(
                    "member__name", "started_on"
                ),
            ),
        )


class ApproachAssessmentQuerySet(models.QuerySet):
    def chronological(self, newest_first=False):
        """Oldest first (or newest first); the newest is the jurisdiction's current approach."""
        if newest_first:
            return self.order_by("-date", "-id")
        return self.order_by("date", "id")
