"""Editor writes through the API, and what every writable resource shares.

Editors (staff, or members of the `editors` group; `policytracker.core.api.permissions`) create,
change and delete records with a token (`Authorization: Token <key>`, see
`manage.py create_editor_token`) or, in the browsable API, with their admin session and its
CSRF token. A write validates as the admin does: the payload's fields, then the model's
`full_clean()`; derived values are written only by the services that keep them (an
instrument's status follows its status timeline, a jurisdiction's approach its assessments),
which the API calls for the POSTs that add a timeline step. Every write is kept in the
record's history with the editor who made it.

Payloads name related records as reads show them, by code or slug (never by primary key): a
string (`"SG"`), or the object a read gives (`{"code": "SG", "name": "Singapore"}`), so that a
record read, changed and written back validates. Partial dates are written at the precision
their source states (`"2024"`, `"2024-05"`, `"2024-05-21"`), which sets `<field>_precision`.
Fields that reads show but writes cannot set (labels, addresses, `updated_at`...) may be sent
back unchanged, as a record read and written back carries them; a different value answers 400
naming the field, and so does a field that is neither: a value sent is never silently
dropped.

Bad input answers 400 with `{"errors": {field: [message, ...]}}`, the shape in which lists
answer a bad query parameter. Writes to an existing record need `If-Match`
(`policytracker.core.api.conditional`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from rest_framework import serializers
from rest_framework import status as http_status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from policytracker.core.api.conditional import ConditionalMixin
from policytracker.core.api.writes_schema import WritesSchema
from policytracker.core.dates import PartialDate, partial_date, precision_field_name

if TYPE_CHECKING:
    from policytracker.core.api.views import RecordViewSet

    # What the mixins below are mixed into, for the type checker only.
    _InputBase = serializers.Serializer
    _ViewSetBase = RecordViewSet
else:
    _InputBase = _ViewSetBase = object


class BadInput(ValidationError):
    """400 with `{"errors": {field: [message, ...]}}`."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__({"errors": errors})


class Conflict(APIException):
    status_code = http_status.HTTP_409_CONFLICT
    default_code = "conflict"


def api_errors(
    error: DjangoValidationError, names: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """`{field: [message, ...]}` of a Django ValidationError, the fields named as the API
    names them (`names` maps the model's name to the API's where they differ)."""
    names = names or {}
    pairs = (
        error.message_dict.items()
        if hasattr(error, "error_dict")
        else [(NON_FIELD_ERRORS, error.messages)]
    )
    errors: dict[str, list[str]] = {}
    for field, messages in pairs:
        key = names.get(field, field)
        if key == NON_FIELD_ERRORS:
            key = api_settings.NON_FIELD_ERRORS_KEY
        errors.setdefault(key, []).extend(messages)
    return errors


@contextmanager
def model_errors(names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Django's ValidationError (from `full_clean` or a service) answered as `BadInput`."""
    try:
        yield
    except DjangoValidationError as error:
        raise BadInput(api_errors(error, names)) from None


def validated(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    """The serializer's validated data, or `BadInput` naming every bad field."""
    if not serializer.is_valid():
        raise BadInput(serializer.errors)
    return serializer.validated_data


class KeyField(serializers.SlugRelatedField):
    """A related record by its code or slug (`slug_field`); also takes the object a read shows
    for it (`{"code": "SG", "name": "Singapore"}`). With `upper_case`, a key in lower case is
    read in upper case, as filters read jurisdiction codes (`sg` is `SG`)."""

    def __init__(self, slug_field: str, *, upper_case: bool = False, **kwargs: Any) -> None:
        self.upper_case = upper_case
        super().__init__(slug_field=slug_field, **kwargs)
        model = kwargs["queryset"].model
        self.error_messages["does_not_exist"] = (
            f"No {model._meta.verbose_name} has the {slug_field} “{{value}}”."
        )
        self.error_messages["invalid"] = (
            f"Give the {model._meta.verbose_name}'s {slug_field} as a string."
        )
        self.error_messages["null_character"] = (
            f"No {model._meta.verbose_name} has a {slug_field} with a NUL character in it."
        )

    def to_internal_value(self, data: object) -> models.Model:
        if isinstance(data, Mapping) and self.slug_field in data:
            data = data[self.slug_field]
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            # No key holds one, and PostgreSQL refuses it in a query.
            self.fail("null_character")
        return super().to_internal_value(data.upper() if self.upper_case else data)


class PartialDateInput(serializers.Field):
    """A date at the precision its source states: "2024", "2024-05" or "2024-05-21" (null: not
    stated). Sets the model's date (the first day of the period) and its `<date>_precision`."""

    default_error_messages = {
        "invalid": "“{value}” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD. Write it at "
        "the precision its source states.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> PartialDate:
        try:
            return PartialDate.parse(data)
        except ValueError:
            self.fail("invalid", value=data)

    def get_attribute(self, instance: object) -> PartialDate | None:
        source = cast(str, self.source)  # set once the field is bound
        return partial_date(
            getattr(instance, source, None),
            getattr(instance, precision_field_name(source), ""),
        )

    def to_representation(self, value: PartialDate | None) -> str | None:
        return value.isoformat() if value else None


class StrictInput(_InputBase):
    """Mixin for an input serializer: a key that is neither one of its fields nor one that
    reads show (`context["readable_fields"]`) answers 400, and so does a `<date>_precision`
    that contradicts the date given with it (or, when only it is given, the stored one)."""

    def partial_date_fields(self) -> dict[str, PartialDateInput]:
        return {
            name: field
            for name, field in self.fields.items()
            if isinstance(field, PartialDateInput)
        }

    def to_internal_value(self, data: object) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        dates = self.partial_date_fields()
        known = (
            set(self.fields)
            | set(self.context.get("readable_fields", ()))
            | {precision_field_name(name) for name in dates}
        )
        errors: dict[str, Any] = {}
        for key in data:
            if key not in known:
                guesses = difflib.get_close_matches(key, sorted(self.fields), n=1, cutoff=0.7)
                hint = f" Did you mean “{guesses[0]}”?" if guesses else ""
                errors[key] = [f"Unknown field.{hint}"]
        for name, field in dates.items():
            errors.update(self.precision_errors(data, name, field))
        try:
            value = super().to_internal_value(data)
        except ValidationError as error:
            # A serializer's ValidationError carries {field: messages}.
            errors = {**cast(dict[str, Any], error.detail), **errors}
        if errors:
            raise ValidationError(errors)
        return value

    def precision_errors(
        self, data: Mapping[str, Any], name: str, field: PartialDateInput
    ) -> dict[str, list[str]]:
        key = precision_field_name(name)
        given = data.get(key)
        if given in (None, ""):
            return {}
        if name in data:
            try:
                stated = PartialDate.parse(data[name]) if data[name] is not None else None
            except ValueError:
                return {}  # the date's own error says what is wrong
        else:
            stated = field.get_attribute(self.instance) if self.instance is not None else None
        precision = stated.precision if stated else ""
        if given == precision:
            return {}
        return {
            key: [
                f"Follows “{name}”, whose precision is "
                f"{f'“{precision}”' if precision else 'none (no date)'}: write the date at the "
                "precision its source states (2024, 2024-05 or 2024-05-21)."
            ]
        }


class WriteSerializer(StrictInput, serializers.ModelSerializer):
    """A record written through the API: the payload's fields set on the model, then the
    model's `full_clean()` (as the admin's forms run it), then the save, then the to-many
    relations, then `after_save` (where a record keeps a derived value in step, as the admin
    does after its save).

    `error_names` maps a model field to the payload field its errors belong to, where the two
    differ in more than a field's `source`."""

    error_names: dict[str, str] = {}

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        # The stubs type `Meta.model` with the serializer's type variable, which a nested class
        # cannot use.
        return self.write(self.Meta.model(), validated_data)  # type: ignore[misc]

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        return self.write(instance, validated_data)

    def write(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        dates = {field.source for field in self.partial_date_fields().values()}
        many: dict[str, Any] = {}
        for name, value in validated_data.items():
            if name in dates:
                setattr(instance, name, value.date if value else None)
                setattr(instance, precision_field_name(name), value.precision if value else "")
            elif instance._meta.get_field(name).many_to_many:
                many[name] = value
            else:
                setattr(instance, name, value)
        # A bound field's `source` is set.
        names = {
            cast(str, field.source): name
            for name, field in self.fields.items()
            if field.source != "*"
        }
        with model_errors({**names, **self.error_names}):
            instance.full_clean()
        instance.save()
        for name, values in many.items():
            getattr(instance, name).set(values)
        self.after_save(instance)
        return instance

    def after_save(self, instance: models.Model) -> None:
        pass


class WritesMixin(ConditionalMixin, _ViewSetBase):
    """What every writable viewset shares: the serializer of each writing action (for its
    validation, the browsable API's forms and the schema; reads keep the viewset's own), and
    the answers to writes.

    `write_serializer_class`, for the viewsets whose records are created, changed and deleted
    (`EditorWritesMixin`); `timeline_inputs`, {action: input serializer} for the POSTs that add
    a step to a record's timeline."""

    write_serializer_class: type[WriteSerializer] | None = None
    # Where a create takes more than an update (a record with its timeline and citations).
    create_serializer_class: type[WriteSerializer] | None = None
    timeline_inputs: dict[str, type[serializers.Serializer[Any]]] = {}
    schema = WritesSchema()

    @property
    def input_classes(self) -> dict[str, type[serializers.Serializer[Any]]]:
        classes = dict(self.timeline_inputs)
        if self.write_serializer_class is not None:
            classes.update(
                dict.fromkeys(("create", "update", "partial_update"), self.write_serializer_class)
            )
        if self.create_serializer_class is not None:
            classes["create"] = self.create_serializer_class
        return classes

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action in self.input_classes:
            return self.input_classes[self.action]
        return super().get_serializer_class()

    def readable_fields(self) -> set[str]:
        # A record's serializer is a Serializer, with fields.
        return set(cast(serializers.Serializer[Any], self.get_record_serializer_class()()).fields)

    def input_serializer(self, *args: Any, **kwargs: Any) -> serializers.Serializer[Any]:
        context = {**self.get_serializer_context(), "readable_fields": self.readable_fields()}
        return self.input_classes[self.action](*args, context=context, **kwargs)

    def check_read_only(
        self, payload: object, before: Mapping[str, Any], data: Mapping[str, Any]
    ) -> None:
        """`BadInput` naming each key of `payload` that reads show but this write cannot set
        (an address, a label, `updated_at`) whose value is neither what the record read before
        the write (`before`; empty for a create) nor what it reads after: a value sent is never
        silently dropped. Sent back as read, as a record read and written back carries them,
        they pass."""
        if not isinstance(payload, Mapping):
            return
        serializer = self.input_serializer()
        writable = set(serializer.fields) | {
            precision_field_name(name)
            for name, field in serializer.fields.items()
            if isinstance(field, PartialDateInput)
        }
        errors = {}
        for key, value in payload.items():
            if key in writable or key not in data:
                continue
            sent = _comparable(value)
            if sent != _comparable(data[key]) and (
                key not in before or sent != _comparable(before[key])
            ):
                errors[key] = [
                    "Read-only: the tracker sets it (it reads "
                    f"{json.dumps(_comparable(data[key]), ensure_ascii=False)[:200]}); leave "
                    "it out or send it unchanged."
                    + (f" {hint}" if (hint := self.read_only_hints.get(key)) else "")
                ]
        if errors:
            raise BadInput(errors)

    # Where to write what a read-only key is often mistaken for ({key: sentence}).
    read_only_hints: dict[str, str] = {}

    def detail_url(self, key: object) -> str:
        url = reverse(f"api:{self.basename}-detail", args=[key])
        return self.request.build_absolute_uri(url)

    def timeline_write(self, write: Callable[[models.Model], object]) -> Response:
        """A step added to the record's timeline by `write(record)`: answered 201 with the
        record itself (which the step changed, and whose `ETag` the next write needs), at its
        own address (`Content-Location`)."""
        response = self.conditional_write(write, status=http_status.HTTP_201_CREATED)
        response["Content-Location"] = self.detail_url(
            self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        )
        return response


class EditorWritesMixin(WritesMixin):
    """Create (POST to the list), update (PUT), partial update (PATCH) and delete (DELETE) of
    the viewset's records, with `write_serializer_class`. Every answer but a delete's is the
    record as a read shows it, with its `ETag`."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            serializer = self.input_serializer(data=request.data)
            validated(serializer)
            try:
                with transaction.atomic():
                    instance = serializer.save()
            except IntegrityError as error:
                # full_clean checked the constraints; only a write made meanwhile breaks one.
                raise Conflict(
                    "A record written at the same moment clashes with this one (the same slug, "
                    "or the same quote for the same record): read the list, then try again."
                ) from error
            instance, data = self.read_record(instance.pk)
            self.check_read_only(request.data, {}, data)
            response = Response(
                data,
                status=http_status.HTTP_201_CREATED,
                headers={"Location": self.detail_url(getattr(instance, self.lookup_field))},
            )
            self.set_validators(response, instance, data)
        return response

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        def write(instance: models.Model) -> None:
            serializer = self.input_serializer(instance, data=request.data, partial=partial)
            validated(serializer)
            serializer.save()

        return self.conditional_write(
            write, check=lambda before, after: self.check_read_only(request.data, before, after)
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def write(instance: models.Model) -> bool:
            try:
                instance.delete()
            except ProtectedError as error:
                blocking = {str(row._meta.verbose_name_plural) for row in error.protected_objects}
                raise Conflict(
                    f"{len(error.protected_objects)} record(s) still depend on this one "
                    f"({', '.join(sorted(blocking))}): delete or change them first."
                ) from None
            return False

        return self.conditional_write(write)


def _comparable(value: object) -> object:
    """`value` as JSON reads it back, so that a payload's value and a read's compare equal
    when a client sent back what it read (dates, decimals and lazy strings as text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# A timeline allows one step per day (per status for instruments): the date is what clashes.
TIMELINE_ERROR_NAMES = {NON_FIELD_ERRORS: "date", "date_precision": "date"}
