"""Every record as the API represents it, for a release's JSON file.

Each list of the API's router that lists records (`RecordViewSet`) is read whole, in its own
order, through its own queryset and list serializer, the way its CSV download reads it: a row
of the release's JSON is what `GET /api/v1/<list>/` answers for that record, addresses
included, as the site at `origin` gives them. The one exception: a record the API addresses by
its database key (a citation, at `/api/v1/citations/<id>/`) comes without that address
(`url`), as a release never publishes a database key; its source, record and quote name it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse

from policytracker.api.urls import router
from policytracker.core.api.views import RecordViewSet

# Where the API names a record by its database key: its lookup field is one of these.
_DATABASE_KEYS = frozenset({"id", "pk"})


def resources() -> list[tuple[str, type[RecordViewSet]]]:
    """(name, viewset) of every list of records in the API, in the router's order."""
    return [
        (prefix, viewset)
        for prefix, viewset, _ in router.registry
        if isinstance(viewset, type) and issubclass(viewset, RecordViewSet)
    ]


def left_out(viewset: type[RecordViewSet]) -> tuple[str, ...]:
    """The fields of a list's rows a release leaves out: the address of a record the API
    names by its database key."""
    return ("url",) if viewset.lookup_field in _DATABASE_KEYS else ()


def _request(path: str, origin: str) -> HttpRequest:
    """A reader's plain `GET` of `path` on the site at `origin`."""
    address = urlsplit(origin)
    request = RequestFactory().get(path, HTTP_HOST=address.netloc, secure=address.scheme == "https")
    request.user = AnonymousUser()
    return request


def check_origin(origin: str) -> None:
    """`DisallowedHost` when the site does not answer at `origin`'s host (`ALLOWED_HOSTS`),
    where the API would not build addresses either."""
    _request("/", origin).get_host()


def _list_view(viewset: type[RecordViewSet], basename: str, origin: str) -> RecordViewSet:
    """The list view of `viewset`, for a plain `GET` of the list on the site at `origin`."""
    request = _request(reverse(f"api:{basename}-list"), origin)
    view = viewset(action_map={"get": "list"}, args=(), kwargs={}, format_kwarg=None)
    view.headers = {}
    view.request = view.initialize_request(request)
    return view


def rows(name: str, origin: str) -> Iterator[dict[str, Any]]:
    """Every row of the API's list `name`, as that list answers it."""
    viewset = dict(resources())[name]
    basename = next(base for prefix, _, base in router.registry if prefix == name)
    view = _list_view(viewset, basename, origin)
    serializer = view.get_serializer()
    represent = serializer.to_representation
    omitted = left_out(viewset)
    for record in view.csv_rows(view.filter_queryset(view.get_queryset())):
        row = represent(record)
        for field_name in omitted:
            row.pop(field_name, None)
        yield row
