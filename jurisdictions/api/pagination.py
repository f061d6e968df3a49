"""How every JSON list of the API is paged."""

import re

from django.core.paginator import InvalidPage
from rest_framework.pagination import PageNumberPagination

from jurisdictions.api.filtering import BadParameters

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
    `jurisdictions.api.views.ListViewSet`)."""

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
