"""The list and record views every resource of the API builds on."""

from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from django.http import Http404, StreamingHttpResponse
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer

from policytracker.core.api.renderers import CSVRenderer


@dataclass(frozen=True)
class RelatedValues:
    """A to-many relation each row of a list shows as plain values (slugs, codes, small
    dicts), read for a whole page or CSV chunk of rows by one query, with no model instance
    per related row.

    Prefetching builds a model instance for every related row, and without `to_attr` a
    queryset for every row and relation too: for a CSV of every instrument that was most of
    the time the download took. The values come from the listed model through `relation`
    (`"topics"`, `"relations_out"`): `values` is one lookup under it (`"slug"`: a list of
    values) or {key: lookup} (a list of dicts); `order` lists lookups under it to sort by."""

    relation: str
    values: str | dict
    order: tuple = ()

    def read(self, model, keys):
        """{key of a row: [value, …]} for the rows of `model` whose keys are `keys`."""
        lookups = [self.values] if isinstance(self.values, str) else list(self.values.values())
        rows = (
            model._base_manager.filter(pk__in=keys)
            .order_by(*(f"{self.relation}__{lookup}" for lookup in self.order))
            .values_list(
                "pk",
                # Null where a row has no related row at all (the outer join's empty side).
                f"{self.relation}__pk",
                *(f"{self.relation}__{lookup}" for lookup in lookups),
            )
        )
        found = defaultdict(list)
        for key, related, *values in rows:
            if related is None:
                continue
            if isinstance(self.values, str):
                found[key].append(values[0])
            else:
                found[key].append(dict(zip(self.values, values, strict=True)))
        return found


class ListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list, filtered by its FilterSet, as paged JSON or as one CSV download.

    JSON pages add a `facets` object when asked (`?facet=<filter>`, repeatable; see
    `jurisdictions.api.pagination`). CSV is the whole filtered list, in the JSON order,
    streamed from the database in chunks of `csv_chunk_size` rows (each chunk costs one query
    per `related_values` list and per prefetched relation), so it never holds the list in
    memory. `page` and `page_size` do
    not apply to it and are not read: the site's "Download CSV" links carry the query string of
    the page the reader is on, page number included, and must still give every matching row.

    Subclasses set `queryset` (with its default order, ending in the primary key so pages never
    overlap), `serializer_class`, `filterset_class` and `csv_filename`, and may set
    `related_values` ({attribute: `RelatedValues`}): lists set on every row of a page or CSV
    chunk before it is serialized, one query each."""

    csv_filename = None
    csv_chunk_size = 500
    related_values = {}

    def attach_related_values(self, rows):
        """`rows` (model instances), each given its `related_values` lists."""
        if self.related_values and rows:
            model = type(rows[0])
            keys = [row.pk for row in rows]
            for attribute, related in self.related_values.items():
                found = related.read(model, keys)
                for row in rows:
                    setattr(row, attribute, found.get(row.pk, []))
        return rows

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else self.attach_related_values(page)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        filterset = getattr(self, "filterset", None)
        context["as_of"] = getattr(filterset, "as_of", None)
        return context

    def list(self, request, *args, **kwargs):
        if isinstance(request.accepted_renderer, CSVRenderer):
            return self.csv_response(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    def csv_rows(self, queryset):
        """Every row of `queryset`, read `csv_chunk_size` at a time."""
        rows = queryset.iterator(chunk_size=self.csv_chunk_size)
        while chunk := list(islice(rows, self.csv_chunk_size)):
            yield from self.attach_related_values(chunk)

    def csv_response(self, queryset):
        renderer = self.request.accepted_renderer
        response = StreamingHttpResponse(
            renderer.stream(self.get_serializer(), self.csv_rows(queryset)),
            content_type=f"{renderer.media_type}; charset={renderer.charset}",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # An error answers in JSON even to a CSV request: a download link that fails should
        # show the reader which parameter was wrong, not a one-cell spreadsheet.
        if isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response


class RecordViewSet(mixins.RetrieveModelMixin, ListViewSet):
    """A list, and each of its records at `<list>/<key>/` (`lookup_field`: a code or a slug,
    never a primary key).

    A record may show more than its row in the list: `detail_serializer_class` (the list's
    fields first, then more), read from `get_detail_queryset`, whose prefetches are fixed so
    a record costs the same queries however much hangs off it. The list's filters do not apply
    to a record: its address names it alone. An unknown key answers 404 in JSON, naming it."""

    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def get_queryset(self):
        if self.action == "retrieve":
            return self.get_detail_queryset()
        return super().get_queryset()

    def get_detail_queryset(self):
        return super().get_queryset()

    def filter_queryset(self, queryset):
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        try:
            record = super().get_object()
        except Http404:
            key = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            noun = self.queryset.model._meta.verbose_name
            raise NotFound(f"No {noun} has the {self.lookup_field} “{key}”.") from None
        return self.attach_related_values([record])[0]
