"""Middleware of the pages."""

from policytracker.core.params import BadParameters
from policytracker.web.views.base import bad_request


class BadParametersMiddleware:
    """Answers `BadParameters` raised by a page with the 400 page naming each parameter. (The
    API answers the same exception itself, in JSON: `policytracker.core.api.errors`.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameters):
            return bad_request(request, exception.errors)
        return None
