"""Events in the API: summits, statements, proposals and proposed bans."""

from instruments.filters import (
    EventFilterSet,
)
from instruments.known_at import event_then
from instruments.models import (
    Actor,
    Event,
    Instrument,
    citations_prefetch,
)
from instruments.vocabulary import (
    EventKind,
)
from jurisdictions.models import Jurisdiction
from policytracker.api.citations import cited_create_serializer
from policytracker.api.known_at import KnownAtMixin, known_at_schema
from policytracker.api.references import (
    CitationRefSerializer,
    JurisdictionRefSerializer,
    jurisdiction_key,
    key_inputs,
    listed_keys,
)
from policytracker.api.reviews import ReviewedWritesMixin
from policytracker.core.api.fields import (
    LabelField,
    PartialDateField,
    RecordUrlField,
    VocabularyField,
)
from policytracker.core.api.serializers import ModelSerializer
from policytracker.core.api.views import RecordViewSet, RelatedValues
from policytracker.core.api.writes import (
    EditorWritesMixin,
    PartialDateInput,
    WriteSerializer,
)
from policytracker.core.dates import DatePrecision


class EventSerializer(ModelSerializer):
    kind = VocabularyField(EventKind.choices)
    kind_label = LabelField(EventKind.choices, source="kind")
    date = PartialDateField()
    date_precision = VocabularyField(DatePrecision.choices)
    host = JurisdictionRefSerializer(read_only=True, allow_null=True)
    co_hosts = listed_keys("listed_co_hosts", help_text="Codes of the co-hosts.")
    participants = listed_keys("listed_participants", help_text="Codes of the participants.")
    actors = listed_keys("listed_actors", help_text="Slugs of the actors involved.")
    instruments = listed_keys("listed_instruments", help_text="Slugs of the instruments concerned.")
    url = RecordUrlField("api:event-detail", "slug")
    html_url = RecordUrlField("web:event-detail", "slug", label="Page")

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
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class EventDetailSerializer(EventSerializer):
    """An event at its own address: the list's fields, then the date of the report it is
    known from and the citations of its fields."""

    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "reported_on", "citations"]
        read_only_fields = fields


class EventWriteSerializer(WriteSerializer):
    date = PartialDateInput()
    host = jurisdiction_key(required=False, allow_null=True)
    co_hosts = key_inputs("code", Jurisdiction, required=False)
    participants = key_inputs("code", Jurisdiction, required=False)
    actors = key_inputs("slug", Actor, required=False)
    instruments = key_inputs("slug", Instrument, required=False)

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "kind",
            "date",
            "reported_on",
            "location",
            "host",
            "co_hosts",
            "participants",
            "actors",
            "instruments",
            "summary",
        ]


class EventWritesMixin(ReviewedWritesMixin, EditorWritesMixin):
    write_serializer_class = EventWriteSerializer
    create_serializer_class = cited_create_serializer(EventWriteSerializer, "event")


@known_at_schema(EventDetailSerializer)
class EventViewSet(KnownAtMixin, EventWritesMixin, RecordViewSet):
    """Summits, statements, proposals and proposed bans, newest first (undated last).

    An event's own address (`/api/v1/events/<slug>/`) adds the date of the report it is known
    from and the citations of its fields. With `known_at` (YYYY-MM-DD) it answers the event as
    the tracker stated it at the end of that day.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    # Not `for_listing`, for the reason given on `InstrumentViewSet.queryset`.
    queryset = Event.objects.select_related("host").chronological()
    related_values = {
        "listed_co_hosts": RelatedValues("co_hosts", "code", order=("name", "pk")),
        "listed_participants": RelatedValues("participants", "code", order=("name", "pk")),
        "listed_actors": RelatedValues("actors", "slug", order=("name", "pk")),
        "listed_instruments": RelatedValues("instruments", "slug", order=("title", "pk")),
    }
    serializer_class = EventSerializer
    detail_serializer_class = EventDetailSerializer
    filterset_class = EventFilterSet
    lookup_field = "slug"
    csv_filename = "events.csv"

    def record_then(self, key, day, as_of):
        return event_then(key, day)

    def get_detail_queryset(self):
        return super().get_detail_queryset().prefetch_related(citations_prefetch())
