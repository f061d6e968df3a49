"""Content negotiation: DRF's, with a `format` no answer comes in named as a bad parameter."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

from policytracker.core.params import BadParameters, allowed


class StrictContentNegotiation(DefaultContentNegotiation):
    """`?format=xml` answers 400 naming `format` and the formats the address gives, where DRF
    answers 404 as if the address did not exist."""

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        renderers = list(renderers)
        try:
            return super().filter_renderers(renderers, format)
        except Http404:
            formats = sorted({renderer.format for renderer in renderers if renderer.format})
            message = f"“{format}” is not allowed. Allowed values: {allowed(formats)}."
            raise BadParameters({self.settings.URL_FORMAT_OVERRIDE: [message]}) from None
