"""Sources and the citations that tie each stated fact to a quote from one."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from instruments.archives import (
    archive_storage,
    not_in_archive_message,
    quote_in_archive,
    validate_archive_extension,
    validate_archive_size,
)
from instruments.field_labels import FIELD_LABELS, field_label
from instruments.models.events import Actor, Event
from instruments.models.instruments import Instrument, SlugKeyMixin, StatusChange
from instruments.querysets import TIMELINE_DATE_FIELDS, CitationQuerySet, SourceQuerySet
from instruments.vocabulary import CitedRecordKind, SourceKind
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction
from policytracker.core.addresses import reverse_key


class SourceManager(SlugKeyMixin, models.Manager.from_queryset(SourceQuerySet)):
    pass


class Source(models.Model):
    slug = models.SlugField(
        max_length=120, help_text="Stable identifier, e.g. for `check_data --source-text`."
    )
    title = models.CharField(max_length=300, help_text="Title of the article, document or page.")
    author = models.CharField(
        max_length=200, blank=True, help_text="Author as the source names them."
    )
    publisher = models.CharField(
        max_length=200, blank=True, help_text="Publisher or site; empty if unknown."
    )
    url = models.URLField(
        max_length=500, blank=True, help_text="Address; empty if the source gives none."
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="Publication date, where stated."
    )
    kind = models.CharField(
        max_length=16, choices=SourceKind, help_text="Article, official document or reference."
    )
    # The archived copy: what quotes are checked against (instruments.archives). Never shown
    # to readers, who follow `url`: a source's text may be copyrighted.
    archived_text = models.TextField(
        blank=True,
        help_text="The source's text as an editor saved it (e.g. pasted). Quotes are checked "
        "against it, or against the archived file when it is empty.",
    )
    archived_file = models.FileField(
        upload_to="sources/%Y/%m/",
        max_length=255,
        storage=archive_storage,
        blank=True,
        validators=[validate_archive_extension, validate_archive_size],
        help_text="A saved copy of the source: .txt, .html/.htm or .pdf, 20 MB at most. Quotes "
        "are checked against its text; for editors only, never published.",
    )
    archived_on = models.DateField(
        null=True, blank=True, help_text="When the archived copy was taken."
    )

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords()
    objects = SourceManager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="source_slug_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_key("web:source-detail", self.slug)

    def natural_key(self):
        return (self.slug,)


# The records a citation can back, by the name of its foreign key.
CITED_RECORDS = {
    CitedRecordKind.JURISDICTION: Jurisdiction,
    CitedRecordKind.INSTRUMENT: Instrument,
    CitedRecordKind.EVENT: Event,
    CitedRecordKind.ACTOR: Actor,
    CitedRecordKind.STATUS_CHANGE: StatusChange,
    CitedRecordKind.APPROACH_ASSESSMENT: ApproachAssessment,
    CitedRecordKind.COVERAGE_REVIEW: CoverageReview,
}

# Bookkeeping columns that no source states, and what an instrument stores of its timeline.
_UNCITABLE = {"id", "created_at", "updated_at", "citations", *TIMELINE_DATE_FIELDS}


def record_fields(model):
    """Every name a citation's `fields` may use for `model` that reads a field, mapped to it:
    its own fields and relations, reverse ones by their accessor (e.g. "status_changes")."""
    names = {}
    for field in model._meta.get_fields():
        if field.is_relation and field.auto_created and not field.concrete:
            names[field.get_accessor_name()] = field
        else:
            names[field.name] = field
    return {name: field for name, field in names.items() if name not in _UNCITABLE}


def citable_fields(model):
    """Names a citation's `fields` may use for `model`: its own fields and relations, plus the
    names the pages and API show for groups of them (`citable_aliases`)."""
    return set(record_fields(model)) | set(getattr(model, "citable_aliases", ()))


def citable_field_choices(model):
    """(name, label) for each name a citation of `model` may back, labelled as the record's
    page labels it (`instruments.field_labels`), in the order of the model's fields."""
    kind = next(kind for kind, cited in CITED_RECORDS.items() if cited is model)
    names = [name for name in record_fields(model) if not name.endswith("_precision")]
    names.extend(getattr(model, "citable_aliases", ()))
    # The page's fields first, in the page's order; then the rest (e.g. the slug).
    shown = [name for name in FIELD_LABELS.get(kind, {}) if name in names]
    names = [*shown, *(name for name in names if name not in shown)]
    return [(name, field_label(kind, name)) for name in names]


def _exactly_one_target():
    alternatives = Q()
    for name in CITED_RECORDS:
        alternatives |= Q(
            **{f"{name}__isnull": False},
            **{f"{other}__isnull": True for other in CITED_RECORDS if other != name},
        )
    return alternatives


class CitationManager(models.Manager.from_queryset(CitationQuerySet)):
    def get_by_natural_key(self, source_slug, record_kind, record_key, quote):
        model = CITED_RECORDS.get(record_kind)
        if model is None:
            raise self.model.DoesNotExist(f"unknown cited record kind {record_kind!r}")
        record = model._default_manager.get_by_natural_key(*record_key)
        return self.get(source__slug=source_slug, quote=quote, **{record_kind: record})


class Citation(models.Model):
    # PROTECT: a source that backs facts cannot vanish from under them.
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="citations",
        help_text="Where the quote comes from.",
    )
    quote = models.TextField(
        blank=True,
        help_text="Copied character for character from the source. Empty only for reference "
        "facts that have no quotable sentence.",
    )
    locator = models.CharField(
        max_length=300, blank=True, help_text="Where in the source: section heading or page."
    )
    note = models.TextField(blank=True, help_text="Editor's note, e.g. where two sources disagree.")
    fields = models.JSONField(
        default=list,
        blank=True,
        help_text='Names of the fields the quote backs, e.g. ["type", "status"].',
    )
    checked_on = models.DateField(
        null=True,
        blank=True,
        help_text="When an editor last checked the quote and fields against the source; "
        "empty: never checked.",
    )
    unverified_since = models.DateField(
        null=True,
        blank=True,
        help_text="When a value this citation backs was changed: until an editor confirms the "
        "citation against the source (or replaces it), readers see it marked unverified.",
    )
    unverified_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="The fields it backs whose value changed since it was last confirmed.",
    )
    # CASCADE on each: a citation belongs to the record it backs and goes with it.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The jurisdiction this backs.",
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The instrument this backs.",
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The event this backs.",
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The actor this backs.",
    )
    status_change = models.ForeignKey(
        StatusChange,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The status change this backs.",
    )
    approach_assessment = models.ForeignKey(
        ApproachAssessment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The approach assessment this backs.",
    )
    coverage_review = models.ForeignKey(
        CoverageReview,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The coverage review this backs.",
    )

    history = HistoricalRecords()
    objects = CitationManager()

    class Meta:
        ordering = ["source__title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_target(), name="citation_backs_exactly_one_record"
            ),
            *(
                models.UniqueConstraint(
                    fields=["source", name, "quote"],
                    condition=Q(**{f"{name}__isnull": False}),
                    name=f"citation_unique_per_{name}",
                    violation_error_message="This record already cites the same quote from "
                    "this source: keep one of the two citations.",
                )
                for name in CITED_RECORDS
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.record}"

    def save(self, *args, **kwargs):
        # A value it backs may have changed while this citation was open in a form: that mark
        # stays until an editor confirms the citation, by `confirm()` or by setting a new
        # `checked_on` on or after the change.
        stored = None
        if self.pk is not None:
            stored = (
                type(self)
                ._default_manager.filter(pk=self.pk, unverified_since__isnull=False)
                .values("unverified_since", "unverified_fields", "checked_on")
                .first()
            )
        if self.confirmed:
            self.unverified_since, self.unverified_fields = None, []
        elif stored:
            rechecked = (
                self.checked_on is not None
                and self.checked_on != stored["checked_on"]
                and self.checked_on >= stored["unverified_since"]
            )
            if rechecked:
                self.unverified_since, self.unverified_fields = None, []
            else:
                self.unverified_since = stored["unverified_since"]
                self.unverified_fields = stored["unverified_fields"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The page that shows the quote: the record's it backs, or, where that record has no
        page (an actor without a jurisdiction), the source's."""
        record = self.record
        return (record.get_absolute_url() if record else None) or self.source.get_absolute_url()

    # Set by `confirm()`: the next save clears the unverified mark.
    confirmed = False

    def confirm(self, on=None):
        """Record that an editor checked the quote against the source (today unless `on`),
        which verifies it again after a change of the value it backs. Saved by the next save."""
        self.checked_on = on or timezone.localdate()
        self.confirmed = True

    @property
    def unverified(self):
        """True when a value it backs changed after it was last confirmed."""
        return self.unverified_since is not None

    @property
    def record_kind(self):
        for name in CITED_RECORDS:
            if getattr(self, f"{name}_id") is not None:
                return name
        return None

    @property
    def record(self):
        kind = self.record_kind
        return getattr(self, kind) if kind else None

    def natural_key(self):
        return (self.source.slug, self.record_kind, list(self.record.natural_key()), self.quote)

    natural_key.dependencies = [
        "instruments.source",
        "jurisdictions.jurisdiction",
        "instruments.instrument",
        "instruments.statuschange",
        "instruments.event",
        "instruments.actor",
        "jurisdictions.approachassessment",
        "jurisdictions.coveragereview",
    ]

    def backed_kinds(self):
        """The kinds of record it is set to back: by key, or by an unsaved record set on it
        (the citation of a record being added on the same page)."""
        return [
            name
            for name in CITED_RECORDS
            if getattr(self, f"{name}_id") is not None
            or (
                type(self)._meta.get_field(name).is_cached(self) and getattr(self, name) is not None
            )
        ]

    def clean(self):
        kinds = self.backed_kinds()
        if len(kinds) != 1:
            raise ValidationError(
                "A citation backs exactly one record: choose one of "
                + ", ".join(name.replace("_", " ") for name in CITED_RECORDS)
                + "."
            )
        if not isinstance(self.fields, list) or not all(isinstance(f, str) for f in self.fields):
            raise ValidationError({"fields": "Give a list of field names."})
        unknown = sorted(set(self.fields) - citable_fields(CITED_RECORDS[kinds[0]]))
        if unknown:
            record = kinds[0].replace("_", " ")
            raise ValidationError(
                {"fields": f"Not fields of the cited {record}: {', '.join(unknown)}."}
            )
        if self.quote != self.quote.strip():
            raise ValidationError({"quote": "Trim spaces and line breaks around the quote."})
        # Only where the source has an archive that can be read: None means nothing to check.
        if self.quote and self.source_id and quote_in_archive(self.source, self.quote) is False:
            raise ValidationError({"quote": not_in_archive_message(self.source)})
