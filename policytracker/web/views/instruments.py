import json

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from instruments.filters import InstrumentFilterSet
from instruments.history import record_changes
from instruments.known_at import instrument_then
from instruments.models import Instrument
from instruments.vocabulary import ENDED_STATUSES, RELATION_INVERSE_LABELS, InstrumentStatus
from policytracker.web.views.base import FacetedListView, Provenance, provenance
from policytracker.web.views.known_at import KnownAtMixin


class InstrumentListView(FacetedListView):
    """`/instruments/`: every instrument, faceted; the API's query string."""

    model = Instrument
    filterset_class = InstrumentFilterSet
    api_list_name = "api:instrument-list"
    feed_url_name = "web:instrument-feed-list"
    template_name = "web/instrument_list.html"
    default_ordering = ("jurisdiction__name", "title")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = [{"label": "Instruments", "url": None}]
        context["binding_selected"] = self.request.GET.get("binding") == "true"
        # The same list with the bills instead of the binding laws.
        query = self.request.GET.copy()
        query.pop("binding", None)
        query.pop("page", None)
        query.setlist("force", ["pending"])
        context["pending_query"] = query.urlencode()
        return context


class InstrumentDetailView(KnownAtMixin, DetailView):
    """`/instruments/<slug>/`: every field with the quotes behind it, the status timeline,
    relations both ways, the public edit history, and schema.org `Legislation` JSON-LD.
    `?known_at=YYYY-MM-DD`: as the tracker published it at the end of that day, with `as_of`
    its status on that day by the timeline then recorded."""

    model = Instrument
    template_name = "web/instrument_detail.html"
    context_object_name = "instrument"
    record_noun = "instrument"
    combines_as_of = True
    answer_kind = "status"

    def get_object(self, queryset=None):
        return get_object_or_404(Instrument.objects.for_page(), slug=self.kwargs["slug"])

    def record_then(self, day, as_of):
        return instrument_then(self.kwargs["slug"], day, as_of=as_of)

    def known_at_answer(self):
        return self.then.extras.get("status_on")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instrument = self.object
        record = provenance(instrument.citations.all())
        steps = []
        number = len(record.citations) + 1
        for change in instrument.status_changes.all():
            step = provenance(change.citations.all(), start=number)
            number += len(step.citations)
            steps.append({"change": change, "provenance": step})
        every_citation = record.citations + [
            cited for step in steps for cited in step["provenance"].citations
        ]
        relations = [
            {"label": relation.get_kind_display(), "other": relation.to_instrument}
            for relation in instrument.relations_out.all()
        ] + [
            {"label": _inverse_label(relation), "other": relation.from_instrument}
            for relation in instrument.relations_in.all()
        ]
        context.update(
            provenance=record,
            steps=steps,
            all_provenance=Provenance(citations=every_citation),
            relations=relations,
            history=record_changes(self.history_record()),
            canonical_url=self.canonical_url(instrument),
            json_ld=json_for_script(self.json_ld(instrument)),
            cite_text=self.cite_text(instrument),
            bibtex=self.bibtex(instrument),
            breadcrumbs=[
                {"label": "Instruments", "url": reverse("web:instrument-list")},
                {"label": instrument.title, "url": None},
            ],
        )
        return context

    def canonical_url(self, instrument):
        """The record's own address, the one every citation of it gives: without the query
        string of the address it was read at (`?as_of=`, or whatever a link added). A version
        (`known_at`) names the current record's, while it exists."""
        if self.then is not None:
            current = self.then.current or instrument
            return self.request.build_absolute_uri(current.get_absolute_url())
        return self.request.build_absolute_uri(instrument.get_absolute_url())

    def cited_url(self, instrument):
        """The address a citation of this page gives: the record's own, or, for a version
        (`known_at`), the version's."""
        if self.known_at is not None:
            return self.request.build_absolute_uri(self.known_at.url)
        return self.canonical_url(instrument)

    def json_ld(self, instrument):
        """schema.org `Legislation`: what search engines and citation tools read. The page
        embeds it in a script element as `json_for_script` writes it (`<`, `>` and `&` escaped),
        so no value can close the element."""
        data = {
            "@context": "https://schema.org",
            "@type": "Legislation",
            "name": instrument.title,
            "url": self.cited_url(instrument),
            "legislationType": instrument.get_type_display(),
            "legislationJurisdiction": instrument.jurisdiction.name,
            "isAccessibleForFree": True,
        }
        if instrument.original_title:
            data["alternateName"] = instrument.original_title
        if instrument.adopted:
            data["legislationDate"] = instrument.adopted.isoformat()
        if instrument.effective:
            data["legislationDateVersion"] = instrument.effective.isoformat()
        if instrument.status == InstrumentStatus.IN_EFFECT:
            data["legislationLegalForce"] = "https://schema.org/InForce"
        elif instrument.status in ENDED_STATUSES:
            data["legislationLegalForce"] = "https://schema.org/NotInForce"
        if instrument.issuing_body:
            data["legislationPassedBy"] = {"@type": "Organization", "name": instrument.issuing_body}
        identifiers = [identifier.value for identifier in instrument.identifiers.all()]
        if identifiers:
            data["legislationIdentifier"] = identifiers
        if instrument.summary:
            data["abstract"] = instrument.summary
        topics = [topic.name for topic in instrument.topics.all()]
        if topics:
            data["keywords"] = topics
        return data

    def cite_text(self, instrument):
        accessed = timezone.localdate().strftime("%-d %B %Y")
        parts = [instrument.title]
        if instrument.original_title:
            parts.append(f"({instrument.original_title})")
        when = instrument.adopted or instrument.introduced
        text = " ".join(parts) + f". {instrument.jurisdiction.name}"
        if when:
            text += f", {when}"
        tracker = "Policy Tracker"
        if self.known_at is not None:
            tracker += f" (as published on {self.known_at.day_text})"
        return f"{text}. {tracker}, {self.cited_url(instrument)} (accessed {accessed})."

    def bibtex(self, instrument):
        when = instrument.adopted or instrument.introduced
        fields = {
            "title": "{" + _bibtex_escape(instrument.title) + "}",
            "author": "{"
            + _bibtex_escape(instrument.issuing_body or instrument.jurisdiction.name)
            + "}",
            "howpublished": "{Policy Tracker}",
            "url": "{" + self.cited_url(instrument) + "}",
            "urldate": "{" + timezone.localdate().isoformat() + "}",
        }
        if when:
            fields["year"] = "{" + str(when.date.year) + "}"
        body = ",\n".join(f"  {name} = {value}" for name, value in fields.items())
        return f"@misc{{{instrument.slug},\n{body}\n}}"


# JSON inside a <script> element must not contain "</script>" or an HTML comment opener.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_for_script(data):
    """`data` as JSON that is safe to place, unescaped, inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


def _inverse_label(relation):
    return RELATION_INVERSE_LABELS.get(relation.kind, f"{relation.get_kind_display()} (from)")


def _bibtex_escape(text):
    for char in "\\{}&%$#_":
        text = text.replace(char, "\\" + char)
    return text
