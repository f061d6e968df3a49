"""Partial dates: a real date plus how much of it the source states (year, month or day).

A year-precision date is stored as 1 January of that year, a month-precision one as the first of
the month, so range filters on the date column still work; it is always shown at its precision
("2024", "May 2024", "21 May 2024"), never as a full date the source did not give.

Both domain apps date things (approach assessments, status changes, events), and `as_of` reads
every timeline on a calendar day (`check_day`).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


def check_day(day: object) -> datetime.date:
    """`day` as a date; `as_of` takes a calendar day, not a moment."""
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise TypeError(f"as_of takes a datetime.date, not {day!r}")
    return day


class DatePrecision(models.TextChoices):
    """How much of a date the source states. Closed list."""

    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


# Precisions that leave part of the date unknown.
PARTIAL_PRECISIONS = (DatePrecision.YEAR, DatePrecision.MONTH)

_PARTIAL = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    date: datetime.date
    precision: str

    @classmethod
    def parse(cls, text: object) -> PartialDate:
        """Read "2024", "2024-05" or "2024-05-21"; raise ValueError on anything else."""
        match = _PARTIAL.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match["year"], match["month"], match["day"]
        try:
            value = datetime.date(int(year), int(month or 1), int(day or 1))
        except ValueError as exc:
            raise ValueError(
                f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {exc}"
            ) from exc
        precision = (
            DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
        )
        return cls(value, precision)

    @property
    def last_day(self) -> datetime.date:
        """The last day of the period the date stands for ("2024": 31 December 2024)."""
        if self.precision == DatePrecision.YEAR:
            return datetime.date(self.date.year, 12, 31)
        if self.precision == DatePrecision.MONTH:
            following = (self.date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return following - datetime.timedelta(days=1)
        return self.date

    def surely_before(self, other: PartialDate) -> bool:
        """True when the whole of this date's period ends before `other`'s begins ("2024" is
        surely before "2025-03"; "2024" and "2024-05-21" overlap, so neither is)."""
        return self.last_day < other.date

    def __str__(self) -> str:
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year}"
        if self.precision == DatePrecision.MONTH:
            return self.date.strftime("%B %Y")
        return f"{self.date.day} {self.date.strftime('%B %Y')}"

    def isoformat(self) -> str:
        """ISO 8601 at the stated precision: "2024", "2024-05" or "2024-05-21"."""
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


def partial_date(value: datetime.date | None, precision: str | None) -> PartialDate | None:
    """The PartialDate for a stored (date, precision) pair, or None when no date is stated."""
    if value is None or not precision:
        return None
    return PartialDate(value, precision)


def precision_field_name(date_field: str) -> str:
    return f"{date_field}_precision"


def partial_date_constraints(prefix: str, *date_fields: str) -> list[models.CheckConstraint]:
    """Database checks for each date/precision pair: both set or both empty, precision valid."""
    constraints: list[models.CheckConstraint] = []
    for field in date_fields:
        precision = precision_field_name(field)
        constraints.append(
            models.CheckConstraint(
                condition=(
                    Q(**{f"{field}__isnull": True, precision: ""})
                    | Q(**{f"{field}__isnull": False, f"{precision}__in": DatePrecision.values})
                ),
                name=f"{prefix}_{field}_precision_matches",
            )
        )
    return constraints


def clean_partial_dates(instance: models.Model, *date_fields: str) -> None:
    """Model validation for partial dates: a precision goes with a date, and the stored date is
    the first day of the stated period."""
    errors: dict[str, str] = {}
    for field in date_fields:
        precision_name = precision_field_name(field)
        value, precision = getattr(instance, field), getattr(instance, precision_name)
        if value is None and precision:
            errors[field] = "A precision is given but no date."
        elif value is not None and not precision:
            errors[precision_name] = (
                "Say how much of the date the source states (year, month or day)."
            )
        elif value is not None:
            if precision in (DatePrecision.YEAR, DatePrecision.MONTH) and value.day != 1:
                errors[field] = (
                    f"A {precision}-precision date is stored as the first day of the period."
                )
            elif precision == DatePrecision.YEAR and value.month != 1:
                errors[field] = "A year-precision date is stored as 1 January."
    if errors:
        raise ValidationError(errors)


def clean_not_in_future(instance: models.Model, field: str) -> None:
    """Model validation for a timeline step: it records what has happened, so its date is not
    after today. A date still to come belongs in the record's own dates (e.g. `effective_on`)."""
    value = getattr(instance, field)
    if value is not None and value > timezone.localdate():
        raise ValidationError(
            {field: f"{value.isoformat()} is in the future: a timeline records what has happened."}
        )


class TimelineStep(models.Model):
    """A dated step of a timeline (an instrument's status changes, a jurisdiction's approach
    assessments): from `date`, at its precision, this step holds until the next one."""

    date = models.DateField(
        help_text="From when the step holds (first day of the period at year or month precision)."
    )
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How much of the date is known.",
    )
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="What happened, e.g. “promulgated as Law No. 20676”.",
    )

    class Meta:
        abstract = True

    @property
    def when(self) -> PartialDate | None:
        return partial_date(self.date, self.date_precision)

    def clean(self) -> None:
        clean_partial_dates(self, "date")
        clean_not_in_future(self, "date")
