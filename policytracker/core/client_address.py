"""The address of the client a request comes from, read one way wherever the site counts
clients: the API's rates and the admin's sign-in limits."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    """The connection's address, or behind `NUM_PROXIES` proxies the one the nearest appended
    to `X-Forwarded-For` (DRF's rule, which the API's throttles use)."""
    # DRF's rule reads only the request's META, which a Django request has too.
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]
