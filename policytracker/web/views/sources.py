"""Sources: every source the tracker cites, and for each, the records that cite it and how."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.urls import reverse
from django.views.generic import DetailView, ListView

from instruments.filters import SourceFilterSet
from instruments.history import record_changes
from instruments.known_at import source_then
from instruments.models import CITED_RECORDS, Source
from instruments.records import KINDS
from policytracker.core.params import BadParameters
from policytracker.web.views.base import StrictPaginationMixin
from policytracker.web.views.known_at import KnownAtMixin, refuse_known_at_on_lists

# The order in which the source page groups the records citing a source: each jurisdiction
# beside its approach assessments, each instrument beside its status changes.
RECORD_GROUPS = (
    "jurisdiction",
    "approach_assessment",
    "instrument",
    "status_change",
    "event",
    "actor",
)


def sources_with_counts():
    """Every source with its citation and record counts, by title."""
    return Source.objects.with_counts(CITED_RECORDS).by_title()


@dataclass
class CitingRecord:
    """One record citing the source, with every citation of the source it carries."""

    title: str
    url: str | None
    citations: list = field(default_factory=list)


@dataclass
class CitingGroup:
    kind: str
    label: str
    records: list = field(default_factory=list)

    @property
    def citation_count(self):
        return sum(len(record.citations) for record in self.records)


def citing_groups(citations):
    """`citations` (of one source, with their records fetched) grouped by the kind of record
    they back, then by record, each group in `RECORD_GROUPS` order and its records by title."""
    by_record = {}
    for citation in citations:
        kind, record = citation.record_kind, citation.record
        key = (kind, record.pk)
        if key not in by_record:
            by_record[key] = CitingRecord(str(record), record.get_absolute_url())
        by_record[key].citations.append(citation)
    groups = []
    for kind in RECORD_GROUPS:
        records = sorted(
            (record for (k, _), record in by_record.items() if k == kind),
            key=lambda record: record.title.casefold(),
        )
        if records:
            groups.append(CitingGroup(kind, KINDS[kind].plural, records))
    return groups


class SourceListView(StrictPaginationMixin, ListView):
    """Every source, with how often it is cited and by how many records."""

    template_name = "web/source_list.html"
    context_object_name = "sources"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        refuse_known_at_on_lists(request.GET)
        # The API list's FilterSet, for its `ordering` (and `q`, `kind`): a bad value is a 400.
        self.filterset = SourceFilterSet(request.GET, queryset=sources_with_counts())
        if not self.filterset.is_valid():
            raise BadParameters(self.filterset.errors)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # Without `ordering`, by title as a reader sorts it (`by_title`, whatever the case).
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for source in context["sources"]:
            # A list needs only where the address points; the source's page shows it whole.
            host = urlsplit(source.url).hostname if source.url else ""
            source.host = (host or "").removeprefix("www.")
        context["breadcrumbs"] = [{"label": "Sources"}]
        return context


class SourceDetailView(KnownAtMixin, DetailView):
    """One source, every field of it, and every record citing it with the quotes.
    `?known_at=YYYY-MM-DD`: as the tracker published it at the end of that day, with the
    records that then cited it."""

    model = Source
    template_name = "web/source_detail.html"
    context_object_name = "source"
    record_noun = "source"

    def record_then(self, day, as_of):
        return source_then(self.kwargs["slug"], day)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        if self.then is not None:
            citations = self.then.extras["citations"]
        else:
            citations = source.citations.with_records().order_by("pk")
        groups = citing_groups(citations)
        context.update(
            groups=groups,
            citation_count=sum(group.citation_count for group in groups),
            record_count=sum(len(group.records) for group in groups),
            history=record_changes(self.history_record()),
            breadcrumbs=[
                {"label": "Sources", "url": reverse("web:source-list")},
                {"label": source.title},
            ],
        )
        return context
