"""What a hook's filter selects: the records of one list (instruments, events, jurisdictions)
that its query string picks, read with the very FilterSet the list's page and API list use, so
that `binding=true&member_of=ASEAN` means the same in all three places."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from instruments.filters import EventFilterSet, InstrumentFilterSet, JurisdictionLawFilterSet
from instruments.models import Event, Instrument
from jurisdictions.models import Jurisdiction
from policytracker.core.client_faults import forbidden_character
from policytracker.core.filters import CONTROL_PARAMETERS, FacetedFilterSet
from policytracker.core.params import unknown_parameters
from policytracker.webhooks.vocabulary import HookList

# What a list takes besides its filters (`page`, `format`, `ordering`…): a hook selects
# records, it does not page, sort or format them.
NOT_FILTERS = CONTROL_PARAMETERS | {"ordering"}
NOT_A_FILTER = (
    "Not a filter: a hook selects records; it does not page, sort or format them. Leave it out."
)


@dataclass(frozen=True)
class ListSpec:
    filterset_class: type[FacetedFilterSet]
    queryset: Callable[[], QuerySet[Any]]
    api_list: str


LISTS = {
    HookList.INSTRUMENTS: ListSpec(
        InstrumentFilterSet, lambda: Instrument.objects.for_listing(), "api:instrument-list"
    ),
    HookList.EVENTS: ListSpec(
        EventFilterSet, lambda: Event.objects.for_listing(), "api:event-list"
    ),
    HookList.JURISDICTIONS: ListSpec(
        JurisdictionLawFilterSet,
        lambda: Jurisdiction.objects.for_listing(),
        "api:jurisdiction-list",
    ),
}


def normalized_query(query: str) -> str:
    """The query string as stored: without a leading `?` or surrounding blanks."""
    return query.strip().removeprefix("?").strip()


def _filterset(list_name: str, query: str) -> tuple[FacetedFilterSet, QueryDict]:
    spec = LISTS[HookList(list_name)]
    params = QueryDict(normalized_query(query))
    return spec.filterset_class(params, queryset=spec.queryset(), request=None), params


def query_errors(list_name: str, query: str) -> dict[str, list[str]]:
    """{parameter: [message, …]} for every parameter of `query` the list cannot select with,
    in the words the list itself answers a bad parameter with; {} when all can be used."""
    params = QueryDict(normalized_query(query))
    errors: dict[str, list[str]] = {}
    for name, values in params.lists():
        found = forbidden_character(name) or next(
            filter(None, map(forbidden_character, values)), None
        )
        if found:
            errors[name if not forbidden_character(name) else "(a parameter's name)"] = [
                f"Holds {found}, which no value may hold."
            ]
    if errors:
        return errors
    filterset, _ = _filterset(list_name, query)
    for name in params:
        if name in NOT_FILTERS:
            errors[name] = [NOT_A_FILTER]
    unknown = unknown_parameters(params, filterset.known_parameters - NOT_FILTERS)
    errors.update({name: messages for name, messages in unknown.items() if name not in errors})
    for name, messages in filterset.errors.items():
        if name not in errors:
            errors[name] = list(messages)
    return errors


class FilterNoLongerApplies(Exception):
    """A stored filter the list now refuses (a topic it names was deleted): {parameter:
    [message]} in `errors`."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in sorted(self.errors.items())
        )


def selected(list_name: str, query: str) -> QuerySet[Any]:
    """The records the filter selects now, as a queryset; `FilterNoLongerApplies` when the
    list refuses it."""
    errors = query_errors(list_name, query)
    if errors:
        raise FilterNoLongerApplies(errors)
    filterset, _ = _filterset(list_name, query)
    return filterset.qs


def list_url(list_name: str, query: str) -> str:
    """The path of the API list the filter reads, with its query string: what the hook
    selects, to look at."""
    path = reverse(LISTS[HookList(list_name)].api_list)
    query = normalized_query(query)
    return f"{path}?{query}" if query else path
