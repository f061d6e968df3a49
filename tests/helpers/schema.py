"""Reading the API's OpenAPI schema in tests (the `schema` fixture is in tests/conftest.py)."""

from policytracker.api.urls import router

API = "/api/v1/"


def list_operation(schema, prefix):
    return schema["paths"][f"{API}{prefix}/"]["get"]


def parameters_of(operation):
    return {parameter["name"]: parameter for parameter in operation.get("parameters", [])}


def resolve(schema, node):
    """`node`, or what its `$ref` points at."""
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def filtered_lists():
    """(prefix, FilterSet class) of every list on the router that has filters."""
    return [
        (prefix, viewset.filterset_class)
        for prefix, viewset, _ in router.registry
        if getattr(viewset, "filterset_class", None)
    ]
