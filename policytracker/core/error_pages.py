"""The site's answers to what Django handles itself (the URL configuration's `handler400`,
`handler403`, `handler404` and `handler500`): under the API's addresses in the API's JSON
shape (`policytracker.core.api.errors`), elsewhere the site's own pages.

An exception no view answered is a 500, but for the database being out of reach (it is down,
restarting, or refusing connections) or refusing writes (an SQLite file that cannot be
written): those are 503 with `Retry-After`, saying which, since trying again later is the
answer. Django drops a connection that failed at the end of the request and opens a new one
on the next, so the app recovers by itself once the database is back."""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from policytracker.core.api.errors import api_error_response
from policytracker.core.client_faults import is_api_request


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE: too large, not unreadable.
        return api_error_response(413 if isinstance(exception, RequestDataTooBig) else 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return api_error_response(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return api_error_response(404)
    return defaults.page_not_found(request, exception)


# Seconds a client is told to wait when the database is out of reach.
RETRY_AFTER = 30


# What the drivers say when the database cannot be reached (PostgreSQL's psycopg, SQLite), and
# when it refuses a write because it is read-only (an SQLite file; a PostgreSQL standby).
_OUT_OF_REACH = (
    "could not connect",
    "connection refused",
    "connection to server",
    "server closed the connection",
    "terminating connection",
    "the database system is",
    "connection already closed",
    "timeout expired",
    "connection timed out",
    "could not translate host name",
    "unable to open database file",
    "database is locked",
)
_READ_ONLY = ("readonly database", "read-only database", "read-only transaction")


def database_fault(exception: BaseException | None) -> str | None:
    """What to tell a reader when `exception` (or what caused it) is the database being out
    of reach or refusing writes; None for any other fault, a database error of the app's own
    (a missing table, a broken query) included."""
    while exception is not None:
        if isinstance(exception, OperationalError | InterfaceError | InternalError):
            text = str(exception).lower()
            if any(words in text for words in _READ_ONLY):
                return (
                    "The database is read-only just now: reading works, but nothing can be "
                    "saved until an administrator makes it writable again."
                )
            if isinstance(exception, InterfaceError) or any(w in text for w in _OUT_OF_REACH):
                return "The database cannot be reached just now."
        exception = exception.__cause__ or exception.__context__
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    message = database_fault(sys.exc_info()[1])
    if message is not None:
        return unavailable(request, message)
    if is_api_request(request):
        return api_error_response(500)
    return defaults.server_error(request)


def unavailable(request: HttpRequest, message: str) -> HttpResponse:
    """503 with `Retry-After`: JSON under the API, the 503 page elsewhere."""
    response: HttpResponse
    if is_api_request(request):
        text = f"{message} Try again in {RETRY_AFTER} seconds."
        response = JsonResponse({"errors": {"server": [text]}}, status=503)
    else:
        try:
            context = {"message": message, "retry_after": RETRY_AFTER}
            response = render(request, "503.html", context, status=503)
        except Exception:  # the page itself must not need what is missing
            response = HttpResponse(f"{message} Try again in {RETRY_AFTER} seconds.", status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
