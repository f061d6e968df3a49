"""What the shared schema machinery (`policytracker.core.api.schema`) says of every list and
record: each vocabulary a named enum, each filter a typed parameter, paging, CSV and the 400,
404 and 429 answers documented."""

import importlib
import inspect

import django_filters
import pytest
from django.conf import settings
from django.db import models

from policytracker.core.filters import TrueFalseFilter
from tests.helpers.schema import API, filtered_lists, list_operation, parameters_of, resolve

VOCABULARY_MODULES = [
    "jurisdictions.vocabulary",
    "policytracker.core.dates",
    "instruments.vocabulary",
]


def vocabularies():
    """Every TextChoices of the vocabulary modules, by import path."""
    found = {}
    for module_name in VOCABULARY_MODULES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, models.TextChoices)
                and value.__module__ == module_name
            ):
                found[f"{module_name}.{name}"] = value
    return found


def test_every_vocabulary_has_a_named_enum(schema):
    names = {
        path: name for name, path in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].items()
    }
    components = schema["components"]["schemas"]
    vocabularies_found = vocabularies()
    assert vocabularies_found, "no vocabulary found"
    missing = sorted(set(vocabularies_found) - set(names))
    assert not missing, f"add these to ENUM_NAME_OVERRIDES: {missing}"
    for path, choices in vocabularies_found.items():
        name = names[path]
        assert name in components, f"{path} ({name}) is not used by any serializer of the API"
        assert components[name]["enum"] == list(choices.values), path
        assert components[name]["type"] == "string"


def test_no_enum_is_named_by_accident(schema):
    """Every enum component is a vocabulary's (or the null choice), so no name drifts when a
    field is renamed."""
    named = set(settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]) | {"NullEnum", "BlankEnum"}
    enums = {
        name for name, component in schema["components"]["schemas"].items() if "enum" in component
    }
    assert enums <= named, sorted(enums - named)


def expected_parameter(filter_):
    """What the schema must say of a filter: (type, item type or None, allowed values or None,
    explode)."""
    if isinstance(filter_, TrueFalseFilter):
        return "boolean", None, None, None
    if isinstance(filter_, django_filters.OrderingFilter):
        return "array", "string", [value for value, _ in filter_.extra["choices"]], False
    if isinstance(filter_, django_filters.ModelMultipleChoiceFilter):
        return "array", "string", None, True
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        return "array", "string", [value for value, _ in filter_.extra["choices"]], True
    if isinstance(filter_, django_filters.NumberFilter):
        return "integer", None, None, None
    if isinstance(filter_, django_filters.ChoiceFilter):
        return "string", None, [value for value, _ in filter_.extra["choices"]], None
    return "string", None, None, None


FORMATS = {
    django_filters.IsoDateTimeFilter: "date-time",
    django_filters.DateFilter: "date",
}


@pytest.mark.parametrize(("prefix", "filterset_class"), filtered_lists())
def test_every_filter_is_a_typed_parameter(schema, prefix, filterset_class):
    parameters = parameters_of(list_operation(schema, prefix))
    assert filterset_class.base_filters, prefix
    for name, filter_ in filterset_class.base_filters.items():
        assert name in parameters, f"{prefix}: filter {name} is not documented"
        parameter = parameters[name]
        assert parameter["in"] == "query"
        assert parameter.get("description"), f"{prefix}: {name} has no description"
        kind, item_kind, allowed, explode = expected_parameter(filter_)
        parameter_schema = value_schema(parameter)
        assert parameter_schema["type"] == kind, (prefix, name, parameter_schema)
        values = parameter_schema.get("enum")
        if kind == "array":
            items = parameter_schema["items"]
            assert items["type"] == item_kind, (prefix, name)
            values = items.get("enum")
            assert parameter["style"] == "form", (prefix, name)
            assert parameter["explode"] is explode, (prefix, name)
            if isinstance(filter_, django_filters.ModelMultipleChoiceFilter):
                # Keys of records, which change: the parameter says where they are listed.
                assert "Values:" in parameter["description"], (prefix, name)
        for filter_class, format_ in FORMATS.items():
            if isinstance(filter_, filter_class):
                assert parameter_schema.get("format") == format_, (prefix, name)
                break
        if allowed is None:
            assert values is None, (prefix, name)
        else:
            assert sorted(values) == sorted(allowed), (prefix, name)
        if isinstance(filter_, django_filters.NumberFilter):
            assert parameter_schema["minimum"] == filter_.extra["min_value"]
            assert parameter_schema["maximum"] == filter_.extra["max_value"]


def value_schema(parameter):
    """The schema of a parameter's values; one with a format or a set of values may also be
    empty, which reads as if it were not given (said as `anyOf` the two)."""
    schema = parameter["schema"]
    if "anyOf" not in schema:
        return schema
    values, empty = schema["anyOf"]
    assert empty == {"type": "string", "maxLength": 0}
    assert parameter["description"].endswith("Empty, as if not given.")
    return values


@pytest.mark.parametrize(("prefix", "filterset_class"), filtered_lists())
def test_every_list_documents_paging_format_and_bad_parameters(schema, prefix, filterset_class):
    operation = list_operation(schema, prefix)
    parameters = parameters_of(operation)
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert sorted(value_schema(parameters["format"])["enum"]) == ["csv", "json"]
    responses = operation["responses"]
    assert set(responses["200"]["content"]) == {"application/json", "text/csv"}
    assert responses["200"]["content"]["text/csv"]["schema"]["type"] == "string"
    bad = responses["400"]["content"]["application/json"]["schema"]
    assert resolve(schema, bad) == schema["components"]["schemas"]["BadParameters"]
    assert "429" in responses
    facets = list(getattr(filterset_class, "facet_specs", None) or ())
    if facets:
        facet = parameters["facet"]
        assert sorted(facet["schema"]["items"]["enum"]) == sorted(facets)
        assert (facet["style"], facet["explode"]) == ("form", True)


def test_bad_parameters_answer_has_the_documented_shape(client, seeded, schema):
    response = client.get(f"{API}instruments/", {"jurisdicton": "CN", "type": "statute"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"errors"}
    assert set(body["errors"]) == {"jurisdicton", "type"}
    assert all(
        isinstance(message, str) for messages in body["errors"].values() for message in messages
    )


def test_every_detail_documents_not_found(schema):
    for path, operations in schema["paths"].items():
        if "{" in path and "get" in operations:
            assert "404" in operations["get"]["responses"], path
