"""The instruments and events lists of the API."""

from django.db.models import Prefetch

from instruments.api.serializers import EventSerializer, InstrumentSerializer
from instruments.filters import EventFilterSet, InstrumentFilterSet
from instruments.models import Citation, Event, Instrument, InstrumentRelation
from jurisdictions.api.views import ListViewSet


class InstrumentViewSet(ListViewSet):
    """Laws, voluntary frameworks, draft bills and declarations, by jurisdiction and title,
    each with its citations. With `as_of` (YYYY-MM-DD) the list is as it stood that day, and
    each row's `as_of` says its status then.

    The filters are those of the instruments page (the Filters button lists them); a bad
    value or a misspelt parameter answers 400 naming it. `format=csv` downloads every matching
    row."""

    # Relations and citations are shown by the API only, so they are prefetched here rather
    # than in `for_listing`, which the HTML lists share; `InstrumentSerializer` reads them from
    # these `to_attr` lists.
    queryset = (
        Instrument.objects.for_listing()
        .prefetch_related(
            Prefetch(
                "relations_out",
                queryset=InstrumentRelation.objects.select_related("to_instrument"),
                to_attr="listed_relations_out",
            ),
            Prefetch(
                "relations_in",
                queryset=InstrumentRelation.objects.select_related("from_instrument"),
                to_attr="listed_relations_in",
            ),
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source"),
                to_attr="listed_citations",
            ),
        )
        .order_by("jurisdiction__name", "title", "pk")
    )
    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilterSet
    csv_filename = "instruments.csv"


class EventViewSet(ListViewSet):
    """Summits, statements, proposals and proposed bans, newest first (undated last).

    The filters are those of the events page (the Filters button lists them); a bad value or a
    misspelt parameter answers 400 naming it. `format=csv` downloads every matching row."""

    queryset = Event.objects.for_listing().chronological()
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    csv_filename = "events.csv"
