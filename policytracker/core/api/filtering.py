"""How every list of the API reads its filters and the facets it is asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request

from policytracker.core.filters import FacetedFilterSet
from policytracker.core.params import BadParameters, allowed, unknown_parameters

if TYPE_CHECKING:
    from policytracker.core.api.views import ListViewSet

FACET_PARAMETER = "facet"


def requested_facets(
    request: Request, filterset: FacetedFilterSet
) -> tuple[set[str], dict[str, list[str]]]:
    """({facet name, …} asked for with `facet`, {parameter: [message]} for the ones this list
    cannot count). The names are the FilterSet's countable filters (`facet_specs`)."""
    names: set[str] = set()
    unknown: list[str] = []
    for value in request.query_params.getlist(FACET_PARAMETER):
        name = value.strip()
        if not name:
            continue
        if name in filterset.facet_specs:
            names.add(name)
        elif name not in unknown:
            unknown.append(name)
    if not unknown:
        return names, {}
    if filterset.facet_specs:
        hint = f"Allowed values: {allowed(filterset.facet_specs)}."
    else:
        hint = "This list has no facets."
    return names, {
        FACET_PARAMETER: [f"“{name}” is not a facet of this list. {hint}" for name in unknown]
    }


def strict_filterset(
    filterset_class: type[FacetedFilterSet], request: Request, queryset: QuerySet[Any]
) -> tuple[FacetedFilterSet, set[str]]:
    """The list's FilterSet (the one its HTML page uses) over `queryset`, and the facets asked
    for; `BadParameters` naming every parameter it cannot use. A bad value or a likely-typo
    parameter is never an empty or unfiltered list: a client that misspells `jurisdiction` must
    not silently get every instrument, nor one that sends a filter the list does not have. So is
    a `facet` that is not one of the list's countable filters."""
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    facets, facet_errors = requested_facets(request, filterset)
    # `errors` rather than the form's: it also holds the misspelt-parameter errors. The API
    # also refuses a parameter that looks like nothing it knows (the pages let it pass: a
    # shared link may carry a tracker's `utm_source`).
    unknown = unknown_parameters(request.query_params, filterset.known_parameters)
    errors = {**unknown, **filterset.errors, **facet_errors}
    if errors:
        raise BadParameters(errors)
    return filterset, facets


class StrictFilterBackend(DjangoFilterBackend):
    """Filters a list with the FilterSet its viewset builds (`ListViewSet.filterset_for`), and
    tells the schema which parameters that FilterSet takes."""

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        list_view: ListViewSet = view
        return list_view.filterset_for(queryset).qs
