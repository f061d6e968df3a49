from django.contrib import admin
from django.db import models
from django.db.models import Count

from instruments.admin_actions import duplicate_record
from instruments.admin_forms import (
    CitationForm,
    CitationFormSet,
    SimilarTitleAdminMixin,
    StatusChangeForm,
    StatusChangeFormSet,
    StatusStepForm,
    citation_fields_field,
    grouped_citation_field_choices,
)
from instruments.admin_import import ImportAdminMixin
from instruments.admin_review import ReviewedAdminMixin
from instruments.models import (
    CITED_RECORDS,
    Actor,
    Citation,
    Event,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Source,
    StatusChange,
    Topic,
)
from instruments.models.citations import citable_field_choices
from instruments.services import instrument_sync_status
from instruments.vocabulary import FORCE_PLURALS, Force
from jurisdictions.admin import (
    ApproachAssessmentAdmin,
    CoverageReviewAdmin,
    JurisdictionAdmin,
    MembershipAdmin,
)
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction, Membership
from policytracker.core.admin import RecordAdmin, RecordFormMixin, TimelineStepAdmin


class CitationInline(RecordFormMixin, admin.StackedInline):
    """A record's citations on its page, added with it in the same save: the fields each backs
    ticked from the record's own labels."""

    model = Citation
    form = CitationForm
    formset = CitationFormSet
    fields = [
        ("source", "locator"),
        "quote",
        "fields",
        ("checked_on", "confirm"),
        "note",
        "unverified_since",
    ]
    readonly_fields = ["unverified_since"]
    autocomplete_fields = ["source"]
    extra = 0

    class Media:
        css = {"all": ["css/admin-desk.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "fields":
            return citation_fields_field(citable_field_choices(self.parent_model))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class UnverifiedFilter(admin.SimpleListFilter):
    """Citations whose backed value changed since they were last checked."""

    title = "verification"
    parameter_name = "unverified"

    def lookups(self, request, model_admin):
        return [("yes", "Unverified since the value changed"), ("no", "Verified")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(unverified_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(unverified_since__isnull=True)
        return queryset


class ForceFilter(admin.SimpleListFilter):
    """Legal force, derived from the type: binding laws, bills, voluntary texts."""

    title = "legal force"
    parameter_name = "force"

    def lookups(self, request, model_admin):
        return [(force, FORCE_PLURALS[force]) for force in Force.values]

    def queryset(self, request, queryset):
        if self.value() in Force.values:
            return queryset.force(self.value())
        return queryset


class IdentifierInline(RecordFormMixin, admin.TabularInline):
    model = InstrumentIdentifier
    extra = 0


class RelationInline(RecordFormMixin, admin.TabularInline):
    model = InstrumentRelation
    fk_name = "from_instrument"
    fields = ["kind", "to_instrument"]
    autocomplete_fields = ["to_instrument"]
    extra = 0
    verbose_name = "relation to another instrument"
    verbose_name_plural = "relations to other instruments"


class StatusChangeInline(RecordFormMixin, admin.TabularInline):
    """The status timeline on its instrument's page: each step with a citation for it, added
    with the instrument in the same save."""

    model = StatusChange
    form = StatusStepForm
    verbose_name = "step of the status timeline"

    class Media:
        css = {"all": ["css/admin-desk.css"]}

    # Each step with the citation that states it; the latest step is the current status.
    verbose_name_plural = "status timeline"
    formset = StatusChangeFormSet
    fields = ["status", "date", "reversal", "note", "cite_source", "cite_quote", "cite_locator"]
    extra = 0
    ordering = ["date"]
    # Each change's citations are edited on its own page.
    show_change_link = True


@admin.register(Instrument)
class InstrumentAdmin(ReviewedAdminMixin, SimilarTitleAdminMixin, ImportAdminMixin, RecordAdmin):
    list_display = [
        "title",
        "jurisdiction_code",
        "type",
        "force_display",
        "status",
        "adopted_display",
        "updated_at",
    ]
    list_filter = [
        ForceFilter,
        "type",
        "status",
        "jurisdiction__region",
        "topics",
        "jurisdiction",
    ]
    list_select_related = ["jurisdiction"]
    search_fields = [
        "title",
        "short_name",
        "original_title",
        "slug",
        "jurisdiction__code",
        "jurisdiction__name",
        "identifiers__value",
    ]
    autocomplete_fields = ["jurisdiction", "parties", "topics"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "adopted_on"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "short_name", "original_title"]}),
        (
            "Classification",
            {"fields": ["jurisdiction", "type", "status", "issuing_body", "topics", "parties"]},
        ),
        (
            "Dates",
            {
                "fields": [
                    "introduced_on",
                    "adopted_on",
                    "effective_on",
                ]
            },
        ),
        (None, {"fields": ["summary", ("created_at", "updated_at")]}),
    ]
    inlines = [IdentifierInline, RelationInline, StatusChangeInline, CitationInline]
    actions = [duplicate_record]
    # Its page has "Duplicate" beside "History".
    change_form_template = "admin/instruments/change_form_duplicable.html"

    @admin.display(description="jurisdiction", ordering="jurisdiction__code")
    def jurisdiction_code(self, obj):
        return obj.jurisdiction.code

    @admin.display(description="legal force", ordering="type")
    def force_display(self, obj):
        return Force(obj.force).label if obj.force else "—"

    @admin.display(description="adopted", ordering="adopted_on")
    def adopted_display(self, obj):
        return obj.adopted or "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.base_fields["status"].help_text = (
                "Leave it empty when you record the status timeline below: the status follows "
                "its latest step."
            )
        if obj is not None and obj.status_changes.exists():
            # Once an instrument has a timeline, its status follows the latest change. The
            # field stays on the form (disabled, not read-only) so that validation errors
            # about the status still have a field to show on.
            status = form.base_fields["status"]
            status.disabled = True
            status.help_text = "Follows the latest status change; record a new one below."
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        instrument_sync_status(instrument=form.instance)


@admin.register(StatusChange)
class StatusChangeAdmin(ReviewedAdminMixin, TimelineStepAdmin):
    list_display = ["instrument", "status", "when", "note"]
    list_filter = ["status", "instrument__type"]
    search_fields = ["instrument__title", "instrument__slug", "note"]
    autocomplete_fields = ["instrument"]
    list_select_related = ["instrument"]
    form = StatusChangeForm
    fields = ["instrument", "status", "date", "reversal", "note"]
    inlines = [CitationInline]
    parent_field = "instrument"

    def sync_parent(self, parent):
        instrument_sync_status(instrument=parent)


@admin.register(Event)
class EventAdmin(ReviewedAdminMixin, SimilarTitleAdminMixin, ImportAdminMixin, RecordAdmin):
    list_display = ["title", "kind", "when_display", "host", "location"]
    list_filter = ["kind", "host", "date"]
    list_select_related = ["host"]
    search_fields = ["title", "slug", "summary", "location", "actors__name"]
    actions = [duplicate_record]
    # Its page has "Duplicate" beside "History".
    change_form_template = "admin/instruments/change_form_duplicable.html"
    autocomplete_fields = ["host", "co_hosts", "participants", "actors", "instruments"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "kind",
                    "date",
                    "reported_on",
                    "location",
                ]
            },
        ),
        (
            "Who and what",
            {"fields": ["host", "co_hosts", "participants", "actors", "instruments"]},
        ),
        (None, {"fields": ["summary"]}),
    ]
    inlines = [CitationInline]

    @admin.display(description="date", ordering="date")
    def when_display(self, obj):
        return obj.when or "not stated"


@admin.register(Actor)
class ActorAdmin(ReviewedAdminMixin, RecordAdmin):
    list_display = ["name", "kind", "role", "jurisdiction"]
    list_filter = ["kind", "jurisdiction"]
    list_select_related = ["jurisdiction"]
    search_fields = ["name", "slug", "role"]
    autocomplete_fields = ["jurisdiction"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CitationInline]


@admin.register(Topic)
class TopicAdmin(ReviewedAdminMixin, RecordAdmin):
    list_display = ["name", "slug", "instrument_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # A counted queryset drops the model's ordering; the autocomplete boxes page it.
        return (
            super()
            .get_queryset(request)
            .annotate(instrument_count=Count("instruments"))
            .order_by("name", "pk")
        )

    @admin.display(description="instruments", ordering="instrument_count")
    def instrument_count(self, obj):
        return obj.instrument_count


@admin.register(Source)
class SourceAdmin(ReviewedAdminMixin, RecordAdmin):
    list_display = [
        "title",
        "kind",
        "author",
        "publisher",
        "published_on",
        "citation_count",
        "has_archive",
    ]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "slug", "author", "publisher", "url"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "author", "publisher", "url", "published_on"]}),
        (
            "Archived copy",
            {
                "fields": ["archived_on", "archived_file", "archived_text"],
                "description": "What quotes from this source are checked against when a "
                "citation is saved: the text, or else the file's. Editors only: never published.",
            },
        ),
    ]

    def get_queryset(self, request):
        no_archive = models.Q(archived_text="") & models.Q(archived_file="")
        return (
            super()
            .get_queryset(request)
            .annotate(
                citation_count=Count("citations"),
                has_archive=models.ExpressionWrapper(~no_archive, models.BooleanField()),
            )
            # A counted queryset drops the model's ordering; the autocomplete boxes page it.
            .order_by("title", "pk")
        )

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="archived copy", boolean=True, ordering="has_archive")
    def has_archive(self, obj):
        return obj.has_archive

    def get_urls(self):
        from django.urls import path

        # Before the admin's own, whose `<path:object_id>/` would take the address.
        download = path(
            "archived-copy/<path:name>",
            self.admin_site.admin_view(self.archived_copy),
            name="instruments_source_archived_copy",
        )
        return [download, *super().get_urls()]

    def archived_copy(self, request, name):
        """A source's archived file, downloaded by an editor who may view sources: the only
        way to it, as the site never serves uploaded files (their address leads here)."""
        from pathlib import PurePath

        from django.core.exceptions import PermissionDenied
        from django.http import FileResponse, Http404

        if not self.has_view_permission(request):
            raise PermissionDenied
        source = Source.objects.filter(archived_file=name).first()
        if source is None:
            raise Http404("No source has this archived copy.")
        try:
            file = source.archived_file.open("rb")
        except OSError as exc:
            raise Http404("The archived copy is missing from the files.") from exc
        return FileResponse(file, as_attachment=True, filename=PurePath(name).name)


@admin.register(Citation)
class CitationAdmin(ReviewedAdminMixin, RecordAdmin):
    list_display = [
        "source",
        "cited_record",
        "short_quote",
        "locator",
        "fields",
        "checked_on",
        "unverified_since",
    ]
    list_filter = [UnverifiedFilter, "source__kind", "source", "checked_on"]
    form = CitationForm
    # The records a citation can back, each named once in CITED_RECORDS; the steps of a
    # timeline name their parent in their own str().
    list_select_related = [
        "source",
        *CITED_RECORDS,
        "status_change__instrument",
        "approach_assessment__jurisdiction",
        "coverage_review__jurisdiction",
    ]
    search_fields = ["quote", "note", "locator", "source__title"]
    autocomplete_fields = ["source", *CITED_RECORDS]
    readonly_fields = ["unverified_since", "unverified_fields"]
    fieldsets = [
        (None, {"fields": ["source", "quote", "locator", "fields", "note"]}),
        (
            "Checked",
            {"fields": [("checked_on", "confirm"), ("unverified_since", "unverified_fields")]},
        ),
        ("What it backs (exactly one)", {"fields": list(CITED_RECORDS)}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "fields":
            return citation_fields_field(grouped_citation_field_choices())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="backs")
    def cited_record(self, obj):
        return obj.record

    @admin.display(description="quote")
    def short_quote(self, obj):
        if not obj.quote:
            return "no quote recorded"
        return obj.quote if len(obj.quote) <= 90 else f"{obj.quote[:88]}…"


# Jurisdictions and approach assessments are defined by their own app, which cannot know about
# citations (it is the lower layer); they are registered here, with the citations inline.
@admin.register(Jurisdiction)
class JurisdictionWithCitationsAdmin(ReviewedAdminMixin, JurisdictionAdmin):
    inlines = [*JurisdictionAdmin.inlines, CitationInline]


@admin.register(ApproachAssessment)
class ApproachAssessmentWithCitationsAdmin(ReviewedAdminMixin, ApproachAssessmentAdmin):
    inlines = [*ApproachAssessmentAdmin.inlines, CitationInline]


@admin.register(CoverageReview)
class CoverageReviewWithCitationsAdmin(ReviewedAdminMixin, CoverageReviewAdmin):
    inlines = [*CoverageReviewAdmin.inlines, CitationInline]


# Memberships are defined by their own app too; registered again here so that an editor's
# change to one waits for review like every other (`instruments.admin_review`).
admin.site.unregister(Membership)


@admin.register(Membership)
class ReviewedMembershipAdmin(ReviewedAdminMixin, MembershipAdmin):
    pass
