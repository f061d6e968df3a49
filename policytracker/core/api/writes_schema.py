"""How the writes and the conditional requests of the API appear in its OpenAPI schema (see
`policytracker.core.api.schema` for the rest): a write answers with the record as a read shows it;
writes to a record take `If-Match`; reads of a record give `ETag` and `Last-Modified` and may
answer 304; every write may be refused (401, 403), or fail on its input (400), its
precondition (412, 428) or a record that depends on the one written (409); and an editor's write
that waits for a reviewer answers 202."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from policytracker.core.api.schema import PARTIAL_DATE_PATTERN, ApiSchema, ErrorSerializer

if TYPE_CHECKING:
    from policytracker.core.api.writes import WritesMixin

VALIDATORS = [
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[200, 201, 304],
        description="The strong entity tag of the record as this answer shows it: send it as "
        "`If-None-Match` to read it again only if it changed, and as `If-Match` to write it.",
    ),
    OpenApiParameter(
        "Last-Modified",
        str,
        OpenApiParameter.HEADER,
        response=[200, 201, 304],
        description="When the record, or a row that hangs off it, last changed.",
    ),
]
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="The `ETag` of your copy: 304 without a body if the record has not changed.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The `ETag` of the record as you last read it. Missing: 428; no longer "
    "current (someone wrote it since): 412. Either way nothing is written.",
)


class BadInputSerializer(serializers.Serializer):
    """Every field of the payload (or header) that could not be used, with what is wrong."""

    # A declared field, which DRF's metaclass takes out of the class: `Serializer.errors` stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        help_text="Messages by field name (`non_field_errors` for the record as a whole): a "
        "list of messages. For a list of items written with the record (a create's "
        "`citations`, its `status_timeline`'s steps), the messages of each item's fields, by "
        "the item's position (a list with `{}` for an item that is right, or an object keyed "
        "by position).",
    )


class RevisionAcceptedSerializer(serializers.Serializer):
    """A write by an editor who may not publish: checked, and kept for a reviewer."""

    revision = serializers.IntegerField(help_text="The revision's number.")
    state = serializers.CharField(help_text="`pending`: waiting for a reviewer.")
    kind = serializers.CharField(help_text="`create`, `update` or `delete`.")
    record = serializers.CharField(help_text="The record's name.")
    review_url = serializers.URLField(help_text="Where reviewers see and publish it.")
    message = serializers.CharField()


class PartialDateInputExtension(OpenApiSerializerFieldExtension):
    # Named, not imported: `writes` imports this module for `WritesSchema`.
    target_class = "policytracker.core.api.writes.PartialDateInput"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": PARTIAL_DATE_PATTERN,
            "nullable": self.target.allow_null,
            "example": "2024-05",
            "description": "A date at the precision its source states: YYYY, YYYY-MM or "
            "YYYY-MM-DD (which sets its `_precision`); null when no date is stated.",
        }


class ConditionalSchema(ApiSchema):
    """The headers of a viewset whose records are read and written conditionally
    (`policytracker.core.api.conditional`): `If-None-Match` on a read, `If-Match` on a write
    to a record, and the validation parameters a write or a read takes."""

    @property
    def action(self) -> str | None:
        return getattr(self.view, "action", None)

    def is_conditional_write(self) -> bool:
        return self.method in ("PUT", "PATCH", "DELETE")

    def get_override_parameters(
        self,
    ) -> list[OpenApiParameter | serializers.Serializer[Any] | type[serializers.Serializer[Any]]]:
        parameters = list(super().get_override_parameters())
        if self.action == "retrieve":
            parameters += [IF_NONE_MATCH, *VALIDATORS]
        elif self.is_conditional_write():
            parameters.append(IF_MATCH)
            if self.method != "DELETE":
                parameters += VALIDATORS
        elif self.action == "create":
            parameters += VALIDATORS
        return parameters


class WritesSchema(ConditionalSchema):
    """The schema of a viewset with writes (`policytracker.core.api.writes.WritesMixin`)."""

    def is_timeline(self) -> bool:
        return self.action in cast("WritesMixin", self.view).timeline_inputs

    def is_conditional_write(self) -> bool:
        return super().is_conditional_write() or self.is_timeline()

    # drf-spectacular also takes {status: serializer} here (as in `extend_schema(responses=)`);
    # its annotation leaves that out.
    def get_response_serializers(  # type: ignore[override]
        self,
    ) -> (
        type[serializers.BaseSerializer[Any]]
        | dict[int, type[serializers.BaseSerializer[Any]]]
        | serializers.Serializer[Any]
        | None
    ):
        view = cast("WritesMixin", self.view)
        if self.action in view.input_classes:
            # Every write answers with the record as a read of it shows it.
            record = view.get_record_serializer_class()
            return {201: record} if self.is_timeline() and self.method == "POST" else record
        return super().get_response_serializers()

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if self.action == "retrieve":
            responses["304"] = {
                "description": "Not modified: the `ETag` you sent (`If-None-Match`) is "
                "current, or nothing changed since `If-Modified-Since`."
            }
        return responses

    def shared_responses(self) -> list[tuple[str, OpenApiResponse, dict[str, Any] | None]]:
        answers = super().shared_responses()
        if self.method in SAFE_METHODS:
            return answers
        answers += [
            ("401", OpenApiResponse(ErrorSerializer, "No credentials, or bad ones."), None),
            ("403", OpenApiResponse(ErrorSerializer, "Only editors may write."), None),
            (
                "202",
                OpenApiResponse(
                    RevisionAcceptedSerializer,
                    "Accepted for review: the write of an editor who may not publish was "
                    "checked and waits for a reviewer; reads show the record as it was.",
                ),
                None,
            ),
        ]
        if self.method != "DELETE" or self.is_timeline():
            answers += [
                ("400", OpenApiResponse(BadInputSerializer, "A field that cannot be used."), None),
                (
                    "413",
                    OpenApiResponse(ErrorSerializer, "The body is larger than the server reads."),
                    None,
                ),
                (
                    "415",
                    OpenApiResponse(ErrorSerializer, "A body of a type the API does not read."),
                    None,
                ),
            ]
        if self.action in ("create", "destroy"):
            answers.append(
                (
                    "409",
                    OpenApiResponse(
                        ErrorSerializer, "Other records depend on it, or a write got there first."
                    ),
                    None,
                )
            )
        if self.is_conditional_write():
            answers += [
                ("412", OpenApiResponse(BadInputSerializer, "`If-Match` is not current."), None),
                ("428", OpenApiResponse(BadInputSerializer, "`If-Match` is missing."), None),
            ]
        return answers
