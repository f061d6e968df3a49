"""Admin actions shared by the records' admins.

"Duplicate" starts a new record from an existing one: the admin's add form, prefilled through
its query string (the admin reads a field's initial value from a GET parameter of its name, a
many-to-many field's as comma-separated primary keys). Nothing is saved until the editor saves
the form, so the copy goes through the same validation as any new record."""

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from policytracker.core.dates import partial_date, precision_field_name

COPY_PREFIX = "Copy of "
# Left empty for the editor to fill: the admin fills it from the new title as it is typed.
NOT_COPIED = {"slug"}


def duplicate_initial(model_admin, request, obj):
    """The add form's initial values for a copy of `obj`, as query parameters: every field of
    the admin's add form that the record has, but the slug; the title prefixed "Copy of ".
    Inlines (citations, timelines, identifiers) are not fields of the form: nothing of them."""
    form_fields = model_admin.get_form(request).base_fields
    initial = {}
    for field in obj._meta.get_fields():
        if field.name not in form_fields or field.name in NOT_COPIED:
            continue
        if field.many_to_many:
            pks = getattr(obj, field.name).values_list("pk", flat=True)
            value = ",".join(str(pk) for pk in pks)
        elif field.is_relation:
            value = getattr(obj, field.attname)
        else:
            value = getattr(obj, field.name)
            precision = precision_field_name(field.name)
            if hasattr(obj, precision) and precision not in form_fields:
                # A date typed at its precision ("2024-05"): the form sets the precision.
                value = partial_date(value, getattr(obj, precision))
        if isinstance(field, models.BooleanField):
            # A checkbox reads any text but "" as ticked, "False" included.
            value = "on" if value else ""
        elif hasattr(value, "isoformat"):  # a date, or a partial date at its precision
            value = value.isoformat()
        if value not in (None, ""):
            initial[field.name] = str(value)
    if "title" in initial:
        initial["title"] = COPY_PREFIX + initial["title"]
    return initial


def duplicate_url(model_admin, request, obj):
    """The add page of `obj`'s model, prefilled as a copy of it (`duplicate_initial`)."""
    opts = obj._meta
    add = reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_add")
    return f"{add}?{urlencode(duplicate_initial(model_admin, request, obj))}"


def not_copied(model_admin, request):
    """What a copy leaves behind, as the add page's message names it: the slug, and what the
    record's inlines hold ("status changes", "citations")."""
    inlines = model_admin.get_inline_instances(request)
    return ["the slug", *(str(inline.verbose_name_plural) for inline in inlines)]


@admin.action(description="Duplicate the selected record (one at a time)", permissions=["add"])
def duplicate_record(model_admin, request, queryset):
    """Open the add form prefilled with the one selected record's values (`duplicate_url`)."""
    selected = list(queryset[:2])
    if len(selected) != 1:
        model_admin.message_user(
            request,
            "Select exactly one record to duplicate: a copy starts from one record's values.",
            messages.WARNING,
        )
        return None
    obj = selected[0]
    *others, last = not_copied(model_admin, request)
    left = f"{', '.join(others)} and {last}" if others else last
    model_admin.message_user(
        request,
        f"A new {obj._meta.verbose_name} prefilled from “{obj}”: nothing is saved until you "
        f"save it. Not copied: {left}. Give it a new title and slug, check every value, and "
        "cite the new record from its own sources.",
        messages.INFO,
    )
    return HttpResponseRedirect(duplicate_url(model_admin, request, obj))
