"""The instruments, events, actors, topics, sources and citations of the API.

Every resource is a list (filtered by the FilterSet in `instruments.filters`, paged JSON or a
CSV download) and a record at `<list>/<slug>/` (a citation at `citations/<id>/`), which
editors write (`instruments.api.writes`)."""

from django.db.models import Prefetch

from instruments.api.serializers import (
    ActorDetailSerializer,
    ActorSerializer,
    CitationSerializer,
    EventDetailSerializer,
    EventSerializer,
    InstrumentDetailSerializer,
    InstrumentSerializer,
    SourceDetailSerializer,
    SourceSerializer,
    TopicDetailSerializer,
    TopicSerializer,
)
from instruments.api.writes import (
    ActorWritesMixin,
    CitationWritesMixin,
    EventWritesMixin,
    InstrumentWritesMixin,
    SourceWritesMixin,
    TopicWritesMixin,
)
from instruments.filters import (
    ActorFilterSet,
    CitationFilterSet,
    EventFilterSet,
    InstrumentFilterSet,
    SourceFilterSet,
    TopicFilterSet,
)
from instruments.models import Actor, Citation, Event, Instrument, Source, StatusChange, Topic
from instruments.models.citations import CITED_RECORDS
from jurisdictions.api.views import (
    RecordViewSet,
    RelatedValues,
    citations_prefetch,
)


def _events():
    return Prefetch("events", queryset=Event.objects.chronological())


class InstrumentViewSet(InstrumentWritesMixin, RecordViewSet):
    """Laws, voluntary frameworks, draft bills and declarations, by jurisdiction and title,
    each with its citations. With `as_of` (YYYY-MM-DD) the list is as it stood that day, and
    each row's `as_of` says its status then.

    An instrument's own address (`/api/v1/instruments/<slug>/`) adds its status timeline with
    the citations of each step, its official identifiers and the events about it.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    # Not `for_listing`: its prefetches fill the related managers the HTML templates read,
    # while the API reads these lists, set on each page or CSV chunk (`RelatedValues`).
    queryset = Instrument.objects.select_related("jurisdiction").order_by(
        "jurisdiction__name", "title", "pk"
    )
    related_values = {
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
    serializer_class = InstrumentSerializer
    detail_serializer_class = InstrumentDetailSerializer
    filterset_class = InstrumentFilterSet
    lookup_field = "slug"
    csv_filename = "instruments.csv"

    def get_detail_queryset(self):
        return (
            super()
            .get_detail_queryset()
            .prefetch_related(
                Prefetch("status_changes", queryset=StatusChange.objects.chronological()),
                citations_prefetch("status_changes__"),
                "identifiers",
                _events(),
            )
        )


class EventViewSet(EventWritesMixin, RecordViewSet):
    """Summits, statements, proposals and proposed bans, newest first (undated last).

    An event's own address (`/api/v1/events/<slug>/`) adds the date of the report it is known
    from and the citations of its fields.

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

    def get_detail_queryset(self):
        return super().get_detail_queryset().prefetch_related(citations_prefetch())


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
        return super().get_detail_queryset().prefetch_related(_events(), citations_prefetch())


class TopicViewSet(TopicWritesMixin, RecordViewSet):
    """The obligations and themes instruments are filed under, by name.

    A topic's own address (`/api/v1/topics/<slug>/`) adds the instruments filed under it.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `format=csv` downloads every matching row."""

    queryset = Topic.objects.order_by("name", "pk")
    serializer_class = TopicSerializer
    detail_serializer_class = TopicDetailSerializer
    filterset_class = TopicFilterSet
    lookup_field = "slug"
    csv_filename = "topics.csv"

    def get_detail_queryset(self):
        return (
            super()
            .get_detail_queryset()
            .prefetch_related(
                Prefetch("instruments", queryset=Instrument.objects.order_by("title", "pk"))
            )
        )


class SourceViewSet(SourceWritesMixin, RecordViewSet):
    """Every source the tracker cites, by title, with how many citations it has and how many
    records they back.

    A source's own address (`/api/v1/sources/<slug>/`) adds `citations_url`, the citations
    list filtered by the source.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    queryset = Source.objects.with_counts(CITED_RECORDS).order_by("title", "pk")
    serializer_class = SourceSerializer
    detail_serializer_class = SourceDetailSerializer
    filterset_class = SourceFilterSet
    lookup_field = "slug"
    csv_filename = "sources.csv"


class CitationViewSet(CitationWritesMixin, RecordViewSet):
    """Every quote the tracker rests on, by source title, each with the record it backs.

    A citation has no slug or code: its address (`url`, `/api/v1/citations/<id>/`) is built
    on its primary key, which holds as long as the database does (not across a fresh load of
    the data), and is there for editors to change or delete it. Read the citations of a
    record on the record itself (`citations`, and each step of a timeline), or find them here
    with `source`
    (a source's slug), `record` (the kind of record backed: jurisdiction, instrument, event,
    actor, status_change, approach_assessment; repeatable) and `q` (full-text search of the
    quotes and notes). `updated_since` reads `updated_at`, which for a citation comes from its
    change history.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    queryset = Citation.objects.for_listing().order_by("source__title", "pk")
    serializer_class = CitationSerializer
    filterset_class = CitationFilterSet
    lookup_field = "id"
    csv_filename = "citations.csv"
