"""Webhooks in the API (`/api/v1/webhooks/`): each editor's own hooks, and their delivery log.

Only editors, signed in (a token, or the admin's session with its CSRF token), see this part of
the API, and each sees only the hooks they registered: anyone else is told 401 (no
credentials) or 403 (no editor); another editor's hook is 404, as if it were not there. Hooks
are named by their `id`, a UUID, never by the database's key.

- `GET /api/v1/webhooks/` lists them (`active`, `list` filter it); `POST` registers one and
  answers, once and never again, its `secret`.
- `GET`, `PUT`, `PATCH`, `DELETE` on `/api/v1/webhooks/<id>/`, writes with `If-Match` (the
  `ETag` of a read), as every write to a record of the API. `"active": true` turns a hook that
  failures turned off on again, and forgives its failures.
- `POST /api/v1/webhooks/<id>/rotate-secret/`: a new secret, answered once (the old one signs
  beside it for `WEBHOOKS_SECRET_OVERLAP_HOURS`); `POST …/ping/`: a test delivery, 202.
- `GET /api/v1/webhooks/<id>/deliveries/`: the log, newest first, each delivery with its
  attempts (`event`, `state` filter it).

A filter (`list` and `query`) the list itself would refuse is 400 naming the parameter inside
`query`: `{"errors": {"query": {"bindng": ["Unknown parameter. Did you mean “binding”?"]}}}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from policytracker.core.api.conditional import ConditionalMixin
from policytracker.core.api.fields import LabelField, VocabularyField
from policytracker.core.api.schema import ErrorSerializer
from policytracker.core.api.serializers import ModelSerializer
from policytracker.core.api.throttling import by_editor
from policytracker.core.api.views import ListViewSet, RecordViewSet
from policytracker.core.api.writes import BadInput, StrictInput, api_errors, validated
from policytracker.core.api.writes_schema import BadInputSerializer, ConditionalSchema
from policytracker.core.filters import FacetedFilterSet, TrueFalseFilter, VocabularyFilter
from policytracker.core.params import allowed
from policytracker.webhooks import services
from policytracker.webhooks.models import Delivery, DeliveryAttempt, Webhook
from policytracker.webhooks.selection import list_url
from policytracker.webhooks.tasks import dispatch, queue_delivery, try_to_queue
from policytracker.webhooks.vocabulary import DeliveryEvent, DeliveryState, HookList

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class EditorsOnly(BasePermission):
    """Every method, reads included, for editors alone (staff, or members of the `editors` or
    `reviewers` group): a hook's address and filter are its editor's business."""

    message = "Webhooks are for editors (staff, or members of the “editors” group)."

    def has_permission(self, request: Request, view: Any) -> bool:
        return by_editor(request)


# -- reads -------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.URI)
class HookAddress(serializers.Field):
    """An absolute address of the API named by the hook's id (`RecordUrlField` reverses a
    sample key, which no UUID pattern takes; a hook's lists are short)."""

    def __init__(self, view_name: str, **kwargs: Any) -> None:
        self.view_name = view_name
        kwargs.update(source="public_id", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        path = reverse(self.view_name, args=[str(value)])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class WebhookSerializer(ModelSerializer):
    """A hook as its editor reads it (its secret never: only a create or a rotation answers
    it)."""

    id = serializers.UUIDField(source="public_id", read_only=True, help_text="The hook's id.")
    url = HookAddress("webhooks:webhook-detail", help_text="The hook's address in the API.")
    list = VocabularyField(HookList.choices, source="list_name", help_text="The list filtered.")
    list_url = serializers.SerializerMethodField(
        help_text="The API list with the hook's filter: the records it selects now."
    )
    deliveries_url = HookAddress("webhooks:webhook-deliveries", help_text="Its delivery log.")

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "endpoint",
            "list",
            "query",
            "list_url",
            "description",
            "active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "previous_secret_until",
            "deliveries_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_list_url(self, hook: Webhook) -> str:
        path = list_url(hook.list_name, hook.query)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class WebhookSecretSerializer(WebhookSerializer):
    """A hook just registered, or whose secret was just rotated: the one answer that carries
    its secret."""

    secret = serializers.SerializerMethodField(
        help_text="Signs every delivery (see the README's Webhooks). Keep it: it is never "
        "shown again."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, hook: Webhook) -> str:
        return hook.secret


class AttemptSerializer(ModelSerializer):
    """One attempt to post a delivery."""

    class Meta:
        model = DeliveryAttempt
        fields = [
            "started_at",
            "duration_ms",
            "status_code",
            "succeeded",
            "error",
            "response_excerpt",
        ]
        read_only_fields = fields


class DeliverySerializer(ModelSerializer):
    """A delivery, and every attempt to post it, newest first."""

    id = serializers.UUIDField(
        source="public_id",
        read_only=True,
        help_text="Sent as `X-PolicyTracker-Delivery`, the same on every attempt.",
    )
    event = VocabularyField(DeliveryEvent.choices)
    state = VocabularyField(DeliveryState.choices)
    state_label = LabelField(DeliveryState.choices, source="state")
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "state",
            "state_label",
            "change_count",
            "cursor",
            "attempt_count",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "attempts",
        ]
        read_only_fields = fields


# -- writes ------------------------------------------------------------------------------------


class WebhookInput(StrictInput, serializers.Serializer):
    """What an editor sends to register or change a hook."""

    endpoint = serializers.URLField(
        max_length=Webhook._meta.get_field("endpoint").max_length,
        help_text="The HTTPS address to post deliveries to; it must resolve to public "
        "addresses only.",
    )
    list = serializers.ChoiceField(
        HookList.choices,
        source="list_name",
        help_text="The list whose filter the hook takes.",
        error_messages={
            "invalid_choice": f"“{{input}}” is not allowed. Allowed values: {allowed(HookList)}."
        },
    )
    query = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=Webhook._meta.get_field("query").max_length,
        help_text="That list's query string (e.g. `binding=true&member_of=ASEAN`); empty: every "
        "record of the list.",
    )
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=Webhook._meta.get_field("description").max_length,
    )
    active = serializers.BooleanField(
        required=False,
        help_text="false pauses the hook; true turns it on again, forgiving its failures.",
    )


class ActiveFilter(TrueFalseFilter):
    def apply(self, qs: QuerySet[Any], value: bool) -> QuerySet[Any]:
        return qs.filter(active=value)


class WebhookFilterSet(FacetedFilterSet):
    """Filters of `/api/v1/webhooks/`."""

    active = ActiveFilter(
        label="Active", help_text="true: hooks that are on; false: paused or turned off."
    )
    list = VocabularyFilter(field_name="list_name", choices=HookList.choices, label="List")

    class Meta:
        model = Webhook
        fields: list[str] = []


class DeliveryFilterSet(FacetedFilterSet):
    """Filters of `/api/v1/webhooks/<id>/deliveries/`."""

    event = VocabularyFilter(field_name="event", choices=DeliveryEvent.choices, label="Event")
    state = VocabularyFilter(field_name="state", choices=DeliveryState.choices, label="State")

    class Meta:
        model = Delivery
        fields: list[str] = []


# -- the schema --------------------------------------------------------------------------------


class WebhooksSchema(ConditionalSchema):
    """Every operation needs an editor (401, 403, reads too); writes to a hook take
    `If-Match`; a write's body may be refused field by field (400, the filter's parameters
    inside `query`)."""

    def get_auth(self) -> list[dict[str, Any]]:
        # Not ApiSchema's: reads here are not public.
        return AutoSchema.get_auth(self)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if self.action == "retrieve":
            responses["304"] = {
                "description": "Not modified: the `ETag` you sent (`If-None-Match`) is current."
            }
        return dict(sorted(responses.items()))

    def shared_responses(self) -> list[tuple[str, OpenApiResponse, dict[str, Any] | None]]:
        answers = super().shared_responses()
        answers += [
            ("401", OpenApiResponse(ErrorSerializer, "No credentials, or bad ones."), None),
            ("403", OpenApiResponse(ErrorSerializer, "Only editors use webhooks."), None),
        ]
        if self.method in ("POST", "PUT", "PATCH"):
            answers += [
                (
                    "400",
                    OpenApiResponse(
                        BadInputSerializer,
                        "A field that cannot be used; a bad filter names its parameter inside "
                        "`query`.",
                    ),
                    None,
                ),
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
        if self.is_conditional_write():
            answers += [
                ("412", OpenApiResponse(BadInputSerializer, "`If-Match` is not current."), None),
                ("428", OpenApiResponse(BadInputSerializer, "`If-Match` is missing."), None),
            ]
        return answers


# -- the views ---------------------------------------------------------------------------------


class WebhookViewSet(ConditionalMixin, RecordViewSet):
    """Your webhooks: each an HTTPS endpoint told, in a signed POST, of every change to the
    records a list's filter selects. Editors only; each sees their own.

    `POST` registers one (`endpoint`, `list`, `query`, `description`) and answers its `secret`
    once. A filter the list would refuse is 400 naming the parameter inside `query`. Writes
    to a hook need `If-Match`. `"active": true` turns a hook that failures turned off on again.
    `rotate-secret/` answers a new secret (the old one signs too for a while); `ping/` queues a
    test delivery; `deliveries/` is the log."""

    permission_classes = [EditorsOnly]
    serializer_class = WebhookSerializer
    filterset_class = WebhookFilterSet
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN
    csv_filename = "webhooks.csv"
    schema = WebhooksSchema()
    queryset = Webhook.objects.order_by("created_at", "pk")

    def get_view_name(self) -> str:
        return "Webhooks" if self.detail is False else "Webhook"

    def get_queryset(self) -> QuerySet[Any]:
        # Each editor's own: another's hook is not there at all (404).
        queryset = super().get_queryset()
        user = self.request.user
        return queryset.filter(owner=user) if user.is_authenticated else queryset.none()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action in ("create", "update", "partial_update"):
            return WebhookInput
        return super().get_serializer_class()

    def get_record_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return WebhookSerializer

    def lock(self) -> object:
        # The record's row locked, among this editor's hooks only.
        key = self.kwargs[self.lookup_url_kwarg]
        pk = (
            self.get_queryset()
            .select_for_update()
            .filter(public_id=key)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise self.not_found()
        return pk

    def not_found(self) -> NotFound:
        return NotFound(f"You have no webhook with the id “{self.kwargs[self.lookup_url_kwarg]}”.")

    def input(self, *args: Any, **kwargs: Any) -> WebhookInput:
        readable = set(WebhookSerializer().fields)
        context = {**self.get_serializer_context(), "readable_fields": readable}
        return WebhookInput(*args, context=context, **kwargs)

    def respond(self, hook: Webhook, status: int, *, with_secret: bool = False) -> Response:
        """The hook as a read shows it, with its `ETag` (and, once, its secret)."""
        instance, data = self.read_record(hook.pk)
        response = Response({**data, "secret": hook.secret} if with_secret else data, status)
        self.set_validators(response, instance, data)
        return response

    @extend_schema(
        request=WebhookInput,
        responses={201: WebhookSecretSerializer},
        description="Register a hook; the answer carries its `secret`, once.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(self.input(data=request.data))
        with refused_as_bad_input():
            hook, _ = services.webhook_create(owner=request.user, **data)
        response = self.respond(hook, http_status.HTTP_201_CREATED, with_secret=True)
        response["Location"] = response.data["url"]
        return response

    @extend_schema(request=WebhookInput, responses=WebhookSerializer)
    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        turned_on = False

        def write(hook: models.Model) -> None:
            nonlocal turned_on
            assert isinstance(hook, Webhook)
            was_active = hook.active
            changes = validated(self.input(hook, data=request.data, partial=partial))
            with refused_as_bad_input():
                services.webhook_update(hook, **changes)
            turned_on = hook.active and not was_active

        response = self.conditional_write(write)
        if turned_on:
            transaction.on_commit(
                lambda: try_to_queue(dispatch, "a dispatch for a hook turned on again")
            )
        return response

    @extend_schema(request=WebhookInput, responses=WebhookSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def write(hook: models.Model) -> bool:
            hook.delete()
            return False

        return self.conditional_write(write)

    @extend_schema(
        request=None,
        responses={200: WebhookSecretSerializer},
        description="A new secret, answered once. The old one signs deliveries beside it for "
        "`WEBHOOKS_SECRET_OVERLAP_HOURS` (24 by default), so your receiver can change over.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", filter_backends=[])
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hook = self.get_object()
        services.webhook_rotate_secret(hook)
        return self.respond(hook, http_status.HTTP_200_OK, with_secret=True)

    @extend_schema(
        request=None,
        responses={202: DeliverySerializer},
        description='Queue a test delivery (`"event": "ping"`, no changes): sent once, '
        "whether or not the hook is on; see its outcome in `deliveries/`.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def ping(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hook = self.get_object()
        delivery = services.webhook_ping(hook)
        transaction.on_commit(
            lambda: try_to_queue(lambda: queue_delivery(delivery.pk), "a test ping")
        )
        return Response(
            DeliverySerializer(delivery, context=self.get_serializer_context()).data,
            status=http_status.HTTP_202_ACCEPTED,
        )


@contextmanager
def refused_as_bad_input() -> Iterator[None]:
    """A hook the services refuse, answered 400 naming each field (a bad filter's parameters
    inside `query`)."""
    try:
        yield
    except services.InvalidHook as refused:
        raise BadInput(_api_names(refused.errors)) from None
    except ValidationError as refused:
        raise BadInput(api_errors(refused, {"list_name": "list"})) from None


def _api_names(errors: dict[str, Any]) -> dict[str, Any]:
    return {"list" if name == "list_name" else name: value for name, value in errors.items()}


class DeliveryViewSet(ListViewSet):
    """The delivery log of one of your webhooks, newest first: each delivery (a batch of
    changes, or a test ping) with every attempt to post it (when, how long, the status or what
    went wrong, the start of the answer). `event` and `state` filter it."""

    permission_classes = [EditorsOnly]
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    csv_filename = "deliveries.csv"
    schema = WebhooksSchema()
    queryset = Delivery.objects.order_by("-created_at", "-pk").prefetch_related(
        Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("-started_at", "-pk"))
    )

    def get_view_name(self) -> str:
        return "Deliveries"

    def get_queryset(self) -> QuerySet[Any]:
        hook = self.hook()
        return super().get_queryset().filter(webhook=hook)

    def hook(self) -> Webhook:
        user = self.request.user
        key = self.kwargs["id"]
        # The address takes UUIDs alone (`urls.py`).
        found = (
            Webhook.objects.filter(owner=user, public_id=key).first()
            if user.is_authenticated
            else None
        )
        if found is None:
            raise NotFound(f"You have no webhook with the id “{key}”.")
        return found

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "id",
                str,
                OpenApiParameter.PATH,
                description="The hook's id.",
                pattern=f"^{UUID_PATTERN}$",
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)
