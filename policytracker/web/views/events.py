from itertools import groupby

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from instruments.filters import EventFilterSet
from instruments.history import record_changes
from instruments.known_at import event_then
from instruments.models import Event
from instruments.vocabulary import EventKind
from policytracker.web.events_chart import EVENT_STYLES, build_events_chart
from policytracker.web.views.base import FacetedListView, provenance
from policytracker.web.views.known_at import KnownAtMixin

# Orderings under which the rows come in date order, so year headings make sense.
_DATE_ORDERINGS = {"", "date", "-date"}


def _kind_style(kind):
    return EVENT_STYLES.get(kind, EVENT_STYLES[EventKind.OTHER])


def _groups(events, *, by_year):
    """[(year or None, [event, …]), …] in the order of `events`; the undated ones come last
    under the default ordering, under None. One group when the rows are not in date order.
    Each event gets `mark_style`, the shape it has on the chart."""
    events = list(events)
    for event in events:
        event.mark_style = _kind_style(event.kind)
    if not by_year:
        return [(None, events)]
    return [
        (year, list(rows))
        for year, rows in groupby(events, key=lambda event: event.date.year if event.date else None)
    ]


class EventListView(FacetedListView):
    """`/events/`: the events newest first, grouped by year, under a timeline of the filtered
    events and the instrument milestones around them; the API's query string."""

    model = Event
    filterset_class = EventFilterSet
    api_list_name = "api:event-list"
    feed_url_name = "web:event-feed-list"
    template_name = "web/event_list.html"

    def get_queryset(self):
        queryset = self.filterset.qs
        if not self.filterset.form.cleaned_data.get("ordering"):
            queryset = queryset.chronological()
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ordering = self.filterset.form.cleaned_data.get("ordering") or [""]
        by_year = ordering[0] in _DATE_ORDERINGS
        context.update(
            breadcrumbs=[{"label": "Events", "url": None}],
            groups=_groups(context["object_list"], by_year=by_year),
            by_year=by_year,
            # Milestones alone, under "no event matches", would read as results.
            timeline=build_events_chart(
                self.filterset.qs, self.filterset.form.cleaned_data, today=timezone.localdate()
            )
            if context["paginator"].count
            else None,
        )
        return context


class EventDetailView(KnownAtMixin, DetailView):
    """`/events/<slug>/`: every field at its precision, each with the quotes behind it, and
    "not stated" where no source states it. `?known_at=YYYY-MM-DD`: as the tracker published
    it at the end of that day."""

    model = Event
    template_name = "web/event_detail.html"
    context_object_name = "event"
    record_noun = "event"

    def get_object(self, queryset=None):
        return get_object_or_404(Event.objects.for_page(), slug=self.kwargs["slug"])

    def record_then(self, day, as_of):
        return event_then(self.kwargs["slug"], day)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        context.update(
            provenance=provenance(event.citations.all()),
            kind_style=_kind_style(event.kind),
            history=record_changes(self.history_record()),
            breadcrumbs=[
                {"label": "Events", "url": reverse("web:event-list")},
                {"label": event.title, "url": None},
            ],
        )
        return context
