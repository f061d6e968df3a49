"""Who may do what through the API: anyone may read, editors alone may write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

from policytracker.core.api.throttling import by_editor

if TYPE_CHECKING:
    # Only for annotations: DRF loads this module while `rest_framework.views` is importing.
    from rest_framework.request import Request
    from rest_framework.views import APIView


class IsEditorOrReadOnly(BasePermission):
    """Reads (GET, HEAD, OPTIONS) for everyone, signed in or not; every other method for
    editors only (staff, or members of the `editors` group).

    Checked before the view runs, so a refused write has touched nothing. DRF answers an
    anonymous client 401 with the `WWW-Authenticate` challenge of the first authentication
    class (a token), and a signed-in non-editor 403."""

    message = "Only editors (staff or members of the “editors” group) may change records."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return by_editor(request)
