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

import hashlib
import json
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_etags
from rest_framework import status as http_status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

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


def digest(data):
    """The digest of a representation: the same data always gives the same digest, whatever
    the order its keys were built in."""
    text = json.dumps(
        data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def entity_tag(data, format=PLAIN_FORMAT):
    """The strong `ETag` of a representation of `data` in `format`."""
    suffix = "" if format in (None, PLAIN_FORMAT) else f"-{format}"
    return f'"{digest(data)}{suffix}"'


def tag_digest(tag):
    """The digest an `If-Match` tag names, or None for a weak tag (a strong comparison never
    matches one: a weak tag only says two representations are about the same)."""
    if not tag.startswith('"'):
        return None
    return tag[1:-1].partition("-")[0]


# Annotations a read of a record carries for `last_modified`, so that it costs no query.
CHANGED_AT = "changed_at_"


def change_times(model):
    """{annotation: the latest history date of one source}: the record's own history, and
    that of every kind of row that hangs off it (by a foreign key to it)."""
    sources = []
    if hasattr(model, "history"):
        sources.append((model.history.model, model._meta.pk.attname))
    for relation in model._meta.related_objects:
        if relation.one_to_many and hasattr(relation.related_model, "history"):
            sources.append((relation.related_model.history.model, relation.field.attname))
    return {
        f"{CHANGED_AT}{number}": Subquery(
            historical._default_manager.filter(**{key: OuterRef("pk")})
            .order_by("-history_date")
            .values("history_date")[:1]
        )
        for number, (historical, key) in enumerate(sources)
    }


def last_modified(instance):
    """When `instance` last changed, as a Unix timestamp (see the module docstring), or None
    when nothing dates it. Read from the `change_times` annotations when the instance carries
    them, else in one query."""
    annotations = change_times(type(instance))
    if all(hasattr(instance, name) for name in annotations):
        times = [getattr(instance, name) for name in annotations]
    else:
        times = list(
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .annotate(**annotations)
            .values_list(*annotations)
            .get()
        )
    times = [getattr(instance, "updated_at", None), *times]
    times = [moment for moment in times if moment is not None]
    return int(max(times).timestamp()) if times else None


class ConditionalMixin:
    """For a viewset of records (`retrieve` at `<list>/<key>/`): `ETag` and `Last-Modified`
    on every read of a record, 304 to `If-None-Match` / `If-Modified-Since`, and
    `conditional_write`, through which every write to an existing record goes.

    The representation a tag is made from is always the one a read of the record gives: the
    viewset is asked for its serializer and queryset as for `retrieve`, whichever action is
    running."""

    @contextmanager
    def as_retrieve(self):
        """The viewset answering as it does a read of one record (its detail serializer and
        queryset)."""
        action = self.action
        self.action = "retrieve"
        try:
            yield
        finally:
            self.action = action

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.annotate(**change_times(queryset.model))
        return queryset

    def get_object(self):
        instance = super().get_object()
        self.record = instance
        return instance

    def representation(self, pk):
        """The record `pk` as a read of it shows it, read afresh.

        Read through the viewset's own `get_object`, so that whatever it adds to a record is
        there; by primary key, since a write may just have changed the key in the URL."""
        saved = self.lookup_field, self.lookup_url_kwarg, self.kwargs
        self.lookup_field = self.lookup_url_kwarg = "pk"
        self.kwargs = {"pk": pk}
        try:
            with self.as_retrieve():
                instance = self.get_object()
                return instance, self.get_serializer(instance).data
        finally:
            self.lookup_field, self.lookup_url_kwarg, self.kwargs = saved

    def format_of(self, request):
        renderer = getattr(request, "accepted_renderer", None)
        return getattr(renderer, "format", PLAIN_FORMAT)

    def set_validators(self, response, instance, data):
        response["ETag"] = entity_tag(data, self.format_of(self.request))
        modified = last_modified(instance)
        if modified is not None:
            response["Last-Modified"] = http_date(modified)
        return modified

    def finalize_response(self, request, response, *args, **kwargs):
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
            return get_conditional_response(
                request, etag=response["ETag"], last_modified=modified, response=response
            )
        return response

    def required_digests(self):
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
        return {tag_digest(tag) for tag in tags} - {None}

    def lock(self):
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
            with self.as_retrieve():
                self.get_object()
        return pk

    def conditional_write(self, write, *, status=http_status.HTTP_200_OK, headers=None):
        """Run `write(instance)` on the record the URL names if `If-Match` names its current
        tag, and answer with the record as it then is (with its new `ETag`), or 204 when the
        write deleted it (returned False).

        Lock, compare and write are one transaction: a second writer waits on the lock, then
        reads what the first wrote, and its stale tag no longer matches."""
        digests = self.required_digests()
        with transaction.atomic():
            pk = self.lock()
            _, current = self.representation(pk)
            if digest(current) not in digests:
                raise PreconditionFailed()
            model = self.get_queryset().model
            if write(model._default_manager.get(pk=pk)) is False:
                return Response(status=http_status.HTTP_204_NO_CONTENT)
            instance, data = self.representation(pk)
            response = Response(data, status=status, headers=headers)
            self.set_validators(response, instance, data)
        return response
