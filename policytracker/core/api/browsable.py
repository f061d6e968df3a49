"""The browsable API under the site's content security policy: its pages allow the fixed
`style` attributes of DRF's templates and, when Pygments is installed, the `<style>` element
with the colours of highlighted code (`policytracker.core.content_policy`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.utils.html import conditional_escape
from rest_framework.compat import pygments_css
from rest_framework.renderers import BrowsableAPIRenderer

from policytracker.core.content_policy import allow_package_styles, source_hash


@cache
def code_style_hashes(style: str) -> tuple[str, ...]:
    css = pygments_css(style)
    return (source_hash(str(conditional_escape(css))),) if css else ()


class StrictBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API, with its page's policy allowing DRF's own inline styles only."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        page = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:
            allow_package_styles(response, "rest_framework", code_style_hashes(self.code_style))
        return page
