"""Importing a spreadsheet in the admin: upload, read the dry run's report, confirm.

The uploaded file is kept in the editor's session between the dry run and the confirmation (it
is small: see `MAX_UPLOAD_BYTES`), never on disk, and the confirmation names the file's digest,
so what is applied is exactly the file whose report the editor read. The import itself is
`instruments.imports`, the same as `manage.py import_records`.
"""

import base64
import hashlib
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from instruments.imports import READABLE_SUFFIXES, import_file, kind_of_model
from instruments.revisions import reviewed

# Enough for thousands of rows; the file is held in the session until it is applied.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
SESSION_KEY = "instruments_import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text="CSV (UTF-8) or Excel (.xlsx): a first row naming the columns, then one row "
        "per record, and one more row per further citation.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in READABLE_SUFFIXES:
            raise ValidationError("Upload a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: split it."
            )
        return upload


class ImportAdminMixin:
    """Adds an "Import" page to a ModelAdmin of a kind `instruments.imports` knows (instruments,
    events), and a button to it on the list. Only editors who may both add and change the
    records, their citations and (for instruments) their status changes may use it."""

    change_list_template = "admin/instruments/import_change_list.html"
    import_template = "admin/instruments/import.html"

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(self.import_view)
        name = f"{opts.app_label}_{opts.model_name}_import"
        return [path("import/", view, name=name), *super().get_urls()]

    def has_import_permission(self, request):
        return all(
            request.user.has_perm(_permission(model, action))
            for model in (self.model, *kind_of_model(self.model).child_models)
            for action in ("add", "change")
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "has_import_permission": self.has_import_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        kind = kind_of_model(self.model)
        form, report, digest = ImportForm(), None, ""
        if request.method == "POST" and "apply" in request.POST:
            if reviewed(request):
                # An import is applied as a whole, so it is published at once: by a reviewer.
                messages.error(request, APPLY_NEEDS_A_REVIEWER)
                return redirect(self.admin_url("import"))
            pending = request.session.get(SESSION_KEY)
            if (
                not pending
                or pending["kind"] != kind.name
                or pending["digest"] != request.POST.get("digest")
            ):
                messages.error(
                    request,
                    "The file to apply is no longer the one shown (another was uploaded since, "
                    "or the session ended): upload it again.",
                )
                return redirect(self.admin_url("import"))
            data = base64.b64decode(pending["data"])
            report = import_file(data, pending["name"], kind=kind.name, apply=True)
            if report.applied:
                del request.session[SESSION_KEY]
                messages.success(request, f"Imported {pending['name']}: {report.summary()}.")
                return redirect(self.admin_url("changelist"))
            # The data changed since the dry run: show what is wrong now.
            request.session.pop(SESSION_KEY, None)
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                data = upload.read()
                report = import_file(data, upload.name, kind=kind.name)
                request.session.pop(SESSION_KEY, None)
                if not report.has_errors:
                    digest = hashlib.sha256(data).hexdigest()
                    request.session[SESSION_KEY] = {
                        "kind": kind.name,
                        "name": Path(upload.name).name,
                        "digest": digest,
                        "data": base64.b64encode(data).decode("ascii"),
                    }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {self.model._meta.verbose_name_plural}",
            "form": form,
            "report": report,
            "digest": digest,
            "columns": kind.column_names,
            "may_apply": not reviewed(request),
            "apply_needs_a_reviewer": APPLY_NEEDS_A_REVIEWER,
        }
        return TemplateResponse(request, self.import_template, context)

    def admin_url(self, view):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")


APPLY_NEEDS_A_REVIEWER = (
    "Only a reviewer may apply an import: its records are published as it is applied. Send "
    "the file to a reviewer, who sees the same dry run."
)


def _permission(model, action):
    return f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"
