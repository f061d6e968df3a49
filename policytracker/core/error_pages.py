"""The site's answers to what Django handles itself (the URL configuration's `handler400`,
`handler403`, `handler404` and `handler500`): under the API's addresses in the API's JSON
shape (`policytracker.core.api.errors`), elsewhere the site's own pages."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
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


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return api_error_response(500)
    return defaults.server_error(request)
