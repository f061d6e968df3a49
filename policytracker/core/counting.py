"""How many rows a list holds, without reading them all when there are very many.

An exact `COUNT(*)` reads every row the filters select: at a million instruments a broad list
would spend most of its time counting. Every paged list, on the pages and in the API, is
therefore counted exactly up to `LIST_EXACT_COUNT_LIMIT` rows (10,000 unless set), which costs
no more than reading that many index entries. Past it, PostgreSQL's planner estimates the
number from its statistics (an `EXPLAIN`, about a millisecond), and the list says "about
120,000", to two significant figures, since the estimate is no closer than that. Where there is
no estimate to stand behind, it says "more than 10,000": a text search (the planner keeps no
statistics of words), or an estimate short of the rows already counted. The API says the
same with `"count_exact": false`. SQLite keeps no such statistics and always counts exactly.

A list whose count is an estimate is paged by reading one row past the page: "Next" shows
exactly when there is a next page. `page=last`, and a page past the estimate's last, count
exactly (the reader asked for the end); a page past the end is refused (400 naming `page`)."""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from policytracker.core.search import SEARCH_RANK


def estimated_rows(queryset: QuerySet[Any]) -> int | None:
    """The number of rows `queryset` gives, as PostgreSQL's planner estimates it (None on other
    databases, and for a text search: the planner keeps no statistics of words, and its guess
    for one was three times the true count on the synthetic data)."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    if SEARCH_RANK in queryset.query.annotations:
        return None
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def about(number: int) -> int:
    """`number` to two significant figures (123,456 → 120,000), as an estimate is shown."""
    if number < 100:
        return number
    scale = 10 ** (int(math.log10(number)) - 1)
    return round(number / scale) * scale


class CappedCountPaginator(Paginator):
    """A Django paginator whose `count` is exact up to `exact_limit` rows and an estimate
    beyond it (`count_exact` says which), with `count_text` and `pages_text` saying it in
    words ("about 120,000"; "more than 10,000" when the planner's estimate falls short of the
    rows already counted). `exact_limit` defaults to the `LIST_EXACT_COUNT_LIMIT` setting; 0
    counts every list exactly. `known_count`, an exact count the caller has already read (off a
    facet), is taken as it is."""

    def __init__(
        self,
        object_list: Any,
        per_page: int | str,
        *args: Any,
        exact_limit: int | None = None,
        known_count: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.exact_limit = settings.LIST_EXACT_COUNT_LIMIT if exact_limit is None else exact_limit
        # An exact count the caller already holds (a facet's): nothing is counted again.
        self.known_count = known_count

    @cached_property
    def _counted(self) -> tuple[int, str]:
        """(the count, and "" when it is exact, "about" for an estimate, "more than" for a
        floor)."""
        rows = self.object_list
        if self.known_count is not None:
            return self.known_count, ""
        if (
            self.exact_limit > 0
            and isinstance(rows, QuerySet)
            and connections[rows.db].vendor == "postgresql"
        ):
            # Keys only: an annotation (a search's rank) is not worked out for rows only counted.
            capped = rows.order_by().values("pk")[: self.exact_limit + 1].count()
            if capped <= self.exact_limit:
                return capped, ""
            estimate = estimated_rows(rows) or 0
            if estimate > self.exact_limit:
                return about(estimate), "about"
            # The planner thinks there are fewer than were just counted: all that can be said
            # is what was counted.
            return capped, "more than"
        return super().count, ""

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_exact(self) -> bool:
        return not self._counted[1]

    @property
    def count_text(self) -> str:
        """The count as a list states it: "1,204", "about 120,000" or "more than 10,000"."""
        count, qualifier = self._counted
        if qualifier == "more than":
            count = self.exact_limit
        return f"{qualifier} {count:,}".lstrip()

    @property
    def pages_text(self) -> str:
        """The number of pages as the page links state it: "48", "about 2,400", "more than
        200"."""
        pages, qualifier = self.num_pages, self._counted[1]
        if qualifier == "more than":
            pages = self.exact_limit // self.per_page
        return f"{qualifier} {pages:,}".lstrip()

    def count_exactly(self) -> None:
        """Count the rows exactly from now on (`page=last`, a page past the end)."""
        if not self.count_exact:
            self.__dict__["_counted"] = (super().count, "")
            self.__dict__.pop("num_pages", None)
            self.__dict__.pop("page_range", None)

    def validate_number(self, number: Any) -> int:
        if self.count_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.num_pages:
            # Past the estimate's pages (which may fall short of the rows there are): only an
            # exact count says whether the page exists.
            self.count_exactly()
            return super().validate_number(number)
        return number

    def rows(self, bottom: int, top: int) -> Any:
        """Rows `bottom` to `top` of the list: through its queryset's `page_rows` where it has
        one (a way to read a page that beats slicing), else a slice."""
        page_rows = getattr(self.object_list, "page_rows", None)
        if page_rows is not None:
            return page_rows(bottom, top)
        return self.object_list[bottom:top]

    def page(self, number: Any) -> Page[Any]:
        if self.count_exact:
            # Django's own, reading the rows through `rows`.
            number = self.validate_number(number)
            bottom = (number - 1) * self.per_page
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return Page(self.rows(bottom, top), number, self)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.rows(bottom, bottom + self.per_page + 1))
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return ReadAheadPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class ReadAheadPage(Page):
    """A page of a list whose count is an estimate: whether a next page exists is known from
    the one row read past this page, not from the count."""

    def __init__(
        self, object_list: Any, number: int, paginator: Paginator[Any], *, more: bool
    ) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0
