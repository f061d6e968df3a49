"""How every list of the API reads its filters and the facets it is asked for."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from policytracker.core.filters import allowed

FACET_PARAMETER = "facet"


class BadParameters(ValidationError):
    """400 with `{"errors": {parameter: [message, …]}}`: the one shape in which every list
    answers a query parameter it cannot use (filters, ordering, facets, page, page size)."""

    def __init__(self, errors):
        super().__init__({"errors": errors})


def requested_facets(request, filterset):
    """({facet name, …} asked for with `facet`, {parameter: [message]} for the ones this list
    cannot count). The names are the FilterSet's countable filters (`facet_specs`)."""
    names = set()
    unknown = []
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


class StrictFilterBackend(DjangoFilterBackend):
    """Filters a list with the view's `filterset_class`, the FilterSet the HTML page uses.

    A bad value or a likely-typo parameter answers 400 naming it, never an empty or unfiltered
    list: a client that misspells `jurisdiction` must not silently get every instrument. So
    does a `facet` that is not one of the list's countable filters."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        facets, facet_errors = requested_facets(request, filterset)
        # `errors` rather than the form's: it also holds the misspelt-parameter errors.
        errors = {**filterset.errors, **facet_errors}
        if errors:
            raise BadParameters(errors)
        # Serializers read the day a list was asked for (`as_of`) from the view, and the
        # pagination the facets asked for.
        view.filterset = filterset
        view.facet_names = facets
        return filterset.qs
