"""Writes that keep instruments consistent. The admin, the API and the seed call these; nothing else
writes `Instrument.status` once an instrument has a status timeline."""

import datetime

from django.db import transaction

from instruments.models import Instrument, StatusChange
from policytracker.core.dates import DatePrecision


@transaction.atomic
def instrument_sync_status(*, instrument: Instrument) -> Instrument:
    """Set `instrument.status` to its latest status change (left alone when it has none).
    Returns the instrument."""
    latest = StatusChange.objects.filter(instrument=instrument).chronological().last()
    if latest is not None and instrument.status != latest.status:
        instrument.status = latest.status
        instrument.save(update_fields=["status", "updated_at"])
    return instrument


@transaction.atomic
def instrument_change_status(
    *,
    instrument: Instrument,
    status: str,
    date: datetime.date,
    date_precision: str = DatePrecision.DAY,
    note: str = "",
) -> StatusChange:
    """Record that `instrument` moved to `status` on `date` and bring its current status up to
    date. Validates the change (type/status contradictions, partial-date rules) before writing.
    Returns the new StatusChange."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    change = StatusChange(
        instrument=instrument, status=status, date=date, date_precision=date_precision, note=note
    )
    change.full_clean()
    change.save()
    instrument_sync_status(instrument=instrument)
    return change
