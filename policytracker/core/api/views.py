"""The list and record views every resource of the API builds on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils.text import slugify
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, Serializer

from policytracker.core.api.filtering import strict_filterset
from policytracker.core.api.renderers import CSVRenderer
from policytracker.core.filters import Facet, FacetedFilterSet
from policytracker.core.params import BadParameters, allowed

if TYPE_CHECKING:
    from rest_framework.views import APIView

    from policytracker.core.api.pagination import StrictPageNumberPagination

    # What `CSVDownloadMixin` is mixed into (any DRF view: `ListViewSet`, the change feed's
    # plain `ViewSet`), for the type checker only: it reads `self.request` and calls the view's
    # own `handle_exception`.
    _APIViewBase = APIView
else:
    _APIViewBase = object

# A row of a page, as DRF's `paginate_queryset` types it.
_Row = TypeVar("_Row")


class _AnyOf(Lookup):
    """`column = ANY(%s)` with the keys as one array parameter (PostgreSQL)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return "%s", [list(value)]

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def among_keys(queryset: QuerySet[Any], keys: list[Any], lookup: str = "pk") -> QuerySet[Any]:
    """`queryset`'s rows whose `lookup` (the primary key unless given) is among `keys`: on
    PostgreSQL with the keys as one array parameter, which costs the same to build and send
    for 500 keys as for one (an `IN` list is a parameter per key, each prepared in Python);
    elsewhere `IN (...)`."""
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(_AnyOf(F(lookup), keys))
    return queryset.filter(**{f"{lookup}__in": keys})


@dataclass(frozen=True)
class RelatedValues:
    """A to-many relation each row of a list shows as plain values (slugs, codes, small
    dicts), read for a whole page or CSV chunk of rows by one query, with no model instance
    per related row.

    Prefetching builds a model instance for every related row, and without `to_attr` a
    queryset for every row and relation too: for a CSV of every instrument that was most of
    the time the download took. The values come from the listed model through `relation`
    (`"topics"`, `"relations_out"`): `values` is one lookup under it (`"slug"`: a list of
    values) or {key: lookup} (a list of dicts); `order` lists lookups under it to sort by,
    after which related rows come in the order they were added.

    The rows are read from the relation's own table (the related model's for a reverse
    foreign key, the link table's for a many-to-many field), not joined to the listed
    model's: a row of the list that has no related row costs nothing."""

    relation: str
    values: str | dict[str, str]
    order: tuple[str, ...] = ()

    def _source(self, model: type[models.Model]) -> tuple[QuerySet[Any], str, str]:
        """(the rows to read, the lookup of a listed row's key in them, the path from them to
        the related record, ending in `__` or empty)."""
        field = model._meta.get_field(self.relation)
        if isinstance(field, models.ManyToManyField):
            through = cast(type[models.Model], field.remote_field.through)
            key = cast("models.Field[Any, Any]", through._meta.get_field(field.m2m_field_name()))
            return through._base_manager.all(), key.attname, f"{field.m2m_reverse_field_name()}__"
        if isinstance(field, models.ManyToOneRel):
            related = field.related_model
            return related._base_manager.all(), field.field.attname, ""
        # Any other relation: through the listed model, its rows that have no related row
        # left out below.
        return model._base_manager.all(), "pk", f"{self.relation}__"

    def read(self, model: type[models.Model], keys: list[Any]) -> dict[Any, list[Any]]:
        """{key of a row: [value, …]} for the rows of `model` whose keys are `keys`."""
        rows, key, path = self._source(model)
        lookups = [self.values] if isinstance(self.values, str) else list(self.values.values())
        rows = (
            among_keys(rows, keys, key)
            .order_by(
                *(f"{path}{lookup}" for lookup in self.order),
                # Then as added: a link's or related row's own key.
                f"{path}pk" if key == "pk" else "pk",
            )
            .values_list(key, f"{path}pk", *(f"{path}{lookup}" for lookup in lookups))
        )
        found: dict[Any, list[Any]] = defaultdict(list)
        single = isinstance(self.values, str)
        names = list(self.values) if not single else []
        for listed, related, *values in rows:
            if related is None:  # the outer join's empty side
                continue
            found[listed].append(values[0] if single else dict(zip(names, values, strict=True)))
        return found


class CSVDownloadMixin(_APIViewBase):
    """For a view that answers a list as one CSV download (`?format=csv` or `Accept: text/csv`):
    `csv_response(serializer, rows)` streams every row under the serializer's columns, as
    `csv_filename`; and an error answers in JSON even to a CSV request, so that a download
    link that fails shows the reader which parameter was wrong, not a one-cell spreadsheet."""

    csv_filename: str = ""
    csv_chunk_size = 500

    def wants_csv(self) -> bool:
        return isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer)

    def csv_options(self) -> tuple[bool, bool]:
        """(`sheet`, `bom`) from `columns=api|sheet` and `bom=0|1`; `BadParameters` naming a
        bad value."""
        errors: dict[str, list[str]] = {}
        options = []
        for name, choices in (("columns", ("api", "sheet")), ("bom", ("0", "1"))):
            value = self.request.query_params.get(name, "").strip() or choices[0]
            if value not in choices:
                errors[name] = [f"“{value}” is not allowed. Allowed values: {allowed(choices)}."]
            options.append(value == choices[1])
        if errors:
            raise BadParameters(errors)
        return options[0], options[1]

    def csv_filename_for(self) -> str:
        """The download's file name: `csv_filename`'s stem, then what the list was filtered
        by, in the order of the query string (`instruments-binding-asean-2025-08-08.csv`)."""
        stem = self.csv_filename.removesuffix(".csv")
        parts = [stem]
        filterset = getattr(self, "_filterset", None)
        filters = set(filterset.filters) - {"ordering"} if filterset is not None else set()
        for name, values in self.request.query_params.lists():
            if name not in filters:
                continue
            for value in values:
                if value == "true":
                    parts.append(name)
                elif value == "false":
                    parts.append(f"not-{name}")
                elif value:
                    parts.append(value)
        filename = "-".join(slugify(part) for part in parts if slugify(part))
        return f"{filename[:150].rstrip('-')}.csv"

    def csv_response(
        self, serializer: Serializer[Any], rows: Iterable[Any]
    ) -> StreamingHttpResponse:
        # Only called when `wants_csv()`: the renderer is the CSV one.
        renderer = cast(CSVRenderer, self.request.accepted_renderer)
        sheet, bom = self.csv_options()
        response = StreamingHttpResponse(
            renderer.stream(serializer, rows, sheet=sheet, bom=bom),
            content_type=f"{renderer.media_type}; charset={renderer.charset}",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename_for()}"'
        return response

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        renderer, media_type = super().perform_content_negotiation(request, force)
        if request.method not in SAFE_METHODS and isinstance(renderer, CSVRenderer):
            # CSV is a way to read a list: a write's answer (a record, a revision waiting for
            # review, an error) is JSON whatever the address asks for.
            return JSONRenderer(), JSONRenderer.media_type
        return renderer, media_type

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if self.wants_csv():
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response


class ListViewSet(CSVDownloadMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list, filtered by its FilterSet, as paged JSON or as one CSV download.

    The viewset builds the list's FilterSet once per request (`filterset_for`), with the query
    string: a parameter it cannot use answers 400 naming it (`BadParameters`). JSON pages add a
    `facets` object when asked (`?facet=<filter>`, repeatable), which the viewset counts with
    that FilterSet and hands to the paginator (`policytracker.core.api.pagination`). CSV is the
    whole filtered list, in the JSON order, streamed from the database in chunks of
    `csv_chunk_size` rows (each chunk costs one query per `related_values` list and per
    prefetched relation), so it never holds the list in memory. `page` and `page_size` do not
    apply to it and are not read: the site's "Download CSV" links carry the query string of the
    page the reader is on, page number included, and must still give every matching row.

    Subclasses set `queryset` (with its default order, ending in the primary key so pages never
    overlap), `serializer_class`, `filterset_class` and `csv_filename`, and may set
    `related_values` ({attribute: `RelatedValues`}): lists set on every row of a page or CSV
    chunk before it is serialized, one query each."""

    filterset_class: type[FacetedFilterSet] | None = None
    related_values: dict[str, RelatedValues] = {}
    # The columns a list's rows are read with (`QuerySet.only`) where the model holds more
    # than its serializer shows; empty: every column. A record at its own address, and every
    # write, reads them all.
    listed_columns: tuple[str, ...] = ()

    _filterset: FacetedFilterSet | None = None
    _facet_names: set[str] = set()
    _counted_facets: list[Facet] | None = None

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action == "list" and self.listed_columns:
            queryset = queryset.only(*self.listed_columns)
        return queryset

    def filterset_for(self, queryset: QuerySet[Any]) -> FacetedFilterSet:
        """The list's FilterSet over `queryset`, built from the query string on first use."""
        if self._filterset is None:
            assert self.filterset_class is not None, f"{type(self).__name__} has no FilterSet"
            self._filterset, self._facet_names = strict_filterset(
                self.filterset_class, self.request, queryset
            )
        return self._filterset

    def counted_facets(self) -> list[Facet] | None:
        """The facets asked for, counted once per request, or None when none were."""
        if self._filterset is None or not self._facet_names:
            return None
        if self._counted_facets is None:
            self._counted_facets = self._filterset.facets(self._facet_names)
        return self._counted_facets

    def facets(self) -> dict[str, list[dict[str, Any]]] | None:
        """{facet name: [option, …]} for the facets asked for, or None when none were."""
        counted = self.counted_facets()
        if counted is None:
            return None
        return {facet.name: [asdict(option) for option in facet.options] for facet in counted}

    def known_count(self) -> int | None:
        """The list's exact count where a facet asked for says it (one value of its filter
        chosen), as the pages read it; None otherwise."""
        counted = self.counted_facets()
        if counted is None or self._filterset is None:
            return None
        return self._filterset.count_from(counted)

    def attach_related_values(self, rows: list[Any]) -> list[Any]:
        """`rows` (model instances), each given its `related_values` lists."""
        if self.related_values and rows:
            model = type(rows[0])
            keys = [row.pk for row in rows]
            for attribute, related in self.related_values.items():
                found = related.read(model, keys)
                for row in rows:
                    setattr(row, attribute, found.get(row.pk, []))
        return rows

    def paginate_queryset(
        self, queryset: QuerySet[Any, _Row] | Sequence[_Row]
    ) -> list[_Row] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else self.attach_related_values(page)

    def get_paginated_response(self, data: Any) -> Response:
        # The API's paginator (`DEFAULT_PAGINATION_CLASS`), which takes the facets too.
        paginator = cast("StrictPageNumberPagination", self.paginator)
        return paginator.get_paginated_response(data, facets=self.facets())

    def get_serializer_context(self) -> dict[str, Any]:
        # Rows of a list asked `as_of` a day say their status then.
        return {
            **super().get_serializer_context(),
            "as_of": getattr(self._filterset, "as_of", None),
        }

    # DRF's stub says a `Response`; a CSV download is a `StreamingHttpResponse`, which DRF
    # passes on as it passes on any HttpResponse.
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response | StreamingHttpResponse:
        if self.wants_csv():
            rows = self.csv_rows(self.filter_queryset(self.get_queryset()))
            # A list's serializer is a `Serializer`: its fields are the CSV's columns.
            return self.csv_response(cast(Serializer[Any], self.get_serializer()), rows)
        return super().list(request, *args, **kwargs)

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterator[Any]:
        """Every row of `queryset`, read `csv_chunk_size` at a time."""
        rows = queryset.iterator(chunk_size=self.csv_chunk_size)
        while chunk := list(islice(rows, self.csv_chunk_size)):
            yield from self.attach_related_values(chunk)


class RecordViewSet(mixins.RetrieveModelMixin, ListViewSet):
    """A list, and each of its records at `<list>/<key>/` (`lookup_field`: a code or a slug,
    never a primary key).

    A record may show more than its row in the list: `detail_serializer_class` (the list's
    fields first, then more), read from `get_detail_queryset`, whose prefetches are fixed so
    a record costs the same queries however much hangs off it. The list's filters do not apply
    to a record: its address names it alone. An unknown key answers 404 in JSON, naming it."""

    detail_serializer_class: type[BaseSerializer[Any]] | None = None

    def get_record_serializer_class(self) -> type[BaseSerializer[Any]]:
        """The serializer of a record at its own address."""
        return self.detail_serializer_class or super().get_serializer_class()

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "retrieve":
            return self.get_record_serializer_class()
        return super().get_serializer_class()

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "retrieve":
            return self.get_detail_queryset()
        return super().get_queryset()

    def get_detail_queryset(self) -> QuerySet[Any]:
        """What a record at its own address is read from (its prefetches)."""
        return super().get_queryset()

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)

    def not_found(self) -> NotFound:
        """The 404 for the key in the URL, naming it."""
        key = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        noun = self.get_queryset().model._meta.verbose_name
        return NotFound(f"No {noun} has the {self.lookup_field} “{key}”.")

    def get_object(self) -> Any:
        try:
            record = super().get_object()
        except Http404:
            raise self.not_found() from None
        return self.attach_related_values([record])[0]
