"""`known_at` at a record's address: the record as the tracker stated it at the end of a day.

`/api/v1/instruments/<slug>/?known_at=YYYY-MM-DD` answers the same representation as the record's
address does today, every field and nested row read from the history tables as they stood at the
end of that day (UTC; `instruments.known_at`). A record the tracker did not hold then answers 404,
a bad day 400 naming `known_at`. Beside it, `as_of` reads an instrument's status (its `as_of`
object) or a jurisdiction's approach and laws in force on that day, by the timeline as then
recorded; a resource with neither refuses the pair. Its `ETag` is the digest of that
representation and its `Last-Modified` the newest history row it was read from, so neither
changes once the day is over (unless the history itself is edited).

Lists refuse `known_at`: rebuilding every row of a list from the history would cost far more
than `as_of`, which reads one indexed column."""

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.exceptions import NotFound
from rest_framework.reverse import reverse

from instruments.known_at import AS_OF, PARAMETER, long_date, read_day, read_known_at
from policytracker.core.api.schema import BadParametersSerializer
from policytracker.core.params import BadParameters

LIST_REFUSAL = (
    "Read at a record's address only (…/<key>/?known_at=YYYY-MM-DD): a list answers what the "
    "tracker holds today, or with as_of what was legally true on a day."
)


def _path(record, lookup):
    """The value at `lookup` ("source__title") from `record`, through its cached relations."""
    value = record
    for name in lookup.split("__"):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def listed_from_prefetched(record, related_values):
    """Set on `record` the lists a list's rows carry (`related_values`: {attribute:
    `RelatedValues`}), read from its prefetched relations rather than from the live tables, in
    the order the list gives them."""
    for attribute, spec in related_values.items():
        rows = list(getattr(record, spec.relation).all())
        rows.sort(key=lambda row: (*(_path(row, lookup) or "" for lookup in spec.order), row.pk))
        if isinstance(spec.values, str):
            values = [_path(row, spec.values) for row in rows]
        else:
            values = [
                {key: _path(row, lookup) for key, lookup in spec.values.items()} for row in rows
            ]
        setattr(record, attribute, values)


class KnownAtMixin:
    """For a `RecordViewSet`: `known_at` (and with `known_at_as_of`, `as_of` beside it) at a
    record's address; `known_at` refused on the list."""

    known_at_as_of = False
    then = None

    def record_then(self, key, day, as_of):
        """The record `key` names as the tracker stated it at the end of `day` (a `Then`)."""
        raise NotImplementedError

    def known_at_record(self, then):
        """The rebuilt record, made ready for the record's serializer."""
        record = then.record
        listed_from_prefetched(record, getattr(self, "related_values", {}))
        return record

    def list(self, request, *args, **kwargs):
        if request.query_params.get(PARAMETER, "").strip():
            raise BadParameters({PARAMETER: [LIST_REFUSAL]})
        return super().list(request, *args, **kwargs)

    def get_object(self):
        if self.action != "retrieve":
            return super().get_object()
        day = read_known_at(self.request.query_params.get(PARAMETER))
        if day is None:
            return super().get_object()
        as_of = read_day(self.request.query_params.get(AS_OF), AS_OF)
        noun = self.get_queryset().model._meta.verbose_name
        if as_of is not None and not self.known_at_as_of:
            message = (
                f"Not read together at the address of a {noun}: as_of with known_at reads an "
                "instrument's status or a jurisdiction's approach on a day. Leave one out."
            )
            raise BadParameters({AS_OF: [message], PARAMETER: [message]})
        key = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        then = self.record_then(key, day, as_of)
        if then.record is None:
            message = (
                f"No {noun} had the {self.lookup_field} “{key}” at the end of "
                f"{long_date(day)} (UTC): it was not in the tracker that day."
            )
            if then.current is not None:
                address = reverse(
                    self.basename_detail(),
                    kwargs={self.lookup_field: getattr(then.current, self.lookup_field)},
                    request=self.request,
                )
                message += f" It is now: {address}"
            raise NotFound(message)
        self.then = then
        record = self.known_at_record(then)
        # What `ConditionalMixin` reads its validators from.
        self.record = record
        return record

    def basename_detail(self):
        return f"api:{self.basename}-detail"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.then is not None and self.then.as_of is not None:
            context["as_of"] = self.then.as_of
        return context

    def record_last_modified(self, instance: Model):
        if self.then is not None:
            moment = self.then.last_modified
            return int(moment.timestamp()) if moment is not None else None
        return super().record_last_modified(instance)


KNOWN_AT = OpenApiParameter(
    PARAMETER,
    OpenApiTypes.DATE,
    description="The record as the tracker stated it at the end of this day (UTC): the same "
    "fields, each read from the record's history as it then stood, whatever the tracker has "
    "learned since. 404 when the tracker did not hold it that day; 400 for a day before the "
    "tracker's first history or after today. Lists refuse it.",
)
AS_OF_WITH_KNOWN_AT = {
    "instrument": "With `known_at` only (ignored without it): `as_of` then says the instrument's "
    "status on this day by its timeline as recorded on the `known_at` day.",
    "jurisdiction": "With `known_at` only (ignored without it): the approach and the laws in "
    "force are read on this day by what was recorded on the `known_at` day (without `as_of`, "
    "on the `known_at` day).",
}
BAD_DAY = OpenApiExample(
    "A day before the tracker's history",
    value={
        "errors": {
            PARAMETER: [
                "The tracker's history begins on 8 August 2025 (2025-08-08): give that day or "
                "a later one."
            ]
        }
    },
    response_only=True,
    status_codes=["400"],
)


def known_at_schema(detail_serializer, as_of=""):
    """The schema of a resource's record address with `known_at` (and, given `as_of`'s
    description, `as_of` beside it)."""
    parameters = [KNOWN_AT]
    refused = "`known_at`"
    if as_of:
        parameters.append(OpenApiParameter(AS_OF, OpenApiTypes.DATE, description=as_of))
        refused = "`known_at` or `as_of`"
    return extend_schema_view(
        retrieve=extend_schema(
            parameters=parameters,
            responses={
                200: detail_serializer,
                400: OpenApiResponse(
                    BadParametersSerializer,
                    f"A {refused} the address cannot use, named with what is wrong; or a "
                    "character no key or value holds (a NUL or another control character).",
                    [BAD_DAY],
                ),
            },
        )
    )
