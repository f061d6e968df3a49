from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jurisdictions.models import Jurisdiction, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "member"
    fields = ["bloc", "role", "start_year", "end_year"]
    autocomplete_fields = ["bloc"]
    extra = 0
    verbose_name = "membership in a bloc"
    verbose_name_plural = "memberships in blocs"


class BlocMemberInline(admin.TabularInline):
    model = Membership
    fk_name = "bloc"
    fields = ["member", "role", "start_year", "end_year"]
    autocomplete_fields = ["member"]
    extra = 0
    verbose_name = "member of this bloc"
    verbose_name_plural = "members of this bloc"


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "local_name", "kind", "region", "approach"]
    list_display_links = ["code", "name"]
    list_filter = ["kind", "region", "approach"]
    search_fields = ["code", "name", "local_name"]
    ordering = ["code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "local_name", "kind", "region"]}),
        ("Approach", {"fields": ["approach", "approach_summary"]}),
    ]
    inlines = [MembershipInline, BlocMemberInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["member", "bloc", "role", "start_year", "end_year"]
    list_filter = ["bloc", "role"]
    search_fields = ["member__code", "member__name", "bloc__code", "bloc__name"]
    autocomplete_fields = ["member", "bloc"]
    list_select_related = ["member", "bloc"]
