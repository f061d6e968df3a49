"""The rules an instrument's dates and status timeline keep, stated once.

Every write goes through them before anything is saved: the models' `clean()` (which the admin's
forms, the API's writes, the seed and the imports all run), the services that add, correct and
delete status changes, and the admin's timeline formset, which checks the steps of one page as a
whole. A contradiction is refused before it is saved, so it can never lock a record.

- Dates in order: introduced, then adopted, then in effect. Partial dates are periods: "2024"
  and "21 May 2024" overlap, so neither is out of order.
- A timeline moves forward through the stages of a life cycle (proposed or draft, adopted, in
  effect, ended). A real step back that a source states (a court stay, a suspension, a repealed
  law restored) is recorded as a step marked `reversal`, which must say what happened.
- A step's status must be one the type can ever have had, and the status the timeline leaves
  current must agree with the type (a binding law is not "draft" now).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from instruments.vocabulary import (
    STATUS_SEQUENCE,
    InstrumentStatus,
    timeline_status_conflict,
    type_status_conflict,
)
from policytracker.core.dates import PartialDate

# The stage of the life cycle each status belongs to; a timeline never moves to an earlier stage
# except by a step marked as a reversal.
STATUS_STAGE = {
    InstrumentStatus.PROPOSED: 0,
    InstrumentStatus.DRAFT: 0,
    InstrumentStatus.ADOPTED: 1,
    InstrumentStatus.IN_EFFECT: 2,
    InstrumentStatus.SUPERSEDED: 3,
    InstrumentStatus.REPEALED: 3,
    InstrumentStatus.WITHDRAWN: 3,
}

LIFE_CYCLE = "proposed or draft, then adopted, then in effect, then ended"


@dataclass(frozen=True)
class Step:
    """One step of a timeline as a rule reads it. `ref` is the caller's handle on it (a row, a
    form, a position in a payload), returned with the problems that concern it."""

    status: str
    when: PartialDate
    reversal: bool = False
    note: str = ""
    ref: object = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"“{InstrumentStatus(self.status).label.lower()}” ({self.when})"


@dataclass(frozen=True)
class StepProblem:
    step: Step
    field: str
    message: str
    # "type", "reversal", "order" or "current" (the status it leaves now).
    rule: str


def chronological(steps: Iterable[Step]) -> list[Step]:
    """Oldest first; steps on the same day follow the life cycle (as `chronological()` orders
    the rows)."""
    return sorted(steps, key=lambda step: (step.when.date, STATUS_SEQUENCE.index(step.status)))


def date_order_errors(
    introduced: PartialDate | None, adopted: PartialDate | None, effective: PartialDate | None
) -> dict[str, str]:
    """{field: message} for an instrument's own dates out of order."""
    errors = {}
    if adopted and introduced and adopted.surely_before(introduced):
        errors["adopted_on"] = (
            f"Adopted ({adopted}) before it was introduced ({introduced}): check both dates "
            "against their sources."
        )
    if effective:
        for name, earlier in (("adopted", adopted), ("introduced", introduced)):
            if earlier and effective.surely_before(earlier):
                errors["effective_on"] = (
                    f"In effect from {effective}, before it was {name} ({earlier}): check both "
                    "dates against their sources."
                )
                break
    return errors


def timeline_problems(instrument_type: str, steps: Iterable[Step]) -> list[StepProblem]:
    """Everything wrong with a whole timeline for an instrument of `instrument_type`: statuses
    the type can never have had, steps back not marked as reversals, a reversal that does not
    say what happened, and a current status that contradicts the type."""
    ordered = chronological(steps)
    problems = []
    for step in ordered:
        conflict = timeline_status_conflict(instrument_type, step.status)
        if conflict:
            problems.append(
                StepProblem(step, "status", f"Contradicts the type: {conflict}.", "type")
            )
        if step.reversal and not step.note.strip():
            problems.append(
                StepProblem(
                    step,
                    "note",
                    "A reversal must say what happened (e.g. “stayed by the Federal Court”), "
                    "and be cited.",
                    "reversal",
                )
            )
    for previous, step in zip(ordered, ordered[1:], strict=False):
        if STATUS_STAGE[step.status] >= STATUS_STAGE[previous.status] or step.reversal:
            continue
        if previous.when.surely_before(step.when):
            message = (
                f"{step.label[0].upper()}{step.label[1:]} comes after {previous.label}, a step "
                f"back: a timeline moves forward ({LIFE_CYCLE}). If a source states a real step "
                "back (a court stay, a suspension, a law restored), mark this step a reversal, "
                "say what happened and cite it."
            )
        else:
            message = (
                f"{step.label[0].upper()}{step.label[1:]} and {previous.label} overlap at the "
                "precision given, so the timeline would show them in the wrong order: state "
                "the dates as precisely as their sources do."
            )
        problems.append(StepProblem(step, "date", message, "order"))
    if ordered:
        current = ordered[-1]
        conflict = type_status_conflict(instrument_type, current.status)
        if conflict:
            problems.append(
                StepProblem(
                    current,
                    "status",
                    f"This would leave the instrument “{InstrumentStatus(current.status).label}"
                    f"” now, which contradicts its type: {conflict}. Record the step that "
                    "follows it too, or change the type.",
                    "current",
                )
            )
    return problems


def timeline_errors(instrument_type: str, steps: Iterable[Step]) -> dict[str, list[str]]:
    """The problems of `timeline_problems` as a ValidationError's {field: [message, ...]},
    each message naming the step it concerns."""
    errors: dict[str, list[str]] = {}
    for problem in timeline_problems(instrument_type, steps):
        message = problem.message
        if problem.rule in ("type", "reversal"):
            message = f"{problem.step.label[0].upper()}{problem.step.label[1:]}: {message}"
        errors.setdefault(problem.field, []).append(message)
    return errors


def current_status(steps: Sequence[Step]) -> str:
    """The status the timeline leaves current ("" for no steps)."""
    ordered = chronological(steps)
    return ordered[-1].status if ordered else ""
