"""Sources in the API: every source the tracker cites, with its citation and record counts."""

from rest_framework import serializers

from instruments.filters import (
    SourceFilterSet,
)
from instruments.known_at import source_then
from instruments.models import (
    CITED_RECORDS,
    Source,
)
from instruments.vocabulary import (
    SourceKind,
)
from policytracker.api.known_at import KnownAtMixin, known_at_schema
from policytracker.api.reviews import ReviewedWritesMixin
from policytracker.core.api.fields import (
    LabelField,
    RecordUrlField,
    VocabularyField,
)
from policytracker.core.api.serializers import ModelSerializer
from policytracker.core.api.views import RecordViewSet
from policytracker.core.api.writes import (
    EditorWritesMixin,
    WriteSerializer,
)


class SourceSerializer(ModelSerializer):
    """A source the tracker cites, with how often and for how many records.
    `external_url` is where the source itself is published (the model's `url`: in the API
    `url` is always the record's own address)."""

    external_url = serializers.CharField(
        source="url", read_only=True, help_text="Address of the source; empty if it gives none."
    )
    kind = VocabularyField(SourceKind.choices)
    kind_label = LabelField(SourceKind.choices, source="kind")
    citation_count = serializers.IntegerField(read_only=True, help_text="Its citations.")
    record_count = serializers.IntegerField(
        read_only=True, help_text="The distinct records those citations back."
    )
    url = RecordUrlField("api:source-detail", "slug")
    html_url = RecordUrlField("web:source-detail", "slug", label="Page")

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "author",
            "publisher",
            "external_url",
            "published_on",
            "kind",
            "kind_label",
            "citation_count",
            "record_count",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class SourceDetailSerializer(SourceSerializer):
    """A source at its own address: the list's fields, then the address of its citations
    (the citations list filtered by it)."""

    citations_url = RecordUrlField("api:citation-list", "slug", parameter="source")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "citations_url"]
        read_only_fields = fields


class SourceRefSerializer(ModelSerializer):
    """A source where a citation names it: slug and title."""

    class Meta:
        model = Source
        fields = ["slug", "title"]
        read_only_fields = fields


class SourceWriteSerializer(WriteSerializer):
    # Reads name the source's own address `external_url`: `url` is its address in the API.
    external_url = serializers.URLField(
        source="url",
        required=False,
        allow_blank=True,
        max_length=Source._meta.get_field("url").max_length,
    )

    class Meta:
        model = Source
        fields = ["slug", "title", "author", "publisher", "external_url", "published_on", "kind"]


class SourceWritesMixin(ReviewedWritesMixin, EditorWritesMixin):
    write_serializer_class = SourceWriteSerializer
    read_only_hints = {
        "url": "The source's own address is `external_url`; `url` is its address in this API."
    }


@known_at_schema(SourceDetailSerializer)
class SourceViewSet(KnownAtMixin, SourceWritesMixin, RecordViewSet):
    """Every source the tracker cites, by title, with how many citations it has and how many
    records they back.

    A source's own address (`/api/v1/sources/<slug>/`) adds `citations_url`, the citations
    list filtered by the source. With `known_at` (YYYY-MM-DD) it answers the source as the
    tracker stated it at the end of that day, its counts those of the citations it then had.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    queryset = Source.objects.with_counts(CITED_RECORDS).by_title()
    serializer_class = SourceSerializer
    detail_serializer_class = SourceDetailSerializer
    filterset_class = SourceFilterSet
    lookup_field = "slug"
    csv_filename = "sources.csv"

    def record_then(self, key, day, as_of):
        return source_then(key, day)
