"""Jurisdictions in the API: states, blocs and international bodies, each with the approach it had
on the `as_of` day, and the approach assessments editors add to their timelines."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from instruments.filters import JurisdictionLawFilterSet
from instruments.known_at import jurisdiction_then, set_prefetched
from instruments.models import citations_prefetch
from instruments.querysets import with_binding_laws
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction, Membership
from jurisdictions.services import jurisdiction_change_approach
from jurisdictions.vocabulary import (
    COVERAGE_CATEGORY_CHOICES,
    COVERAGE_SOURCE_KINDS,
    Approach,
    CoverageResult,
    Kind,
    MembershipRole,
    Region,
)
from policytracker.api.known_at import AS_OF_WITH_KNOWN_AT, KnownAtMixin, known_at_schema
from policytracker.api.references import CitationRefSerializer
from policytracker.api.reviews import ReviewedWritesMixin
from policytracker.core.api.fields import (
    AsOfCharField,
    AsOfLabelField,
    AsOfVocabularyField,
    LabelField,
    PartialDateField,
    RecordUrlField,
    VocabularyField,
)
from policytracker.core.api.serializers import ModelSerializer, Serializer
from policytracker.core.api.views import RecordViewSet
from policytracker.core.api.writes import (
    TIMELINE_ERROR_NAMES,
    PartialDateInput,
    StrictInput,
    WritesMixin,
    model_errors,
    validated,
)
from policytracker.core.dates import DatePrecision


class MembershipPeriodSerializer(ModelSerializer):
    """When a membership held: `start` and `end` at the precision a source gives (`end` is the
    first day it no longer held; null while it lasts)."""

    role = VocabularyField(MembershipRole.choices)
    start = PartialDateField(date="started_on", precision="started_on_precision")
    start_precision = VocabularyField(DatePrecision.choices, source="started_on_precision")
    end = PartialDateField(date="ended_on", precision="ended_on_precision")
    end_precision = VocabularyField(DatePrecision.choices, source="ended_on_precision")

    class Meta:
        model = Membership
        fields = ["role", "start", "start_precision", "end", "end_precision"]
        read_only_fields = fields


class MembershipSerializer(MembershipPeriodSerializer):
    """A membership seen from the member: in which bloc, in which role, from when to when."""

    bloc = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta(MembershipPeriodSerializer.Meta):
        fields = ["bloc", *MembershipPeriodSerializer.Meta.fields]
        read_only_fields = fields


class MemberSerializer(MembershipPeriodSerializer):
    """A membership seen from the bloc: who, in which role, from when to when."""

    member = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta(MembershipPeriodSerializer.Meta):
        fields = ["member", *MembershipPeriodSerializer.Meta.fields]
        read_only_fields = fields


class ApproachStepSerializer(ModelSerializer):
    """One approach assessment: from `date` (at its precision) the jurisdiction took
    `approach`, on the word of its citations."""

    date = PartialDateField(
        help_text="The day the step counts from: `holds_from` where known, else `assessed_on`."
    )
    date_precision = VocabularyField(DatePrecision.choices)
    assessed_on = PartialDateField(
        help_text="When the source made the assessment; null when the source is undated."
    )
    assessed_on_precision = VocabularyField(DatePrecision.choices)
    holds_from = PartialDateField(
        help_text="Since when the approach has held, where a source says so; null otherwise."
    )
    holds_from_precision = VocabularyField(DatePrecision.choices)
    approach = VocabularyField(Approach.choices)
    approach_label = LabelField(Approach.choices, source="approach")
    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta:
        model = ApproachAssessment
        fields = [
            "date",
            "date_precision",
            "assessed_on",
            "assessed_on_precision",
            "holds_from",
            "holds_from_precision",
            "approach",
            "approach_label",
            "summary",
            "note",
            "citations",
        ]
        read_only_fields = fields


class CoverageFindingSerializer(Serializer):
    """What a coverage review found in one category."""

    category = serializers.ChoiceField(COVERAGE_CATEGORY_CHOICES, read_only=True)
    category_label = serializers.CharField(read_only=True)
    result = serializers.ChoiceField(CoverageResult.choices, read_only=True)
    result_label = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    citations = CitationRefSerializer(
        many=True, read_only=True, help_text="The citations that back this finding."
    )


class CoverageReviewSerializer(ModelSerializer):
    """One coverage review: when, which kinds of source were checked, and per category whether
    anything was found (`nothing_found`: searched, none exists; `not_reviewed`: not searched)."""

    sources_checked = serializers.SerializerMethodField(
        help_text="The kinds of source checked: legislature (official gazette or legislature), "
        "government (ministry or regulator), tracker (law-firm or research tracker)."
    )
    findings = serializers.SerializerMethodField()
    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta:
        model = CoverageReview
        fields = ["reviewed_on", "sources_checked", "findings", "note", "citations"]
        read_only_fields = fields

    def get_sources_checked(self, review) -> list[str]:
        return [
            name.removeprefix("checked_") for name in COVERAGE_SOURCE_KINDS if getattr(review, name)
        ]

    @extend_schema_field(CoverageFindingSerializer(many=True))
    def get_findings(self, review):
        citations = list(review.citations.all())
        findings = [
            {
                "category": name,
                "category_label": label,
                "result": result,
                "result_label": result_label,
                "note": note,
                "citations": [c for c in citations if name in c.fields],
            }
            for name, label, result, result_label, note in review.findings
        ]
        return CoverageFindingSerializer(findings, many=True).data


class JurisdictionSerializer(ModelSerializer):
    """A jurisdiction as a list shows it. The approach is the one it had on the day the list
    describes (`as_of`, today without it), which the list's rows carry as annotations."""

    kind = VocabularyField(Kind.choices)
    kind_label = LabelField(Kind.choices, source="kind")
    region = VocabularyField(Region.choices)
    region_label = LabelField(Region.choices, source="region")
    parent = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="For a sub-national jurisdiction, the code of its national parent; else null.",
    )
    approach = AsOfVocabularyField(Approach.choices)
    approach_label = AsOfLabelField(Approach.choices, source="approach")
    approach_summary = AsOfCharField(read_only=True)
    approach_assessed_on = PartialDateField(
        date="as_of_approach_assessed_on",
        precision="as_of_approach_assessed_on_precision",
        help_text="When the source of that approach made the assessment; null when undated.",
    )
    approach_assessed_on_precision = VocabularyField(
        DatePrecision.choices, source="as_of_approach_assessed_on_precision", default=""
    )
    approach_since = PartialDateField(
        date="as_of_approach_holds_from",
        precision="as_of_approach_holds_from_precision",
        help_text="Since when the approach has held, where a source says so; null otherwise "
        "(the date of an assessment is not a start date: see `approach_assessed_on`).",
    )
    approach_since_precision = VocabularyField(
        DatePrecision.choices, source="as_of_approach_holds_from_precision", default=""
    )
    approach_partial = serializers.BooleanField(
        source="as_of_partial",
        default=False,
        read_only=True,
        help_text="True when the date the approach counts from (`approach_since` where known, "
        "else `approach_assessed_on`) is known only to the month or year.",
    )
    member_of_partial = serializers.BooleanField(
        default=False,
        read_only=True,
        help_text="With `member_of`: true when the membership that selected the row starts on a "
        "date known only to the year or month and the day falls in that period (it counts from "
        "the period's first day, so whether it held on the day itself is not known).",
    )
    binding_law_in_force = serializers.BooleanField(
        source="binds_by_law",
        read_only=True,
        help_text="True when at least one binding AI law of its own was in effect on the day "
        "(`as_of`, today without it): read from the instruments, not from the approach label.",
    )
    binding_laws_in_force = serializers.IntegerField(
        read_only=True, help_text="How many of its binding laws were in effect on the day."
    )
    binding_law_since = PartialDateField(
        date="binding_law_since",
        precision="binding_law_since_precision",
        help_text="The earliest day one of those laws came into effect, at its precision; null "
        "when none is in effect or no date says so.",
    )
    binding_law_since_precision = VocabularyField(DatePrecision.choices, default="")
    subnational_binding_law_in_force = serializers.IntegerField(
        source="subdivisions_binding_by_law",
        read_only=True,
        help_text="How many of its sub-national jurisdictions had a binding AI law of their own "
        "in effect on the day: a federation without a national law may have some.",
    )
    coverage_reviewed_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The day of its latest coverage review; null: never reviewed.",
    )
    memberships = MembershipSerializer(
        many=True,
        read_only=True,
        help_text="The blocs and bodies it belongs or belonged to (`bloc` is the bloc's code).",
    )
    url = RecordUrlField("api:jurisdiction-detail", "code")
    html_url = RecordUrlField("web:jurisdiction-detail", "code", label="Page")

    class Meta:
        model = Jurisdiction
        fields = [
            "code",
            "name",
            "local_name",
            "kind",
            "kind_label",
            "region",
            "region_label",
            "parent",
            "approach",
            "approach_label",
            "approach_summary",
            "approach_assessed_on",
            "approach_assessed_on_precision",
            "approach_since",
            "approach_since_precision",
            "approach_partial",
            "member_of_partial",
            "binding_law_in_force",
            "binding_laws_in_force",
            "binding_law_since",
            "binding_law_since_precision",
            "subnational_binding_law_in_force",
            "coverage_reviewed_on",
            "memberships",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class JurisdictionDetailSerializer(JurisdictionSerializer):
    """A jurisdiction at its own address: the list's fields (the approach as of today), then
    its whole approach timeline oldest first, each step with its citations; the members of a
    bloc or body (`memberships` holds the other direction); and the citations of its own
    fields."""

    approach_timeline = ApproachStepSerializer(
        many=True, read_only=True, source="approach_assessments"
    )
    members = MemberSerializer(
        many=True,
        read_only=True,
        source="member_links",
        help_text="For a bloc or body: the jurisdictions that belong or belonged to it.",
    )
    coverage_reviews = CoverageReviewSerializer(
        many=True,
        read_only=True,
        help_text="Its coverage reviews, newest first (empty: never reviewed).",
    )
    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta(JurisdictionSerializer.Meta):
        fields = [
            *JurisdictionSerializer.Meta.fields,
            "approach_timeline",
            "coverage_reviews",
            "members",
            "citations",
        ]
        read_only_fields = fields


class ApproachAssessmentInput(StrictInput, serializers.Serializer):
    """An approach assessment to record: what a source says the jurisdiction's approach is,
    when the source said it (`assessed_on`) and, where it says so, since when it has held
    (`holds_from`). At least one of the two dates."""

    # The whole vocabulary, one enum in the schema with every other `approach`; the model
    # refuses `not_assessed`, which is what a jurisdiction without assessments shows.
    approach = serializers.ChoiceField(Approach.choices)
    assessed_on = PartialDateInput(
        required=False,
        help_text="When the source made the assessment: its date (YYYY, YYYY-MM or YYYY-MM-DD).",
    )
    holds_from = PartialDateInput(
        required=False,
        help_text="Since when the approach has held, where a source says so (YYYY, YYYY-MM or "
        "YYYY-MM-DD).",
    )
    summary = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ApproachAssessment._meta.get_field("note").max_length,
    )


# One assessment per day of its derived `date`, which is `holds_from` or else `assessed_on`.
APPROACH_ERROR_NAMES = {
    **TIMELINE_ERROR_NAMES,
    NON_FIELD_ERRORS: "assessed_on",
    "date": "assessed_on",
    "date_precision": "assessed_on",
    "assessed_on_precision": "assessed_on",
    "holds_from_precision": "holds_from",
}


class JurisdictionWritesMixin(ReviewedWritesMixin, WritesMixin):
    """Jurisdictions are reference data, not written through the API; an editor records an
    approach assessment, and the jurisdiction's `approach` follows the latest one
    (`jurisdiction_change_approach`)."""

    timeline_inputs = {"approach_assessments": ApproachAssessmentInput}

    @action(detail=True, methods=["post"], url_path="approach-assessments")
    def approach_assessments(self, request, *args, **kwargs):
        """Record an approach assessment (`If-Match`: the jurisdiction's `ETag`). Answers 201
        with the jurisdiction as it now reads, and its new `ETag`."""

        def write(jurisdiction):
            step = validated(self.input_serializer(data=request.data))
            with model_errors(APPROACH_ERROR_NAMES):
                assessed, holds = step.get("assessed_on"), step.get("holds_from")
                jurisdiction_change_approach(
                    jurisdiction=jurisdiction,
                    approach=step["approach"],
                    assessed_on=assessed.date if assessed else None,
                    assessed_on_precision=assessed.precision if assessed else "",
                    holds_from=holds.date if holds else None,
                    holds_from_precision=holds.precision if holds else "",
                    summary=step.get("summary", ""),
                    note=step.get("note", ""),
                )

        return self.timeline_write(write)


@known_at_schema(JurisdictionDetailSerializer, as_of=AS_OF_WITH_KNOWN_AT["jurisdiction"])
class JurisdictionViewSet(KnownAtMixin, JurisdictionWritesMixin, RecordViewSet):
    """States, blocs and international bodies, by region and name, each with the approach it
    had on the `as_of` day (YYYY-MM-DD; today without it).

    The filters are those of the jurisdictions page (the Filters button lists them); a bad
    value or a misspelt parameter answers 400 naming it. `facet=<filter>` (repeatable) adds how
    many rows each value of that filter would give. `format=csv` downloads every matching row.

    A jurisdiction's own address is `/api/v1/jurisdictions/<code>/` (the code in any case:
    `vn` is VN). It adds the approach timeline (every assessment, oldest first, with its
    citations), the members of a bloc and the citations of its fields. Editors add to the
    timeline at `<code>/approach-assessments/`; jurisdictions are not otherwise written.

    With `known_at` (YYYY-MM-DD) a jurisdiction's address answers it as the tracker stated it
    at the end of that day: its approach and laws in force on that day, or with `as_of` beside
    it on the `as_of` day, by what was then recorded."""

    queryset = (
        Jurisdiction.objects.for_listing().select_related("parent").order_by("region", "name", "pk")
    )
    serializer_class = JurisdictionSerializer
    detail_serializer_class = JurisdictionDetailSerializer
    filterset_class = JurisdictionLawFilterSet
    lookup_field = "code"
    csv_filename = "jurisdictions.csv"
    known_at_as_of = True

    def record_then(self, key, day, as_of):
        return jurisdiction_then(key, day, as_of=as_of)

    def known_at_record(self, then):
        jurisdiction = super().known_at_record(then)
        # In the orders of `get_detail_queryset`: the timeline oldest first, the memberships
        # by bloc.
        steps = jurisdiction.approach_assessments.all()
        set_prefetched(
            jurisdiction,
            "approach_assessments",
            sorted(steps, key=lambda step: (step.date, step.pk)),
        )
        set_prefetched(
            jurisdiction,
            "memberships",
            sorted(
                jurisdiction.memberships.all(),
                key=lambda membership: (membership.bloc.code, membership.started_on),
            ),
        )
        return jurisdiction

    def initial(self, request, *args, **kwargs):
        # Codes are case-insensitive, as in the filters: `vn` names VN, in every action. A
        # redirect would cost a script a round trip; `url` gives the address in capitals.
        if self.lookup_field in self.kwargs:
            self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        super().initial(request, *args, **kwargs)

    def get_detail_queryset(self):
        # Today's approach and laws in force, as the list shows them without `as_of`.
        today = timezone.localdate()
        jurisdictions = (
            Jurisdiction.objects.as_of(today).with_coverage_reviewed_on().select_related("parent")
        )
        return with_binding_laws(jurisdictions, today).prefetch_related(
            Prefetch("coverage_reviews", queryset=CoverageReview.objects.order_by("-reviewed_on")),
            citations_prefetch("coverage_reviews__"),
            Prefetch("memberships", queryset=Membership.objects.select_related("bloc")),
            Prefetch(
                "member_links",
                queryset=Membership.objects.select_related("member").order_by(
                    "member__name", "started_on", "pk"
                ),
            ),
            Prefetch(
                "approach_assessments",
                queryset=ApproachAssessment.objects.chronological(),
            ),
            citations_prefetch("approach_assessments__"),
            citations_prefetch(),
        )
