"""Keeps each instrument's stored timeline dates (`Instrument.status_since`, `exists_from`...;
`instruments.querysets.TIMELINE_DATE_FIELDS`) equal to what they are read from: its status
changes, its own dates and the sources citing it.

Every write path goes through the models (the admin, the API, the services, the seed, the
import, the review queue), so the models' signals keep the dates: whenever an instrument, one
of its status changes, one of its citations or a source is saved or deleted, the instruments
concerned are read afresh in one UPDATE. A bulk load that goes around the models (the synthetic
data set) calls `refresh_timeline_dates()` itself, and `check_data` reports any instrument whose
stored dates have drifted. Inside `deferred()` (the seed) the instruments are collected and read
once at the end, in one statement."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save, pre_delete

from instruments.models import Citation, Instrument, Source, StatusChange

_deferred: ContextVar[set[int] | None] = ContextVar("timeline_dates_deferred", default=None)
# Instruments being deleted: their steps and citations go with them (Django sends every
# `pre_delete` before it deletes anything), and there is nothing left to read for them.
_deleting: ContextVar[frozenset[int]] = ContextVar("timeline_dates_deleting", default=frozenset())


def refresh(instrument_ids):
    """Read the timeline dates of the instruments `instrument_ids` afresh (or later, inside
    `deferred()`); instruments being deleted are left alone."""
    ids = {pk for pk in instrument_ids if pk is not None} - _deleting.get()
    if not ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(ids)
    else:
        Instrument.objects.filter(pk__in=ids).refresh_timeline_dates()


@contextmanager
def deferred():
    """Collect the instruments whose dates need reading until the block ends, then read them
    in one statement (nothing is read if the block fails: its transaction is rolled back)."""
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending:
        Instrument.objects.filter(pk__in=pending).refresh_timeline_dates()


# A row saved raw (a backup read back, a fixture) holds its dates already, as they were stored.


def _instrument_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.pk])


def _instrument_deleting(sender, instance, **kwargs):
    _deleting.set(_deleting.get() | {instance.pk})


def _instrument_deleted(sender, instance, **kwargs):
    _deleting.set(_deleting.get() - {instance.pk})


def _step_or_citation_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh([instance.instrument_id])


def _source_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # Its publication date dates the undated instruments it is cited for.
    refresh(
        Citation.objects.filter(source=instance, instrument__isnull=False)
        .values_list("instrument_id", flat=True)
        .distinct()
    )


def connect():
    uid = "timeline-dates"
    post_save.connect(_instrument_saved, sender=Instrument, dispatch_uid=f"{uid}-instrument")
    pre_delete.connect(_instrument_deleting, sender=Instrument, dispatch_uid=f"{uid}-deleting")
    post_delete.connect(_instrument_deleted, sender=Instrument, dispatch_uid=f"{uid}-deleted")
    for model in (StatusChange, Citation):
        name = model._meta.model_name
        post_save.connect(_step_or_citation_changed, sender=model, dispatch_uid=f"{uid}-{name}")
        post_delete.connect(
            _step_or_citation_changed, sender=model, dispatch_uid=f"{uid}-{name}-delete"
        )
    post_save.connect(_source_saved, sender=Source, dispatch_uid=f"{uid}-source")
