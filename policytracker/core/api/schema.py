"""How the API describes itself in its OpenAPI 3 schema (/api/schema/, read by /api/docs/).

drf-spectacular reads the views, serializers and FilterSets. What it cannot guess is said here,
once for every resource:

- the types of our own serializer fields (partial dates, labels, vocabulary values that may be
  null, page addresses);
- the parameters of our own filters (jurisdiction codes, topic slugs, `true`/`false`, years),
  each with its type and, for a vocabulary, its allowed values; a repeatable one is an array
  sent as `?name=a&name=b`;
- `ApiSchema`: what every operation answers besides its records (400 naming the bad parameters
  on a list, 404 on a record, 429 over the rate) and the CSV that every list also gives.

Vocabularies become named enums through `ENUM_NAME_OVERRIDES` in the settings.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, SlugField
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type, build_parameter_type
from drf_spectacular.utils import Direction, OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from policytracker.core.api.fields import (
    AsOfValue,
    LabelField,
    PartialDateField,
    RecordUrlField,
    VocabularyField,
)
from policytracker.core.api.filtering import FACET_PARAMETER, StrictFilterBackend
from policytracker.core.filters import SLUG_PATTERN, KeyFilter, TrueFalseFilter

# "2024", "2024-05" or "2024-05-21": as much of the date as the source states.
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


def may_be_empty(field: serializers.Field) -> bool:
    """Whether a serializer field that shows a vocabulary value may show null: unless it reads
    a model field that must be filled in, yes (an annotation, a value as of a day)."""
    if isinstance(field, AsOfValue):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return True
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return True
    return model_field.null or model_field.blank


class VocabularyFieldExtension(OpenApiSerializerFieldExtension):
    """A vocabulary value: its named enum, or null where the record may leave it empty."""

    target_class = VocabularyField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if may_be_empty(self.target):
            # As a ChoiceField with allow_null: the enum hook then puts the null choice beside
            # the named enum.
            if None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
            schema["nullable"] = True
        return schema


class LabelFieldExtension(OpenApiSerializerFieldExtension):
    target_class = LabelField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "string",
            "description": f"The label of `{self.target.source}`, as the pages show it.",
        }
        if may_be_empty(self.target):
            schema["nullable"] = True
        return schema


class PartialDateFieldExtension(OpenApiSerializerFieldExtension):
    target_class = PartialDateField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": PARTIAL_DATE_PATTERN,
            "nullable": True,
            "example": "2024-05",
            "description": "A date at the precision its source states: YYYY, YYYY-MM or "
            "YYYY-MM-DD (its `_precision` says which); null when no date is stated.",
        }


class RecordUrlFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RecordUrlField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        field = self.target
        where = "address in the API" if field.view_name.startswith("api:") else "page on the site"
        schema: dict[str, Any] = {
            "type": "string",
            "format": "uri",
            "description": f"The record's {where}.",
        }
        # A key read through a relation is missing when the relation is (an actor without a
        # jurisdiction has no page).
        if len(field.lookup) > 1:
            schema["nullable"] = True
        return schema


REPEAT_NOTE = "Repeat the parameter for more than one value; any of them matches."


def sentence(text: object) -> str:
    text = str(text or "").strip()
    return text if not text or text.endswith(".") else f"{text}."


class StrictFilterExtension(DjangoFilterExtension):
    """Every parameter of a list's FilterSet, typed, with the values it allows.

    A jurisdiction code or a topic slug is checked against the records, which change: its
    parameter says where the values are listed instead of enumerating today's."""

    # drf-spectacular types the attribute by its own default, a dotted path; a class is taken too.
    target_class = StrictFilterBackend  # type: ignore[assignment]
    match_subclasses = True
    priority = 1

    def get_schema_operation_parameters(
        self, auto_schema: AutoSchema, *args: Any, **kwargs: Any
    ) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        names = list(getattr(filterset_class, "facet_specs", None) or ())
        if names:
            parameters.append(
                build_parameter_type(
                    name=FACET_PARAMETER,
                    schema=build_array_type({"type": "string"}),
                    location=OpenApiParameter.QUERY,
                    description="Count the values of these filters under the other filters "
                    "given: the page then carries `facets`. Not read with `format=csv`. "
                    "Repeat the parameter for more than one.",
                    enum=names,
                    explode=True,
                    style="form",
                )
            )
        return parameters

    def resolve_filter_field(
        self,
        auto_schema: AutoSchema,
        model: type[Model],
        filterset_class: type[django_filters.FilterSet],
        field_name: str,
        filter_field: django_filters.Filter,
    ) -> list[dict[str, Any]]:
        if isinstance(filter_field, django_filters.ModelMultipleChoiceFilter):
            return [self.record_parameter(field_name, filter_field)]
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(filter_field, TrueFalseFilter):
                parameter["schema"] = {"type": "boolean"}
            elif isinstance(filter_field, django_filters.NumberFilter):
                schema["type"] = "integer"
                schema.pop("format", None)
                for key, value in (
                    ("minimum", filter_field.extra.get("min_value")),
                    ("maximum", filter_field.extra.get("max_value")),
                ):
                    if value is not None:
                        schema[key] = value
            elif isinstance(filter_field, django_filters.OrderingFilter):
                head, _, choices = parameter.get("description", "").partition("\n\n")
                parameter["description"] = (
                    f"{sentence(head or 'Order')} One or more of the values, comma-separated; "
                    f"`-` before a name reverses it.\n\n{choices}"
                ).strip()
            elif parameter.get("explode") and schema.get("type") == "array":
                head, _, choices = parameter.get("description", "").partition("\n\n")
                parameter["description"] = f"{sentence(head)} {REPEAT_NOTE}\n\n{choices}".strip()
        return parameters

    def record_parameter(self, name: str, filter_field: django_filters.Filter) -> dict[str, Any]:
        if isinstance(filter_field, KeyFilter):
            pattern = filter_field.key_pattern()
            listed = filter_field.values_listed()
            examples = list(filter_field.schema_examples)
        else:
            model = filter_field.extra["queryset"].model
            key = filter_field.extra.get("to_field_name") or "pk"
            pattern = SLUG_PATTERN if isinstance(model._meta.get_field(key), SlugField) else ""
            listed = f"{model._meta.verbose_name} {key}s, as the records show them"
            examples = []
        item = {"type": "string", "pattern": pattern} if pattern else {"type": "string"}
        description = sentence(filter_field.extra.get("help_text") or filter_field.label or name)
        parameter = build_parameter_type(
            name=name,
            schema=build_array_type(item),
            location=OpenApiParameter.QUERY,
            description=f"{description} Values: {listed}. {REPEAT_NOTE}",
            explode=True,
            style="form",
        )
        if examples:
            parameter["schema"]["example"] = examples
        return parameter


class BadParametersSerializer(serializers.Serializer):
    """Every part of the address that could not be used, each with what is wrong with it: a
    query parameter's bad value, a page past the last, a misspelt parameter name, or a
    character no key or value holds (a NUL or another control character; the path's is
    named `path`)."""

    # A declared field, which DRF's metaclass takes out of the class: `Serializer.errors` stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by parameter name.",
    )


class ErrorSerializer(serializers.Serializer):
    """What went wrong, under the part of the request at fault: `path` (no record has the
    key), `method`, `Accept`, `Content-Type`, `body`, `Authorization`, `permission`,
    `If-Match`, `conflict`, `rate` or `server`."""

    # A declared field, which DRF's metaclass takes out of the class: `Serializer.errors` stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by the part of the request at fault.",
    )


JSON = "application/json"
CSV = "text/csv"
CSV_SCHEMA = {
    "type": "string",
    "description": "CSV: a header of the JSON fields (a nested object's as `parent.child`), "
    "then one row per record. A list gives every matching row, unpaged.",
}
BAD_PARAMETERS_EXAMPLE = OpenApiExample(
    "A misspelt parameter and a bad value",
    value={
        "errors": {
            "jurisdicton": ["Unknown parameter. Did you mean “jurisdiction”?"],
            "page_size": ["“500” is not allowed. Enter a whole number from 1 to 200."],
        }
    },
    response_only=True,
    status_codes=["400"],
)


BAD_ADDRESS = OpenApiResponse(
    BadParametersSerializer,
    "The address holds a character no key or value holds (a NUL or another control "
    "character), named with where.",
)


UNAVAILABLE = OpenApiResponse(
    ErrorSerializer,
    "The database cannot be reached, or is read-only and the request would write "
    "(`errors.server`): try again after `Retry-After` seconds.",
)
NOT_ACCEPTABLE = OpenApiResponse(
    ErrorSerializer, "`Accept` names no format the answer comes in (`errors.Accept`)."
)


class ApiSchema(AutoSchema):
    """The schema of every operation of the API: its own responses, plus the answers every
    list and record shares, which no view needs to repeat (writes add theirs in
    `policytracker.core.api.writes_schema`).

    - a list answers 400 with `BadParameters` to a query parameter it cannot use, and any
      operation to an address holding a NUL or another control character;
    - an address with a key in it answers 404 when no record has that key;
    - anything throttled answers 429 with `Retry-After` over the rate;
    - a 2xx answer in CSV is text, not the JSON schema; errors are always JSON."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        # Reads need no credentials (`IsEditorOrReadOnly`): drf-spectacular only knows that of
        # its own permission classes, and would list a token or a session as required.
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters = super()._resolve_path_parameters(variables)
        # What the route takes, so that a client (or a test) never builds an address that
        # some other page of the site answers instead.
        lookup = getattr(self.view, "lookup_value_regex", "[^/.]+")
        for parameter in parameters:
            parameter["schema"].setdefault("pattern", f"^{lookup}$")
        return parameters

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_pagination_parameters()
        paginator = self._get_paginator()
        for parameter in parameters:
            schema = parameter["schema"]
            if parameter["name"] == getattr(paginator, "page_size_query_param", None):
                schema.update(minimum=1, maximum=paginator.max_page_size)
                parameter["description"] = (
                    f"Records per page, 1 to {paginator.max_page_size} (default "
                    f"{paginator.page_size}). Not read with `format=csv`, which is unpaged."
                )
            elif parameter["name"] == getattr(paginator, "page_query_param", None):
                schema.update(minimum=1)
                parameter["description"] = (
                    "A page number, 1 or more (`last` also reads the last page). A page past "
                    "the last answers 400."
                )
        return parameters

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            content = response.get("content", {})
            if code.startswith("2") and CSV in content:
                content[CSV] = {"schema": CSV_SCHEMA}
        for code, answer, headers in self.shared_responses():
            if code not in responses:
                responses[code] = self._get_response_for_code(answer, code, [JSON], direction)
                if headers:
                    responses[code]["headers"] = headers
        if "400" not in responses:
            # Any operation: the address itself (`policytracker.core.client_faults`).
            responses["400"] = self._get_response_for_code(BAD_ADDRESS, "400", [JSON], direction)
        responses.setdefault(
            "406", self._get_response_for_code(NOT_ACCEPTABLE, "406", [JSON], direction)
        )
        if "503" not in responses:
            responses["503"] = self._get_response_for_code(UNAVAILABLE, "503", [JSON], direction)
            responses["503"]["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before asking again.",
                }
            }
        return dict(sorted(responses.items()))

    def shared_responses(self) -> list[tuple[str, OpenApiResponse, dict[str, Any] | None]]:
        """(status code, OpenApiResponse, headers) of the answers this operation shares with
        others of its kind; a subclass adds its own."""
        answers: list[tuple[str, OpenApiResponse, dict[str, Any] | None]] = []
        if self.method == "GET" and self._is_list_view():
            answers.append(
                (
                    "400",
                    OpenApiResponse(
                        BadParametersSerializer,
                        "A query parameter the list cannot use, named with what is wrong.",
                        [BAD_PARAMETERS_EXAMPLE],
                    ),
                    None,
                )
            )
        if "{" in self.path:
            answers.append(
                ("404", OpenApiResponse(ErrorSerializer, "No record has this key."), None)
            )
        if self.view.get_throttles():
            answers.append(
                (
                    "429",
                    OpenApiResponse(ErrorSerializer, "Too many requests from this client."),
                    {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds to wait before asking again.",
                        }
                    },
                )
            )
        return answers


# The characters no parameter takes: control characters other than tab and line breaks
# (`policytracker.core.client_faults` answers 400 to any).
CONTROL_CHARACTERS = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f"
TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}]*$"
EMPTY_NOTE = "Empty, as if not given."


def _strict_text(schema: dict[str, Any]) -> None:
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _strict_text(schema["items"])
    elif schema.get("type") != "string" or {"enum", "format"} & schema.keys():
        return
    elif "pattern" not in schema:
        schema["pattern"] = TEXT_PATTERN
    elif schema["pattern"].startswith("^[^") and CONTROL_CHARACTERS not in schema["pattern"]:
        # A pattern of what a value may not hold (a key in an address: no `/` or `.`).
        schema["pattern"] = "^[^" + CONTROL_CHARACTERS + schema["pattern"].removeprefix("^[^")


def strict_parameters(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """What every parameter of the API takes, said in its schema as the API holds it:

    - no text holds a control character (the address is refused with 400 before any view);
    - a query parameter with a format or a set of values may be empty, which reads as if it
      were not given (`?updated_since=`, `?format=`), as the pages' forms send an empty field.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") in ("path", "query"):
                    _strict_text(schema)
                if (
                    parameter.get("in") == "query"
                    and schema.get("type") == "string"
                    and ({"enum", "format"} & schema.keys())
                ):
                    parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
                    description = parameter.get("description", "").strip()
                    parameter["description"] = f"{description} {EMPTY_NOTE}".strip()
    return result
