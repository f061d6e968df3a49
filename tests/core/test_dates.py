import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from instruments.models import Instrument
from policytracker.core.dates import PartialDate
from tests.factories import InstrumentFactory


@pytest.mark.parametrize(
    ("text", "date", "precision", "shown", "iso"),
    [
        ("2024", datetime.date(2024, 1, 1), "year", "2024", "2024"),
        ("2024-05", datetime.date(2024, 5, 1), "month", "May 2024", "2024-05"),
        ("2024-05-21", datetime.date(2024, 5, 21), "day", "21 May 2024", "2024-05-21"),
    ],
)
def test_partial_dates_parse_and_show_at_their_precision(text, date, precision, shown, iso):
    value = PartialDate.parse(text)
    assert (value.date, value.precision) == (date, precision)
    assert str(value) == shown
    assert value.isoformat() == iso


@pytest.mark.parametrize(
    "text", ["", "24", "2024-5", "2024-13", "2024-02-30", "2024/05/21", None, 2024]
)
def test_bad_partial_dates_are_refused(text):
    with pytest.raises(ValueError, match="is not a date of the form"):
        PartialDate.parse(text)


@pytest.mark.django_db
def test_year_precision_is_never_shown_as_a_full_date():
    instrument = InstrumentFactory(
        adopted_on=datetime.date(2024, 1, 1), adopted_on_precision="year"
    )
    assert str(instrument.adopted) == "2024"
    assert instrument.effective is None


@pytest.mark.django_db
def test_date_and_precision_go_together_in_the_database():
    instrument = InstrumentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=instrument.pk).update(adopted_on=datetime.date(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=instrument.pk).update(adopted_on_precision="day")
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=instrument.pk).update(
            adopted_on=datetime.date(2024, 1, 1), adopted_on_precision="decade"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date", "precision", "field"),
    [
        (datetime.date(2024, 5, 21), "year", "adopted_on"),
        (datetime.date(2024, 5, 1), "year", "adopted_on"),
        (datetime.date(2024, 5, 21), "month", "adopted_on"),
        (datetime.date(2024, 5, 21), "", "adopted_on_precision"),
        (None, "day", "adopted_on"),
    ],
)
def test_validation_keeps_partial_dates_on_the_first_day(date, precision, field):
    instrument = InstrumentFactory.build(
        jurisdiction=InstrumentFactory().jurisdiction,
        adopted_on=date,
        adopted_on_precision=precision,
    )
    with pytest.raises(ValidationError) as excinfo:
        instrument.full_clean()
    assert field in excinfo.value.message_dict
