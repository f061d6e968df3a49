"""Events (summits, statements, proposals, proposed bans) and the actors who take part."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from instruments.models.instruments import Instrument, SlugKeyMixin
from instruments.querysets import ActorQuerySet, EventQuerySet
from instruments.vocabulary import ActorKind, EventKind
from jurisdictions.models import Jurisdiction
from policytracker.core.addresses import not_reserved, reverse_key
from policytracker.core.dates import (
    DatePrecision,
    clean_partial_dates,
    partial_date,
    partial_date_constraints,
)
from policytracker.core.records import ShownOnParentPage


class ActorManager(SlugKeyMixin, models.Manager.from_queryset(ActorQuerySet)):
    pass


class Actor(ShownOnParentPage, models.Model):
    """A person or organisation. Actors have no page of their own: their jurisdiction's page
    lists them."""

    page_parent = "jurisdiction"
    page_anchor = "actors"

    slug = models.SlugField(max_length=80, help_text="Stable identifier used in URLs and the API.")
    name = models.CharField(max_length=200, help_text="Name of the person or organisation.")
    kind = models.CharField(max_length=16, choices=ActorKind, help_text="Person or organisation.")
    role = models.CharField(
        max_length=200,
        blank=True,
        help_text="Office or function as the source gives it, e.g. “Premier”.",
    )
    # PROTECT: jurisdictions are reference data.
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actors",
        help_text="The jurisdiction the actor serves or belongs to.",
    )

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords()
    objects = ActorManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="actor_slug_unique"),
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class EventManager(SlugKeyMixin, models.Manager.from_queryset(EventQuerySet)):
    pass


class Event(models.Model):
    slug = models.SlugField(
        max_length=120,
        help_text="Stable identifier used in URLs and the API.",
        validators=[not_reserved],
    )
    title = models.CharField(max_length=300, help_text="What happened, in a line.")
    kind = models.CharField(
        max_length=24, choices=EventKind, help_text="Summit, statement, proposal, …"
    )
    date = models.DateField(
        null=True, blank=True, help_text="When it happened; empty if no source states it."
    )
    date_precision = models.CharField(
        max_length=8, choices=DatePrecision, blank=True, help_text="How much of the date is known."
    )
    reported_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date of the report the event is known from, when its own date is vague.",
    )
    location = models.CharField(max_length=200, blank=True, help_text="City or venue.")
    # PROTECT: jurisdictions are reference data.
    host = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_events",
        help_text="The jurisdiction that hosted or made it.",
    )
    co_hosts = models.ManyToManyField(
        Jurisdiction,
        blank=True,
        related_name="co_hosted_events",
        help_text="Jurisdictions that hosted it jointly with the host.",
    )
    participants = models.ManyToManyField(
        Jurisdiction, blank=True, related_name="events", help_text="Jurisdictions that took part."
    )
    actors = models.ManyToManyField(
        Actor, blank=True, related_name="events", help_text="People and bodies involved."
    )
    instruments = models.ManyToManyField(
        Instrument, blank=True, related_name="events", help_text="Instruments the event concerns."
    )
    summary = models.TextField(blank=True, help_text="What happened, in the tracker's own words.")

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")

    history = HistoricalRecords(m2m_fields=[co_hosts, participants, actors, instruments])
    objects = EventManager()

    class Meta:
        ordering = ["-date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="event_slug_unique"),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            *partial_date_constraints("event", "date"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_key("web:event-detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def when(self):
        return partial_date(self.date, self.date_precision)

    def clean(self):
        clean_partial_dates(self, "date")
        if self.reported_on is not None and self.date is not None and self.date > self.reported_on:
            raise ValidationError({"date": "An event cannot happen after it was reported."})
