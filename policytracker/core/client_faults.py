"""Requests no page or record could answer, refused before any view reads them.

A NUL character (`%00`) fits no text PostgreSQL stores or compares: a key or a query value
holding one made the database refuse the query, and the request answered 500. Other control
characters but tab and line breaks are in no key, code, date or search a reader types.
`ClientFaultMiddleware` answers such a request 400, naming where the character was: under the
API in the API's JSON shape (`{"errors": {name: [message]}}`), elsewhere with the 400 page.
The bodies of the API's writes are checked the same way by its JSON parser
(`policytracker.core.api.parsers`), and HTML forms by Django's own form fields."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# C0 control characters and DEL, but tab, line feed and carriage return.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def forbidden_character(text: str) -> str | None:
    """A description of the first control character in `text` that no value may hold, or
    None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    character = found.group()
    name = "a NUL character" if character == "\x00" else "a control character"
    return f"{name} (U+{ord(character):04X})"


def faults_of(request: HttpRequest) -> dict[str, list[str]]:
    """{where: [message]} for each part of the request's address that holds a forbidden
    character: `path`, or the query parameter's name."""
    faults: dict[str, list[str]] = {}
    found = forbidden_character(request.path)
    if found:
        faults["path"] = [f"The address holds {found}, which no page or record has."]
    for name, values in request.GET.lists():
        in_name = forbidden_character(name)
        found = in_name or next(filter(None, map(forbidden_character, values)), None)
        if found:
            shown = "(a parameter's name)" if in_name else name
            faults[shown] = [f"Holds {found}, which no value may hold."]
    return faults


def is_api_request(request: HttpRequest) -> bool:
    """Whether the request is for the API, whose answers are JSON."""
    return request.path.startswith(settings.API_PATH_PREFIX)


def bad_request_response(
    request: HttpRequest, errors: dict[str, list[str]], status: int = 400
) -> HttpResponse:
    """`status` (400 unless given) naming each fault: JSON under the API, the 400 page
    elsewhere."""
    if is_api_request(request):
        return JsonResponse({"errors": errors}, status=status)
    # No link back to a path that is itself the fault.
    context = {"errors": errors, "bad_path": "path" in errors}
    return render(request, "400.html", context, status=status)


def address_too_long(request: HttpRequest) -> HttpResponse | None:
    """414 for an address longer than `MAX_ADDRESS_LENGTH`, or None."""
    limit = settings.MAX_ADDRESS_LENGTH
    if len(request.get_full_path()) <= limit:
        return None
    message = f"The address is longer than the site reads ({limit:,} characters): ask for less."
    return bad_request_response(request, {"path": [message]}, status=414)


class ClientFaultMiddleware:
    """Answers 400 to a request whose address holds a character no value may hold (see the
    module's docstring), and 414 to one whose address is longer than the site reads, before
    any view or database reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        too_long = address_too_long(request)
        if too_long is not None:
            return too_long
        faults = faults_of(request)
        if faults:
            return bad_request_response(request, faults)
        return self.get_response(request)
