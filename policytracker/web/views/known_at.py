"""Record pages as the tracker published them on a day (`?known_at=YYYY-MM-DD`), and the list
of a record's versions every record page shows.

A record's page with `known_at` renders the record rebuilt from the history tables
(`instruments.known_at`) with the page's own template, under a banner saying which day's
version it is and linking to the current record. A record the tracker did not hold at the end
of that day answers 404, saying so. A bad day is a 400 naming `known_at`, as a bad `as_of` is.
`as_of` beside `known_at` reads an instrument's status or a jurisdiction's approach on the
`as_of` day by the timeline as then recorded; the pages that have neither refuse the pair."""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.functional import cached_property

from instruments.known_at import (
    AS_OF,
    PARAMETER,
    Then,
    known_at_url,
    long_date,
    read_day,
    read_known_at,
    record_versions,
)
from policytracker.core.params import BadParameters

# What a list (or the map, or a comparison) answers to `known_at`: they are read as they stand,
# or `as_of` a day.
LIST_REFUSAL = (
    "Read on a record's page only (e.g. /instruments/<slug>/?known_at=YYYY-MM-DD): this page "
    "shows what the tracker holds today, or with as_of what was legally true on a day."
)


def refuse_known_at_on_lists(query):
    """`BadParameters` naming `known_at` when the query string of a page that lists records
    (a list, the map, a comparison) gives it: an empty value is none."""
    if query.get(PARAMETER, "").strip():
        raise BadParameters({PARAMETER: [LIST_REFUSAL]})


@dataclass(frozen=True)
class Version:
    """One day on which a record changed: the page as published at its end."""

    day: datetime.date
    url: str | None
    shown: bool = False
    latest: bool = False


@dataclass(frozen=True)
class KnownAt:
    """What a page shown `known_at` a day says about itself (its banner)."""

    day: datetime.date
    url: str | None
    current_url: str | None
    as_of: datetime.date | None = None
    # What the record said of the `as_of` day: an instrument's status (a `StatusOn`,
    # `answer_kind` "status") or a jurisdiction's approach (an `ApproachOn`, "approach").
    answer: object = None
    answer_kind: str = ""

    @property
    def day_text(self):
        return long_date(self.day)

    @property
    def as_of_text(self):
        return long_date(self.as_of) if self.as_of else ""


class KnownAtMixin:
    """For a record's `DetailView`: `?known_at=` renders the record as then published
    (`record_then`), the 404 page when it was not in the tracker then; every rendering gets
    `versions` (the days it changed, each linking to its version) and `known_at` (None on
    the current record)."""

    # "instrument": how the 404 page names the record.
    record_noun = ""
    # Whether `as_of` may go with `known_at` (a status or an approach to read on that day), and
    # which: "status" or "approach".
    combines_as_of = False
    answer_kind = ""
    then: Then | None = None

    def record_then(self, day, as_of):
        """The record the address names as the tracker stated it at the end of `day`."""
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        day = read_known_at(request.GET.get(PARAMETER))
        if day is None:
            return super().get(request, *args, **kwargs)
        as_of = read_day(request.GET.get(AS_OF), AS_OF)
        if as_of is not None and not self.combines_as_of:
            message = (
                f"Not read together on a page of a {self.record_noun}: as_of with known_at reads "
                "an instrument's status or a jurisdiction's approach on a day. Leave one out."
            )
            raise BadParameters({AS_OF: [message], PARAMETER: [message]})
        self.then = self.record_then(day, as_of)
        if self.then.record is None:
            return render(
                request,
                "web/not_known_at.html",
                {
                    "day": day,
                    "noun": self.record_noun,
                    "current_url": self.then.current_url,
                    "address": request.path,
                },
                status=404,
            )
        self.object = self.then.record
        return self.render_to_response(self.get_context_data(object=self.object))

    def history_record(self):
        """The record whose edit history the page lists: the record as it is now, or, gone
        since, as it was then."""
        if self.then is None:
            return self.object
        return self.then.current or self.object

    def known_at_answer(self):
        """What the banner says the record read on the `as_of` day (None: nothing)."""
        return None

    @cached_property
    def known_at(self):
        if self.then is None:
            return None
        return KnownAt(
            day=self.then.day,
            url=known_at_url(self.object, self.then.day),
            current_url=self.then.current_url,
            as_of=self.then.as_of,
            answer=self.known_at_answer(),
            answer_kind=self.answer_kind,
        )

    def versions(self):
        """The record's versions, newest first; on a page shown `known_at`, the one shown is
        marked (the latest on or before its day)."""
        days = record_versions(self.object)
        shown = None
        # Linked at the key it has now, which names it on every day it held that key; a record
        # since deleted, at the key it had on the day shown.
        record = self.object
        if self.then is not None:
            shown = next((day for day in days if day <= self.then.day), None)
            record = self.then.current or self.object
        return [
            Version(day, known_at_url(record, day), shown=day == shown, latest=index == 0)
            for index, day in enumerate(days)
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(known_at=self.known_at, versions=self.versions())
        return context
