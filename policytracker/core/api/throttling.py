"""How often the site may be asked: the API by the public at one rate per client address,
by editors at a rate of their own per account, and the pages by the public at a rate of
theirs (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, from `API_ANON_RATE`, `API_USER_RATE`
and `PAGE_RATE`). Over the rate, the answer is 429 with `Retry-After`.

Rates are read from the settings on each request, not once at import as DRF's classes do, so
a deployment's or a test's settings always apply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # Only for annotations: DRF loads this module while `rest_framework.views` is importing.
    from rest_framework.views import APIView

EDITORS_GROUP = "editors"
# Editors who may also publish changes (their own, and other editors' revisions).
REVIEWERS_GROUP = "reviewers"


def is_editor(user: User | AnonymousUser) -> bool:
    """Whether `user` curates the records: staff, or a member of the `editors` or `reviewers`
    group."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.groups.filter(name__in=[EDITORS_GROUP, REVIEWERS_GROUP]).exists()


def by_editor(request: Request) -> bool:
    """Whether an editor makes `request`; both throttles ask, the group is read once."""
    # The answer is kept on the request, an attribute the stubs of DRF's Request do not declare.
    if not hasattr(request, "_by_editor"):
        request._by_editor = is_editor(request.user)  # type: ignore[attr-defined]
    return request._by_editor  # type: ignore[attr-defined]


class RatesFromSettings:
    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:  # the name SimpleRateThrottle reads
        # The stubs type the rates as numbers; DRF's are strings such as "100/hour".
        return api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[return-value]


# The stubs declare THROTTLE_RATES a plain attribute; DRF only reads it, so a read-only property
# serves.
class PublicRateThrottle(RatesFromSettings, SimpleRateThrottle):  # type: ignore[override]
    """Everyone who is not an editor, signed in or not, counted per client address."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if by_editor(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EditorRateThrottle(RatesFromSettings, SimpleRateThrottle):  # type: ignore[override]
    """Editors, counted per account, so they are never held to the public rate."""

    scope = "user"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not by_editor(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class PageRateThrottle(PublicRateThrottle):
    """The pages (`policytracker.core.page_rate`), for everyone but editors, per client
    address: counted apart from the API's requests."""

    scope = "pages"
