"""Filters over jurisdictions: the jurisdiction-code filter every list uses, and the FilterSet of
`/jurisdictions/` and `/api/v1/jurisdictions/` (see `policytracker.core.filters` for what every
FilterSet guarantees)."""

from django import forms

from jurisdictions.models import Jurisdiction
from jurisdictions.querysets import membership_on
from jurisdictions.vocabulary import Approach, Kind, Region
from policytracker.core.filters import (
    AsOfFilter,
    AsOfFilterSet,
    FacetSpec,
    KeyFilter,
    NullsLastOrderingFilter,
    SearchFilter,
    TrueFalseFilter,
    UpdatedSinceFilter,
    VocabularyFilter,
)


class CodeField(forms.ModelMultipleChoiceField):
    """Jurisdiction codes, case-insensitive (`cn` is `CN`)."""

    def clean(self, value):
        if value:
            value = [str(item).strip().upper() for item in value]
        return super().clean(value)


class CodeFilter(KeyFilter):
    """One or more jurisdiction codes, case-insensitive; repeat the parameter for more than one.
    With `kinds`, only jurisdictions of those kinds (blocs, for `member_of`)."""

    field_class = CodeField
    schema_pattern = r"^[A-Za-z0-9-]{1,16}$"

    def __init__(self, *args, kinds=None, **kwargs):
        queryset = Jurisdiction.objects.all()
        if kinds:
            queryset = queryset.filter(kind__in=kinds)
        kwargs.setdefault("queryset", queryset)
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": "“%(value)s” is not the code of a "
                + ("bloc" if kinds else "jurisdiction")
                + " in the tracker (the codes are listed at /jurisdictions/)."
            },
        )
        super().__init__(*args, **kwargs)
        self.kinds = tuple(kinds or ())
        # What the API schema says the parameter takes.
        if self.kinds:
            self.schema_listed = "codes of blocs and international bodies"
            self.schema_examples = ("ASEAN",)
        else:
            self.schema_listed = "jurisdiction codes"
            self.schema_examples = ("CN",)
        self.schema_listed += " (as `/api/v1/jurisdictions/` lists them; case-insensitive)"

    def normalize(self, value):
        return value.strip().upper()


class IncludeSubnationalFilter(TrueFalseFilter):
    """`include_subnational=false`: leave out sub-national jurisdictions (reached by `path`, e.g.
    "jurisdiction__" on a list of instruments) and what they issued; `true`, the default, keeps
    them."""

    def __init__(self, *args, path="", **kwargs):
        kwargs.setdefault("label", "Sub-national")
        kwargs.setdefault(
            "help_text",
            "false: leave out sub-national jurisdictions (states, provinces) and what they "
            "issued; true (the default): keep them.",
        )
        super().__init__(*args, labels=("Sub-national included", "Sub-national left out"), **kwargs)
        self.path = path

    def apply(self, qs, value):
        return qs if value else qs.exclude(**{f"{self.path}kind": Kind.SUBNATIONAL})


def _restrict_memberships(path):
    def restrict(queryset, filterset):
        return queryset.filter(membership_on(filterset.day, path))

    return restrict


class JurisdictionFilterSet(AsOfFilterSet):
    """Filters of `/jurisdictions/` and `/api/v1/jurisdictions/`."""

    kind = VocabularyFilter(field_name="kind", choices=Kind.choices, label="Kind")
    region = VocabularyFilter(field_name="region", choices=Region.choices, label="Region")
    approach = VocabularyFilter(
        choices=Approach.choices,
        method="filter_approach",
        label="Approach",
        help_text="The approach on the `as_of` day (today without it).",
    )
    member_of = CodeFilter(
        method="filter_member_of",
        kinds=[Kind.REGIONAL_BLOC, Kind.INTERNATIONAL],
        label="Member of",
        help_text="Full members of the bloc on the `as_of` day (today without it).",
    )
    include_subnational = IncludeSubnationalFilter()
    q = SearchFilter()
    as_of = AsOfFilter()
    updated_since = UpdatedSinceFilter()
    ordering = NullsLastOrderingFilter(
        fields=(("name", "name"), ("code", "code"), ("region", "region")), label="Sort"
    )

    facet_specs = {
        "kind": FacetSpec("kind", choices=tuple(Kind.choices)),
        "region": FacetSpec("region", choices=tuple(Region.choices)),
        "approach": FacetSpec("as_of_approach", choices=tuple(Approach.choices)),
        "member_of": FacetSpec(
            "memberships__bloc__code",
            label="memberships__bloc__name",
            restrict=_restrict_memberships("memberships__"),
            order="label",
        ),
    }

    class Meta:
        model = Jurisdiction
        fields = []

    def prepare(self, queryset):
        # Every jurisdiction exists on every day; `as_of` decides which approach it shows.
        return queryset.as_of(self.day)

    def filter_approach(self, queryset, name, values):
        return queryset.filter(as_of_approach__in=values) if values else queryset

    def filter_member_of(self, queryset, name, blocs):
        if not blocs:
            return queryset
        return queryset.member_of([bloc.code for bloc in blocs], self.day).distinct()
