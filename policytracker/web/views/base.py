"""What every browsing page shares: strict faceted lists, 400 pages, citation markers."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import ListView

from policytracker.core.counting import CappedCountPaginator
from policytracker.core.filters import CONTROL_PARAMETERS, TrueFalseFilter
from policytracker.core.params import BadParameters, page_of
from policytracker.web.views.known_at import refuse_known_at_on_lists


def bad_request(request, errors):
    """The 400 page, naming each bad parameter and what it accepts. Pages do not call it:
    they raise `BadParameters`, which `BadParametersMiddleware` answers with it."""
    return render(request, "400.html", {"errors": errors}, status=400)


def query_without(query, name, value=None):
    """Query string of `query` (a QueryDict) without the parameter `name` (or only its value
    `value`), and without `page`, which no longer points at the same rows."""
    query = query.copy()
    query.pop("page", None)
    if value is None:
        query.pop(name, None)
    else:
        query.setlist(name, [item for item in query.getlist(name) if item != value])
    return query.urlencode()


def followed_query(query):
    """A list's query string as its feed takes it: what selects the rows, without the page,
    the order or a download's options, which do not change which records it follows."""
    query = query.copy()
    for name in (*CONTROL_PARAMETERS, "page", "ordering"):
        query.pop(name, None)
    return query.urlencode()


@dataclass
class ActiveFilter:
    """One value of one filter, as shown in the "active filters" bar, with the link dropping
    just it."""

    name: str
    label: str
    value: str
    value_label: str
    remove_query: str
    # A yes/no filter's value names itself ("Binding laws", "In force"): "Binding: Binding
    # laws" would say it twice.
    speaks_for_itself: bool = False

    @property
    def text(self):
        """How the chip and the page's title name it."""
        return self.value_label if self.speaks_for_itself else f"{self.label}: {self.value_label}"


class StrictPaginationMixin:
    """For a ListView: a `page` that is not a page of the list is the reader's error (400
    naming `page`, in the API's words), not a missing page; `page=last` is the last. The count
    is exact up to `LIST_EXACT_COUNT_LIMIT` rows, an estimate past it
    (`policytracker.core.counting`): templates say it with `paginator.count_text`."""

    paginator_class = CappedCountPaginator

    def known_count(self):
        """An exact count of the list the view already holds, or None."""
        return None

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, known_count=self.known_count())
        page = page_of(paginator, self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()


class FacetedListView(StrictPaginationMixin, ListView):
    """A list page over a FacetedFilterSet: every value counted under the other filters, each
    active value removable alone, downloads of exactly the filtered rows.

    The query string is the API's: the download links point at `api_list_name` with it."""

    filterset_class = None
    api_list_name = None
    # The Atom feed of the changes to the records the list selects ("Follow this list").
    feed_url_name = None
    paginate_by = 25
    default_ordering = ()
    facet_names = None

    def get(self, request, *args, **kwargs):
        refuse_known_at_on_lists(request.GET)
        self.filterset = self.filterset_class(
            request.GET, queryset=self.get_base_queryset(), request=request
        )
        if not self.filterset.is_valid():
            raise BadParameters(self.filterset.errors)
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return self.model.objects.for_listing()

    def get_queryset(self):
        queryset = self.filterset.qs
        if not self.filterset.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*self.default_ordering, "pk")
        return queryset

    @cached_property
    def facets(self):
        return self.filterset.facets(self.facet_names)

    def known_count(self):
        # The facets are counted for the filter panel anyway; a chosen value's count is the
        # list's, exact where the list alone would have been estimated.
        return self.filterset.count_from(self.facets)

    def active_filters(self):
        """Every active value of every filter, each with the link that drops it alone."""
        query = self.request.GET
        facets = {facet.name: facet for facet in self.facets}
        active = []
        for name, filter_ in self.filterset.filters.items():
            if name == "ordering":
                continue
            for value in self.filterset.active_values(name):
                label = value
                if name in facets:
                    listed = self.filterset.normalized(name, value)
                    label = next(
                        (o.label for o in facets[name].options if o.value == listed), value
                    )
                elif "choices" in filter_.extra:
                    # A filter with no facet names its values by its own choices.
                    label = str(dict(filter_.extra["choices"]).get(value, value))
                active.append(
                    ActiveFilter(
                        name,
                        str(filter_.label or name),
                        value,
                        label,
                        query_without(query, name, value),
                        speaks_for_itself=isinstance(filter_, TrueFalseFilter),
                    )
                )
        return active

    def hidden_parameters(self):
        """Parameters the filter form has no control for (e.g. `adopted_after`), kept as hidden
        inputs so applying the form does not drop them."""
        shown = {facet.name for facet in self.facets} | {"q", "as_of", "ordering", "page"}
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in shown
            for value in values
        ]

    def download_links(self):
        query = self.request.GET.copy()
        for name in CONTROL_PARAMETERS:
            query.pop(name, None)
        base = reverse(self.api_list_name)
        links = []
        choices = (
            (
                "Spreadsheet (CSV with readable columns, opens in Excel)",
                {"columns": "sheet", "bom": "1"},
            ),
            ("CSV (API fields)", {}),
            ("JSON", None),
        )
        for label, options in choices:
            query.setlist("format", ["json" if options is None else "csv"])
            for name in ("columns", "bom"):
                query.pop(name, None)
            for name, value in (options or {}).items():
                query.setlist(name, [value])
            links.append({"label": label, "url": f"{base}?{query.urlencode()}"})
        return links

    def title_suffix(self, active, page):
        """What the page's <title> adds to the list's name, so that a tab or a bookmark says
        what the list shows: the day it is shown as of, what it is filtered by, and the page
        (" as of 8 August 2025 (Voluntary texts; Issued by members of: Association of
        Southeast Asian Nations), page 2")."""
        suffix = ""
        as_of = getattr(self.filterset, "as_of", None)
        if as_of:
            suffix += f" as of {as_of.day} {as_of:%B %Y}"
        groups: dict[tuple[str, str], list[str]] = {}
        for item in active:
            if item.name != "as_of":
                label = "" if item.speaks_for_itself else item.label
                groups.setdefault((item.name, label), []).append(item.value_label)
        filters = "; ".join(
            f"{label}: {', '.join(values)}" if label else ", ".join(values)
            for (_, label), values in groups.items()
        )
        if filters:
            suffix += f" ({filters})"
        if page is not None and page.number > 1:
            suffix += f", page {page.number}"
        return suffix

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        active = self.active_filters()
        empty_by = None
        if context["paginator"].count == 0 and active:
            empty_by = self.empty_because(active)
        ordering_filter = self.filterset.filters["ordering"]
        context.update(
            filterset=self.filterset,
            facets=self.facets,
            active_filters=active,
            title_suffix=self.title_suffix(active, context["page_obj"]),
            empty_by=empty_by,
            clear_query="",
            download_links=self.download_links(),
            ordering_choices=ordering_filter.field.choices,
            current_ordering=self.request.GET.get("ordering", ""),
            as_of=getattr(self.filterset, "as_of", None),
            query_string=self.request.GET.urlencode(),
            hidden_parameters=self.hidden_parameters(),
            noun_plural=self.model._meta.verbose_name_plural,
            feed_url=self.feed_url(),
        )
        return context

    def feed_url(self):
        """The address of this list's feed, with the query string that selects its rows."""
        if not self.feed_url_name:
            return None
        query = followed_query(self.request.GET)
        return reverse(self.feed_url_name) + (f"?{query}" if query else "")

    def empty_because(self, active):
        """The active filter whose removal alone would bring rows back (the first, if several
        would), so an empty page can say which filter emptied it."""
        for item in active:
            data = QueryDict(item.remove_query)
            filterset = self.filterset_class(data, queryset=self.get_base_queryset())
            if filterset.is_valid() and filterset.qs.exists():
                return item
        return None


@dataclass
class Provenance:
    """The citations of one record, numbered in page order, and which of them back each field:
    `provenance.fields["type"]` is the list of numbered citations for the field `type`."""

    citations: list = field(default_factory=list)
    fields: dict = field(default_factory=lambda: defaultdict(list))
    whole: list = field(default_factory=list)


@dataclass
class NumberedCitation:
    number: int
    anchor: str
    citation: object


def provenance(citations, *, prefix="c", start=1):
    """Number `citations` (already fetched, with their sources) and index them by field.

    A citation whose `fields` is empty backs the record as a whole."""
    result = Provenance()
    for offset, citation in enumerate(citations):
        numbered = NumberedCitation(start + offset, f"{prefix}{start + offset}", citation)
        result.citations.append(numbered)
        if not citation.fields:
            result.whole.append(numbered)
        for name in citation.fields:
            result.fields.setdefault(name, []).append(numbered)
    return result
