"""The events chart (events and instrument milestones on one time axis), drawn as SVG on the
server so it needs no script.

One horizontal time axis. Above it, a mark per dated event of the filtered list; below it, a
mark per instrument milestone, so a reader sees what was said at summits beside what was
adopted and took effect. Which milestones are drawn:

- the instruments' own dates (introduced, adopted, in effect) and every recorded status change
  (`StatusChange`), each once: an own date repeating a status change of the same instrument on
  the same day is the same milestone (an introduction is the same step as a "proposed" or
  "draft" change);
- with a `jurisdiction` filter, only milestones of instruments issued by one of those
  jurisdictions or with one of them among their parties; without one, every instrument's;
- with `year`, `date_after` or `date_before`, only milestones inside that period, so the axis
  spans what the event filters ask for;
- the other event filters (`kind`, `q`, `updated_since`) describe events, not instruments, and
  leave the milestones alone.

Both bands are bounded: at most `MAX_MARKS` events and `MAX_MARKS` milestones, the most recent
ones, and the page says when more exist. Every count and row is read in a fixed number of
queries, whatever the size of the data.

Marks differ by shape as well as colour (one shape per event kind, a lettered diamond per
milestone), and a date known only to the month or year is drawn hollow at the start of its
period, so the chart reads without colour. Geometry is in viewBox units; the template scales it.
"""

import datetime
import math
from dataclasses import dataclass, field
from itertools import chain

from django.db.models import Count, Q
from django.urls import reverse

from instruments.models import Instrument, StatusChange
from instruments.vocabulary import EventKind, InstrumentStatus
from policytracker.core.dates import PARTIAL_PRECISIONS, PartialDate

# Beyond this many marks a row stops being readable (and the page heavy); the list below the
# chart has every event.
MAX_MARKS = 200

WIDTH = 800
PLOT_LEFT = 104
PLOT_RIGHT = WIDTH - 20
ROW_HEIGHT = 24
# Marks closer than this (in viewBox units) go on separate rows so each stays clickable.
MIN_GAP = 20
MAX_ROWS = 6
TOP = 26
TICK_LABEL_ROOM = 26
LABEL_ROW = 16
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BOTTOM = 12


def _polygon(points):
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z"


def _regular(sides, radius, rotation=-90.0):
    return _polygon(
        (
            round(radius * math.cos(math.radians(rotation + 360 * i / sides)), 2),
            round(radius * math.sin(math.radians(rotation + 360 * i / sides)), 2),
        )
        for i in range(sides)
    )


def _cross(arm, half_width, angle):
    points = [
        (-half_width, -arm), (half_width, -arm), (half_width, -half_width),
        (arm, -half_width), (arm, half_width), (half_width, half_width),
        (half_width, arm), (-half_width, arm), (-half_width, half_width),
        (-arm, half_width), (-arm, -half_width), (-half_width, -half_width),
    ]  # fmt: skip
    turn = math.radians(angle)
    return _polygon(
        (
            round(x * math.cos(turn) - y * math.sin(turn), 2),
            round(x * math.sin(turn) + y * math.cos(turn), 2),
        )
        for x, y in points
    )


# Paths centred on (0, 0), about 17 units across (the diamond, which holds a letter, 22).
SHAPES = {
    "circle": "M-8,0a8,8 0 1,0 16,0a8,8 0 1,0 -16,0Z",
    "square": "M-7,-7H7V7H-7Z",
    "triangle": "M0,-8.8L8.2,6.2H-8.2Z",
    "triangle-down": "M0,8.8L8.2,-6.2H-8.2Z",
    # A proposed ban is an octagon (a stop sign's outline), not a cross: a red cross reads as
    # an error or a deletion.
    "octagon": _regular(8, 9, rotation=22.5),
    "hexagon": _regular(6, 8.4, rotation=0),
    "plus": _cross(8.2, 3, 0),
    "diamond": "M0,-11L11,0L0,11L-11,0Z",
}


@dataclass(frozen=True)
class Style:
    """How one kind of mark looks: `key` names its CSS class (`tl-k-<key>`)."""

    key: str
    label: str
    shape: str
    letter: str = ""

    @property
    def path(self):
        return SHAPES[self.shape]


EVENT_STYLES = {
    EventKind.SUMMIT: Style("summit", EventKind.SUMMIT.label, "circle"),
    EventKind.CONFERENCE: Style("conference", EventKind.CONFERENCE.label, "square"),
    EventKind.STATEMENT: Style("statement", EventKind.STATEMENT.label, "triangle"),
    EventKind.PROPOSAL: Style("proposal", EventKind.PROPOSAL.label, "triangle-down"),
    EventKind.PROPOSED_BAN: Style("proposed_ban", EventKind.PROPOSED_BAN.label, "octagon"),
    EventKind.LEGISLATIVE_ACTION: Style(
        "legislative_action", EventKind.LEGISLATIVE_ACTION.label, "hexagon"
    ),
    EventKind.OTHER: Style("other", EventKind.OTHER.label, "plus"),
}

# An instrument's introduction date is not a status, but it is the first step of its life.
INTRODUCED = "introduced"
MILESTONE_STYLES = {
    INTRODUCED: Style("ms-start", "Introduced", "diamond", "I"),
    InstrumentStatus.PROPOSED: Style("ms-start", "Proposed", "diamond", "P"),
    InstrumentStatus.DRAFT: Style("ms-start", "Draft", "diamond", "D"),
    InstrumentStatus.ADOPTED: Style("ms-adopted", "Adopted", "diamond", "A"),
    InstrumentStatus.IN_EFFECT: Style("ms-in_effect", "In effect", "diamond", "E"),
    InstrumentStatus.SUPERSEDED: Style("ms-ended", "Superseded", "diamond", "S"),
    InstrumentStatus.REPEALED: Style("ms-ended", "Repealed", "diamond", "R"),
    InstrumentStatus.WITHDRAWN: Style("ms-ended", "Withdrawn", "diamond", "W"),
}
# An own date and a status change that are one step of the same instrument.
_SAME_STEP = {
    INTRODUCED: INTRODUCED,
    InstrumentStatus.PROPOSED: INTRODUCED,
    InstrumentStatus.DRAFT: INTRODUCED,
}
# Own date columns and the milestone each records.
_OWN_DATES = (
    ("introduced_on", INTRODUCED),
    ("adopted_on", InstrumentStatus.ADOPTED),
    ("effective_on", InstrumentStatus.IN_EFFECT),
)


@dataclass
class Mark:
    """One record on the chart. `x`, `y` are set by the layout."""

    band: str
    style: Style
    when: PartialDate
    title: str
    url: str
    detail: str = ""
    x: float = 0.0
    y: float = 0.0
    row: int = 0

    @property
    def hollow(self):
        return self.when.precision in PARTIAL_PRECISIONS

    @property
    def tooltip(self):
        kind = self.style.label if self.band == "event" else self.style.label.lower()
        text = f"{self.title}: {kind}, {self.when}"
        if self.hollow:
            text += " (date known only to the " + self.when.precision + ")"
        if self.detail:
            text += f". {self.detail}"
        return text


@dataclass
class Tick:
    """A line on the axis at `x` (None: label only), with its label centred at `label_x` on
    label row `row` (0 under the axis, 1 beneath that)."""

    x: float | None
    label: str
    label_x: float
    minor: bool = False
    row: int = 0
    label_y: float = 0.0


@dataclass
class Band:
    """The events above the axis, or the milestones below it."""

    name: str
    label: str
    marks: list
    rows: int = 0
    label_y: float = 0.0


@dataclass
class EventsChart:
    """Everything the template draws, and what it must say about what is left out."""

    events: Band
    milestones: Band
    ticks: list = field(default_factory=list)
    width: int = WIDTH
    height: float = 0.0
    axis_y: float = 0.0
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    first_year: int = 0
    last_year: int = 0
    today_x: float | None = None
    events_total: int = 0
    undated_events: int = 0
    events_capped: bool = False
    milestones_capped: bool = False

    @property
    def marks(self):
        return [*self.events.marks, *self.milestones.marks]

    @property
    def minor_tick_end(self):
        return self.axis_y + 5

    @property
    def milestones_newest_first(self):
        return sorted(self.milestones.marks, key=lambda m: (m.when.date, m.title), reverse=True)

    @property
    def dated_events(self):
        return self.events_total - self.undated_events

    @property
    def hollow_example(self):
        """The legend's sample of a hollow mark."""
        return SHAPES["circle"]

    @property
    def has_partial(self):
        return any(mark.hollow for mark in self.marks)

    @property
    def legend(self):
        """The styles present, events first, each once."""
        seen = {}
        for mark in sorted(self.marks, key=lambda m: (m.band != "event", _style_rank(m.style))):
            key = (mark.style.key, mark.style.letter)
            seen.setdefault(key, mark.style)
        return list(seen.values())


def _style_rank(style):
    order = list(EVENT_STYLES.values()) + list(MILESTONE_STYLES.values())
    return order.index(style)


def period_of(filter_data):
    """(first day, last day) the event filters ask for (`year`, `date_after`, `date_before`,
    and `as_of`, which ends the period); either end may be None."""
    start = filter_data.get("date_after")
    end = min(
        filter(None, [filter_data.get("date_before"), filter_data.get("as_of")]), default=None
    )
    year = filter_data.get("year")
    if year is not None:
        year = int(year)
        start = max(filter(None, [start, datetime.date(year, 1, 1)]))
        end = min(filter(None, [end, datetime.date(year, 12, 31)]))
    return start, end


def event_marks(events):
    """Marks of the dated events in `events` (a filtered queryset), the `MAX_MARKS` most recent,
    and the counts the page states: (marks, total, undated, capped). Two queries."""
    counts = events.order_by().aggregate(
        total=Count("pk", distinct=True),
        undated=Count("pk", distinct=True, filter=Q(date__isnull=True)),
    )
    rows = list(
        events.filter(date__isnull=False)
        .order_by("-date", "title", "pk")
        .values("slug", "title", "kind", "date", "date_precision")[: MAX_MARKS + 1]
    )
    capped = len(rows) > MAX_MARKS
    marks = [
        Mark(
            band="event",
            style=EVENT_STYLES.get(row["kind"], EVENT_STYLES[EventKind.OTHER]),
            when=PartialDate(row["date"], row["date_precision"]),
            title=row["title"],
            url=reverse("web:event-detail", args=[row["slug"]]),
        )
        for row in rows[:MAX_MARKS]
    ]
    return marks, counts["total"], counts["undated"], capped


def milestone_marks(*, jurisdictions=None, start=None, end=None):
    """Marks of instrument milestones (see the module docstring for which), the `MAX_MARKS`
    most recent, and whether more exist: (marks, capped). Four queries: one per own-date
    column and one for the status changes, each bounded."""
    instruments = Instrument.objects.all()
    if jurisdictions:
        instruments = instruments.filter(
            Q(jurisdiction__in=jurisdictions) | Q(parties__in=jurisdictions)
        )

    def within(queryset, column):
        if start:
            queryset = queryset.filter(**{f"{column}__gte": start})
        if end:
            queryset = queryset.filter(**{f"{column}__lte": end})
        return queryset

    found = []
    capped = False
    for column, milestone in _OWN_DATES:
        rows = list(
            within(instruments.filter(**{f"{column}__isnull": False}), column)
            .order_by(f"-{column}", "pk")
            .values("pk", "slug", "title", column, f"{column}_precision")
            .distinct()[: MAX_MARKS + 1]
        )
        capped |= len(rows) > MAX_MARKS
        found.extend(
            (row["pk"], row["slug"], row["title"], milestone, row[column],
             row[f"{column}_precision"], "")
            for row in rows
        )  # fmt: skip
    changes = StatusChange.objects.all()
    if jurisdictions:
        changes = changes.filter(instrument__in=instruments.values("pk"))
    rows = list(
        within(changes, "date")
        .order_by("-date", "pk")
        .values(
            "instrument_id", "instrument__slug", "instrument__title", "status", "date",
            "date_precision", "note",
        )[: MAX_MARKS + 1]
    )  # fmt: skip
    capped |= len(rows) > MAX_MARKS
    changes_found = [
        (row["instrument_id"], row["instrument__slug"], row["instrument__title"], row["status"],
         row["date"], row["date_precision"], row["note"])
        for row in rows
    ]  # fmt: skip

    # Status changes first: where an own date repeats one, the change (with its note) stays.
    unique = {}
    for pk, slug, title, milestone, day, precision, note in chain(changes_found, found):
        key = (pk, _SAME_STEP.get(milestone, milestone), day)
        unique.setdefault(key, (slug, title, milestone, day, precision, note))
    ordered = sorted(unique.values(), key=lambda item: (item[3], item[1]), reverse=True)
    capped |= len(ordered) > MAX_MARKS
    marks = [
        Mark(
            band="milestone",
            style=MILESTONE_STYLES[milestone],
            when=PartialDate(day, precision),
            title=title,
            url=reverse("web:instrument-detail", args=[slug]),
            detail=note,
        )
        for slug, title, milestone, day, precision, note in ordered[:MAX_MARKS]
    ]
    return marks, capped


def _year_step(span):
    for step in (1, 2, 5, 10, 25, 50):
        if span / step <= 12:
            return step
    return 100


def _pack(marks):
    """Give each mark (sorted by x) a row: the lowest row whose last mark is far enough left,
    or, once `MAX_ROWS` are used, the row whose last mark is furthest left (marks may then
    overlap, but none is dropped). Returns the number of rows used."""
    last_x = []
    for mark in marks:
        free = [row for row, x in enumerate(last_x) if mark.x - x >= MIN_GAP]
        if free:
            mark.row = free[0]
        elif len(last_x) < MAX_ROWS:
            mark.row = len(last_x)
            last_x.append(mark.x)
        else:
            mark.row = min(range(len(last_x)), key=last_x.__getitem__)
        last_x[mark.row] = mark.x
    return len(last_x)


def _ticks(first_year, last_year, x_of):
    """Year ticks (every year, or every 2, 5, 10… years on long spans). On spans of up to three
    years a small tick a month, and on spans of up to two the months' names, with the years
    on a second row beneath them."""
    span = last_year + 1 - first_year
    step = _year_step(span)
    months = span <= 2
    ticks = []
    for year in range(first_year, last_year + 2):
        if (year - first_year) % step:
            continue
        x = x_of(datetime.date(year, 1, 1))
        if step == 1 and year <= last_year:
            # One tick a year: the label sits in the middle of its year.
            label_x = round((x + x_of(datetime.date(year + 1, 1, 1))) / 2, 1)
            ticks.append(Tick(x, str(year), label_x, row=1 if months else 0))
        else:
            ticks.append(Tick(x, str(year) if step > 1 else "", x))
    if span <= 3:
        for year in range(first_year, last_year + 1):
            for month in range(1, 13):
                start = datetime.date(year, month, 1)
                x = x_of(start)
                label, label_x = "", x
                if months:
                    following = datetime.date(year + month // 12, month % 12 + 1, 1)
                    label = MONTHS[month - 1]
                    label_x = round((x + x_of(following)) / 2, 1)
                ticks.append(Tick(x if month > 1 else None, label, label_x, minor=True))
    return ticks


def layout(event_list, milestone_list, *, today=None, start=None, end=None):
    """Place the marks: x from the date, y by band and row. The axis runs from 1 January of
    the first year shown to 1 January after the last (the filtered period's years when one is
    given, so an empty stretch still reads as part of it). None when nothing is dated."""
    events = Band("events", "Events", sorted(event_list, key=lambda m: (m.when.date, m.title)))
    milestones = Band(
        "milestones",
        "Instrument milestones",
        sorted(milestone_list, key=lambda m: (m.when.date, m.title)),
    )
    days = [mark.when.date for mark in chain(events.marks, milestones.marks)]
    if not days:
        return None
    first_year = min(days).year
    last_year = max(days).year
    if start and end:
        first_year = min(first_year, start.year)
        last_year = max(last_year, end.year)
    axis_start = datetime.date(first_year, 1, 1)
    axis_end = datetime.date(last_year + 1, 1, 1)
    total_days = (axis_end - axis_start).days
    plot_width = PLOT_RIGHT - PLOT_LEFT

    def x_of(day):
        return round(PLOT_LEFT + plot_width * (day - axis_start).days / total_days, 1)

    for mark in chain(events.marks, milestones.marks):
        mark.x = x_of(mark.when.date)
    events.rows = _pack(events.marks)
    milestones.rows = _pack(milestones.marks)

    ticks = _ticks(first_year, last_year, x_of)
    label_room = TICK_LABEL_ROOM + (LABEL_ROW if any(tick.row for tick in ticks) else 0)

    axis_y = TOP + events.rows * ROW_HEIGHT + (8 if events.rows else 0)
    for mark in events.marks:
        mark.y = axis_y - 8 - ROW_HEIGHT / 2 - mark.row * ROW_HEIGHT
    first_milestone_y = axis_y + label_room + ROW_HEIGHT / 2
    for mark in milestones.marks:
        mark.y = first_milestone_y + mark.row * ROW_HEIGHT
    events.label_y = axis_y - 8 - events.rows * ROW_HEIGHT / 2
    milestones.label_y = axis_y + label_room + milestones.rows * ROW_HEIGHT / 2
    height = axis_y + label_room + milestones.rows * ROW_HEIGHT + BOTTOM
    for tick in ticks:
        tick.label_y = axis_y + 18 + tick.row * LABEL_ROW

    today_x = None
    if today and axis_start <= today < axis_end:
        today_x = x_of(today)

    return EventsChart(
        events=events,
        milestones=milestones,
        ticks=ticks,
        height=height,
        axis_y=axis_y,
        first_year=first_year,
        last_year=last_year,
        today_x=today_x,
    )


def build_events_chart(events, filter_data, *, today=None):
    """The chart for the filtered `events` queryset and the filters' cleaned data (see the
    module docstring). Always returns an EventsChart, whose bands may be empty."""
    start, end = period_of(filter_data)
    marks, total, undated, events_capped = event_marks(events)
    milestones, milestones_capped = milestone_marks(
        jurisdictions=list(filter_data.get("jurisdiction") or []), start=start, end=end
    )
    timeline = layout(marks, milestones, today=today, start=start, end=end) or EventsChart(
        events=Band("events", "Events", []),
        milestones=Band("milestones", "Instrument milestones", []),
    )
    timeline.events_total = total
    timeline.undated_events = undated
    timeline.events_capped = events_capped
    timeline.milestones_capped = milestones_capped
    return timeline
