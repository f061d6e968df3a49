"""The content security policy's exceptions for packages' own templates.

The site's policy (`CONTENT_SECURITY_POLICY` in the settings) runs no inline style. A few pages
are drawn by packages whose templates write fixed `style` attributes: DRF's browsable API
(`float: right` on the filters button, the form fieldsets' borders) and django-simple-history's
history list (`border-top: 0`). Those pages allow exactly those values, by their hashes, read
from the installed package's templates (literal values only, never one a template fills in), so
an upgrade brings its own. Nothing a record holds can add a style: it is escaped like every
other text.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import re
from functools import cache
from pathlib import Path

from django.http import HttpResponseBase

# A literal value of a `style` attribute in a template: nothing filled in (no `{`).
LITERAL_STYLE = re.compile(r'\bstyle="([^"{}]*)"')


def source_hash(text: str) -> str:
    """The policy's source expression allowing the inline `text` by its SHA-256."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@cache
def package_style_attributes(package: str) -> tuple[str, ...]:
    """The hashes of the literal `style` attributes in the templates of `package`."""
    module = importlib.import_module(package)
    templates = Path(module.__file__ or "").parent / "templates"
    values = {
        match.group(1)
        for template in templates.rglob("*.html")
        for match in LITERAL_STYLE.finditer(template.read_text(encoding="utf-8"))
    }
    return tuple(sorted(source_hash(value) for value in values))


def allow_package_styles(
    response: HttpResponseBase, package: str, elements: tuple[str, ...] = ()
) -> HttpResponseBase:
    """Let `response`'s page apply the `style` attributes of `package`'s templates, and the
    inline style elements whose hashes are `elements`."""
    update = {"style-src-attr": ["'unsafe-hashes'", *package_style_attributes(package)]}
    if elements:
        update["style-src-elem"] = ["'self'", *elements]
    response._csp_update = update  # type: ignore[attr-defined]
    return response
