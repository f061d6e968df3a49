"""One search over every kind of record: `/search/?q=…`, results grouped by kind."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery, Window
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from instruments.models import Actor, Citation, Event, Instrument, Topic
from instruments.records import KINDS
from jurisdictions.models import Jurisdiction
from policytracker.core.params import BadParameters
from policytracker.core.search import STOP_WORDS, text_match
from policytracker.web.templatetags.search import matches_search

# Longer searches are refused rather than cut: nobody types one, and each word costs SQL.
MAX_QUERY_LENGTH = 200
# Results shown per kind; the list pages (filtered by the same search) have the rest.
GROUP_SIZE = 20


@dataclass
class Hit:
    """One result: the record, the page it links to (None: it has none), and the passage to
    excerpt around the matched words."""

    record: object
    url: str | None
    passage: str = ""
    # For quotes: every record the quoted passage backs, as (label, url) pairs.
    backs: list = field(default_factory=list)


# Each group of results: the kind of record it lists, and its heading where the kind's plural
# would not say what the group shows.
RESULT_GROUPS = {
    "jurisdictions": ("jurisdiction", ""),
    "instruments": ("instrument", ""),
    "events": ("event", ""),
    "actors": ("actor", ""),
    "quotes": ("citation", "Quotes from sources"),
}


@dataclass
class Group:
    kind: str
    hits: list
    # Matching rows in all, and how many of them the page shows (at most GROUP_SIZE).
    total: int
    shown: int
    list_url: str | None = None

    @property
    def record_kind(self):
        return KINDS[RESULT_GROUPS[self.kind][0]]

    @property
    def heading(self):
        return RESULT_GROUPS[self.kind][1] or self.record_kind.plural

    @property
    def noun(self):
        """What one or several of its rows are called ("citation", "citations")."""
        meta = self.record_kind.model._meta
        return str(meta.verbose_name if self.total == 1 else meta.verbose_name_plural)

    @property
    def anchor(self):
        return f"results-{self.kind}"

    @property
    def capped(self):
        return self.total > self.shown


def best(queryset, *tie_breakers):
    """The best-ranked `GROUP_SIZE` rows of a searched queryset and how many matched in all,
    in one query (the total is a window count over the whole match)."""
    rows = list(
        queryset.annotate(search_total=Window(Count("pk"))).order_by(
            "-search_rank", *tie_breakers, "pk"
        )[:GROUP_SIZE]
    )
    return rows, (rows[0].search_total if rows else 0)


def first_matching(q, *texts):
    """The first of `texts` that contains a word of the search, else the first non-empty one."""
    for text in texts:
        if matches_search(text, q):
            return text
    return next((text for text in texts if text), "")


def list_url(name, q):
    return f"{reverse(name)}?{urlencode({'q': q})}"


def cited_record(citation):
    """(label, url) of the record a citation backs: its name, and for a timeline step its
    parent's with what the step says (the step is shown on its parent's page)."""
    kind, record = citation.record_kind, citation.record
    if kind == "jurisdiction":
        label = record.name
    elif kind == "status_change":
        label = f"{record.instrument.title}: status {record.get_status_display().lower()}"
    elif kind == "approach_assessment":
        label = f"{record.jurisdiction.name}: approach, {record.get_approach_display().lower()}"
    else:
        label = str(record)
    return label, record.get_absolute_url()


def search_jurisdictions(q):
    rows, total = best(Jurisdiction.objects.search(q), "name")
    hits = [
        Hit(j, j.get_absolute_url(), first_matching(q, j.approach_summary, j.local_name))
        for j in rows
    ]
    return Group("jurisdictions", hits, total, len(rows), list_url("web:jurisdiction-list", q))


def search_instruments(q):
    topics = Topic.objects.filter(text_match(q, "name"), instruments=OuterRef("pk"))
    queryset = (
        Instrument.objects.search(q)
        .select_related("jurisdiction")
        .annotate(matched_topic=Subquery(topics.order_by("name").values("name")[:1]))
    )
    rows, total = best(queryset, "title")
    hits = [
        Hit(
            i,
            i.get_absolute_url(),
            first_matching(q, i.summary, i.issuing_body, i.short_name),
        )
        for i in rows
    ]
    return Group("instruments", hits, total, len(rows), list_url("web:instrument-list", q))


def search_events(q):
    rows, total = best(Event.objects.search(q).select_related("host"), "-date", "title")
    hits = [Hit(e, e.get_absolute_url(), first_matching(q, e.summary, e.location)) for e in rows]
    return Group("events", hits, total, len(rows), list_url("web:event-list", q))


def search_actors(q):
    rows, total = best(Actor.objects.search(q).select_related("jurisdiction"), "name")
    hits = [Hit(a, a.get_absolute_url(), a.role) for a in rows]
    return Group("actors", hits, total, len(rows))


def search_quotes(q):
    """Quotes from sources. One passage cited for several records (the same sentence backing
    two frameworks) is shown once, with every record it backs."""
    queryset = Citation.objects.search(q).with_records()
    rows, total = best(queryset, "source__title")
    hits = []
    by_passage = {}
    for citation in rows:
        label, url = cited_record(citation)
        key = (citation.source_id, citation.quote, citation.locator)
        if key not in by_passage:
            passage = first_matching(q, citation.quote, citation.note)
            by_passage[key] = Hit(citation, url, passage)
            hits.append(by_passage[key])
        by_passage[key].backs.append((label, url))
    return Group("quotes", hits, total, len(rows))


def any_word_search(q):
    """The search for any word of `q` ("china or law"), offered when `q` has several words and
    no syntax: every word must match within one record, so words that each describe another
    kind of record ("china law") find nothing together. None when there is nothing to offer."""
    words = [word for word in re.findall(r"\w+", q) if word.lower() not in STOP_WORDS]
    if len(words) < 2 or len(words) > 6 or re.search(r'["-]|\bor\b', q, re.IGNORECASE):
        return None
    return " or ".join(words)


class SearchView(TemplateView):
    """The search box's page. Without a search it shows just the form; a search longer than
    `MAX_QUERY_LENGTH` is a 400. Each kind costs one query, whatever the number of matches."""

    template_name = "web/search.html"

    def get(self, request, *args, **kwargs):
        q = request.GET.get("q", "")
        if len(q) > MAX_QUERY_LENGTH:
            raise BadParameters(
                {
                    "q": [
                        f"A search can be at most {MAX_QUERY_LENGTH} characters long; "
                        f"this one has {len(q)}. Use fewer, more telling words."
                    ]
                },
            )
        self.query = " ".join(q.replace("\x00", " ").split())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = self.query
        groups = []
        if q:
            groups = [
                search(q)
                for search in (
                    search_jurisdictions,
                    search_instruments,
                    search_events,
                    search_actors,
                    search_quotes,
                )
            ]
        total = sum(group.total for group in groups)
        context.update(
            query=q,
            groups=groups,
            total=total,
            any_word_search=any_word_search(q) if q and not total else None,
            max_query_length=MAX_QUERY_LENGTH,
            breadcrumbs=[{"label": "Search", "url": None}],
        )
        return context
