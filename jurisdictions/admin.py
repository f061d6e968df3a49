"""Admin of jurisdictions, their approach timelines and memberships.

Jurisdictions and approach assessments are cited, and citations belong to `instruments`, whose
admin registers these two classes with the citations inline (`instruments.admin`)."""

from django import forms
from django.contrib import admin
from django.db import models

from jurisdictions.models import ApproachAssessment, Membership
from jurisdictions.services import jurisdiction_sync_approach
from jurisdictions.vocabulary import COVERAGE_CATEGORIES
from policytracker.core.admin import RecordAdmin, RecordFormMixin, TimelineStepAdmin


class MembershipInline(RecordFormMixin, admin.TabularInline):
    model = Membership
    fk_name = "member"
    fields = [
        "bloc",
        "role",
        "started_on",
        "ended_on",
    ]
    autocomplete_fields = ["bloc"]
    extra = 0
    verbose_name = "membership in a bloc"
    verbose_name_plural = "memberships in blocs"


class BlocMemberInline(RecordFormMixin, admin.TabularInline):
    model = Membership
    fk_name = "bloc"
    fields = [
        "member",
        "role",
        "started_on",
        "ended_on",
    ]
    autocomplete_fields = ["member"]
    extra = 0
    verbose_name = "member of this bloc"
    verbose_name_plural = "members of this bloc"


class ApproachAssessmentInline(RecordFormMixin, admin.TabularInline):
    model = ApproachAssessment
    fields = [
        "assessed_on",
        "holds_from",
        "approach",
        "summary",
        "note",
    ]
    extra = 0
    ordering = ["date"]
    # Each assessment's citations are edited on its own page.
    show_change_link = True
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}
    verbose_name = "approach assessment"
    verbose_name_plural = "approach timeline (the latest assessment is the current approach)"


class JurisdictionAdmin(RecordAdmin):
    list_display = ["code", "name", "local_name", "kind", "region", "approach"]
    list_display_links = ["code", "name"]
    list_filter = ["kind", "region", "approach"]
    search_fields = ["code", "name", "local_name"]
    ordering = ["code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "local_name", "kind", "parent", "region"]}),
        ("Current approach", {"fields": ["approach", "approach_summary"]}),
    ]
    inlines = [ApproachAssessmentInline, MembershipInline, BlocMemberInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # The approach follows the timeline below. Disabled rather than read-only, so the
        # current value still shows in the form beside the timeline that sets it.
        for name in ("approach", "approach_summary"):
            field = form.base_fields[name]
            field.disabled = True
            field.required = False
            field.help_text = "Follows the latest approach assessment; record one below."
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        jurisdiction_sync_approach(jurisdiction=form.instance)


class ApproachAssessmentAdmin(TimelineStepAdmin):
    list_display = ["jurisdiction", "approach", "assessed", "holds", "note"]
    list_filter = ["approach", "jurisdiction__region"]
    search_fields = ["jurisdiction__code", "jurisdiction__name", "summary", "note"]
    autocomplete_fields = ["jurisdiction"]
    list_select_related = ["jurisdiction"]
    fields = [
        "jurisdiction",
        "approach",
        "summary",
        "assessed_on",
        "holds_from",
        "note",
    ]
    parent_field = "jurisdiction"

    def sync_parent(self, parent):
        jurisdiction_sync_approach(jurisdiction=parent)


class CoverageReviewAdmin(RecordAdmin):
    list_display = ["jurisdiction", "reviewed_on", *COVERAGE_CATEGORIES]
    list_filter = ["reviewed_on", "jurisdiction__kind", *COVERAGE_CATEGORIES]
    search_fields = ["jurisdiction__code", "jurisdiction__name", "note"]
    autocomplete_fields = ["jurisdiction"]
    list_select_related = ["jurisdiction"]
    date_hierarchy = "reviewed_on"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    fieldsets = [
        (None, {"fields": ["jurisdiction", "reviewed_on", "note"]}),
        (
            "Kinds of source checked",
            {"fields": ["checked_legislature", "checked_government", "checked_tracker"]},
        ),
        *(
            (label, {"fields": [(name, f"{name}_note")]})
            for name, label in COVERAGE_CATEGORIES.items()
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(RecordAdmin):
    list_display = ["member", "bloc", "role", "start", "end"]
    list_filter = ["bloc", "role"]
    search_fields = ["member__code", "member__name", "bloc__code", "bloc__name"]
    autocomplete_fields = ["member", "bloc"]
    list_select_related = ["member", "bloc"]
