"""What the editors' forms share: partial dates typed as their sources state them, and a version
check so that a save never silently overwrites another editor's."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from policytracker.core.dates import PartialDate, partial_date, precision_field_name

PARTIAL_DATE_HELP = "As precisely as the source states it: 2024, 2024-05 or 2024-05-21."


class PartialDateFormField(forms.CharField):
    """A date at the precision its source states, in one box: "2024", "2024-05" or
    "2024-05-21" (the API's format; never read as a day-first or month-first date). Cleans to a
    `PartialDate`, or None when empty; the form sets the model's date and `<date>_precision`."""

    widget = forms.TextInput(
        attrs={
            "placeholder": "YYYY, YYYY-MM or YYYY-MM-DD",
            "size": 28,
            "maxlength": 10,
            "inputmode": "numeric",
        }
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", PARTIAL_DATE_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value: object) -> object:
        if isinstance(value, PartialDate):
            return value.isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def to_python(self, value: object) -> PartialDate | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return PartialDate.parse(text)
        except ValueError:
            raise ValidationError(
                "“%(value)s” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2025, "
                "2025-03 or 2025-03-04): write it as precisely as the source states it.",
                code="invalid",
                params={"value": text},
            ) from None


def has_partial_date(model: type[models.Model], name: str) -> bool:
    """True when `name` is a date of `model` kept with its precision (`<name>_precision`)."""
    try:
        model._meta.get_field(precision_field_name(name))
    except Exception:
        return False
    return True


def partial_date_formfield(db_field: models.Field[Any, Any]) -> PartialDateFormField:
    return PartialDateFormField(
        required=not db_field.blank,
        label=str(db_field.verbose_name).capitalize(),
        help_text=f"{db_field.help_text} {PARTIAL_DATE_HELP}".strip(),
    )


def latest_version(instance: models.Model) -> str:
    """A record's version for the forms: the id of its latest history entry ("" for none)."""
    history = getattr(type(instance), "history", None)
    if history is None or instance.pk is None:
        return ""
    latest = (
        history.model.objects.filter(**{instance._meta.pk.attname: instance.pk})
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    return str(latest or "")


class RecordForm(forms.ModelForm):
    """The admin's form of a record: partial dates in one box each (see
    `PartialDateFormField`), and the record's version (`latest_version`) in a hidden field, so
    that a save made after someone else's, from a page loaded before it, is refused with what
    they changed instead of overwriting it."""

    record_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, PartialDateFormField) and self.instance.pk is not None:
                precision = getattr(self.instance, precision_field_name(name), "")
                self.initial[name] = partial_date(getattr(self.instance, name), precision)
        self.fields["record_version"].initial = latest_version(self.instance)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        posted = self.data.get(self.add_prefix("record_version"), None)
        if self.instance.pk is not None and posted is not None and not self.errors:
            current = latest_version(self.instance)
            if posted != current:
                raise ValidationError(self.conflict_message(posted, current), code="conflict")
        return cleaned

    def conflict_message(self, posted: str, current: str) -> str:
        model = get_history_model_for_model(type(self.instance))
        history = model.objects.filter(**{self.instance._meta.pk.attname: self.instance.pk})
        seen = history.filter(history_id=posted).first() if posted.isdigit() else None
        latest = history.filter(history_id=current).first()
        who = ""
        if latest is not None:
            user = latest.history_user
            when = timezone.localtime(latest.history_date).strftime("%d %b %Y %H:%M:%S")
            who = f" ({user.get_username() if user else 'a script'}, {when})"
        changes = []
        if seen is not None and latest is not None:
            for change in latest.diff_against(seen).changes:
                field = self.instance._meta.get_field(change.field)
                old, new = (_shown(change.old), _shown(change.new))
                changes.append(f"{str(field.verbose_name).capitalize()}: {old} → {new}")
        detail = f" They changed {'; '.join(changes)}." if changes else ""
        return (
            f"Someone else saved this record after you opened it{who}.{detail} Your changes "
            "were not saved: open the record again to see theirs, then make yours."
        )

    def _post_clean(self) -> None:
        # Each partial date sets its model field and the precision beside it.
        for name, field in self.fields.items():
            if isinstance(field, PartialDateFormField) and name in self.cleaned_data:
                value = self.cleaned_data[name]
                setattr(self.instance, precision_field_name(name), value.precision if value else "")
                self.cleaned_data[name] = value.date if value else None
        super()._post_clean()  # type: ignore[misc]

    def _update_errors(self, errors: ValidationError) -> None:
        # A precision has no box of its own: its errors belong to its date's.
        if hasattr(errors, "error_dict"):
            for name in list(errors.error_dict):
                date = name.removesuffix("_precision")
                if name != date and name not in self.fields and date in self.fields:
                    errors.error_dict.setdefault(date, []).extend(errors.error_dict.pop(name))
        super()._update_errors(errors)  # type: ignore[misc]


def _shown(value: object) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    text = str(value)
    return f"“{text if len(text) <= 80 else text[:78] + '…'}”"


class EditorLoginForm(AdminAuthenticationForm):
    """The admin's sign-in: a right password on an account that may not use the admin is told
    so, instead of being told the password is wrong."""

    def confirm_login_allowed(self, user: Any) -> None:
        if user.is_active and not user.is_staff:
            raise ValidationError(
                "This account may not use the editors' admin: it is not a staff account. An "
                "administrator can make it one (`manage.py create_editor_token <name> "
                "--add-to-editors`).",
                code="not_staff",
            )
        super().confirm_login_allowed(user)
