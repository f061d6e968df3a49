"""The base classes of the API's read serializers: DRF's, with a quicker `to_representation`.

A list of fifty instruments asks some three thousand field values of its rows, and a CSV of ten
thousand rows half a million. For each one DRF's `Serializer.to_representation` walks the
serializer's fields again through a generator, and `Field.get_attribute` calls the module-level
`get_attribute` inside two layers of exception handling. `QuickRepresentation` works out once,
per serializer instance, which fields read a plain attribute path (their class keeps DRF's own
`Field.get_attribute`) and reads those paths in one loop, as DRF does: by key through a mapping
(the lists of small dicts a page's rows carry), by `getattr` through anything else. Whatever
that loop does not handle the way DRF's `get_attribute` would, it leaves to DRF: a value that
can be called (called there when it takes no argument), any exception on the way (DRF's
defaults, `allow_null`, `SkipField`, `ObjectDoesNotExist` as None, and its error messages), and
every field that reads its value its own way (related fields, `SerializerMethodField`s, our
partial dates). The result is the same dictionary, key for key, in the same order
(`tests/core/api/test_serializers.py` compares the two on every record).

`ModelSerializer` also writes a model's date-times with `DateTimeField`, which reads the current
time zone once per serializer rather than once per value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any, cast

from django.db import models
from rest_framework import serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject

# (key in the representation, field, attribute path or None for DRF's own reading, the
# attribute's name where the path is that one name, its `to_representation`)
_Plan = list[tuple[str, Field[Any, Any, Any, Any], tuple[str, ...] | None, str | None, Any]]

_DRF_GET_ATTRIBUTE = Field.get_attribute


class _ReadByDRF(Exception):
    """The quick path stops here; DRF reads the value."""


def _plan(serializer: serializers.Serializer[Any]) -> _Plan:
    plan: _Plan = []
    for field in serializer._readable_fields:
        quick = type(field).get_attribute is _DRF_GET_ATTRIBUTE
        path = tuple(field.source_attrs) if quick else None
        single = path[0] if path is not None and len(path) == 1 else None
        # A bound field always has its name (DRF's stub allows None before binding).
        plan.append((cast(str, field.field_name), field, path, single, field.to_representation))
    return plan


# Whether values of a type are read by key (DRF reads a `Mapping` by key): worked out once per
# type, as an `isinstance` against an abstract class costs more than the read itself.
_READ_BY_KEY: dict[type, bool] = {dict: True}


def _by_key(value: Any) -> bool:
    kind = type(value)
    by_key = _READ_BY_KEY.get(kind)
    if by_key is None:
        by_key = _READ_BY_KEY[kind] = isinstance(value, Mapping)
    return by_key


def _read(instance: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` from `instance` (by key through a mapping, else by `getattr`), or
    `_ReadByDRF` where DRF's own reading could differ."""
    value = instance
    for name in path:
        value = value[name] if _by_key(value) else getattr(value, name)
    if callable(value):
        raise _ReadByDRF
    return value


def _quick_plan(serializer: serializers.Serializer[Any]) -> _Plan:
    """`serializer`'s plan, worked out on first use."""
    state = serializer.__dict__
    plan: _Plan | None = state.get("_quick_plan")
    if plan is None:
        plan = state["_quick_plan"] = _plan(serializer)
    return plan


class QuickRepresentation:
    """`to_representation` for a `Serializer` subclass: the same output as DRF's, quicker (see
    the module's docstring). Mixed in before DRF's class."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        representation: dict[str, Any] = {}
        by_key = _by_key(instance)
        for name, field, path, single, represent in _quick_plan(self):  # type: ignore[arg-type]
            if path is not None:
                try:
                    if single is None or by_key:
                        attribute = _read(instance, path)
                    else:
                        attribute = getattr(instance, single)
                        if callable(attribute):
                            raise _ReadByDRF
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


class DateTimeField(serializers.DateTimeField):
    """DRF's, the current time zone read once per field (a serializer's fields are built for
    each response) rather than through a context-local lookup for every value."""

    def default_timezone(self) -> tzinfo | None:
        try:
            return cast("tzinfo | None", self.__dict__["_zone"])
        except KeyError:
            zone = self.__dict__["_zone"] = super().default_timezone()
            return zone


class Serializer(QuickRepresentation, serializers.Serializer):
    pass


class ModelSerializer(QuickRepresentation, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }
