import re
from itertools import groupby

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.generic import DetailView

from instruments.coverage import recorded_counts
from instruments.filters import JurisdictionLawFilterSet
from instruments.history import record_changes
from instruments.known_at import (
    jurisdiction_events_then,
    jurisdiction_instruments_then,
    jurisdiction_subdivisions_then,
    jurisdiction_then,
    long_date,
    records_then,
)
from instruments.models import Actor, Event, Instrument, citations_prefetch
from instruments.querysets import jurisdictions_bound_by_law, with_instrument_counts
from instruments.vocabulary import FORCE_OF_TYPE, Force
from jurisdictions.models import Jurisdiction
from jurisdictions.vocabulary import COVERAGE_CATEGORIES, Region
from policytracker.core.facet_cache import read_rows_through
from policytracker.web.views.base import FacetedListView, Provenance, provenance
from policytracker.web.views.known_at import KnownAtMixin


class JurisdictionListView(FacetedListView):
    """`/jurisdictions/`: every jurisdiction grouped by region, with its approach (as of a day
    when asked) and how many binding and voluntary instruments it issued."""

    model = Jurisdiction
    filterset_class = JurisdictionLawFilterSet
    api_list_name = "api:jurisdiction-list"
    feed_url_name = "web:jurisdiction-feed-list"
    template_name = "web/jurisdiction_list.html"
    paginate_by = 100
    default_ordering = ("region", "name")

    def get_queryset(self):
        return with_instrument_counts(super().get_queryset(), self.filterset.as_of)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        order = {value: index for index, value in enumerate(Region.values)}
        if self.filterset.form.cleaned_data.get("ordering"):
            # Sorted by a column: one table in that order, each row saying its region.
            context["sorted"] = True
            context["regions"] = [{"label": "Sorted by the column marked ▲ or ▼", "rows": rows}]
        else:
            context["regions"] = [
                {"label": Region(region).label if region in order else region, "rows": list(group)}
                for region, group in groupby(rows, key=lambda jurisdiction: jurisdiction.region)
            ]
        context["breadcrumbs"] = [{"label": "Jurisdictions", "url": None}]
        return context


class JurisdictionDetailView(KnownAtMixin, DetailView):
    """`/jurisdictions/<code>/`: approach with its quote and timeline, memberships, instruments
    grouped binding / voluntary (its own and the multilateral texts it is a party to), events it
    hosted or joined, actors, every field with its citations, and the public edit history.
    `?known_at=YYYY-MM-DD`: as the tracker published it at the end of that day, with `as_of`
    its approach (and its laws in force) on that day by what was then recorded."""

    model = Jurisdiction
    template_name = "web/jurisdiction_detail.html"
    context_object_name = "jurisdiction"
    record_noun = "jurisdiction"
    combines_as_of = True
    answer_kind = "approach"

    def record_then(self, day, as_of):
        return jurisdiction_then(self.kwargs["code"], day, as_of=as_of)

    def known_at_answer(self):
        return self.then.extras.get("approach_on") if self.then.as_of else None

    def get_object(self, queryset=None):
        jurisdictions = Jurisdiction.objects.for_page().prefetch_related(
            citations_prefetch(),
            citations_prefetch("approach_assessments__"),
            citations_prefetch("coverage_reviews__"),
            Prefetch("actors", queryset=Actor.objects.order_by("name")),
        )
        return get_object_or_404(jurisdictions, code=self.kwargs["code"].upper())

    def get(self, request, *args, **kwargs):
        code = self.kwargs["code"]
        if code != code.upper():
            # One address per record: /jurisdictions/cn/ is /jurisdictions/CN/ (with the same
            # query string: `?known_at=` names a version of it).
            address = reverse("web:jurisdiction-detail", kwargs={"code": code.upper()})
            query = request.GET.urlencode()
            return redirect(f"{address}?{query}" if query else address, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jurisdiction = self.object
        record = provenance(jurisdiction.citations.all())
        number = len(record.citations) + 1
        reviews = list(jurisdiction.coverage_reviews.all())
        review = reviews[0] if reviews else None
        review_provenance = provenance(review.citations.all(), start=number) if review else None
        if review_provenance:
            number += len(review_provenance.citations)
        assessments = []
        for assessment in jurisdiction.approach_assessments.all():
            cited = provenance(assessment.citations.all(), start=number)
            number += len(cited.citations)
            assessments.append({"assessment": assessment, "provenance": cited})
        every_citation = (
            record.citations
            + [cited for item in assessments for cited in item["provenance"].citations]
            + (review_provenance.citations if review_provenance else [])
        )
        listed = self.listed_now() if self.then is None else self.listed_then()
        current = assessments[0] if assessments else None
        if self.then is not None and self.then.as_of is not None:
            # The approach on the `as_of` day, by the timeline as then recorded.
            held = self.then.extras["approach_on"].assessment
            current = next((item for item in assessments if item["assessment"] is held), None)
        context.update(
            review=review,
            earlier_reviews=reviews[1:],
            review_provenance=review_provenance,
            coverage_rows=_coverage_rows(jurisdiction, review, review_provenance, then=self.then),
            provenance=record,
            assessments=assessments,
            current=current,
            shown=SHOWN,
            all_provenance=Provenance(citations=every_citation),
            history=record_changes(self.history_record()),
            **listed,
            breadcrumbs=[
                {"label": "Jurisdictions", "url": reverse("web:jurisdiction-list")},
                {"label": jurisdiction.name, "url": None},
            ],
        )
        return context

    def listed_now(self):
        """What the page lists besides the record, as the tracker holds it today: its
        instruments by legal force, its events, its sub-national jurisdictions with theirs,
        and whether AI is bound by law there today (`law_when`)."""
        jurisdiction = self.object
        counts = _instrument_counts(jurisdiction)
        groups = {
            force: _instrument_group(jurisdiction, force, *counts[force]) for force in Force.values
        }
        # Each way of taking part read on its own (an index each), not one join of all three
        # made distinct.
        co_hosted = Event.co_hosts.through.objects.filter(jurisdiction=jurisdiction)
        joined = Event.participants.through.objects.filter(jurisdiction=jurisdiction)
        events = Event.objects.filter(
            Q(host=jurisdiction)
            | Q(pk__in=co_hosted.values("event"))
            | Q(pk__in=joined.values("event"))
        )
        event_count = events.count()
        events = list(events.select_related("host").chronological()[:SHOWN])
        for event in events:
            event.hosted_here = event.host_id == jurisdiction.pk
        today = timezone.localdate()
        subdivisions, subnational = [], []
        if jurisdiction.subdivisions.all():  # prefetched: no query for a jurisdiction without
            subdivisions = read_rows_through(
                jurisdictions_bound_by_law(today, counts=True)
                .filter(parent=jurisdiction)
                .order_by("name")
            )
            # The first of each one's instruments, by title; its own page lists the rest.
            first = Instrument.objects.first_by_title(
                [subdivision.pk for subdivision in jurisdiction.subdivisions.all()], SHOWN
            )
            subnational = list(
                Instrument.objects.for_listing()
                .filter(pk__in=first)
                .order_by("jurisdiction__name", "title", "pk")
            )
        return {
            "bound_by_law": read_rows_through(
                jurisdictions_bound_by_law(today).filter(pk=jurisdiction.pk)
            )[0],
            "law_when": "today",
            "subdivisions": [
                {
                    "jurisdiction": subdivision,
                    "instruments": [i for i in subnational if i.jurisdiction_id == subdivision.pk],
                    "total": subdivision.binding_count
                    + subdivision.pending_count
                    + subdivision.voluntary_count,
                }
                for subdivision in subdivisions
            ],
            "binding": groups[Force.BINDING],
            "pending": groups[Force.PENDING],
            "voluntary": groups[Force.VOLUNTARY],
            "events": events,
            "event_count": event_count,
        }

    def listed_then(self):
        """The same as the tracker published it at the end of the `known_at` day: whether AI
        was bound by law there is read on the `as_of` day when given (`law_when`)."""
        jurisdiction = self.object
        groups = {
            force: _group(jurisdiction, force, group["items"], group["own"], group["party"])
            for force, group in jurisdiction_instruments_then(self.then).items()
        }
        events, event_count = jurisdiction_events_then(self.then)
        return {
            "bound_by_law": jurisdiction,
            "law_when": f"on {long_date(self.then.as_of or self.then.day)}",
            "subdivisions": jurisdiction_subdivisions_then(self.then),
            "binding": groups[Force.BINDING],
            "pending": groups[Force.PENDING],
            "voluntary": groups[Force.VOLUNTARY],
            "events": events,
            "event_count": event_count,
        }


# How many of a long list a jurisdiction's page shows (its instruments of one legal force, a
# sub-national jurisdiction's, its events); a link leads to the whole list, filtered.
SHOWN = 25


def _instrument_counts(jurisdiction):
    """{force: (issued, as a party)}: how many instruments of each legal force `jurisdiction`
    issued, and how many others it is a party to. Two grouped queries, kept while the database
    does not change."""
    counts = {force: [0, 0] for force in Force.values}
    issued = Instrument.objects.filter(jurisdiction=jurisdiction)
    as_party = Instrument.objects.filter(parties=jurisdiction).exclude(jurisdiction=jurisdiction)
    for column, queryset in enumerate((issued, as_party)):
        for instrument_type, n in read_rows_through(
            queryset.order_by().values_list("type").annotate(n=Count("pk")).values_list("type", "n")
        ):
            counts[FORCE_OF_TYPE[instrument_type]][column] += n
    return counts


def _instrument_group(jurisdiction, force, own, party):
    """The instruments of one legal force a jurisdiction's page shows: the first `SHOWN` by
    title of those it issued (`own` of them) or is a party to (`party`), each marked
    `as_party`, with the addresses of the lists that hold them all."""
    of_force = Instrument.objects.force(force)
    # The first `SHOWN` of those it issued (in the order of the (jurisdiction, title) index)
    # and of those it is a party to, merged: the first `SHOWN` of both together are among them.
    issued = of_force.first_by_title([jurisdiction.pk], SHOWN) if own else []
    as_party = (
        of_force.filter(parties=jurisdiction)
        .exclude(jurisdiction=jurisdiction)
        .order_by("title", "pk")
        .values_list("pk", flat=True)[:SHOWN]
        if party
        else []
    )
    items = (
        list(
            Instrument.objects.for_listing()
            .filter(pk__in=[*issued, *as_party])
            .order_by("title", "pk")[:SHOWN]
        )
        if own or party
        else []
    )
    for instrument in items:
        instrument.as_party = instrument.jurisdiction_id != jurisdiction.pk
    return _group(jurisdiction, force, items, own, party)


def _group(jurisdiction, force, items, own, party):
    """One legal force's group as the page shows it: `items` (the first `SHOWN`), how many it
    issued (`own`) and is a party to (`party`), and the addresses of the lists of them all."""
    listed = reverse("web:instrument-list")
    code = jurisdiction.code
    own_url = f"{listed}?" + urlencode(
        {"jurisdiction": code, "include_subnational": "false", "force": force}
    )
    party_url = f"{listed}?{urlencode({'party': code, 'force': force})}"
    return {
        "items": items,
        "total": own + party,
        "own": own,
        "party": party,
        "own_url": own_url,
        "party_url": party_url,
        # The lists that hold them all, as the note under the first rows links them.
        "lists": [
            (url, text)
            for count, url, text in (
                (own, own_url, f"all {intcomma(own)} it issued"),
                (party, party_url, f"all {intcomma(party)} it is a party to"),
            )
            if count
        ],
    }


# A record's key as a review's note names it: "TAKE IT DOWN Act (us-take-it-down-act)".
_RECORD_KEY = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")


def _linked(text, addresses):
    """`text`, escaped, with each key of a record in `addresses` linked to its page."""
    parts, last = [], 0
    for match in _RECORD_KEY.finditer(text):
        address = addresses.get(match.group())
        if address:
            parts.append(escape(text[last : match.start()]))
            parts.append(format_html('<a href="{}"><code>{}</code></a>', address, match.group()))
            last = match.end()
    parts.append(escape(text[last:]))
    # Every part is escaped text or a link built by format_html.
    return mark_safe("".join(str(part) for part in parts))


def _coverage_rows(jurisdiction, review, cited, then=None):
    """The latest review's findings, one row per category, each with the citations backing it,
    its note with the records it names linked, and how many records of that category the
    tracker holds today (None for sector rules, which no type of instrument stands for).

    For a version (`then`, known_at a day) the notes link the records as then published, and
    the counts are left out ("recorded" is None in every row; the page says why): the status
    of every instrument on that day is not read back from the history for them."""
    if review is None:
        return []
    keys = {key for *_, note in review.findings for key in _RECORD_KEY.findall(note)}
    addresses = {}
    if then is not None:
        recorded = dict.fromkeys(COVERAGE_CATEGORIES)
        addresses = records_then(then, keys)
    else:
        recorded = recorded_counts([jurisdiction])[jurisdiction.pk]
    if keys and then is None:
        for model in (Instrument, Event):
            for record in model.objects.filter(slug__in=keys).only("slug"):
                addresses[record.slug] = record.get_absolute_url()
    return [
        {
            "name": name,
            "label": label,
            "result": result,
            "result_label": result_label,
            "note": _linked(note, addresses),
            "cites": cited.fields.get(name, []),
            "recorded": recorded[name],
        }
        for name, label, result, result_label, note in review.findings
    ]
