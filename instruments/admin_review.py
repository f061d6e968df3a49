"""Review in the admin: an editor's save becomes a revision for a reviewer, and the reviewers'
queue, with the preview of each change, where they publish or reject it
(`instruments.revisions`)."""

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from instruments.models import Revision, RevisionChannel, RevisionKind, RevisionState
from instruments.revisions import (
    RevisionRefused,
    admin_form_data,
    may_publish,
    reviewed,
    revision_preview,
    revision_publish,
    revision_reject,
    revision_submit,
    revision_withdraw,
)


class ReviewedAdminMixin:
    """A record's admin whose saves, deletions and reverts by an editor who may not publish
    wait for a reviewer. The page is run in full first (every form, inline, rule and service,
    as for a reviewer) inside a transaction that is rolled back: a mistake is shown on the page
    as ever, and only a valid change becomes a revision."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        run = super().changeform_view
        if request.method == "GET" and object_id:
            self.tell_of_pending(request, object_id)
        if request.method != "POST" or not reviewed(request):
            return run(request, object_id, form_url, extra_context)
        kind = RevisionKind.UPDATE if object_id else RevisionKind.CREATE
        return self.submit_for_review(
            request, object_id, kind, lambda: run(request, object_id, form_url, extra_context)
        )

    def delete_view(self, request, object_id, extra_context=None):
        run = super().delete_view
        if request.method != "POST" or not reviewed(request):
            return run(request, object_id, extra_context)
        return self.submit_for_review(
            request, object_id, RevisionKind.DELETE, lambda: run(request, object_id, extra_context)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        run = super().history_form_view
        if request.method != "POST" or not reviewed(request):
            return run(request, object_id, version_id, extra_context)
        return self.submit_for_review(
            request,
            object_id,
            RevisionKind.UPDATE,
            lambda: run(request, object_id, version_id, extra_context),
        )

    def tell_of_pending(self, request, object_id):
        """Say on a record's page that changes to it wait for review: the page shows the
        record as readers see it, without them."""
        pending = Revision.objects.pending().filter(
            content_type__app_label=self.model._meta.app_label,
            content_type__model=self.model._meta.model_name,
            object_id=str(object_id),
        )
        count = pending.count()
        if count:
            queue = reverse("admin:instruments_revision_changelist")
            messages.warning(
                request,
                format_html(
                    "{} change{} to this record wait{} for review; this page shows it as "
                    'readers see it. <a href="{}?object_id={}&amp;content_type__id__exact={}">'
                    "See them</a>.",
                    count,
                    "" if count == 1 else "s",
                    "s" if count == 1 else "",
                    queue,
                    object_id,
                    ContentType.objects.get_for_model(self.model).pk,
                ),
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if reviewed(request):
            # A deletion waits for review record by record, from each record's page.
            actions.pop("delete_selected", None)
        return actions

    def submit_for_review(self, request, object_id, kind, run):
        storage = messages.get_messages(request)
        queued = len(getattr(storage, "_queued_messages", []))
        started = timezone.now()
        with transaction.atomic():
            response = run()
            saved = response.status_code in (301, 302, 303)
            entry = None
            if saved:
                entry = (
                    LogEntry.objects.filter(user=request.user, action_time__gte=started)
                    .order_by("-action_time", "-pk")
                    .first()
                )
            transaction.set_rollback(True)
        if not saved:
            return response
        # What the dry run said ("was added successfully") did not happen.
        if hasattr(storage, "_queued_messages"):
            del storage._queued_messages[queued:]
        if kind == RevisionKind.UPDATE and entry is not None and entry.change_message in ("", "[]"):
            messages.info(request, "Nothing changed, so there is nothing to review.")
            return redirect(request.path)
        title = entry.object_repr if entry else str(self.model._meta.verbose_name)
        revision = revision_submit(
            author=request.user,
            channel=RevisionChannel.ADMIN,
            kind=kind,
            model=self.model,
            object_id=object_id,
            title=title,
            method=request.method,
            path=request.path,
            data=admin_form_data(request),
        )
        messages.success(
            request,
            f"Your change ({revision.get_kind_display().lower()} “{title}”) is waiting for a "
            "reviewer. Readers see the record as it was until it is published.",
        )
        return redirect("admin:instruments_revision_change", revision.pk)


class StateFilter(admin.SimpleListFilter):
    """The queue opens on the changes waiting for review."""

    title = "state"
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*RevisionState.choices, (self.ALL, "All")]

    def value(self):
        return super().value() or RevisionState.PENDING

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """The reviewers' queue: every change submitted, waiting ones first; each opens on its
    preview, where a reviewer publishes or rejects it and its author may withdraw it."""

    list_display = ["title", "kind", "record_kind", "author", "created_at", "state", "channel"]
    list_filter = [StateFilter, "kind", "channel", "content_type", "author"]
    list_select_related = ["content_type", "author"]
    search_fields = ["title", "author__username", "review_note"]
    date_hierarchy = "created_at"

    @admin.display(description="record", ordering="content_type__model")
    def record_kind(self, obj):
        return obj.content_type.name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content_type", "author", "reviewer")

    def lookup_allowed(self, lookup, value, request=None):
        # A record's page links to the revisions of that record.
        return lookup == "object_id" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revisions are the record of what was proposed and decided.
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        revision = get_object_or_404(self.get_queryset(request), pk=object_id)
        if request.method == "POST":
            return self.decide(request, revision)
        preview = None
        if revision.state == RevisionState.PENDING:
            preview = revision_preview(revision=revision, request=request)
        record_url = None
        target = revision.object_id or revision.published_object_id
        model = revision.model
        if target and model is not None and revision.kind != RevisionKind.DELETE:
            record = model._default_manager.filter(pk=target).first()
            if record is not None:
                record_url = reverse(
                    f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                    args=[record.pk],
                )
        context = {
            **self.admin_site.each_context(request),
            "title": str(revision),
            "opts": self.model._meta,
            "revision": revision,
            "preview": preview,
            "record_url": record_url,
            "may_publish": may_publish(request.user),
            "is_author": revision.author_id == request.user.pk,
            "pending": revision.state == RevisionState.PENDING,
        }
        return TemplateResponse(request, "admin/instruments/revision/review.html", context)

    def decide(self, request, revision):
        decision = next(
            (name for name in ("publish", "reject", "withdraw") if name in request.POST),
            request.POST.get("decision"),
        )
        try:
            if decision == "publish":
                revision_publish(revision=revision, reviewer=request.user, request=request)
                messages.success(
                    request, format_html("Published: readers now see “{}”.", revision.title)
                )
            elif decision == "reject":
                revision_reject(
                    revision=revision,
                    reviewer=request.user,
                    note=request.POST.get("review_note", "").strip(),
                )
                messages.success(request, f"Rejected: “{revision.title}” stays as it was.")
            elif decision == "withdraw":
                revision_withdraw(revision=revision, user=request.user)
                messages.success(request, f"Withdrawn: your change to “{revision.title}”.")
            else:
                messages.error(request, "Choose publish, reject or withdraw.")
                return redirect(request.path)
        except RevisionRefused as refused:
            for message in refused.messages:
                messages.error(request, message)
            return redirect(request.path)
        return redirect("admin:instruments_revision_changelist")
