"""Writes that keep instruments consistent. The admin, the API and the seed call these; nothing else
writes `Instrument.status` once an instrument has a status timeline."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from instruments.models import Instrument, StatusChange
from instruments.rules import Step, timeline_errors
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
    reversal: bool = False,
) -> StatusChange:
    """Record that `instrument` moved to `status` on `date` and bring its current status up to
    date. Validates the change and the whole timeline it makes (`instruments.rules`: type and
    status, the order of steps, reversals, the status left current) before writing. Returns the
    new StatusChange."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    change = StatusChange(
        instrument=instrument,
        status=status,
        date=date,
        date_precision=date_precision,
        note=note,
        reversal=reversal,
    )
    change.full_clean()
    instrument_check_timeline(instrument=instrument, steps=[*instrument.timeline_steps(), change])
    change.save()
    instrument_sync_status(instrument=instrument)
    return change


def instrument_check_timeline(
    *, instrument: Instrument, steps: Sequence[Step | StatusChange], type: str | None = None
) -> None:
    """Raise ValidationError if `steps` (the whole timeline as it would be) break a rule of
    `instruments.rules` for `instrument`, of its type or of `type` when one is given."""
    timeline = [step.as_step() if isinstance(step, StatusChange) else step for step in steps]
    errors = timeline_errors(type or instrument.type, timeline)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def instrument_correct_status_change(*, change: StatusChange, **values: Any) -> StatusChange:
    """Correct a recorded status change (its `status`, `date`, `date_precision`, `note` or
    `reversal`) and bring its instrument's current status up to date. The whole timeline as
    corrected is checked before anything is written. Returns the change."""
    instrument = Instrument.objects.select_for_update().get(pk=change.instrument_id)
    unknown = set(values) - {"status", "date", "date_precision", "note", "reversal"}
    if unknown:
        raise ValueError(f"Not fields of a status change: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(change, name, value)
    change.instrument = instrument
    change.full_clean()
    others = [step for step in instrument.timeline_steps() if step.ref.pk != change.pk]
    instrument_check_timeline(instrument=instrument, steps=[*others, change])
    change.save()
    instrument_sync_status(instrument=instrument)
    return change


@transaction.atomic
def instrument_delete_status_change(*, change: StatusChange) -> Instrument:
    """Delete a recorded status change, unless the timeline left would break a rule (the
    status it leaves current must still agree with the type), and bring the instrument's
    current status up to date. Returns the instrument."""
    instrument = Instrument.objects.select_for_update().get(pk=change.instrument_id)
    others = [step for step in instrument.timeline_steps() if step.ref.pk != change.pk]
    instrument_check_timeline(instrument=instrument, steps=others)
    change.delete()
    if not others:
        # The last step gone, the status stays what the timeline last said.
        return instrument
    return instrument_sync_status(instrument=instrument)
