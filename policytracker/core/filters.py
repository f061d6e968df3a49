"""The strict, faceted FilterSet every list builds on, and the filters it is made of.

The HTML lists and the API read the same FilterSets, so a query string means the same thing on
a page and on its API list. A FilterSet here is strict: a bad value is an error naming the
parameter and the values it takes (the views answer 400), and a parameter that looks like a typo
of a known one is reported instead of silently ignored. Knows no model of the project: the
domain apps' `filters.py` build their FilterSets from these parts.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, TypeAlias, cast

import django_filters
from django import forms
from django.db import models
from django.db.models import Count, F, OrderBy, QuerySet, SlugField
from django.db.models.expressions import Combinable
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django_filters.fields import IsoDateTimeField

from policytracker.core import facet_cache
from policytracker.core.params import allowed, misspelt_parameters

# Parameters a list reads besides its filters.
CONTROL_PARAMETERS = frozenset({"page", "page_size", "format", "facet", "columns", "bom"})

# What a bad value of each form-field kind is told.
DATE_MESSAGE = "Enter a date as YYYY-MM-DD."
DATETIME_MESSAGE = "Enter a date and time in ISO 8601, e.g. 2025-08-08T00:00:00Z."

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class DatedQuerySet(Protocol):
    """What an `AsOfFilterSet` lists: a queryset that can be read as it stood on a day (each
    domain queryset behind one has `as_of`)."""

    def as_of(self, day: datetime.date) -> QuerySet[Any]: ...


class SearchableQuerySet(Protocol):
    """What a `SearchFilter` filters: a queryset with the model's own `search(q)`."""

    def search(self, q: str) -> QuerySet[Any]: ...


class VocabularyFilter(django_filters.MultipleChoiceFilter):
    """One or more values of a controlled vocabulary; repeat the parameter for more than one
    (`?type=binding_law&type=draft_bill`). Several values match any of them."""

    def __init__(self, *args: Any, choices: Sequence[tuple[object, object]], **kwargs: Any) -> None:
        values = [value for value, _ in choices]
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"“%(value)s” is not allowed. Allowed values: {allowed(values)}."},
        )
        super().__init__(*args, choices=choices, **kwargs)


class KeyFilter(django_filters.ModelMultipleChoiceFilter):
    """One or more records named by a key (a code or slug); repeat the parameter for more than
    one. Subclasses say how a key is written:

    - `normalize(value)`: the key as the records hold it (a code in capitals), which is also how
      a facet lists it, so a value typed in lower case still shows as chosen;
    - `schema_pattern`, `schema_listed`, `schema_examples`: what the API schema says the
      parameter takes and where its values are listed (they change with the data, so the schema
      does not enumerate them). Left empty, they are read off the key field: a slug pattern for
      a slug, "<model> <key>s, as the records show them"."""

    schema_pattern = ""
    schema_listed = ""
    schema_examples: tuple[str, ...] = ()

    def normalize(self, value: str) -> str:
        return value

    def key_field(self) -> tuple[type[models.Model], str]:
        model = self.extra["queryset"].model
        return model, self.extra.get("to_field_name") or "pk"

    def key_pattern(self) -> str:
        """The pattern a key matches, or "" when any string may be one."""
        if self.schema_pattern:
            return self.schema_pattern
        model, key = self.key_field()
        return SLUG_PATTERN if isinstance(model._meta.get_field(key), SlugField) else ""

    def labels_for(self, keys: Collection[str]) -> dict[str, str]:
        """{key: the record's name} for the records named by `keys`, as a reader knows them
        (a jurisdiction's name, not its code): how a chosen value no row counts is shown."""
        model, key = self.key_field()
        names = [field.name for field in model._meta.get_fields()]
        label = next((name for name in ("name", "title") if name in names), key)
        queryset = self.extra["queryset"].filter(**{f"{key}__in": list(keys)})
        return {str(value): str(text) for value, text in queryset.values_list(key, label)}

    def values_listed(self) -> str:
        """Which values the parameter takes, in words."""
        if self.schema_listed:
            return self.schema_listed
        model, key = self.key_field()
        return f"{model._meta.verbose_name} {key}s, as the records show them"


class TrueFalseFilter(django_filters.ChoiceFilter):
    """`true` or `false`, nothing else (a typo must not read as "no filter")."""

    def __init__(self, *args: Any, labels: tuple[str, str] = ("Yes", "No"), **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": "“%(value)s” is not allowed. Allowed values: true, false."},
        )
        super().__init__(*args, choices=[("true", labels[0]), ("false", labels[1])], **kwargs)

    def filter(self, qs: QuerySet[Any], value: str | None) -> QuerySet[Any]:
        if value in ("", None):
            return qs
        return self.apply(qs, value == "true")

    def apply(self, qs: QuerySet[Any], value: bool) -> QuerySet[Any]:
        raise NotImplementedError


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Ordering by the public names in `fields`; empty values sort last either way, and the
    primary key breaks ties so pages never overlap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [name for pair in self.param_map.items() for name in (pair[0], "-" + pair[0])]
        self.extra["error_messages"] = {
            "invalid_choice": f"“%(value)s” is not allowed. Allowed values: {allowed(names)}."
        }

    def get_ordering_value(self, param: str) -> OrderBy:
        descending = param.startswith("-")
        name = self.param_map[param[1:] if descending else param]
        expression = F(name)
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)

    def filter(self, qs: QuerySet[Any], value: Sequence[str] | None) -> QuerySet[Any]:
        if value in ([], (), {}, "", None):
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "pk")


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    """What one filter's values would give under the other active filters."""

    name: str
    label: str
    options: list[FacetOption] = field(default_factory=list)
    multiple: bool = True

    # A facet with more values than this shows its `TOP` values and folds the rest.
    LONG = 8
    TOP = 6

    @property
    def selected(self) -> list[FacetOption]:
        return [option for option in self.options if option.selected]

    @cached_property
    def shown(self) -> list[FacetOption]:
        """The values a form shows at once: all of a short facet; of a long one, the `TOP`
        values with the most rows and every chosen one, in the facet's order."""
        if len(self.options) <= self.LONG:
            return self.options
        top = sorted(self.options, key=lambda option: -option.count)[: self.TOP]
        return [option for option in self.options if option in top or option.selected]

    @cached_property
    def more(self) -> list[FacetOption]:
        """The values a form folds under "more" (none for a short facet)."""
        shown = self.shown
        return [option for option in self.options if option not in shown]


# What a facet's values are read from: a path (`"jurisdiction__code"`) or an expression.
FacetColumn: TypeAlias = str | Combinable
# One counted value of a facet: (value, label or None, count).
FacetRow: TypeAlias = tuple[object, object, int]


@dataclass(frozen=True)
class FacetSpec:
    """How to count a filter's values.

    - `value`: path (or expression) of the value the parameter takes;
    - `label`: path of its display label, or None to read `choices`;
    - `choices`: the vocabulary, which also fixes the order of the options;
    - `restrict`: a function (queryset, filterset) → queryset narrowing the rows first, used
      where the value sits on a conditional relation (memberships held on a day);
    - `fold`: a function turning a raw value into the parameter's value (type → binding), or
      None for a row the filter has no value for (a draft bill's `binding`);
    - `order`: "choices", "label" or "-value" (newest year first);
    - `counter`: a function (queryset, filterset) → [(value, label, count)] for values no
      single path reaches (an event's host, co-hosts and participants).

    `value` may also be a function of the filterset returning the path (a status read as of
    a day)."""

    value: FacetColumn | Callable[[FacetedFilterSet], FacetColumn] | None
    label: str | None = None
    choices: tuple[tuple[str, object], ...] = ()
    restrict: Callable[[QuerySet[Any], FacetedFilterSet], QuerySet[Any]] | None = None
    fold: Callable[[Any], str | None] | None = None
    order: str = "choices"
    multiple: bool = True
    counter: Callable[[QuerySet[Any], FacetedFilterSet], Iterable[FacetRow]] | None = None


class FacetedFilterSet(django_filters.FilterSet):
    """A strict FilterSet whose values can be counted (facets).

    Subclasses list their countable filters in `facet_specs` ({filter name: FacetSpec}). A
    subclass can set up the queryset before the filters run with `prepare` (the `as_of` day)."""

    facet_specs: dict[str, FacetSpec] = {}

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: HttpRequest | None = None,
        prefix: str | None = None,
    ) -> None:
        if data is not None:
            # An empty value (`?kind=`, what a form's blank field sends) is no filter at all.
            cleaned = QueryDict(mutable=True)
            for name, values in data.lists():
                kept = [value for value in values if value != ""]
                if kept:
                    cleaned.setlist(name, kept)
            data = cleaned
        super().__init__(data, queryset, request=request, prefix=prefix)
        self._errors: dict[str, list[str]] | None = None

    # -- validation -------------------------------------------------------------------------

    @property
    def known_parameters(self) -> set[str]:
        return set(self.filters) | CONTROL_PARAMETERS

    def unknown_parameter_errors(self) -> dict[str, list[str]]:
        """{parameter: [message]} for each parameter that looks like a misspelt known one."""
        return misspelt_parameters(self.data, self.known_parameters)

    @property
    def errors(self) -> dict[str, list[str]]:
        """{parameter: [message, …]} for every bad parameter ({} when all are good)."""
        if self._errors is None:
            errors = {name: list(messages) for name, messages in self.form.errors.items()}
            errors.update(self.unknown_parameter_errors())
            self._errors = errors
        return self._errors

    def is_valid(self) -> bool:
        return not self.errors

    # -- filtering --------------------------------------------------------------------------

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Hook run before any filter (e.g. reading the queryset as of a day)."""
        return queryset

    def filter_queryset(
        self, queryset: QuerySet[Any], exclude: Collection[str] = ()
    ) -> QuerySet[Any]:
        queryset = self.prepare(queryset)
        for name, value in self.form.cleaned_data.items():
            if name in exclude:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def active_values(self, name: str) -> list[str]:
        """The values given for the filter `name` in the query string, as given."""
        return [value for value in self.data.getlist(name) if value != ""]

    # -- facets -----------------------------------------------------------------------------

    def facets(self, names: Collection[str] | None = None) -> list[Facet]:
        """Facet for each of `names` (default: all countable filters), each value counted under
        every other active filter. One query per facet, whatever the number of rows, unless the
        cache holds it from a count made since the database last changed
        (`policytracker.core.facet_cache`)."""
        if not self.is_valid():
            raise ValueError("facets of an invalid FilterSet")
        wanted = [name for name in self.facet_specs if names is None or name in names]
        return facet_cache.read_through(
            self, wanted, lambda name: self._facet(name, self.facet_specs[name])
        )

    def count_from(self, facets: Iterable[Facet]) -> int | None:
        """How many rows the list holds, read off `facets` where one of them says it: a facet
        whose filter has exactly one value chosen counts that value under every other filter,
        which is the list itself. None when no facet does."""
        for facet in facets:
            if len(self.active_values(facet.name)) != 1:
                continue
            chosen = facet.selected
            if len(chosen) == 1:
                return chosen[0].count
        return None

    def _facet(self, name: str, spec: FacetSpec) -> Facet:
        queryset = self.filter_queryset(self.queryset.all(), exclude={name, "ordering"})
        if spec.restrict:
            queryset = spec.restrict(queryset, self)
        labels = dict(spec.choices)
        counts: dict[str, int] = {}
        for raw, label, count in self._count(queryset, spec):
            if raw in (None, ""):
                continue
            key = spec.fold(raw) if spec.fold else str(raw)
            if key is None:
                continue  # a value the filter does not take (a draft bill's `binding`)
            counts[key] = counts.get(key, 0) + count
            if label is not None:
                labels[key] = label
        selected = set(self.active_values(name))
        if spec.fold is None and not spec.choices:
            selected = {self.normalized(name, value) for value in selected}
        keys = [key for key, _ in spec.choices] if spec.choices else list(counts)
        # A chosen value stays on the form even when nothing matches it now, so applying the
        # form again keeps it.
        unlisted = sorted(key for key in selected if key not in keys)
        keys += unlisted
        # A chosen value no row counts still shows by its name ("China", not "CN").
        labels_for = getattr(self.filters[name], "labels_for", None)
        missing = [key for key in unlisted if key not in labels]
        if missing and labels_for is not None:
            labels.update(labels_for(missing))
        options = [
            FacetOption(
                str(key), str(labels.get(key, key)), counts.get(key, 0), str(key) in selected
            )
            for key in keys
            if counts.get(key) or str(key) in selected
        ]
        if spec.order == "label":
            options.sort(key=lambda option: option.label.casefold())
        elif spec.order == "-value":
            options.sort(key=lambda option: option.value, reverse=True)
        return Facet(name, self.filters[name].label or name, options, multiple=spec.multiple)

    def _count(self, queryset: QuerySet[Any], spec: FacetSpec) -> Iterable[FacetRow]:
        """(value, label or None, count) rows of one facet, from one query."""
        if spec.counter:
            return spec.counter(queryset, self)
        value = spec.value(self) if callable(spec.value) else spec.value
        columns = {"facet_value": F(value) if isinstance(value, str) else value}
        if spec.label:
            columns["facet_label"] = F(spec.label)
        grouped = queryset.order_by().values(**columns)
        # Each row counted once: `COUNT(DISTINCT …)` sorts every key of the group, which at a
        # million instruments was most of a facet's time, so it is kept for the queries that
        # can repeat a row (a to-many join, from a filter or the facet's own path).
        counted = Count("pk", distinct=repeats_rows(grouped))
        rows = grouped.annotate(facet_count=counted).order_by()
        return [(row["facet_value"], row.get("facet_label"), row["facet_count"]) for row in rows]

    def normalized(self, name: str, value: str) -> str:
        """`value` of the filter `name` as its facet lists it: a filter with a `normalize(value)`
        hook (a code written in any case) says how; others list a value as given."""
        normalize = getattr(self.filters[name], "normalize", None)
        return normalize(value) if normalize else value


def repeats_rows(queryset: QuerySet[Any]) -> bool:
    """Whether `queryset` can give a row of its model more than once: it is `distinct`, or it
    joins a to-many relation (a reverse foreign key, a many-to-many), whose every match repeats
    the row. Joins along foreign keys (to one row each) repeat nothing."""
    query = queryset.query
    if query.distinct:
        return True
    for join in query.alias_map.values():
        field = getattr(join, "join_field", None)
        if field is not None and (field.one_to_many or field.many_to_many):
            return True
    return False


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, read in UTC. ISO 8601 allows offsets that PostgreSQL refuses
    (past ±15:59), and a time that runs past the year 9999 in UTC cannot be compared: both are
    a bad value to name, not a server error."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class IsoDateField(forms.DateField):
    """A day written YYYY-MM-DD, two digits for the month and the day: `strptime` alone also
    reads "2025-2-3"."""

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, str) and value.strip() and not _ISO_DAY.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class IsoDateFilter(django_filters.DateFilter):
    """A day as YYYY-MM-DD only: "08/08/2025" means different days to different readers."""

    field_class = IsoDateField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("error_messages", {"invalid": DATE_MESSAGE})
        super().__init__(*args, **kwargs)


class AsOfFilter(IsoDateFilter):
    """`as_of=YYYY-MM-DD`: the list as it stood that day (applied by `prepare`, not here)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", "As of")
        kwargs.setdefault("help_text", "Show the list as it stood on this day (YYYY-MM-DD).")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: datetime.date | None) -> QuerySet[Any]:
        return qs


class AsOfFilterSet(FacetedFilterSet):
    """A FilterSet with `as_of`: `prepare` reads the queryset as of that day."""

    @property
    def as_of(self) -> datetime.date | None:
        """The `as_of` day given, or None (the list as it stands today)."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.form.cleaned_data.get("as_of")

    @property
    def day(self) -> datetime.date:
        """The day the list describes: `as_of`, or today."""
        return self.as_of or timezone.localdate()

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.as_of:
            return cast(DatedQuerySet, queryset).as_of(self.as_of)
        return queryset


class SearchFilter(django_filters.CharFilter):
    """`q`: the rows the model's own `search(q)` finds (each searchable queryset has one); an
    empty or blank search is no filter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Search")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str | None) -> QuerySet[Any]:
        return cast(SearchableQuerySet, qs).search(value) if value and value.strip() else qs


class UpdatedSinceFilter(IsoDateTimeFilter):
    """`updated_since`: rows whose `updated_at` is at or after an ISO 8601 date and time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", "Updated since")
        kwargs.setdefault("error_messages", {"invalid": DATETIME_MESSAGE})
        super().__init__(*args, **kwargs)


YEAR_MESSAGE = "Enter a year as four digits, e.g. 2025."


class YearFilter(django_filters.NumberFilter):
    """A year as four digits (`year=2025`), on a date field with `lookup_expr="year"`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": YEAR_MESSAGE,
                "min_value": YEAR_MESSAGE,
                "max_value": YEAR_MESSAGE,
            },
        )
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)

    @property
    def field(self) -> forms.DecimalField:
        field = super().field
        field.decimal_places = 0
        return field


class SearchFilterSet(FacetedFilterSet):
    """A FilterSet with `q`, read by the model's `search(q)`."""

    q = SearchFilter()
