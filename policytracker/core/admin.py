"""What the admin of every record shares, and of every timeline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from policytracker.core.content_policy import allow_package_styles
from policytracker.core.forms import RecordForm, has_partial_date, partial_date_formfield

ISO_DATE = "%Y-%m-%d"


class RecordFormMixin:
    """Admin pages and inlines whose forms are `RecordForm`s: each partial date is one box
    taking "2024", "2024-05" or "2024-05-21" (its `<date>_precision` is set from it and never
    shown), and the record's version guards against overwriting another editor's save."""

    form = RecordForm

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if isinstance(db_field, models.DateField) and has_partial_date(
            db_field.model, db_field.name
        ):
            return partial_date_formfield(db_field)
        if isinstance(db_field, models.DateField) and not isinstance(
            db_field, models.DateTimeField
        ):
            # A whole date: written and shown as ISO 8601, never read day- or month-first.
            field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
            if field is not None:
                field.input_formats = [ISO_DATE]
                field.widget.format = ISO_DATE
                field.help_text = f"{field.help_text} As YYYY-MM-DD.".strip()
            return field
        if db_field.name.endswith("_precision") and has_partial_date(
            db_field.model, db_field.name.removesuffix("_precision")
        ):
            return None
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class RecordAdmin(RecordFormMixin, SimpleHistoryAdmin):
    """The admin of a tracked record: its change history (simple_history), and a "View on
    site" link to the page that shows it (`get_absolute_url()`), left off where there is none
    (an actor without a jurisdiction) rather than linking to an error."""

    def view_on_site(self, obj: models.Model) -> str | None:
        # Django's attribute is a flag or a callable; a method is the callable.
        get_absolute_url = getattr(obj, "get_absolute_url", None)
        return get_absolute_url() if get_absolute_url else None

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> Any:
        # The history list's template writes a fixed style the site's policy would refuse.
        response = super().history_view(request, object_id, extra_context)
        return allow_package_styles(response, "simple_history")


class TimelineStepAdmin(RecordAdmin):
    """Admin of one step of a timeline (an approach assessment, a status change) whose parent
    keeps its current value equal to the latest step: every save or delete re-syncs the parent,
    and the old parent too when a step moves to another."""

    parent_field = ""

    def sync_parent(self, parent: models.Model) -> None:
        raise NotImplementedError

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm[Any], change: bool
    ) -> None:
        previous = None
        if change and obj.pk:
            previous = getattr(type(obj)._default_manager.get(pk=obj.pk), self.parent_field)
        super().save_model(request, obj, form, change)
        self.sync_parent(getattr(obj, self.parent_field))
        if previous is not None and previous.pk != getattr(obj, f"{self.parent_field}_id"):
            self.sync_parent(previous)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        parent = getattr(obj, self.parent_field)
        super().delete_model(request, obj)
        self.sync_parent(parent)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        parents = {getattr(step, self.parent_field) for step in queryset.select_related()}
        super().delete_queryset(request, queryset)
        for parent in parents:
            self.sync_parent(parent)
