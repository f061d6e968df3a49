"""The field types every serializer of the API shares.

Records appear by code or slug, never by primary key; a vocabulary value comes with its label
(`kind`, `kind_label`); a partial date is written at the precision its source states
("2024", "2024-05", "2024-05-21") beside its `<field>_precision`; every record carries `url`
(its address in the API) and `html_url` (its page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from rest_framework import serializers

from policytracker.core.addresses import key_address
from policytracker.core.dates import partial_date


def address_maker(
    view_name: str, request: HttpRequest | None, *, parameter: str | None = None
) -> Callable[[object], str]:
    """A function from a record's key to its absolute address (a path without `request`).

    The view is reversed once (`key_address`) and the site's origin read once, so that a list
    does not reverse each row. With `parameter` the key goes in the query string instead
    (`/instruments/?topic=<slug>`)."""
    origin = request.build_absolute_uri("/")[:-1] if request is not None else ""
    if parameter:
        path = f"{origin}{reverse(view_name)}?{parameter}="
        return lambda key: path + quote(str(key), safe="")
    return key_address(view_name, origin)


class RecordUrlField(serializers.Field):
    """The absolute address of a record: its API detail (`url`) or its page (`html_url`).

    The view is reversed once per response (`address_maker`): a `reverse` per row was a large
    part of the cost of a long CSV. `lookup` is the key's attribute path
    (`"jurisdiction.code"`); the address is null where the path meets None (an actor without
    a jurisdiction has no page). `parameter`: see `address_maker`."""

    def __init__(
        self, view_name: str, lookup: str, *, parameter: str | None = None, **kwargs: Any
    ) -> None:
        self.view_name = view_name
        self.lookup = lookup.split(".")
        self.parameter = parameter
        self.address: Callable[[object], str] | None = None
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance: object) -> str | None:
        key = instance
        for name in self.lookup:
            key = getattr(key, name)
            if key is None:
                return None
        if self.address is None:
            self.address = address_maker(
                self.view_name, self.context.get("request"), parameter=self.parameter
            )
        return self.address(key)


class VocabularyField(serializers.ChoiceField):
    """A controlled-vocabulary value; null where the record leaves it empty (not stated)."""

    def __init__(self, choices: Sequence[tuple[str, object]], **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(choices, **kwargs)

    # DRF's ChoiceField gives null for null too; the stubs say it always gives a str.
    def to_representation(self, value: object) -> str | None:  # type: ignore[override]
        return str(value) if value else None


class LabelField(serializers.Field):
    """The label of a vocabulary value, as the pages show it (`type_label` beside `type`)."""

    def __init__(self, choices: Sequence[tuple[str, object]], **kwargs: Any) -> None:
        self.labels = {value: str(label) for value, label in choices}
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str | None) -> str | None:
        return self.labels.get(value, str(value)) if value else None


class PartialDateField(serializers.Field):
    """A date at the precision its source states ("2024", "2024-05" or "2024-05-21"); null
    when no date is stated. Reads the date attribute (the field's name unless `date` is given)
    and its precision (`<date>_precision` unless `precision` is given)."""

    def __init__(
        self, date: str | None = None, precision: str | None = None, **kwargs: Any
    ) -> None:
        self.date_attribute = date
        self.precision_attribute = precision
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance: object) -> str | None:
        # `field_name` is set once the field is bound, as it is by the time it represents.
        date_name = self.date_attribute or cast(str, self.field_name)
        precision_name = self.precision_attribute or f"{date_name}_precision"
        value = partial_date(
            getattr(instance, date_name, None), getattr(instance, precision_name, "")
        )
        return value.isoformat() if value else None


if TYPE_CHECKING:
    _FieldBase = serializers.Field
else:
    _FieldBase = object


class AsOfValue(_FieldBase):
    """Mixin for a field of a row that may have been listed as of a day: it reads
    `as_of_<source>` when the row carries that annotation, else `<source>` itself."""

    def get_attribute(self, instance: object) -> Any:
        name = f"as_of_{self.source}"
        if hasattr(instance, name):
            return getattr(instance, name)
        return super().get_attribute(instance)


class AsOfVocabularyField(AsOfValue, VocabularyField):
    pass


class AsOfLabelField(AsOfValue, LabelField):
    pass


class AsOfCharField(AsOfValue, serializers.CharField):
    pass
