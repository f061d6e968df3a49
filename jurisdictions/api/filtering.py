"""How every list of the API reads its filters."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class BadParameters(ValidationError):
    """400 with `{"errors": {parameter: [message, …]}}`: the one shape in which every list
    answers a query parameter it cannot use (filters, ordering, page, page size)."""

    def __init__(self, errors):
        super().__init__({"errors": errors})


class StrictFilterBackend(DjangoFilterBackend):
    """Filters a list with the view's `filterset_class`, the FilterSet the HTML page uses.

    A bad value or a likely-typo parameter answers 400 naming it, never an empty or unfiltered
    list: a client that misspells `jurisdiction` must not silently get every instrument."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            # `errors` rather than the form's: it also holds the misspelt-parameter errors.
            raise BadParameters(filterset.errors)
        # Serializers read the day a list was asked for (`as_of`) from the view.
        view.filterset = filterset
        return filterset.qs
