"""Actors in the API: the people and organisations that take part in events."""

from instruments.filters import (
    ActorFilterSet,
)
from instruments.models import (
    Actor,
    citations_prefetch,
    events_prefetch,
)
from instruments.vocabulary import (
    ActorKind,
)
from policytracker.api.citations import cited_create_serializer
from policytracker.api.references import (
    CitationRefSerializer,
    JurisdictionRefSerializer,
    PageUrlField,
    jurisdiction_key,
    related_keys,
)
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


class ActorSerializer(ModelSerializer):
    """A person or organisation. Actors have no page of their own: `html_url` is their
    jurisdiction's page, which lists them (null without a jurisdiction)."""

    kind = VocabularyField(ActorKind.choices)
    kind_label = LabelField(ActorKind.choices, source="kind")
    jurisdiction = JurisdictionRefSerializer(read_only=True, allow_null=True)
    url = RecordUrlField("api:actor-detail", "slug")
    html_url = PageUrlField()

    class Meta:
        model = Actor
        fields = [
            "slug",
            "name",
            "kind",
            "kind_label",
            "role",
            "jurisdiction",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class ActorDetailSerializer(ActorSerializer):
    """An actor at its own address: the list's fields, then the events it took part in,
    newest first, and the citations of its fields."""

    events = related_keys("slug", help_text="Slugs of its events, newest first.")
    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "events", "citations"]
        read_only_fields = fields


class ActorWriteSerializer(WriteSerializer):
    jurisdiction = jurisdiction_key(required=False, allow_null=True)

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "role", "jurisdiction"]


class ActorWritesMixin(ReviewedWritesMixin, EditorWritesMixin):
    write_serializer_class = ActorWriteSerializer
    create_serializer_class = cited_create_serializer(ActorWriteSerializer, "actor")


class ActorViewSet(ActorWritesMixin, RecordViewSet):
    """People and organisations that take part in events, by name.

    An actor's own address (`/api/v1/actors/<slug>/`) adds the events it took part in and the
    citations of its fields.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    queryset = Actor.objects.for_listing().order_by("name", "pk")
    serializer_class = ActorSerializer
    detail_serializer_class = ActorDetailSerializer
    filterset_class = ActorFilterSet
    lookup_field = "slug"
    csv_filename = "actors.csv"

    def get_detail_queryset(self):
        return (
            super().get_detail_queryset().prefetch_related(events_prefetch(), citations_prefetch())
        )
