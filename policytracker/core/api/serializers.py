"""The base classes of the API's read serializers: DRF's, with a quicker `to_representation`.

A list of fifty instruments asks some three thousand field values of its rows, and a CSV of ten
thousand rows half a million. For each one DRF's `Serializer.to_representation` walks the
serializer's fields again through a generator, and `Field.get_attribute` calls the module-level
`get_attribute` inside two layers of exception handling. `QuickRepresentation` works out once,
per serializer instance, which fields read a plain attribute path (their class keeps DRF's own
`Field.get_attribute`) and reads those paths with `getattr` in one loop. Whatever that loop
does not handle the way DRF's `get_attribute` would, it leaves to DRF: a step through a mapping
(read by key there), a value that can be called (called there when it takes no argument), any
exception on the way (DRF's defaults, `allow_null`, `SkipField`, `ObjectDoesNotExist` as None,
and its error messages), and every field that reads its value its own way (related fields,
`SerializerMethodField`s, our partial dates). The result is the same dictionary, key for key,
in the same order (`tests/core/api/test_serializers.py` compares the two on every record)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from rest_framework import serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject

# (key in the representation, field, attribute path or None for DRF's own reading, its
# `to_representation`)
_Plan = list[tuple[str, Field[Any, Any, Any, Any], tuple[str, ...] | None, Any]]

_DRF_GET_ATTRIBUTE = Field.get_attribute


class _ReadByDRF(Exception):
    """The quick path stops here; DRF reads the value."""


def _plan(serializer: serializers.Serializer[Any]) -> _Plan:
    plan: _Plan = []
    for field in serializer._readable_fields:
        quick = type(field).get_attribute is _DRF_GET_ATTRIBUTE
        path = tuple(field.source_attrs) if quick else None
        # A bound field always has its name (DRF's stub allows None before binding).
        plan.append((cast(str, field.field_name), field, path, field.to_representation))
    return plan


def _read(instance: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` from `instance` by `getattr`, or `_ReadByDRF` where DRF's own
    reading could differ."""
    value = instance
    for name in path:
        if isinstance(value, Mapping):
            raise _ReadByDRF
        value = getattr(value, name)
    if callable(value):
        raise _ReadByDRF
    return value


class QuickRepresentation:
    """`to_representation` for a `Serializer` subclass: the same output as DRF's, quicker (see
    the module's docstring). Mixed in before DRF's class."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        state = self.__dict__
        plan: _Plan | None = state.get("_quick_plan")
        if plan is None:
            plan = state["_quick_plan"] = _plan(self)  # type: ignore[arg-type]
        representation: dict[str, Any] = {}
        for name, field, path, represent in plan:
            if path is not None:
                try:
                    attribute = _read(instance, path)
                except Exception:  # DRF reads it again, and decides
                    path = None
            if path is None:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            representation[name] = None if check is None else represent(attribute)
        return representation


class Serializer(QuickRepresentation, serializers.Serializer):
    pass


class ModelSerializer(QuickRepresentation, serializers.ModelSerializer):
    pass
