import datetime

import pytest
from django.core.exceptions import ValidationError

from instruments.models import StatusChange
from instruments.services import instrument_change_status, instrument_sync_status
from tests.factories import InstrumentFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


def test_recording_a_change_updates_the_status():
    instrument = InstrumentFactory(status="adopted")
    change = instrument_change_status(
        instrument=instrument, status="in_effect", date=datetime.date(2025, 1, 1)
    )
    instrument.refresh_from_db()
    assert instrument.status == "in_effect"
    assert change.instrument == instrument


def test_an_older_change_does_not_replace_the_current_status():
    instrument = InstrumentFactory(status="adopted")
    instrument_change_status(
        instrument=instrument, status="in_effect", date=datetime.date(2025, 1, 1)
    )
    instrument_change_status(
        instrument=instrument, status="adopted", date=datetime.date(2024, 1, 1)
    )
    instrument.refresh_from_db()
    assert instrument.status == "in_effect"


def test_changes_on_one_day_follow_the_life_cycle():
    instrument = InstrumentFactory(status="")
    day = datetime.date(2024, 8, 1)
    instrument_change_status(instrument=instrument, status="in_effect", date=day)
    instrument_change_status(instrument=instrument, status="adopted", date=day)
    instrument.refresh_from_db()
    assert instrument.status == "in_effect"


def test_a_contradicting_change_is_refused_and_nothing_is_written():
    instrument = InstrumentFactory(type="draft_bill", status="draft")
    with pytest.raises(ValidationError):
        instrument_change_status(
            instrument=instrument, status="in_effect", date=datetime.date(2025, 1, 1)
        )
    instrument.refresh_from_db()
    assert instrument.status == "draft"
    assert not StatusChange.objects.filter(instrument=instrument).exists()


def test_a_bad_partial_date_is_refused():
    instrument = InstrumentFactory()
    with pytest.raises(ValidationError):
        instrument_change_status(
            instrument=instrument,
            status="in_effect",
            date=datetime.date(2025, 3, 4),
            date_precision="year",
        )


def test_sync_repairs_a_stale_status_and_leaves_untimed_ones():
    stale = InstrumentFactory(status="adopted")
    StatusChangeFactory(instrument=stale, status="repealed", date=datetime.date(2026, 1, 1))
    assert instrument_sync_status(instrument=stale).status == "repealed"
    untimed = InstrumentFactory(status="adopted")
    assert instrument_sync_status(instrument=untimed).status == "adopted"
