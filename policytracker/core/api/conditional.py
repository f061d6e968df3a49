"""Conditional requests: validators on every record's reads, preconditions on every write.

A record's `ETag` is strong and is a digest of its representation at its own address (the
detail serializer's data), so it changes whenever anything the record shows changes (its own
fields, its citations, its timeline, the name of a topic it lists), and never otherwise. Each
format has its own tag (`"<digest>"` for JSON, `"<digest>-csv"`, `"<digest>-api"` for the
browsable pages): a cache that holds one format must never be told that another is unchanged.
A write accepts the tag of any format, since they all describe the same state.

`Last-Modified` is the newest of the record's `updated_at` and the history dates of the record
and of the rows that hang off it (citations, timeline steps, identifiers, memberships...): the
history also knows when one of those was deleted. It is to the second, as HTTP dates are, and it
cannot see a change to another record the representation names (a topic renamed); `ETag` can,
and `If-None-Match` wins over `If-Modified-Since` when a client sends both.

Writes to an existing record (PUT, PATCH, DELETE, and the POSTs that add a step to its
timeline) must send `If-Match` with the `ETag` of the record as the client last read it:
without one the API answers 428, with a stale one 412, and in both cases writes nothing. The
comparison and the write happen in one transaction, with the record's row locked first, so of
two editors who read the same version and both write, exactly one succeeds.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_etags
from rest_framework import status as http_status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

if TYPE_CHECKING:
    from policytracker.core.api.views import RecordViewSet

    # What `ConditionalMixin` is mixed into, for the type checker only: it overrides the
    # viewset's `get_queryset`, `get_object` and `finalize_response`, and reads its record
    # (`get_detail_queryset`, `get_record_serializer_class`, `not_found`...).
    _ViewSetBase = RecordViewSet
else:
    _ViewSetBase = object

IF_MATCH = "If-Match"
# The format whose tag carries no suffix: what a script reads and then writes back.
PLAIN_FORMAT = "json"


class PreconditionRequired(APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = {
        "errors": {
            IF_MATCH: [
                "A write to a record needs `If-Match` with the `ETag` of the record as you last "
                "read it (GET the record to read it), so that it cannot undo a change you have "
                "not seen."
            ]
        }
    }


class PreconditionFailed(APIException):
    status_code = http_status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = {
        "errors": {
            IF_MATCH: [
                "The record has changed since you read it, so nothing was written. Read it "
                "again (GET) and make your change on what it says now."
            ]
        }
    }


class BadPrecondition(APIException):
    status_code = http_status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


def digest(data: object) -> str:
    """The digest of a representation: the same data always gives the same digest, whatever
    the order its keys were built in."""
    text = json.dumps(
        data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def entity_tag(data: object, format: str | None = PLAIN_FORMAT) -> str:
    """The strong `ETag` of a representation of `data` in `format`."""
    suffix = "" if format in (None, PLAIN_FORMAT) else f"-{format}"
    return f'"{digest(data)}{suffix}"'


def tag_digest(tag: str) -> str | None:
    """The digest an `If-Match` tag names, or None for a weak tag (a strong comparison never
    matches one: a weak tag only says two representations are about the same)."""
    if not tag.startswith('"'):
        return None
    return tag[1:-1].partition("-")[0]


# Annotations a read of a record carries for `last_modified`, so that it costs no query.
CHANGED_AT = "changed_at_"


@functools.cache
def _history_sources(model: type[models.Model]) -> tuple[tuple[type[models.Model], str], ...]:
    """(historical model, its key to the record) for the record's own history and that of every
    kind of row that hangs off it. Worked out once per model: each read of a model's `history`
    attribute builds a new manager class."""
    sources: list[tuple[type[models.Model], str]] = []
    if hasattr(model, "history"):
        sources.append((model.history.model, model._meta.pk.attname))
    for relation in model._meta.related_objects:
        if relation.one_to_many and hasattr(relation.related_model, "history"):
            sources.append((relation.related_model.history.model, relation.field.attname))
    return tuple(sources)


def _change_time_names(model: type[models.Model]) -> list[str]:
    """The names of `change_times(model)`'s annotations, in its order."""
    return [f"{CHANGED_AT}{number}" for number in range(len(_history_sources(model)))]


def change_times(model: type[models.Model]) -> dict[str, Subquery]:
    """{annotation: the latest history date of one source}: the record's own history, and
    that of every kind of row that hangs off it (by a foreign key to it)."""
    return {
        name: Subquery(
            historical._default_manager.filter(**{key: OuterRef("pk")})
            .order_by("-history_date")
            .values("history_date")[:1]
        )
        for name, (historical, key) in zip(
            _change_time_names(model), _history_sources(model), strict=True
        )
    }


def last_modified(instance: models.Model) -> int | None:
    """When `instance` last changed, as a Unix timestamp (see the module docstring), or None
    when nothing dates it. Read from the `change_times` annotations when the instance carries
    them, else in one query."""
    names = _change_time_names(type(instance))
    if all(hasattr(instance, name) for name in names):
        times = [getattr(instance, name) for name in names]
    else:
        times = list(
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .annotate(**change_times(type(instance)))
            .values_list(*names)
            .get()
        )
    times = [getattr(instance, "updated_at", None), *times]
    times = [moment for moment in times if moment is not None]
    return int(max(times).timestamp()) if times else None


class ConditionalMixin(_ViewSetBase):
    """For a viewset of records (`RecordViewSet`, `retrieve` at `<list>/<key>/`): `ETag` and
    `Last-Modified` on every read of a record, 304 to `If-None-Match` / `If-Modified-Since`, and
    `conditional_write`, through which every write to an existing record goes.

    The representation a tag is made from is always the one a read of the record gives: its
    record serializer over its detail queryset (`read_record`), whichever action is running."""

    # The record a read is answering (set by `get_object`), for its validators.
    record: models.Model

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.annotate(**change_times(queryset.model))
        return queryset

    def get_object(self) -> Any:
        instance = super().get_object()
        self.record = instance
        return instance

    def read_record(self, pk: object) -> tuple[models.Model, dict[str, Any]]:
        """The record `pk` as a read of it shows it, read afresh: (instance, data). By primary
        key, since a write may just have changed the key in the URL."""
        queryset = self.get_detail_queryset()
        instance = queryset.annotate(**change_times(queryset.model)).get(pk=pk)
        instance = self.attach_related_values([instance])[0]
        serializer_class = self.get_record_serializer_class()
        return instance, serializer_class(instance, context=self.get_serializer_context()).data

    def format_of(self, request: Request) -> str | None:
        renderer = getattr(request, "accepted_renderer", None)
        return getattr(renderer, "format", PLAIN_FORMAT)

    def record_last_modified(self, instance: models.Model) -> int | None:
        """When the record a read answers last changed (Unix time), for `Last-Modified`: the
        live record's (`last_modified`); a viewset answering another state of it says when
        that one did."""
        return last_modified(instance)

    def set_validators(
        self, response: HttpResponseBase, instance: models.Model, data: object
    ) -> int | None:
        response["ETag"] = entity_tag(data, self.format_of(self.request))
        modified = self.record_last_modified(instance)
        if modified is not None:
            response["Last-Modified"] = http_date(modified)
        return modified

    # DRF's stub says a `Response`; a 304 or 412 in its place is a plain `HttpResponse`, which
    # DRF's `dispatch` sends as it is.
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = getattr(self, "record", None)
        if (
            request.method in ("GET", "HEAD")
            and self.action == "retrieve"
            and response.status_code == 200
            and isinstance(response, Response)
            and isinstance(response.data, dict)
            and instance is not None
        ):
            modified = self.set_validators(response, instance, response.data)
            # Given a response, it answers that response or a 304 / 412 instead: never None.
            return cast(
                HttpResponse,
                get_conditional_response(
                    request, etag=response["ETag"], last_modified=modified, response=response
                ),
            )
        return response

    def required_digests(self) -> set[str]:
        """The digests `If-Match` names; 428 without one, 400 for a header that names none."""
        header = self.request.headers.get(IF_MATCH, "").strip()
        if not header:
            raise PreconditionRequired()
        tags = parse_etags(header)
        if tags == ["*"]:
            raise PreconditionRequired(
                {
                    "errors": {
                        IF_MATCH: [
                            "`*` would let this write undo changes you have not seen: give "
                            "the `ETag` of the record as you last read it."
                        ]
                    }
                }
            )
        if not tags:
            raise BadPrecondition(
                {
                    "errors": {
                        IF_MATCH: [
                            f"“{header}” is not an entity tag: send the `ETag` header of your "
                            'read as it came, double quotes included ("…").'
                        ]
                    }
                }
            )
        return {named for named in map(tag_digest, tags) if named is not None}

    def lock(self) -> object:
        """The primary key of the record the URL names, its row locked until the transaction
        ends; the viewset's own 404 when there is none."""
        model = self.get_queryset().model
        key = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        # Only the row itself: the read queryset's joins would lock what they join, and
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        try:
            pk = (
                model._default_manager.select_for_update()
                .filter(**{self.lookup_field: key})
                .values_list("pk", flat=True)
                .first()
            )
        except (TypeError, ValueError, ValidationError):
            pk = None  # a key of the wrong type (`citations/abc/`) names no record
        if pk is None:
            raise self.not_found()
        return pk

    def conditional_write(
        self,
        write: Callable[[models.Model], object],
        *,
        status: int = http_status.HTTP_200_OK,
        headers: Mapping[str, str] | None = None,
        check: Callable[[Mapping[str, Any], Mapping[str, Any]], None] | None = None,
    ) -> Response:
        """Run `write(instance)` on the record the URL names if `If-Match` names its current
        tag, and answer with the record as it then is (with its new `ETag`), or 204 when the
        write deleted it (returned False).

        Lock, compare and write are one transaction: a second writer waits on the lock, then
        reads what the first wrote, and its stale tag no longer matches. `check(data)`, given
        the record as it read before the write and as it reads after, may still refuse it
        (raising): nothing is kept."""
        digests = self.required_digests()
        with transaction.atomic():
            pk = self.lock()
            _, current = self.read_record(pk)
            if digest(current) not in digests:
                raise PreconditionFailed()
            model = self.get_queryset().model
            if write(model._default_manager.get(pk=pk)) is False:
                return Response(status=http_status.HTTP_204_NO_CONTENT)
            instance, data = self.read_record(pk)
            if check is not None:
                check(current, data)
            response = Response(data, status=status, headers=headers)
            self.set_validators(response, instance, data)
        return response
