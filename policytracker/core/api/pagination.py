"""How every JSON list of the API is paged, and the facets a page carries when asked."""

import re
from dataclasses import asdict

from django.core.paginator import InvalidPage
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from policytracker.core.api.filtering import BadParameters

MAX_PAGE_SIZE = 200


def whole_number(text):
    """`text` as an int if it is ASCII digits (not "²", not thousands of digits), else None."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


class StrictPageNumberPagination(PageNumberPagination):
    """`page` and `page_size` (1 to 200, default 50), answered as
    `{"count", "next", "previous", "results"}`.

    A page or page size that cannot be served answers 400 naming the parameter, like a bad
    filter: `page=abc`, `page=0`, a page past the last one, `page_size=0`, `page_size=500` and
    `page_size=x` alike. Clamping or falling back to the default would hand a script a page it
    did not ask for and let it believe it had read everything; a 404 would read as "no such
    list". An empty value (`page=`, as a plain HTML form sends it) counts as not given, as it
    does for filters. `page=last` reads the last page. CSV downloads are not paged at all (see
    `jurisdictions.api.views.ListViewSet`).

    With `facet=<filter>` (repeatable) the page also carries `facets`, before `results`:
    `{"type": [{"value": "binding_law", "label": "Binding law", "count": 5, "selected":
    false}, …], …}`, one entry per facet asked, each value counted under every other active
    filter. They are the FilterSet's `facets()`, the very counts the HTML filter panel shows;
    the names a list takes are its FilterSet's `facet_specs` (any other answers 400, see
    `jurisdictions.api.filtering`)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if not raw:
            return self.page_size
        size = whole_number(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise BadParameters(
                {
                    self.page_size_query_param: [
                        f"“{raw}” is not allowed. Enter a whole number from 1 to "
                        f"{self.max_page_size}."
                    ]
                }
            )
        return size

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "").strip()
        if not raw:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = whole_number(raw)
        if number is None or number < 1:
            raise BadParameters(
                {
                    self.page_query_param: [
                        f"“{raw}” is not allowed. Enter a page number (1 or more) or “last”."
                    ]
                }
            )
        return number

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.view = view
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            pages = paginator.num_pages
            raise BadParameters(
                {
                    self.page_query_param: [
                        f"There is no page {number}: this list has {pages} "
                        f"page{'' if pages == 1 else 's'} at this page size."
                    ]
                }
            ) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

    def facets(self):
        """{facet name: [option, …]} for the facets asked for, or None when none were."""
        names = getattr(self.view, "facet_names", None)
        if not names:
            return None
        return {
            facet.name: [asdict(option) for option in facet.options]
            for facet in self.view.filterset.facets(names)
        }

    def get_paginated_response(self, data):
        body = {
            "count": self.page.paginator.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
        }
        facets = self.facets()
        if facets is not None:
            body["facets"] = facets
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
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
