"""How the API answers an exception of the project's own: a query parameter it cannot use is
400 with `{"errors": {parameter: [message, ...]}}`, the one shape every list answers it in; a
body it cannot read is 400 in the same shape, the field or `body` named."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from policytracker.core.api.parsers import BODY, BadBody
from policytracker.core.params import BadParameters


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler; `BadParameters` as a 400 naming each parameter, and a body that could
    not be read as a 400 naming where."""
    if isinstance(exc, BadParameters):
        return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, BadBody):
        return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ParseError):
        return Response({"errors": {BODY: [str(exc.detail)]}}, status=exc.status_code)
    return drf_exception_handler(exc, context)
