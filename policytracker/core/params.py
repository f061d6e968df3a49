"""Query parameters a list cannot use, answered the same way by the pages and the API.

Every list reads its query string strictly: a bad value, a page that is not one, a misspelt
parameter name is an error naming the parameter, never an empty or an unfiltered list. Whatever
finds such a parameter raises `BadParameters`; the pages answer it with their 400 page, the API
with 400 and `{"errors": {parameter: [message, ...]}}`. The paging messages are written here
once, for both.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from django.core.paginator import EmptyPage, Page, Paginator

PAGE_PARAMETER = "page"
PAGE_SIZE_PARAMETER = "page_size"
# The last page, whatever its number (`page=last`).
LAST_PAGE = "last"


class BadParameters(Exception):
    """Query parameters that cannot be used: `errors` is {parameter: [message, ...]}."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {name: list(messages) for name, messages in errors.items()}
        super().__init__(self.errors)


def allowed(values: Iterable[object]) -> str:
    """The values a parameter takes, as a message lists them."""
    return ", ".join(str(value) for value in values)


def misspelt_parameters(names: Iterable[str], known: Iterable[str]) -> dict[str, list[str]]:
    """{parameter: [message]} for each of `names` not in `known` that looks like a misspelling
    of a known one. Others pass unremarked: a cache-busting `_=…` must not break a request."""
    known = set(known)
    choices = sorted(known)
    errors = {}
    for name in names:
        if name in known:
            continue
        guesses = difflib.get_close_matches(name.lower(), choices, n=1, cutoff=0.7)
        if guesses:
            errors[name] = [f"Unknown parameter. Did you mean “{guesses[0]}”?"]
    return errors


# What a client may add to any address of the API without it being a parameter: a cache-buster.
IGNORED_PARAMETERS = frozenset({"_"})


def unknown_parameters(names: Iterable[str], known: Iterable[str]) -> dict[str, list[str]]:
    """{parameter: [message]} for each of `names` not in `known` (nor `IGNORED_PARAMETERS`):
    the API's lists take only the parameters they document, so that a filter they do not have
    is never silently an unfiltered list."""
    known = set(known)
    errors = misspelt_parameters(names, known)
    for name in names:
        if name in known or name in errors or name in IGNORED_PARAMETERS:
            continue
        errors[name] = [f"Unknown parameter. This list takes: {allowed(sorted(known))}."]
    return errors


def whole_number(text: str) -> int | None:
    """`text` as an int if it is ASCII digits (not "²", not thousands of digits), else None."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def page_size(raw: str | None, *, default: int, maximum: int) -> int:
    """The `page_size` asked for: `default` when none is given (an empty value is none), else a
    whole number from 1 to `maximum`."""
    raw = (raw or "").strip()
    if not raw:
        return default
    size = whole_number(raw)
    if size is None or not 1 <= size <= maximum:
        raise BadParameters(
            {
                PAGE_SIZE_PARAMETER: [
                    f"“{raw}” is not allowed. Enter a whole number from 1 to {maximum}."
                ]
            }
        )
    return size


def page_of(paginator: Paginator, raw: str | None) -> Page:
    """The page `raw` names (1 when none is given, the last with `last`), or `BadParameters`
    naming `page`: a page that is not a number or not in the list is the reader's error, not a
    missing page, and never silently another page.

    A paginator whose count is an estimate (`policytracker.core.counting`) counts exactly when
    the last page is asked for, or when a page turns out to be past the end."""
    raw = (raw or "").strip()
    if not raw:
        number = 1
    elif raw == LAST_PAGE:
        if hasattr(paginator, "count_exactly"):
            paginator.count_exactly()
        number = paginator.num_pages
    else:
        number = whole_number(raw) or 0
        if number < 1:
            raise BadParameters(
                {
                    PAGE_PARAMETER: [
                        f"“{raw}” is not allowed. Enter a page number (1 or more) or “last”."
                    ]
                }
            )
    try:
        return paginator.page(number)
    except EmptyPage:
        if hasattr(paginator, "count_exactly"):
            paginator.count_exactly()
        pages = paginator.num_pages
        raise BadParameters(
            {
                PAGE_PARAMETER: [
                    f"There is no page {number}: this list has {pages} "
                    f"page{'' if pages == 1 else 's'} at this page size."
                ]
            }
        ) from None
