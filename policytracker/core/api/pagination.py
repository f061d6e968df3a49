"""How every JSON list of the API is paged, and the facets a page carries when asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.core.paginator import Page
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

if TYPE_CHECKING:
    from rest_framework.views import APIView

from policytracker.core.counting import CappedCountPaginator
from policytracker.core.params import page_of, page_size

MAX_PAGE_SIZE = 200

# A row of a page, as DRF's `paginate_queryset` types it.
_Row = TypeVar("_Row")


class StrictPageNumberPagination(PageNumberPagination):
    """`page` and `page_size` (1 to 200, default 50), answered as
    `{"count", "count_exact", "next", "previous", "results"}`.

    `count` is exact up to `LIST_EXACT_COUNT_LIMIT` rows (10,000 by default); past it, on
    PostgreSQL, it is the planner's estimate to two significant figures (or the limit plus one,
    when the estimate is lower) and `count_exact` is false (`policytracker.core.counting`).
    `next` is exact either way, and `page=last` counts exactly.

    A page or page size that cannot be served answers 400 naming the parameter, like a bad
    filter, in the words the pages use too (`policytracker.core.params`): `page=abc`, `page=0`,
    a page past the last one, `page_size=0`, `page_size=500` and `page_size=x` alike. Clamping
    or falling back to the default would hand a script a page it did not ask for and let it
    believe it had read everything; a 404 would read as "no such list". An empty value
    (`page=`, as a plain HTML form sends it) counts as not given, as it does for filters.
    `page=last` reads the last page. CSV downloads are not paged at all (see
    `policytracker.core.api.views.ListViewSet`).

    With `facet=<filter>` (repeatable) the page also carries `facets`, before `results`:
    `{"type": [{"value": "binding_law", "label": "Binding law", "count": 5, "selected":
    false}, …], …}`, one entry per facet asked, each value counted under every other active
    filter. The viewset hands them over (`get_paginated_response(data, facets=...)`): they are
    its FilterSet's `facets()`, the very counts the HTML filter panel shows."""

    page_size = 50
    django_paginator_class = CappedCountPaginator
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    # Never None, as DRF's own may be: `paginate_queryset` always pages, so the page is set
    # before `get_paginated_response` reads it.
    page: Page[Any]

    def get_page_size(self, request: Request) -> int:
        return page_size(
            request.query_params.get(self.page_size_query_param),
            default=self.page_size,
            maximum=self.max_page_size,
        )

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, _Row] | Sequence[_Row],
        request: Request,
        view: APIView | None = None,
    ) -> list[_Row]:
        self.request = request
        known = getattr(view, "known_count", None)
        paginator = CappedCountPaginator(
            queryset, self.get_page_size(request), known_count=known() if known else None
        )
        self.page = page_of(paginator, request.query_params.get(self.page_query_param))
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

    def get_paginated_response(
        self, data: Any, facets: dict[str, list[dict[str, Any]]] | None = None
    ) -> Response:
        paginator = cast(CappedCountPaginator, self.page.paginator)
        body: dict[str, Any] = {
            "count": paginator.count,
            "count_exact": paginator.count_exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
        }
        if facets is not None:
            body["facets"] = facets
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = super().get_paginated_response_schema(schema)
        properties = schema["properties"]
        limit = settings.LIST_EXACT_COUNT_LIMIT
        properties["count"]["description"] = (
            f"How many rows the list holds: exact up to {limit:,} rows. Past that, "
            "`count_exact` is false and `count` is the database's estimate to two significant "
            f'figures, or {limit + 1:,} ("more than {limit:,}") if the estimate is lower.'
            if limit > 0
            else "How many rows the list holds."
        )
        schema["properties"] = {
            "count": properties.pop("count"),
            "count_exact": {
                "type": "boolean",
                "description": "False when `count` is an estimate. `next` is exact either way, "
                "and `page=last` counts exactly.",
            },
            **properties,
        }
        schema["required"] = ["count", "count_exact", *schema.get("required", [])[1:]]
        option = {
            "type": "object",
            "properties": {
                "value": {"type": "string"},
                "label": {"type": "string"},
                "count": {"type": "integer"},
                "selected": {"type": "boolean"},
            },
        }
        schema["properties"]["facets"] = {
            "type": "object",
            "description": "Only with `facet=<filter>`: for each facet asked, how many rows "
            "each value of that filter would give under the other filters.",
            "additionalProperties": {"type": "array", "items": option},
        }
        return schema
