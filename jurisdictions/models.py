"""Jurisdictions (states, blocs, international organisations) and their bloc memberships."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from jurisdictions.querysets import JurisdictionQuerySet, MembershipQuerySet


class Kind(models.TextChoices):
    """What sort of authority a jurisdiction is. Closed list: a new kind changes the pages."""

    NATIONAL = "national", "National"
    REGIONAL_BLOC = "regional_bloc", "Regional bloc"
    INTERNATIONAL = "international", "International"


class Approach(models.TextChoices):
    """Overall governance style as the source characterises it. New values may be added when a
    source describes a style none of these fits; `not_assessed` means the source says nothing."""

    BINDING = "binding", "Binding"
    RISK_BASED = "risk_based", "Risk-based"
    TRANSITIONING = "transitioning", "Transitioning"
    VOLUNTARY = "voluntary", "Voluntary"
    LIGHT_TOUCH = "light_touch", "Light-touch"
    HYBRID = "hybrid", "Hybrid"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class Region(models.TextChoices):
    """UN M49 sub-regions (plus the regions "Europe" and "World" for blocs and international
    bodies). New M49 names may be added as the data set grows."""

    NORTHERN_AFRICA = "northern_africa", "Northern Africa"
    SUB_SAHARAN_AFRICA = "sub_saharan_africa", "Sub-Saharan Africa"
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", "Latin America and the Caribbean"
    NORTHERN_AMERICA = "northern_america", "Northern America"
    CENTRAL_ASIA = "central_asia", "Central Asia"
    EASTERN_ASIA = "eastern_asia", "Eastern Asia"
    SOUTH_EASTERN_ASIA = "south_eastern_asia", "South-eastern Asia"
    SOUTHERN_ASIA = "southern_asia", "Southern Asia"
    WESTERN_ASIA = "western_asia", "Western Asia"
    EASTERN_EUROPE = "eastern_europe", "Eastern Europe"
    NORTHERN_EUROPE = "northern_europe", "Northern Europe"
    SOUTHERN_EUROPE = "southern_europe", "Southern Europe"
    WESTERN_EUROPE = "western_europe", "Western Europe"
    EUROPE = "europe", "Europe"
    AUSTRALIA_NEW_ZEALAND = "australia_new_zealand", "Australia and New Zealand"
    MELANESIA = "melanesia", "Melanesia"
    MICRONESIA = "micronesia", "Micronesia"
    POLYNESIA = "polynesia", "Polynesia"
    WORLD = "world", "World"


class MembershipRole(models.TextChoices):
    """How a jurisdiction belongs to a bloc. New roles (e.g. dialogue partner) may be added."""

    MEMBER = "member", "Member"
    OBSERVER = "observer", "Observer"


class JurisdictionManager(models.Manager.from_queryset(JurisdictionQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Jurisdiction(models.Model):
    code = models.CharField(
        max_length=16,
        help_text="ISO 3166-1 alpha-2 code for a state (e.g. SG); an upper-case short code "
        "for a bloc or international body (ASEAN, EU, OECD, INTL).",
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
    approach = models.CharField(
        max_length=20,
        choices=Approach,
        default=Approach.NOT_ASSESSED,
        help_text="Overall AI-governance approach as the cited source characterises it.",
    )
    approach_summary = models.TextField(
        blank=True, help_text="One or two sentences on the approach, in the tracker's own words."
    )

    history = HistoricalRecords()
    objects = JurisdictionManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="jurisdiction_code_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z0-9]{1,15}$"),
                name="jurisdiction_code_upper_case",
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

    def natural_key(self):
        return (self.code,)

    def clean(self):
        if self.code:
            self.code = self.code.strip().upper()
        if self.kind == Kind.NATIONAL and self.code and len(self.code) != 2:
            raise ValidationError(
                {"code": "A national jurisdiction uses its ISO 3166-1 alpha-2 code."}
            )


class MembershipManager(models.Manager.from_queryset(MembershipQuerySet)):
    def get_by_natural_key(self, member_code, bloc_code, role, start_year):
        return self.get(
            member__code=member_code, bloc__code=bloc_code, role=role, start_year=start_year
        )


class Membership(models.Model):
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
    start_year = models.PositiveSmallIntegerField(help_text="Year the membership began.")
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year it ended; empty while it lasts."
    )

    history = HistoricalRecords()
    objects = MembershipManager()

    class Meta:
        ordering = ["bloc__code", "start_year", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "bloc", "role", "start_year"], name="membership_unique"
            ),
            models.CheckConstraint(condition=~Q(member=F("bloc")), name="membership_not_own_bloc"),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(start_year__lte=F("end_year")),
                name="membership_start_before_end",
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        years = f"{self.start_year}–{self.end_year or ''}"
        return f"{self.member.code} {self.get_role_display().lower()} of {self.bloc.code} ({years})"

    def natural_key(self):
        return (self.member.code, self.bloc.code, self.role, self.start_year)

    natural_key.dependencies = ["jurisdictions.jurisdiction"]

    def clean(self):
        if self.bloc_id and self.bloc.kind == Kind.NATIONAL:
            raise ValidationError({"bloc": "A membership is in a bloc or international body."})

    @property
    def is_current(self):
        return self.end_year is None
