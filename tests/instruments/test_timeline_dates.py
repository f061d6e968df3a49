"""The stored timeline dates of an instrument (`status_since`, `exists_from`...) follow every
write to what they are read from, and `as_of` reads them to the same answers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments import timeline_dates
from instruments.data_checks import stale_timeline_dates
from instruments.models import Instrument, StatusChange
from instruments.querysets import TIMELINE_DATE_FIELDS
from tests.factories import CitationFactory, InstrumentFactory, SourceFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date


def stored(instrument):
    return Instrument.objects.values(*TIMELINE_DATE_FIELDS).get(pk=instrument.pk)


def test_a_timeline_sets_the_dates_and_each_step_written_or_deleted_moves_them():
    law = InstrumentFactory(status="", adopted_on=None, effective_on=None)
    assert stored(law) == dict.fromkeys(TIMELINE_DATE_FIELDS) | {
        "status_since_precision": "",
        "timeline_status": "",
        "first_in_effect_precision": "",
    }
    StatusChangeFactory(
        instrument=law, status="adopted", date=DAY(2024, 5, 1), date_precision="month"
    )
    step = StatusChangeFactory(instrument=law, status="in_effect", date=DAY(2025, 2, 2))
    assert stored(law) == {
        "status_since": DAY(2025, 2, 2),
        "status_since_precision": "day",
        "timeline_status": "in_effect",
        "exists_from": DAY(2024, 5, 1),
        # The May 2024 step is known to the month only.
        "exists_from_day": DAY(2025, 2, 2),
        "first_in_effect_on": DAY(2025, 2, 2),
        "first_in_effect_precision": "day",
    }
    step.delete()
    assert stored(law)["status_since"] == DAY(2024, 5, 1)
    assert stored(law)["timeline_status"] == "adopted"
    assert stored(law)["first_in_effect_on"] is None
    assert not list(stale_timeline_dates())


def test_own_dates_count_and_an_undated_instrument_exists_from_its_earliest_source():
    framework = InstrumentFactory(type="voluntary_framework", status="in_effect")
    assert stored(framework)["exists_from"] is None
    CitationFactory(instrument=framework, source=SourceFactory(published_on=DAY(2023, 3, 3)))
    older = SourceFactory(published_on=DAY(2022, 1, 1))
    citation = CitationFactory(instrument=framework, source=SourceFactory(published_on=None))
    assert stored(framework)["exists_from"] == DAY(2023, 3, 3)
    # A source's publication date, corrected, dates the instruments it is cited for.
    citation.source.published_on = DAY(2021, 6, 1)
    citation.source.save()
    assert stored(framework)["exists_from"] == DAY(2021, 6, 1)
    citation.source = older
    citation.save()
    assert stored(framework)["exists_from"] == DAY(2022, 1, 1)
    # A date of its own outranks its sources, and a day-precise one dates it to the day.
    framework.adopted_on, framework.adopted_on_precision = DAY(2024, 1, 1), "year"
    framework.save()
    assert (stored(framework)["exists_from"], stored(framework)["exists_from_day"]) == (
        DAY(2024, 1, 1),
        None,
    )
    framework.introduced_on, framework.introduced_on_precision = DAY(2023, 9, 9), "day"
    framework.save()
    assert stored(framework)["exists_from"] == DAY(2023, 9, 9)
    assert stored(framework)["exists_from_day"] == DAY(2023, 9, 9)
    assert not list(stale_timeline_dates())


def test_a_write_around_the_models_is_reported_and_deferred_reads_happen_once():
    law = InstrumentFactory(status="adopted")
    with timeline_dates.deferred():
        StatusChangeFactory(instrument=law, status="adopted", date=DAY(2024, 1, 1))
        # Not read yet: the block collects the instruments and reads them when it ends.
        assert stored(law)["status_since"] is None
    assert stored(law)["status_since"] == DAY(2024, 1, 1)
    StatusChange.objects.filter(instrument=law).update(date=DAY(2024, 2, 1))
    problems = list(stale_timeline_dates())
    assert [(problem.check, problem.obj) for problem in problems] == [("timeline-dates", law)]
    assert Instrument.objects.refresh_timeline_dates() >= 1
    assert not list(stale_timeline_dates())


@pytest.mark.parametrize(
    "day", [DAY(2024, 1, 1), DAY(2024, 6, 1), DAY(2025, 3, 1), DAY(2026, 1, 1)]
)
def test_as_of_reads_the_stored_dates_to_the_answers_the_timeline_gives(day):
    """The stored dates answer for a day after the latest step; a day before it looks the
    timeline up. Both agree with the steps themselves."""
    law = InstrumentFactory(status="", adopted_on=None)
    steps = [
        ("draft", DAY(2024, 3, 1), "month"),
        ("adopted", DAY(2024, 9, 1), "day"),
        ("in_effect", DAY(2025, 6, 1), "day"),
    ]
    for status, date, precision in steps:
        StatusChangeFactory(instrument=law, status=status, date=date, date_precision=precision)
    expected = [step for step in steps if step[1] <= day]
    rows = Instrument.objects.as_of(day).filter(pk=law.pk)
    if not expected:
        assert not rows.exists()
        return
    row = rows.get()
    status, date, precision = expected[-1]
    assert (row.as_of_status, row.as_of_status_on, row.as_of_status_precision) == (
        status,
        date,
        precision,
    )
    assert row.as_of_partial is (precision != "day")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")
def test_postgresql_connections_run_without_the_jit_compiler():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_deleting_an_instrument_reads_nothing_for_it_and_a_step_deleted_alone_moves_the_dates():
    law = InstrumentFactory(status="")
    steps = [
        StatusChangeFactory(instrument=law, status="adopted", date=DAY(2024, 1, 1)),
        StatusChangeFactory(instrument=law, status="in_effect", date=DAY(2025, 1, 1)),
    ]
    for number in range(5):
        CitationFactory(instrument=law, quote=f"Quote {number}.")
    other = InstrumentFactory(status="")
    StatusChangeFactory(instrument=other, status="adopted", date=DAY(2023, 1, 1))
    steps[1].delete()
    assert stored(law)["timeline_status"] == "adopted"
    with CaptureQueriesContext(connection) as captured:
        law.delete()
    refreshed = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert refreshed == []
    # Another instrument's dates are read as before.
    assert stored(other)["status_since"] == DAY(2023, 1, 1)
    assert not list(stale_timeline_dates())
