"""How instruments and events read in the API (see `jurisdictions.api.serializers` for the
conventions every serializer follows)."""

from rest_framework import serializers

from instruments.models import Citation, Event, Instrument
from instruments.vocabulary import EventKind, InstrumentStatus, InstrumentType
from jurisdictions.api.serializers import (
    HtmlUrlField,
    JurisdictionRefSerializer,
    LabelField,
    PartialDateField,
    VocabularyField,
)
from jurisdictions.dates import DatePrecision


class CitationSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.title", read_only=True)

    class Meta:
        model = Citation
        fields = ["source", "quote", "locator"]
        read_only_fields = fields


class RelatedSerializer(serializers.Serializer):
    """One relation seen from the instrument listed: `out` reads "this <kind> slug", `in`
    reads "slug <kind> this"."""

    kind = serializers.CharField(read_only=True)
    direction = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class RelatedListField(serializers.ListField):
    """The instrument's relations to others in both directions, outgoing first, then by kind
    and slug."""

    def __init__(self, **kwargs):
        kwargs.update(child=RelatedSerializer(), source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        relations = [
            {"kind": relation.kind, "direction": "out", "slug": relation.to_instrument.slug}
            for relation in instance.listed_relations_out
        ] + [
            {"kind": relation.kind, "direction": "in", "slug": relation.from_instrument.slug}
            for relation in instance.listed_relations_in
        ]
        relations.sort(key=lambda item: (item["direction"] != "out", item["kind"], item["slug"]))
        return super().to_representation(relations)


class AsOfStatusSerializer(serializers.Serializer):
    """The instrument's status on the `as_of` day of the list; null when the list was not
    asked `as_of` (the key is always there, so CSV columns do not depend on the query)."""

    date = serializers.SerializerMethodField(help_text="The `as_of` day asked.")
    status = VocabularyField(InstrumentStatus.choices, source="as_of_status")
    status_label = LabelField(InstrumentStatus.choices, source="as_of_status")
    since = PartialDateField(
        date="as_of_status_on",
        precision="as_of_status_precision",
        help_text="Date of the status change the status rests on; null for an undated status.",
    )
    since_precision = VocabularyField(DatePrecision.choices, source="as_of_status_precision")
    partial = serializers.BooleanField(
        source="as_of_partial",
        read_only=True,
        help_text="True when the answer rests on a date known only to the month or year.",
    )

    def get_date(self, instance):
        return self.context["as_of"].isoformat()

    def to_representation(self, instance):
        if self.context.get("as_of") is None:
            return None
        return super().to_representation(instance)


class InstrumentSerializer(serializers.ModelSerializer):
    """An instrument as a list shows it. Its relations and citations are read from the lists
    `InstrumentViewSet` prefetches into `listed_relations_out`, `listed_relations_in` and
    `listed_citations`; plain lists skip the per-row querysets a related manager would build,
    which is most of the cost of a large CSV download."""

    jurisdiction = JurisdictionRefSerializer(read_only=True)
    type = VocabularyField(InstrumentType.choices)
    type_label = LabelField(InstrumentType.choices, source="type")
    binding = serializers.BooleanField(
        read_only=True, help_text="True for binding laws and draft bills."
    )
    status = VocabularyField(InstrumentStatus.choices, help_text="The current status.")
    status_label = LabelField(InstrumentStatus.choices, source="status")
    introduced_on = PartialDateField()
    introduced_on_precision = VocabularyField(DatePrecision.choices)
    adopted_on = PartialDateField()
    adopted_on_precision = VocabularyField(DatePrecision.choices)
    effective_on = PartialDateField()
    effective_on_precision = VocabularyField(DatePrecision.choices)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    parties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    related = RelatedListField()
    citations = CitationSerializer(many=True, read_only=True, source="listed_citations")
    as_of = AsOfStatusSerializer(source="*", read_only=True, allow_null=True)
    html_url = HtmlUrlField("instruments:instrument-detail", "slug")

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "title",
            "original_title",
            "short_name",
            "jurisdiction",
            "type",
            "type_label",
            "binding",
            "status",
            "status_label",
            "introduced_on",
            "introduced_on_precision",
            "adopted_on",
            "adopted_on_precision",
            "effective_on",
            "effective_on_precision",
            "issuing_body",
            "summary",
            "topics",
            "parties",
            "related",
            "citations",
            "as_of",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    kind = VocabularyField(EventKind.choices)
    kind_label = LabelField(EventKind.choices, source="kind")
    date = PartialDateField()
    date_precision = VocabularyField(DatePrecision.choices)
    host = JurisdictionRefSerializer(read_only=True, allow_null=True)
    co_hosts = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    participants = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    actors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    instruments = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    html_url = HtmlUrlField("instruments:event-detail", "slug")

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "kind",
            "kind_label",
            "date",
            "date_precision",
            "location",
            "host",
            "co_hosts",
            "participants",
            "actors",
            "instruments",
            "summary",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields
