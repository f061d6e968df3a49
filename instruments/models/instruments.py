"""Instruments (laws, frameworks, bills, declarations), their topics, identifiers, relations
and status timeline."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.http import urlencode
from simple_history.models import HistoricalRecords

from instruments.querysets import (
    OWN_DATE_FIELDS,
    TIMELINE_DATE_FIELDS,
    InstrumentQuerySet,
    StatusChangeQuerySet,
    TopicQuerySet,
)
from instruments.rules import Step, date_order_errors, timeline_problems
from instruments.vocabulary import (
    FORCE_OF_TYPE,
    Force,
    IdentifierScheme,
    InstrumentStatus,
    InstrumentType,
    RelationKind,
    timeline_status_conflict,
    type_status_conflict,
)
from jurisdictions.models import Jurisdiction
from policytracker.core.addresses import not_reserved, reverse_key
from policytracker.core.dates import (
    DatePrecision,
    TimelineStep,
    clean_partial_dates,
    partial_date,
    partial_date_constraints,
)
from policytracker.core.records import ShownOnParentPage


class SlugKeyMixin:
    """Managers of records whose natural key is their slug."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class TopicManager(SlugKeyMixin, models.Manager.from_queryset(TopicQuerySet)):
    pass


class Topic(models.Model):
    slug = models.SlugField(max_length=80, help_text="Stable identifier used in URLs and filters.")
    name = models.CharField(max_length=120, help_text="Name shown to readers.")
    description = models.TextField(blank=True, help_text="What the topic covers.")

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords()
    objects = TopicManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="topic_slug_unique")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """A topic has no page of its own: the instruments filed under it stand for it."""
        return f"{reverse('web:instrument-list')}?{urlencode({'topic': self.slug})}"

    def natural_key(self):
        return (self.slug,)


class InstrumentManager(SlugKeyMixin, models.Manager.from_queryset(InstrumentQuerySet)):
    pass


class Instrument(models.Model):
    slug = models.SlugField(
        max_length=120,
        help_text="Stable identifier used in URLs and the API.",
        validators=[not_reserved],
    )
    title = models.CharField(max_length=300, help_text="English title.")
    original_title = models.CharField(
        max_length=300, blank=True, help_text="Title in the original language, where known."
    )
    short_name = models.CharField(
        max_length=80, blank=True, help_text="Common short name, e.g. “AI Act”."
    )
    # PROTECT: a jurisdiction is reference data; deleting one must not take its laws with it.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="instruments",
        help_text="The jurisdiction whose authority issued it.",
    )
    parties = models.ManyToManyField(
        Jurisdiction,
        blank=True,
        related_name="instruments_as_party",
        help_text="Jurisdictions that signed or endorsed a multilateral text.",
    )
    type = models.CharField(
        max_length=24,
        choices=InstrumentType,
        help_text="Binding law, voluntary framework, draft bill or declaration.",
    )
    status = models.CharField(
        max_length=16,
        choices=InstrumentStatus,
        blank=True,
        help_text="Current status: the latest status change's, kept equal to it by "
        "`instrument_sync_status`; without a timeline, the status a source states undated. "
        "Empty: not stated.",
    )
    introduced_on = models.DateField(
        null=True, blank=True, help_text="Date introduced or first published in draft."
    )
    introduced_on_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        blank=True,
        help_text="How much of the introduction date is known.",
    )
    adopted_on = models.DateField(
        null=True, blank=True, help_text="Date adopted, enacted or published."
    )
    adopted_on_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        blank=True,
        help_text="How much of the adoption date is known.",
    )
    effective_on = models.DateField(
        null=True, blank=True, help_text="Date it took or takes effect."
    )
    effective_on_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        blank=True,
        help_text="How much of the effective date is known.",
    )
    issuing_body = models.CharField(
        max_length=300, blank=True, help_text="The body that issued or adopted it."
    )
    summary = models.TextField(blank=True, help_text="What it does, in the tracker's own words.")
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="instruments", help_text="Obligations and themes it covers."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    # Read from its timeline, its own dates and its sources, stored so that `as_of` and the
    # lists read an indexed column instead of searching the timeline row by row. Never typed
    # and never cited: `InstrumentQuerySet.refresh_timeline_dates` sets them whenever what they
    # are read from changes (`instruments.timeline_dates`), and `check_data` compares them.
    status_since = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Date of the latest status change (None: no timeline).",
    )
    status_since_precision = models.CharField(
        max_length=8, choices=DatePrecision, blank=True, editable=False
    )
    timeline_status = models.CharField(
        max_length=16,
        choices=InstrumentStatus,
        blank=True,
        editable=False,
        help_text="Status of the latest status change (empty: no timeline).",
    )
    exists_from = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The first day it is known to exist: its earliest status change or own date; "
        "with neither, the earliest publication date of a source citing it.",
    )
    exists_from_day = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The earliest of its status changes and own dates known to the day.",
    )

    first_in_effect_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Date of its first status change to in effect (None: none).",
    )
    first_in_effect_precision = models.CharField(
        max_length=8, choices=DatePrecision, blank=True, editable=False
    )

    history = HistoricalRecords(
        m2m_fields=[parties, topics], excluded_fields=list(TIMELINE_DATE_FIELDS)
    )
    objects = InstrumentManager()

    DATE_FIELDS = OWN_DATE_FIELDS
    # A citation backing "related" backs the instrument's relations in both directions.
    citable_aliases = ("related",)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="instrument_slug_unique"),
            models.CheckConstraint(
                condition=Q(type__in=InstrumentType.values), name="instrument_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[*InstrumentStatus.values, ""]),
                name="instrument_status_valid",
            ),
            *partial_date_constraints("instrument", "introduced_on", "adopted_on", "effective_on"),
        ]
        indexes = [
            models.Index(fields=["type", "status"], name="instrument_type_status"),
            models.Index(fields=["adopted_on"], name="instrument_adopted_on"),
            # The issuer filter with a type or force filter beside it (the commonest list), and
            # its pages read in title order per jurisdiction (`page_rows`).
            models.Index(
                fields=["jurisdiction", "type", "title", "id"],
                name="instrument_issuer_type_title",
            ),
            # `as_of`: which instruments existed on a day.
            models.Index(fields=["exists_from"], name="instrument_exists_from"),
            # A jurisdiction's first instruments by title (its page), read in index order.
            models.Index(
                fields=["jurisdiction", "title", "id"], name="instrument_jurisdiction_title"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_key("web:instrument-detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def force(self):
        """Its legal force (`Force`): derived from `type`, never stored."""
        return FORCE_OF_TYPE.get(self.type, "")

    @property
    def binding(self):
        """True for binding laws: derived from `type`, never stored. A draft bill is not
        binding; it binds only if enacted."""
        return self.force == Force.BINDING

    @property
    def binds_once_enacted(self):
        """A draft bill: it binds only if enacted, which pages must say."""
        return self.type == InstrumentType.DRAFT_BILL

    @property
    def as_of_status_when(self):
        """On a row from `as_of`: the date its status rests on, at its precision (None when the
        status is undated)."""
        return partial_date(self.as_of_status_on, self.as_of_status_precision)

    @property
    def introduced(self):
        return partial_date(self.introduced_on, self.introduced_on_precision)

    @property
    def adopted(self):
        return partial_date(self.adopted_on, self.adopted_on_precision)

    @property
    def effective(self):
        return partial_date(self.effective_on, self.effective_on_precision)

    def timeline_steps(self):
        """Its status timeline as `instruments.rules` reads it (each step's `ref` is its row)."""
        if self.pk is None:
            return []
        return [change.as_step() for change in self.status_changes.all()]

    def clean(self):
        clean_partial_dates(self, *self.DATE_FIELDS)
        errors = date_order_errors(self.introduced, self.adopted, self.effective)
        steps = self.timeline_steps()
        if steps:
            # Its status follows the timeline: a new type must agree with where it leads.
            current = [
                problem.message
                for problem in timeline_problems(self.type, steps)
                if problem.rule in ("current", "type")
            ]
            if current:
                errors["type"] = (
                    "Contradicts the status timeline: " + " ".join(current)
                    if self.type
                    else current[0]
                )
        else:
            conflict = type_status_conflict(self.type, self.status)
            if conflict:
                errors["status"] = f"Contradicts the type: {conflict}."
        if errors:
            raise ValidationError(errors)


class IdentifierManager(models.Manager):
    def get_by_natural_key(self, slug, scheme, value):
        return self.get(instrument__slug=slug, scheme=scheme, value=value)


class InstrumentIdentifier(ShownOnParentPage, models.Model):
    page_parent = "instrument"
    page_anchor = "facts"

    # CASCADE: an identifier means nothing without its instrument.
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="identifiers",
        help_text="The instrument identified.",
    )
    scheme = models.CharField(
        max_length=16, choices=IdentifierScheme, help_text="Identifier scheme."
    )
    value = models.CharField(max_length=300, help_text="The identifier, e.g. “Law No. 20676”.")

    history = HistoricalRecords()
    objects = IdentifierManager()

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="identifier_unique"),
            models.CheckConstraint(
                condition=Q(scheme__in=IdentifierScheme.values), name="identifier_scheme_valid"
            ),
            models.CheckConstraint(condition=~Q(value=""), name="identifier_value_not_empty"),
        ]

    def __str__(self):
        return f"{self.get_scheme_display()}: {self.value}"

    def natural_key(self):
        return (self.instrument.slug, self.scheme, self.value)

    natural_key.dependencies = ["instruments.instrument"]


class RelationManager(models.Manager):
    def get_by_natural_key(self, from_slug, to_slug, kind):
        return self.get(from_instrument__slug=from_slug, to_instrument__slug=to_slug, kind=kind)


class InstrumentRelation(ShownOnParentPage, models.Model):
    page_parent = "from_instrument"
    page_anchor = "related"

    # CASCADE both ways: a relation is owned by the two instruments it joins.
    from_instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="relations_out",
        help_text="The instrument the relation starts at.",
    )
    to_instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="relations_in",
        help_text="The instrument it points to.",
    )
    kind = models.CharField(
        max_length=16, choices=RelationKind, help_text="How the first relates to the second."
    )

    history = HistoricalRecords()
    objects = RelationManager()

    class Meta:
        ordering = ["from_instrument__title", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_instrument", "to_instrument", "kind"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_instrument=F("to_instrument")), name="relation_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RelationKind.values), name="relation_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.from_instrument} {self.get_kind_display()} {self.to_instrument}"

    def natural_key(self):
        return (self.from_instrument.slug, self.to_instrument.slug, self.kind)

    natural_key.dependencies = ["instruments.instrument"]

    def clean(self):
        if self.from_instrument_id and self.from_instrument_id == self.to_instrument_id:
            raise ValidationError({"to_instrument": "An instrument cannot be related to itself."})


class StatusChangeManager(models.Manager.from_queryset(StatusChangeQuerySet)):
    def get_by_natural_key(self, slug, status, date):
        return self.get(instrument__slug=slug, status=status, date=date)


class StatusChange(ShownOnParentPage, TimelineStep):
    """One dated step in an instrument's status timeline. Recorded through
    `instruments.services.instrument_change_status` (the seed and the admin save the row, then
    call `instrument_sync_status`), which keeps `Instrument.status` equal to the latest step."""

    page_parent = "instrument"
    page_anchor = "status-timeline"

    # CASCADE: the timeline belongs to its instrument.
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="status_changes",
        help_text="The instrument whose status changed.",
    )
    status = models.CharField(
        max_length=16, choices=InstrumentStatus, help_text="The status it moved to."
    )
    reversal = models.BooleanField(
        default=False,
        help_text="A real step back that a source states (a court stay, a suspension, a law "
        "restored): the one way a timeline may go backwards. Say what happened in the note and "
        "cite it.",
    )
    history = HistoricalRecords()
    objects = StatusChangeManager()

    class Meta:
        ordering = ["instrument", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "status", "date"], name="status_change_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InstrumentStatus.values), name="status_change_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values),
                name="status_change_precision_valid",
            ),
        ]
        # `as_of` looks up each instrument's latest change on or before a day.
        indexes = [models.Index(fields=["instrument", "date"], name="status_change_by_date")]

    def __str__(self):
        return f"{self.instrument}: {self.get_status_display()} ({self.when})"

    def natural_key(self):
        return (self.instrument.slug, self.status, self.date.isoformat())

    natural_key.dependencies = ["instruments.instrument"]

    def as_step(self):
        return Step(self.status, self.when, self.reversal, self.note, ref=self)

    def clean(self):
        super().clean()
        instrument = self.instrument if self.instrument_id or self.instrument_cached else None
        if instrument is None or self.status not in InstrumentStatus.values or self.when is None:
            return
        conflict = timeline_status_conflict(instrument.type, self.status)
        if conflict:
            raise ValidationError({"status": f"Contradicts the instrument's type: {conflict}."})
        if self.checked_with_whole_timeline:
            return
        # The step among the others already recorded. The status the whole timeline leaves
        # current is checked by the service that records the step (`instrument_change_status`),
        # which knows the timeline as it will be.
        mine = self.as_step()
        others = [change.as_step() for change in instrument.status_changes.exclude(pk=self.pk)]
        errors = {}
        for problem in timeline_problems(instrument.type, [*others, mine]):
            if problem.step is mine and problem.rule in ("order", "reversal"):
                errors.setdefault(problem.field, []).append(problem.message)
        if errors:
            raise ValidationError(errors)

    # Set by the admin's timeline formset, which checks the steps of its page as a whole.
    checked_with_whole_timeline = False

    @property
    def instrument_cached(self):
        """True when an (unsaved) instrument is set: the step of an instrument being added."""
        return StatusChange.instrument.is_cached(self) and self.instrument is not None
