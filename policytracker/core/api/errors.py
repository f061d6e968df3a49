"""How the API answers what goes wrong: always JSON, always `{"errors": {name: [message, ...]}}`.

`name` says what to fix: a query parameter, a field of the body (`body` for the body as a
whole), or for a fault of the request as a whole the part of it at fault:

- `path`: no record or address has it (404);
- `method`: the address takes no such method (405);
- `Accept`: no format of the answer is acceptable (406); `Content-Type`: the body's type is
  not read (415); `body`: the body is too large (413) or cannot be read (400);
- `Authorization`: no credentials, or bad ones (401); `permission`: not allowed (403);
- `If-Match`: the precondition of a write (412, 428); `conflict`: a clash with other records
  (409); `rate`: too many requests (429, with `Retry-After`);
- `server`: the fault is the server's (500) or it cannot answer now (503).

DRF's views answer through `exception_handler`; what Django answers before or around them
under the API's addresses (an address no route matches, a body over the size limit, an error
of the server) goes through `api_error_response` from the site's error handlers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from policytracker.core.api.parsers import BODY, BadBody
from policytracker.core.params import BadParameters

# The part of the request at fault, by the exception DRF answered.
_AT_FAULT: list[tuple[type[BaseException], str]] = [
    (Http404, "path"),
    (exceptions.NotFound, "path"),
    (exceptions.MethodNotAllowed, "method"),
    (exceptions.NotAcceptable, "Accept"),
    (exceptions.UnsupportedMediaType, "Content-Type"),
    (exceptions.ParseError, BODY),
    (exceptions.Throttled, "rate"),
    (exceptions.NotAuthenticated, "Authorization"),
    (exceptions.AuthenticationFailed, "Authorization"),
    (exceptions.PermissionDenied, "permission"),
]


def at_fault(exc: BaseException, status_code: int) -> str:
    """The name under which the error of `exc` (answered with `status_code`) is given."""
    for kind, name in _AT_FAULT:
        if isinstance(exc, kind):
            return name
    if status_code == status.HTTP_409_CONFLICT:
        return "conflict"
    if status_code in (412, 428):
        return "If-Match"
    if status_code >= 500:
        return "server"
    return "request"


def errors_of(data: Any, name: str) -> dict[str, Any]:
    """DRF's answer `data` as the `errors` object: a message alone under `name`, a dict of
    field errors as it is, a list under `non_field_errors`."""
    if isinstance(data, dict):
        if "errors" in data and len(data) == 1:
            return dict(data["errors"])
        if set(data) == {"detail"}:
            return {name: [str(data["detail"])]}
        return data
    if isinstance(data, list):
        return {"non_field_errors": [str(item) for item in data]}
    return {name: [str(data)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, every answer in the `errors` shape; `BadParameters` as a 400 naming each
    parameter; a body over the size limit as 413."""
    if isinstance(exc, BadParameters | BadBody):
        return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response({"errors": {BODY: [TOO_BIG]}}, status=413)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": errors_of(response.data, at_fault(exc, response.status_code))}
    return response


TOO_BIG = "The body is larger than this server reads: send less at a time."

# What Django's own error handlers answer under the API: (status, name, message).
DJANGO_ERRORS = {
    400: (BODY, "The request could not be read."),
    403: ("permission", "You may not do this."),
    404: ("path", "No address of the API is this one. The API's addresses start at /api/v1/."),
    413: (BODY, TOO_BIG),
    500: ("server", "The server failed to answer. It has been logged; try again later."),
}


def api_error_response(status_code: int, message: str | None = None) -> JsonResponse:
    """What Django answers with `status_code` under the API, in the API's shape."""
    name, default = DJANGO_ERRORS[status_code]
    return JsonResponse({"errors": {name: [message or default]}}, status=status_code)
