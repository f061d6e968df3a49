"""The pages' rate: a client that asks for pages faster than `PAGE_RATE` (per address; editors
are not counted) is answered 429, with a page saying how long to wait and `Retry-After`.

Searches and faceted lists cost the database far more than a page of the API, and were never
counted. The API counts its own requests (its throttles, `policytracker.core.api.throttling`);
static files and the admin, whose sign-in has limits of its own, are not counted here. The
counts are kept in the cache every app server shares (`REDIS_URL`), with the API's."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from policytracker.core.api.throttling import PageRateThrottle
from policytracker.core.client_faults import is_api_request

ADMIN_PREFIX = "/admin/"


def counted(request: HttpRequest) -> bool:
    """Whether `request` is for a page the rate counts."""
    path = request.path
    return not (
        is_api_request(request)
        or path.startswith(ADMIN_PREFIX)
        or (settings.STATIC_URL and path.startswith(settings.STATIC_URL))
    )


class PageRateMiddleware:
    """Answers 429 to a client over the pages' rate (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if counted(request):
            throttle = PageRateThrottle()
            # DRF's throttles read a request's META and user, which a page's request has too.
            if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                wait = max(math.ceil(throttle.wait() or 1), 1)
                response = render(request, "429.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
