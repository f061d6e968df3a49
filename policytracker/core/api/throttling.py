"""How often the API may be asked: the public at one rate per client address, editors at a
rate of their own per account (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, from
`API_ANON_RATE` and `API_USER_RATE`). Over the rate, the API answers 429 with `Retry-After`.

Rates are read from the settings on each request, not once at import as DRF's classes do, so
a deployment's or a test's settings always apply."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

EDITORS_GROUP = "editors"


def is_editor(user):
    """Whether `user` curates the records: staff, or a member of the `editors` group."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.groups.filter(name=EDITORS_GROUP).exists()


def by_editor(request):
    """Whether an editor makes `request`; both throttles ask, the group is read once."""
    if not hasattr(request, "_by_editor"):
        request._by_editor = is_editor(request.user)
    return request._by_editor


class RatesFromSettings:
    @property
    def THROTTLE_RATES(self):  # the name SimpleRateThrottle reads
        return api_settings.DEFAULT_THROTTLE_RATES


class PublicRateThrottle(RatesFromSettings, SimpleRateThrottle):
    """Everyone who is not an editor, signed in or not, counted per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if by_editor(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EditorRateThrottle(RatesFromSettings, SimpleRateThrottle):
    """Editors, counted per account, so they are never held to the public rate."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not by_editor(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
