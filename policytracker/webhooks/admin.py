"""Webhooks in the admin: an editor registers a hook (its secret shown once, on the page that
follows), sees why it was turned off and its recent delivery log, and may send a test ping,
turn it on again, or rotate its secret. Each editor sees their own hooks; superusers see all.
The full log is under Deliveries (read-only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from policytracker.webhooks import services
from policytracker.webhooks.models import Delivery, DeliveryAttempt, Webhook
from policytracker.webhooks.signing import TOLERANCE_SECONDS
from policytracker.webhooks.tasks import dispatch, queue_delivery, try_to_queue

# Deliveries the change page of a hook shows; the rest are under Deliveries.
RECENT_DELIVERIES = 20


class WebhookForm(forms.ModelForm):
    """The endpoint and the filter checked as the API checks them: HTTPS, public addresses,
    and a query string the list itself takes (its parameters named in the message)."""

    endpoint = forms.URLField(
        max_length=Webhook._meta.get_field("endpoint").max_length,
        assume_scheme="https",
        help_text=Webhook._meta.get_field("endpoint").help_text,
    )

    class Meta:
        model = Webhook
        fields = ["endpoint", "list_name", "query", "description", "active"]

    def clean(self):
        cleaned = super().clean()
        endpoint, list_name = cleaned.get("endpoint"), cleaned.get("list_name")
        if endpoint and list_name:
            errors = services.webhook_errors(
                endpoint=endpoint, list_name=list_name, query=cleaned.get("query", "")
            )
            for name, problems in errors.items():
                if isinstance(problems, dict):
                    problems = [
                        f"{parameter}: {' '.join(texts)}" for parameter, texts in problems.items()
                    ]
                self.add_error(name, problems)
        return cleaned


def _own(queryset, request, path="owner"):
    return queryset if request.user.is_superuser else queryset.filter(**{path: request.user})


def is_editor(user):
    # Imported here: DRF's throttling module reads the API's settings as it is imported, and
    # the admin's modules are imported as Django starts, before a command may change them.
    from policytracker.core.api.throttling import is_editor as editor

    return editor(user)


class EditorsOwnHooks:
    """Every editor (as the API counts them: staff, or the `editors` and `reviewers` groups)
    may register hooks and manage their own, whatever model permissions their account holds:
    a hook is an editor's own subscription, not a record of the tracker."""

    def has_module_permission(self, request):
        return is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_add_permission(self, request):
        return is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_editor(request.user)


def _secret_page(request, hooks_and_secrets, title):
    # The admin's views are never cached (`Cache-Control: no-store`): neither is the secret.
    return TemplateResponse(
        request,
        "admin/webhooks/webhook/secret.html",
        {
            **admin.site.each_context(request),
            "title": title,
            "opts": Webhook._meta,
            "secrets": hooks_and_secrets,
            "tolerance_minutes": TOLERANCE_SECONDS // 60,
        },
    )


@admin.register(Webhook)
class WebhookAdmin(EditorsOwnHooks, admin.ModelAdmin):
    form = WebhookForm
    list_display = [
        "__str__",
        "endpoint",
        "list_name",
        "query",
        "owner",
        "active",
        "consecutive_failures",
        "disabled_reason",
    ]
    list_filter = ["active", "list_name"]
    search_fields = ["description", "endpoint", "query"]
    readonly_fields = [
        "public_id",
        "owner",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "previous_secret_until",
        "cursor",
        "created_at",
        "updated_at",
        "delivery_log",
    ]
    fieldsets = [
        (None, {"fields": ["endpoint", "list_name", "query", "description", "active"]}),
        (
            "State",
            {
                "fields": [
                    "public_id",
                    "owner",
                    "consecutive_failures",
                    "disabled_at",
                    "disabled_reason",
                    "previous_secret_until",
                    "cursor",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        ("Recent deliveries", {"fields": ["delivery_log"]}),
    ]
    actions = ["send_ping", "turn_on_again", "rotate_secret"]

    def get_queryset(self, request):
        return _own(super().get_queryset(request).select_related("owner"), request)

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # a new hook has no state and no log yet
            return self.fieldsets[:1]
        return self.fieldsets

    def save_model(self, request, obj, form, change):
        if not change:
            services.webhook_register(obj, owner=request.user)
            return
        original = Webhook.objects.get(pk=obj.pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        turned_on = changes.get("active") is True and not original.active
        services.webhook_update(original, **changes)
        obj.refresh_from_db()
        if turned_on:
            transaction.on_commit(lambda: try_to_queue(dispatch, "a dispatch"))

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_popup" in request.POST:
            return response
        return _secret_page(request, [(obj, obj.secret)], "The new webhook's secret")

    @admin.display(description="delivery log")
    def delivery_log(self, hook):
        deliveries = list(
            hook.deliveries.prefetch_related(
                Prefetch(
                    "attempts", queryset=DeliveryAttempt.objects.order_by("-started_at", "-pk")
                )
            ).order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
        )
        rows = [
            (
                delivery.get_event_display(),
                delivery.change_count,
                delivery.get_state_display(),
                f"{attempt.started_at:%Y-%m-%d %H:%M:%S}",
                f"{attempt.duration_ms} ms",
                attempt.status_code or "no answer",
                attempt.error,
                attempt.response_excerpt[:120],
            )
            for delivery in deliveries
            for attempt in delivery.attempts.all()
        ]
        waiting = sum(1 for delivery in deliveries if not delivery.attempts.all())
        table = format_html(
            "<table><thead><tr><th>Event</th><th>Changes</th><th>State</th><th>Attempt</th>"
            "<th>Took</th><th>Status</th><th>Error</th><th>Answer</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                "<td>{}</td><td>{}</td></tr>",
                rows,
            ),
        )
        full_log = reverse("admin:webhooks_delivery_changelist") + f"?webhook__id__exact={hook.pk}"
        return format_html(
            "{}<p>{} not yet tried. <a href='{}'>The whole log</a>.</p>",
            table if rows else "No attempt yet.",
            waiting,
            full_log,
        )

    @admin.action(description="Send a test ping")
    def send_ping(self, request, queryset):
        for hook in queryset:
            delivery = services.webhook_ping(hook)
            transaction.on_commit(
                lambda pk=delivery.pk: try_to_queue(lambda: queue_delivery(pk), "a test ping")
            )
        self.message_user(
            request,
            f"A test ping is queued for {queryset.count()} hook(s): its outcome shows in the "
            "delivery log once the worker has sent it.",
            messages.SUCCESS,
        )

    @admin.action(description="Turn on again (forgive the failures)")
    def turn_on_again(self, request, queryset):
        for hook in queryset:
            services.webhook_enable(hook)
        transaction.on_commit(lambda: try_to_queue(dispatch, "a dispatch"))
        self.message_user(
            request,
            f"{queryset.count()} hook(s) on again, their failures forgiven: what they are owed "
            "is sent next.",
            messages.SUCCESS,
        )

    @admin.action(description="Rotate the secret")
    def rotate_secret(self, request, queryset):
        rotated = [(hook, services.webhook_rotate_secret(hook)) for hook in queryset]
        return _secret_page(request, rotated, "New secrets")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["started_at", "duration_ms", "status_code", "succeeded", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(EditorsOwnHooks, admin.ModelAdmin):
    """The whole delivery log, read-only."""

    list_display = [
        "public_id",
        "webhook",
        "event",
        "state",
        "change_count",
        "attempt_count",
        "next_attempt_at",
        "created_at",
        "delivered_at",
    ]
    # By hook from a hook's page (`?webhook__id__exact=`): a filter listing every hook would
    # name other editors' hooks.
    list_filter = ["state", "event"]
    fields = [
        "public_id",
        "webhook",
        "event",
        "state",
        "change_count",
        "cursor",
        "attempt_count",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "body",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]

    def get_queryset(self, request):
        return _own(
            super().get_queryset(request).select_related("webhook"), request, "webhook__owner"
        )

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "webhook__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
