"""Instruments in the API: laws, voluntary frameworks, draft bills and declarations, with their
status timelines, and the status changes editors record."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError

from instruments.filters import (
    InstrumentFilterSet,
)
from instruments.known_at import instrument_then
from instruments.models import (
    Instrument,
    InstrumentIdentifier,
    StatusChange,
    Topic,
    citations_prefetch,
    events_prefetch,
)
from instruments.rules import Step, current_status, timeline_errors
from instruments.services import (
    instrument_change_status,
    instrument_correct_status_change,
    instrument_delete_status_change,
    instrument_sync_status,
)
from instruments.similar_titles import similar_titles, similar_titles_message
from instruments.vocabulary import (
    Force,
    IdentifierScheme,
    InstrumentStatus,
    InstrumentType,
    RelationKind,
)
from jurisdictions.models import Jurisdiction
from jurisdictions.vocabulary import Region
from policytracker.api.citations import CitationInput, create_citations
from policytracker.api.known_at import AS_OF_WITH_KNOWN_AT, KnownAtMixin, known_at_schema
from policytracker.api.references import (
    CitationRefSerializer,
    JurisdictionRefSerializer,
    jurisdiction_key,
    key_inputs,
    listed_keys,
    related_keys,
)
from policytracker.api.reviews import ReviewedWritesMixin
from policytracker.core.api.fields import (
    LabelField,
    PartialDateField,
    RecordUrlField,
    VocabularyField,
)
from policytracker.core.api.serializers import ModelSerializer, Serializer
from policytracker.core.api.views import RecordViewSet, RelatedValues
from policytracker.core.api.writes import (
    TIMELINE_ERROR_NAMES,
    BadInput,
    EditorWritesMixin,
    PartialDateInput,
    StrictInput,
    WriteSerializer,
    api_errors,
    model_errors,
    validated,
)
from policytracker.core.dates import DatePrecision, PartialDate


class RelatedSerializer(Serializer):
    """One relation seen from the instrument listed: `out` reads "this <kind> slug", `in`
    reads "slug <kind> this"."""

    kind = VocabularyField(RelationKind.choices)
    direction = serializers.CharField(read_only=True, help_text="`out` or `in`.")
    slug = serializers.CharField(read_only=True)


class RelatedListField(serializers.ListField):
    """The instrument's relations to others in both directions, outgoing first, then by kind
    and slug."""

    def __init__(self, **kwargs):
        kwargs.update(child=RelatedSerializer(), source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        relations = [
            {"kind": relation["kind"], "direction": direction, "slug": relation["slug"]}
            for direction, listed in (
                ("out", instance.listed_relations_out),
                ("in", instance.listed_relations_in),
            )
            for relation in listed
        ]
        relations.sort(key=lambda item: (item["direction"] != "out", item["kind"], item["slug"]))
        return super().to_representation(relations)


class AsOfStatusSerializer(Serializer):
    """The instrument's status on the `as_of` day of the list; null when the list was not
    asked `as_of` (the key is always there, so CSV columns do not depend on the query). At a
    record's address read `known_at` a day with `as_of` beside it: its status on the `as_of`
    day by the timeline then recorded, null when by that timeline it did not exist yet."""

    date = serializers.SerializerMethodField(help_text="The `as_of` day asked.")
    status = VocabularyField(InstrumentStatus.choices, source="as_of_status")
    status_label = LabelField(InstrumentStatus.choices, source="as_of_status")
    since = PartialDateField(
        date="as_of_status_on",
        precision="as_of_status_precision",
        help_text="Date of the status change the status rests on; null for an undated status.",
    )
    since_precision = VocabularyField(DatePrecision.choices, source="as_of_status_precision")
    partial = serializers.SerializerMethodField(
        help_text="True when the answer rests on a date known only to the month or year: the "
        "status change it reads, the dates that show the instrument existed, or, with "
        "`member_of`, the start of the membership that selected it."
    )

    def get_date(self, instance) -> str:
        return self.context["as_of"].isoformat()

    def get_partial(self, instance) -> bool:
        return bool(
            getattr(instance, "as_of_partial", False)
            or getattr(instance, "member_of_partial", False)
        )

    def to_representation(self, instance):
        if self.context.get("as_of") is None or getattr(instance, "as_of_existed", True) is False:
            return None
        return super().to_representation(instance)


class StatusStepSerializer(ModelSerializer):
    """One step of an instrument's status timeline: from `date` (at its precision) it had
    `status`, on the word of its citations."""

    date = PartialDateField()
    date_precision = VocabularyField(DatePrecision.choices)
    status = VocabularyField(InstrumentStatus.choices)
    status_label = LabelField(InstrumentStatus.choices, source="status")
    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta:
        model = StatusChange
        fields = ["date", "date_precision", "status", "status_label", "note", "citations"]
        read_only_fields = fields


class IdentifierSerializer(ModelSerializer):
    scheme = VocabularyField(IdentifierScheme.choices)
    scheme_label = LabelField(IdentifierScheme.choices, source="scheme")

    class Meta:
        model = InstrumentIdentifier
        fields = ["scheme", "scheme_label", "value"]
        read_only_fields = fields


class InstrumentSerializer(ModelSerializer):
    """An instrument as a list shows it. Its topics, parties, relations and citations are read
    from the lists `InstrumentViewSet` sets on each row (`listed_<name>`)."""

    jurisdiction = JurisdictionRefSerializer(read_only=True)
    region = VocabularyField(
        Region.choices,
        source="jurisdiction.region",
        help_text="The issuing jurisdiction's region (UN M49).",
    )
    region_label = LabelField(Region.choices, source="jurisdiction.region")
    type = VocabularyField(InstrumentType.choices)
    type_label = LabelField(InstrumentType.choices, source="type")
    force = VocabularyField(
        Force.choices,
        read_only=True,
        label="Legal force",
        help_text="Legal force, from the type: binding (a binding law), pending (a draft bill: "
        "it binds only if enacted), voluntary (frameworks and declarations).",
    )
    force_label = LabelField(Force.choices, source="force")
    binding = serializers.BooleanField(
        read_only=True,
        label="Binding law",
        help_text="True for binding laws (`force` is `binding`).",
    )
    status = VocabularyField(InstrumentStatus.choices, help_text="The current status.")
    status_label = LabelField(InstrumentStatus.choices, source="status")
    status_since = PartialDateField(
        date="status_since",
        precision="status_since_precision",
        label="Status date",
        help_text="The date of the status change the current status rests on, at its precision; "
        "null for a status no dated step gives.",
    )
    status_since_precision = VocabularyField(DatePrecision.choices, default="")
    introduced_on = PartialDateField(label="Introduced")
    introduced_on_precision = VocabularyField(DatePrecision.choices)
    adopted_on = PartialDateField(label="Adopted")
    adopted_on_precision = VocabularyField(DatePrecision.choices)
    effective_on = PartialDateField(label="In effect from")
    effective_on_precision = VocabularyField(DatePrecision.choices)
    identifiers = IdentifierSerializer(
        many=True,
        read_only=True,
        source="listed_identifiers",
        label="Official identifiers",
        help_text="Its official identifiers (ELI, CELEX, law number…).",
    )
    topics = listed_keys("listed_topics", help_text="Slugs of its topics.")
    parties = listed_keys(
        "listed_parties", help_text="Codes of the jurisdictions that signed or endorsed it."
    )
    related = RelatedListField()
    citations = CitationRefSerializer(many=True, read_only=True, source="listed_citations")
    as_of = AsOfStatusSerializer(source="*", read_only=True, allow_null=True)
    url = RecordUrlField("api:instrument-detail", "slug")
    html_url = RecordUrlField("web:instrument-detail", "slug", label="Page")

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "title",
            "original_title",
            "short_name",
            "jurisdiction",
            "region",
            "region_label",
            "type",
            "type_label",
            "force",
            "force_label",
            "binding",
            "status",
            "status_label",
            "status_since",
            "status_since_precision",
            "introduced_on",
            "introduced_on_precision",
            "adopted_on",
            "adopted_on_precision",
            "effective_on",
            "effective_on_precision",
            "issuing_body",
            "identifiers",
            "summary",
            "topics",
            "parties",
            "related",
            "citations",
            "as_of",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"issuing_body": {"label": "Issued by"}}


class InstrumentDetailSerializer(InstrumentSerializer):
    """An instrument at its own address: the list's fields (`as_of` is null: a record is shown
    as it stands), then its status timeline oldest first, each step with its citations, and
    the events that concern it. Its identifiers are the list's, read the same way."""

    status_timeline = StatusStepSerializer(many=True, read_only=True, source="status_changes")
    events = related_keys("slug", help_text="Slugs of the events about it, newest first.")

    class Meta(InstrumentSerializer.Meta):
        fields = [*InstrumentSerializer.Meta.fields, "status_timeline", "events"]
        read_only_fields = fields


class InstrumentWriteSerializer(WriteSerializer):
    """An instrument. Its `status` can be written while it has no status timeline; once it
    has one, the status follows the latest change (`status-changes`), as in the admin."""

    jurisdiction = jurisdiction_key()
    topics = key_inputs("slug", Topic, required=False)
    parties = key_inputs("code", Jurisdiction, required=False)
    introduced_on = PartialDateInput()
    adopted_on = PartialDateInput()
    effective_on = PartialDateInput()

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "title",
            "original_title",
            "short_name",
            "jurisdiction",
            "type",
            "status",
            "introduced_on",
            "adopted_on",
            "effective_on",
            "issuing_body",
            "summary",
            "topics",
            "parties",
        ]

    def validate_status(self, value):
        instrument = self.instance
        if (
            instrument is not None
            and value != instrument.status
            and instrument.status_changes.exists()
        ):
            # The same value may come back unchanged in a record read and written back.
            raise ValidationError(
                "Follows the instrument's latest status change: record the change with a POST "
                "to its `status-changes`."
            )
        return value

    def after_save(self, instance):
        instrument_sync_status(instrument=instance)


class StatusChangeInput(StrictInput, serializers.Serializer):
    """A status change to record: the status the instrument moved to, and from when. A step
    back (a court stay, a suspension, a law restored) is `reversal: true`, with a note saying
    what happened."""

    status = serializers.ChoiceField(InstrumentStatus.choices)
    date = PartialDateInput(
        required=True, allow_null=False, help_text="From when (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=StatusChange._meta.get_field("note").max_length,
    )
    reversal = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A real step back that a source states; the note says what happened.",
    )


class StatusChangeCorrection(StatusChangeInput):
    """A correction of a recorded status change: the fields to change (PATCH)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class StatusStepInput(StatusChangeInput):
    """A step of the timeline an instrument is created with, and the citations that back it."""

    citations = CitationInput(many=True, required=False)


class InstrumentCreateSerializer(InstrumentWriteSerializer):
    """An instrument created in one request with its status timeline (`status_timeline`, each
    step with its `citations`) and its own `citations`: all checked together (the record, the
    whole timeline, every citation), then saved together, or nothing is. With a timeline, the
    status follows its latest step (`status` may be left out, or must say the same)."""

    status_timeline = StatusStepInput(many=True, required=False)
    citations = CitationInput(many=True, required=False)
    not_a_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="True to add it although a record with a nearly identical title exists.",
    )

    class Meta(InstrumentWriteSerializer.Meta):
        fields = [
            *InstrumentWriteSerializer.Meta.fields,
            "status_timeline",
            "citations",
            "not_a_duplicate",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs.pop("not_a_duplicate", False) and attrs.get("title"):
            request = self.context.get("request")
            found = similar_titles(
                Instrument,
                attrs["title"],
                exclude_revision=getattr(request, "_replaying_revision", None),
            )
            if found:
                raise ValidationError(
                    {
                        "title": [
                            similar_titles_message(
                                found, confirm='send it again with `"not_a_duplicate": true`'
                            )
                        ]
                    }
                )
        steps = attrs.get("status_timeline") or []
        if not steps:
            return attrs
        timeline = [
            Step(step["status"], step["date"], step.get("reversal", False), step.get("note", ""))
            for step in steps
        ]
        errors = timeline_errors(attrs.get("type", ""), timeline)
        if errors:
            # Each message names the step it concerns.
            messages = [message for field in errors.values() for message in field]
            raise ValidationError({"status_timeline": messages})
        current = current_status(timeline)
        if attrs.get("status") and attrs["status"] != current:
            raise ValidationError(
                {
                    "status": [
                        f"Follows the status timeline, whose latest step is “{current}”: leave "
                        "it out, or send the same."
                    ]
                }
            )
        attrs["status"] = current
        return attrs

    def create(self, validated_data):
        steps = validated_data.pop("status_timeline", None) or []
        citations = validated_data.pop("citations", None) or []
        instrument = super().create(validated_data)
        step_errors, refused = [], False
        for step in sorted(steps, key=lambda item: item["date"].date):
            change = StatusChange(
                instrument=instrument,
                status=step["status"],
                date=step["date"].date,
                date_precision=step["date"].precision,
                note=step.get("note", ""),
                reversal=step.get("reversal", False),
            )
            try:
                change.full_clean()
            except DjangoValidationError as error:
                step_errors.append(api_errors(error, TIMELINE_ERROR_NAMES))
                refused = True
                continue
            change.save()
            cited = create_citations("status_change", change, step.get("citations") or [])
            step_errors.append({"citations": cited} if cited else {})
            refused = refused or bool(cited)
        instrument_sync_status(instrument=instrument)
        cited = create_citations("instrument", instrument, citations)
        errors = {}
        if refused:
            # Reported in the order the steps were sent.
            order = sorted(range(len(steps)), key=lambda index: steps[index]["date"].date)
            by_position = [{}] * len(steps)
            for position, index in enumerate(order):
                by_position[index] = step_errors[position]
            errors["status_timeline"] = by_position
        if cited:
            errors["citations"] = cited
        if errors:
            raise BadInput(errors)
        return instrument


class InstrumentWritesMixin(ReviewedWritesMixin, EditorWritesMixin):
    write_serializer_class = InstrumentWriteSerializer
    create_serializer_class = InstrumentCreateSerializer
    timeline_inputs = {"status_changes": StatusChangeInput, "status_change": StatusChangeCorrection}
    read_only_hints = {
        "status_timeline": "Add a step with a POST to the instrument's `status-changes/`; "
        "correct or delete one at `status-changes/<date>/<status>/`.",
        "citations": "Add, change or delete its citations at /api/v1/citations/.",
    }

    def recorded_step(self, instrument):
        """The status change the URL names (`status-changes/<date>/<status>/`, the date as
        the timeline gives it), or 404."""
        try:
            when = PartialDate.parse(self.kwargs["step_date"])
        except ValueError:
            raise NotFound(
                f"“{self.kwargs['step_date']}” is not a date of the form YYYY, YYYY-MM or "
                "YYYY-MM-DD."
            ) from None
        change = instrument.status_changes.filter(
            date=when.date, date_precision=when.precision, status=self.kwargs["step_status"]
        ).first()
        if change is None:
            raise NotFound(
                f"{instrument.slug} has no status change to “{self.kwargs['step_status']}” "
                f"dated {when.isoformat()}: read its `status_timeline` for the steps it has."
            )
        return change

    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"status-changes/(?P<step_date>[0-9-]{4,10})/(?P<step_status>[a-z_]{1,16})",
    )
    def status_change(self, request, *args, **kwargs):
        """Correct (PATCH: any of `status`, `date`, `note`, `reversal`) or delete (DELETE) one
        recorded status change, named by its date as the timeline gives it and its status
        (`If-Match`: the instrument's `ETag`). The whole timeline as it would be is checked
        first; the instrument's `status` follows its latest step. Answers 200 with the
        instrument as it now reads, and its new `ETag`."""

        def write(instrument):
            change = self.recorded_step(instrument)
            if request.method == "DELETE":
                with model_errors(TIMELINE_ERROR_NAMES):
                    instrument_delete_status_change(change=change)
                return None
            values = validated(self.input_serializer(data=request.data))
            if "date" in values:
                when = values.pop("date")
                values.update(date=when.date, date_precision=when.precision)
            with model_errors(TIMELINE_ERROR_NAMES):
                instrument_correct_status_change(change=change, **values)
            return None

        return self.conditional_write(write)

    @action(detail=True, methods=["post"], url_path="status-changes")
    def status_changes(self, request, *args, **kwargs):
        """Record a status change (`If-Match`: the instrument's `ETag`); the instrument's
        `status` follows its latest one. Answers 201 with the instrument as it now reads, and
        its new `ETag`."""

        def write(instrument):
            step = validated(self.input_serializer(data=request.data))
            with model_errors(TIMELINE_ERROR_NAMES):
                instrument_change_status(
                    instrument=instrument,
                    status=step["status"],
                    date=step["date"].date,
                    date_precision=step["date"].precision,
                    note=step.get("note", ""),
                )

        return self.timeline_write(write)


@known_at_schema(InstrumentDetailSerializer, as_of=AS_OF_WITH_KNOWN_AT["instrument"])
class InstrumentViewSet(KnownAtMixin, InstrumentWritesMixin, RecordViewSet):
    """Laws, voluntary frameworks, draft bills and declarations, by jurisdiction and title,
    each with its citations. With `as_of` (YYYY-MM-DD) the list is as it stood that day, and
    each row's `as_of` says its status then.

    An instrument's own address (`/api/v1/instruments/<slug>/`) adds its status timeline with
    the citations of each step, its official identifiers and the events about it. With
    `known_at` (YYYY-MM-DD) it answers the instrument as the tracker stated it at the end of
    that day, and with `as_of` beside it, its status on that day by the timeline then recorded.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    # Not `for_listing`: its prefetches fill the related managers the HTML templates read,
    # while the API reads these lists, set on each page or CSV chunk (`RelatedValues`).
    queryset = Instrument.objects.select_related("jurisdiction").order_by(
        "jurisdiction__name", "title", "pk"
    )
    related_values = {
        "listed_identifiers": RelatedValues(
            "identifiers", {"scheme": "scheme", "value": "value"}, order=("scheme", "value")
        ),
        "listed_topics": RelatedValues("topics", "slug", order=("name", "pk")),
        "listed_parties": RelatedValues("parties", "code", order=("name", "pk")),
        "listed_relations_out": RelatedValues(
            "relations_out", {"kind": "kind", "slug": "to_instrument__slug"}
        ),
        "listed_relations_in": RelatedValues(
            "relations_in", {"kind": "kind", "slug": "from_instrument__slug"}
        ),
        "listed_citations": RelatedValues(
            "citations",
            {"source_title": "source__title", "quote": "quote", "locator": "locator"},
            order=("source__title", "pk"),
        ),
    }
    # Not the stored dates `as_of` filters on, nor the jurisdiction's description.
    listed_columns = (
        "slug", "title", "original_title", "short_name", "type", "status", "status_since",
        "status_since_precision", "introduced_on", "introduced_on_precision", "adopted_on",
        "adopted_on_precision", "effective_on", "effective_on_precision", "issuing_body",
        "summary", "updated_at", "jurisdiction__code", "jurisdiction__name",
        "jurisdiction__region",
    )  # fmt: skip
    serializer_class = InstrumentSerializer
    detail_serializer_class = InstrumentDetailSerializer
    filterset_class = InstrumentFilterSet
    lookup_field = "slug"
    csv_filename = "instruments.csv"
    known_at_as_of = True

    def record_then(self, key, day, as_of):
        return instrument_then(key, day, as_of=as_of)

    def get_detail_queryset(self):
        return (
            super()
            .get_detail_queryset()
            .prefetch_related(
                Prefetch("status_changes", queryset=StatusChange.objects.chronological()),
                citations_prefetch("status_changes__"),
                events_prefetch(),
            )
        )
