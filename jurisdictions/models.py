"""Jurisdictions (states, blocs, international organisations), their bloc memberships and the
dated assessments of their approach to AI governance."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jurisdictions.querysets import ApproachAssessmentQuerySet, JurisdictionQuerySet
from jurisdictions.vocabulary import (
    ASSESSED_APPROACHES,
    COVERAGE_CATEGORIES,
    COVERAGE_SOURCE_KINDS,
    Approach,
    CoverageResult,
    Kind,
    MembershipRole,
    Region,
    local_language,
)
from policytracker.core.addresses import reverse_key
from policytracker.core.dates import (
    DatePrecision,
    TimelineStep,
    clean_not_in_future,
    clean_partial_dates,
    partial_date,
    partial_date_constraints,
)
from policytracker.core.records import ShownOnParentPage


class JurisdictionManager(models.Manager.from_queryset(JurisdictionQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Jurisdiction(models.Model):
    code = models.CharField(
        max_length=16,
        help_text="ISO 3166-1 alpha-2 code for a state (e.g. SG); ISO 3166-2 for a sub-national "
        "one (US-CA); an upper-case short code for a bloc or international body (ASEAN, EU, "
        "OECD, INTL).",
    )
    name = models.CharField(max_length=200, help_text="English name.")
    local_name = models.CharField(
        max_length=200, blank=True, help_text="Name in the main local language; empty if unknown."
    )
    kind = models.CharField(
        max_length=20, choices=Kind, help_text="National, bloc or international."
    )
    region = models.CharField(
        max_length=32, choices=Region, blank=True, help_text="UN M49 sub-region (or region)."
    )
    # PROTECT: a state's provinces are not deleted with it by accident.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subdivisions",
        help_text="For a sub-national jurisdiction: the national one it belongs to.",
    )
    # Both kept equal to the latest approach assessment by
    # `jurisdictions.services.jurisdiction_sync_approach`, so lists can filter on them.
    approach = models.CharField(
        max_length=20,
        choices=Approach,
        default=Approach.NOT_ASSESSED,
        help_text="Current overall AI-governance approach: the latest approach assessment's; "
        "“not assessed” without one.",
    )
    approach_summary = models.TextField(
        blank=True, help_text="The latest approach assessment's summary."
    )

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords()
    objects = JurisdictionManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="jurisdiction_code_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z0-9]{1,15}(-[A-Z0-9]{1,3})?$"),
                name="jurisdiction_code_upper_case",
            ),
            # A sub-national jurisdiction, and only one, has a parent.
            models.CheckConstraint(
                condition=Q(kind=Kind.SUBNATIONAL, parent__isnull=False)
                | (~Q(kind=Kind.SUBNATIONAL) & Q(parent__isnull=True)),
                name="jurisdiction_parent_iff_subnational",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="jurisdiction_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(approach__in=Approach.values), name="jurisdiction_approach_valid"
            ),
            models.CheckConstraint(
                condition=Q(region__in=[*Region.values, ""]), name="jurisdiction_region_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse_key("web:jurisdiction-detail", self.code)

    def natural_key(self):
        return (self.code,)

    @property
    def current_memberships(self):
        """Memberships that have not ended, read from the prefetched `memberships` when the
        list prefetched them (`for_listing`)."""
        return [membership for membership in self.memberships.all() if membership.is_current]

    @property
    def local_language(self):
        """BCP 47 tag of the language `local_name` is written in, for a `lang` attribute; ""
        when unknown (leave `lang` off then)."""
        return local_language(self.code)

    @property
    def as_of_approach_when(self):
        """On a row from `as_of`: the date its approach rests on, at its precision (None when
        no assessment is dated by then)."""
        return partial_date(self.as_of_approach_on, self.as_of_approach_precision)

    @property
    def as_of_approach_assessed(self):
        """On a row from `as_of`: when the source of its approach made the assessment (None
        when undated)."""
        return partial_date(
            self.as_of_approach_assessed_on, self.as_of_approach_assessed_on_precision
        )

    @property
    def as_of_approach_holds(self):
        """On a row from `as_of`: since when its approach has held, where a source says so
        (None otherwise: the pages then say when it was assessed, never "since")."""
        return partial_date(
            self.as_of_approach_holds_from, self.as_of_approach_holds_from_precision
        )

    def clean(self):
        if self.code:
            self.code = self.code.strip().upper()
        if self.kind == Kind.NATIONAL and self.code and len(self.code) != 2:
            raise ValidationError(
                {"code": "A national jurisdiction uses its ISO 3166-1 alpha-2 code."}
            )
        if self.kind == Kind.SUBNATIONAL:
            if self.parent is None:
                raise ValidationError(
                    {"parent": "A sub-national jurisdiction names its national parent."}
                )
            if self.parent.kind != Kind.NATIONAL:
                raise ValidationError({"parent": "The parent is a national jurisdiction."})
            if self.code and not self.code.startswith(f"{self.parent.code}-"):
                raise ValidationError(
                    {
                        "code": f"A sub-national jurisdiction uses its ISO 3166-2 code, "
                        f"“{self.parent.code}-…”."
                    }
                )
        elif self.parent_id is not None:
            raise ValidationError({"parent": "Only a sub-national jurisdiction has a parent."})


class MembershipManager(models.Manager):
    def get_by_natural_key(self, member_code, bloc_code, role, started_on):
        return self.get(
            member__code=member_code, bloc__code=bloc_code, role=role, started_on=started_on
        )


class Membership(ShownOnParentPage, models.Model):
    page_parent = "member"
    page_anchor = "memberships"

    # PROTECT: jurisdictions are reference data; removing one must not silently drop history.
    member = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="The jurisdiction that belongs to the bloc.",
    )
    bloc = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="member_links",
        help_text="The bloc or international body.",
    )
    role = models.CharField(
        max_length=16,
        choices=MembershipRole,
        default=MembershipRole.MEMBER,
        help_text="Member or observer.",
    )
    started_on = models.DateField(
        help_text="When the membership began (first day of the period at year or month precision)."
    )
    started_on_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How much of the start date is known.",
    )
    ended_on = models.DateField(
        null=True,
        blank=True,
        help_text="When it ended (the first day it no longer held); empty while it lasts.",
    )
    ended_on_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        blank=True,
        help_text="How much of the end date is known; empty without an end.",
    )

    history = HistoricalRecords()
    objects = MembershipManager()

    class Meta:
        ordering = ["bloc__code", "started_on", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "bloc", "role", "started_on"], name="membership_unique"
            ),
            models.CheckConstraint(condition=~Q(member=F("bloc")), name="membership_not_own_bloc"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(started_on__lt=F("ended_on")),
                name="membership_start_before_end",
            ),
            models.CheckConstraint(
                condition=Q(started_on_precision__in=DatePrecision.values),
                name="membership_started_on_precision_valid",
            ),
            *partial_date_constraints("membership", "ended_on"),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        period = f"{self.start or ''}–{self.end or ''}"
        return (
            f"{self.member.code} {self.get_role_display().lower()} of {self.bloc.code} ({period})"
        )

    def natural_key(self):
        return (self.member.code, self.bloc.code, self.role, self.started_on.isoformat())

    natural_key.dependencies = ["jurisdictions.jurisdiction"]

    def clean(self):
        if self.bloc_id and self.bloc.kind == Kind.NATIONAL:
            raise ValidationError({"bloc": "A membership is in a bloc or international body."})
        clean_partial_dates(self, "started_on", "ended_on")
        if self.started_on and self.ended_on and self.ended_on <= self.started_on:
            raise ValidationError({"ended_on": "A membership ends after it starts."})

    @property
    def start(self):
        """The start date at its precision (a `PartialDate`)."""
        return partial_date(self.started_on, self.started_on_precision)

    @property
    def end(self):
        """The end date at its precision, or None while the membership lasts."""
        return partial_date(self.ended_on, self.ended_on_precision)

    @property
    def is_current(self):
        return self.ended_on is None

    @property
    def is_full_member(self):
        return self.role == MembershipRole.MEMBER


class ApproachAssessmentManager(models.Manager.from_queryset(ApproachAssessmentQuerySet)):
    def get_by_natural_key(self, code, date):
        return self.get(jurisdiction__code=code, date=date)


class ApproachAssessment(ShownOnParentPage, TimelineStep):
    """One dated, cited characterisation of a jurisdiction's approach: its approach timeline,
    the way status changes are an instrument's. Recorded through
    `jurisdictions.services.jurisdiction_change_approach`; the latest one is the jurisdiction's
    current `approach` and `approach_summary`.

    Two dates, each at its precision, and at least one of them: `assessed_on`, when the source
    made the assessment (its publication date), and `holds_from`, since when the approach has
    held, only where a source says so. The step's `date` is derived from them, never entered:
    `holds_from` where known, else `assessed_on`; `as_of` reads it."""

    page_parent = "jurisdiction"
    page_anchor = "approach-heading"

    # CASCADE: the timeline belongs to its jurisdiction.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="approach_assessments",
        help_text="The jurisdiction assessed.",
    )
    approach = models.CharField(
        max_length=20,
        choices=[(value, Approach(value).label) for value in ASSESSED_APPROACHES],
        help_text="The approach the source describes.",
    )
    summary = models.TextField(
        blank=True, help_text="One or two sentences on the approach, in the tracker's own words."
    )
    assessed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the source made the assessment (its publication date); empty when the "
        "source is undated.",
    )
    assessed_on_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        blank=True,
        help_text="How much of that date is known; empty without it.",
    )
    holds_from = models.DateField(
        null=True,
        blank=True,
        help_text="Since when the approach has held, where a source says so (cite it); empty "
        "otherwise.",
    )
    holds_from_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        blank=True,
        help_text="How much of that date is known; empty without it.",
    )
    history = HistoricalRecords()
    objects = ApproachAssessmentManager()

    class Meta:
        ordering = ["jurisdiction", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "date"], name="approach_assessment_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(approach__in=ASSESSED_APPROACHES),
                name="approach_assessment_approach_valid",
            ),
            *partial_date_constraints("approach_assessment", "assessed_on", "holds_from"),
            # `date` is `holds_from` where known, else `assessed_on`: never a third date (and
            # so its precision is one of theirs, which the two checks above keep valid).
            models.CheckConstraint(
                condition=(
                    Q(
                        holds_from__isnull=False,
                        date=F("holds_from"),
                        date_precision=F("holds_from_precision"),
                    )
                    | Q(
                        holds_from__isnull=True,
                        assessed_on__isnull=False,
                        date=F("assessed_on"),
                        date_precision=F("assessed_on_precision"),
                    )
                ),
                name="approach_assessment_date_derived",
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction.code}: {self.get_approach_display()} ({self.when})"

    def natural_key(self):
        return (self.jurisdiction.code, self.date.isoformat())

    natural_key.dependencies = ["jurisdictions.jurisdiction"]

    @property
    def assessed(self):
        """When the source made the assessment, at its precision (None when undated)."""
        return partial_date(self.assessed_on, self.assessed_on_precision)

    @property
    def holds(self):
        """Since when the approach has held, at its precision (None when no source says)."""
        return partial_date(self.holds_from, self.holds_from_precision)

    def derive_date(self):
        """Set the step's `date` from `holds_from`, else `assessed_on` (left as is without
        either: validation says what is missing)."""
        if self.holds_from is not None:
            self.date, self.date_precision = self.holds_from, self.holds_from_precision
        elif self.assessed_on is not None:
            self.date, self.date_precision = self.assessed_on, self.assessed_on_precision

    def clean_fields(self, exclude=None):
        # `date` is derived, never entered: derive it before it is validated.
        self.derive_date()
        super().clean_fields(exclude)

    def clean(self):
        clean_partial_dates(self, "assessed_on", "holds_from")
        clean_not_in_future(self, "assessed_on")
        clean_not_in_future(self, "holds_from")
        if self.assessed_on is None and self.holds_from is None:
            raise ValidationError(
                {
                    "assessed_on": "Give when the source made the assessment, or since when the "
                    "approach has held (or both)."
                }
            )
        self.derive_date()
        super().clean()

    def save(self, *args, **kwargs):
        self.derive_date()
        super().save(*args, **kwargs)


def _result_field(label):
    return models.CharField(
        max_length=16,
        choices=CoverageResult,
        default=CoverageResult.NOT_REVIEWED,
        help_text=f"{label}: found, nothing found (searched, none exists) or not reviewed.",
    )


def _result_note(label):
    return models.TextField(
        blank=True,
        help_text=f"{label}: what was found (naming the records) or what was searched.",
    )


class CoverageReviewManager(models.Manager):
    def get_by_natural_key(self, code, reviewed_on):
        return self.get(jurisdiction__code=code, reviewed_on=reviewed_on)


class CoverageReview(ShownOnParentPage, models.Model):
    """One dated, cited review of how completely the tracker covers a jurisdiction: which kinds
    of source were checked and, per category (`COVERAGE_CATEGORIES`), whether anything was
    found. "Nothing found" is a result, distinct from "not reviewed". The latest review is the
    one pages show; earlier ones stay as the record of what was checked when."""

    page_parent = "jurisdiction"
    page_anchor = "coverage-heading"

    # CASCADE: a review is of its jurisdiction and goes with it.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="coverage_reviews",
        help_text="The jurisdiction reviewed.",
    )
    reviewed_on = models.DateField(help_text="When the review was done.")
    checked_legislature = models.BooleanField(
        default=False, help_text="The official gazette or the legislature's pages were checked."
    )
    checked_government = models.BooleanField(
        default=False, help_text="The ministry's or regulator's pages were checked."
    )
    checked_tracker = models.BooleanField(
        default=False, help_text="A reputable law-firm or research tracker was checked."
    )
    law_in_force = _result_field(COVERAGE_CATEGORIES["law_in_force"])
    law_in_force_note = _result_note(COVERAGE_CATEGORIES["law_in_force"])
    law_adopted = _result_field(COVERAGE_CATEGORIES["law_adopted"])
    law_adopted_note = _result_note(COVERAGE_CATEGORIES["law_adopted"])
    bills = _result_field(COVERAGE_CATEGORIES["bills"])
    bills_note = _result_note(COVERAGE_CATEGORIES["bills"])
    strategy = _result_field(COVERAGE_CATEGORIES["strategy"])
    strategy_note = _result_note(COVERAGE_CATEGORIES["strategy"])
    voluntary = _result_field(COVERAGE_CATEGORIES["voluntary"])
    voluntary_note = _result_note(COVERAGE_CATEGORIES["voluntary"])
    sector_rules = _result_field(COVERAGE_CATEGORIES["sector_rules"])
    sector_rules_note = _result_note(COVERAGE_CATEGORIES["sector_rules"])
    international = _result_field(COVERAGE_CATEGORIES["international"])
    international_note = _result_note(COVERAGE_CATEGORIES["international"])
    note = models.TextField(
        blank=True, help_text="What was searched, in the reviewer's words, and anything open."
    )

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords()
    objects = CoverageReviewManager()

    class Meta:
        ordering = ["jurisdiction", "reviewed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "reviewed_on"], name="coverage_review_one_per_day"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__in": CoverageResult.values}),
                    name=f"coverage_review_{name}_valid",
                )
                for name in COVERAGE_CATEGORIES
            ),
            # A finding, even "nothing found", needs a kind of source that was checked.
            models.CheckConstraint(
                condition=Q(**dict.fromkeys(COVERAGE_CATEGORIES, CoverageResult.NOT_REVIEWED))
                | Q(checked_legislature=True)
                | Q(checked_government=True)
                | Q(checked_tracker=True),
                name="coverage_review_findings_need_sources",
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction.code}: coverage reviewed {self.reviewed_on:%-d %B %Y}"

    def natural_key(self):
        return (self.jurisdiction.code, self.reviewed_on.isoformat())

    natural_key.dependencies = ["jurisdictions.jurisdiction"]

    def clean(self):
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            raise ValidationError(
                {
                    "reviewed_on": f"{self.reviewed_on.isoformat()} is in the future: a review "
                    "records what was checked."
                }
            )
        unreviewed = CoverageResult.NOT_REVIEWED
        reviewed = [name for name in COVERAGE_CATEGORIES if getattr(self, name) != unreviewed]
        if reviewed and not any(getattr(self, name) for name in COVERAGE_SOURCE_KINDS):
            raise ValidationError(
                "Say which kinds of source were checked: a finding, even “nothing found”, "
                "rests on them."
            )

    @property
    def findings(self):
        """The categories in page order: (name, label, result, result label, note)."""
        return [
            (
                name,
                label,
                getattr(self, name),
                CoverageResult(getattr(self, name)).label,
                getattr(self, f"{name}_note"),
            )
            for name, label in COVERAGE_CATEGORIES.items()
        ]

    @property
    def sources_checked(self):
        """Labels of the kinds of source checked."""
        return [label for name, label in COVERAGE_SOURCE_KINDS.items() if getattr(self, name)]
