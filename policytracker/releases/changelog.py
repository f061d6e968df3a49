"""What changed between two releases, from the change history (`instruments.history`): every
record created, changed or deleted in between, counted per kind and listed oldest first (a
save that changed no field is no change).

A release's changes run from where the previous release's stopped (`until` in its manifest) to
the moment its build started; the build then waits `CHANGES_SETTLE_SECONDS`, the time the change
feed gives a write in progress to commit, before it reads the data, so that the release holds
every change it lists. Each change is listed once, by exactly one release (one made during that
wait is in the data already, and listed by the next).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from instruments import history
from instruments.records import KINDS
from policytracker.releases.store import utc_text

PAGE = 1_000
ACTIONS = tuple(history.ACTIONS.values())
_MARKDOWN = str.maketrans({char: f"\\{char}" for char in "\\`*_[]<>|#~"})


def markdown_text(text: str) -> str:
    """`text` as Markdown shows it literally, on one line."""
    return " ".join(text.split()).translate(_MARKDOWN)


@dataclass
class Changelog:
    """The changes recorded from `since` (None: the first release, which has no earlier one to
    compare with) until `until`, against the release `previous`."""

    until: datetime.datetime
    since: datetime.datetime | None = None
    previous: str | None = None
    entries: list[history.Change] = field(default_factory=list)

    @property
    def first(self) -> bool:
        return self.previous is None

    def counts(self) -> dict[str, dict[str, int]]:
        """{kind: {"created": n, "changed": n, "deleted": n}} for every kind of record."""
        counts = {kind: dict.fromkeys(ACTIONS, 0) for kind in KINDS.names()}
        for entry in self.entries:
            counts[entry.kind][entry.action] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        """The changelog as the manifest states it: the counts, never the entries."""
        stated: dict[str, Any] = {
            "first": self.first,
            "previous": self.previous,
            "since": utc_text(self.since) if self.since else None,
            "until": utc_text(self.until),
        }
        if not self.first:
            stated["total"] = len(self.entries)
            stated["counts"] = self.counts()
        return stated

    def markdown(self, number: str, day: str) -> str:
        """`CHANGELOG.md`: what changed, counted per kind, then every change."""
        lines = [f"# Policy Tracker data, release {number} ({day})", ""]
        if self.first:
            lines += [
                "This is the first release: there is no earlier release to compare it with. "
                "It holds every record the tracker kept when it was built.",
                "",
            ]
            return "\n".join(lines)
        assert self.since is not None
        lines += [
            f"Changes since release {self.previous}: the changes recorded from "
            f"{_shown(self.since)} until {_shown(self.until)}, "
            f"{len(self.entries)} in all.",
            "",
            "| Kind of record | Created | Changed | Deleted |",
            "| --- | ---: | ---: | ---: |",
        ]
        for kind, counted in self.counts().items():
            if any(counted.values()):
                label = KINDS[kind].plural
                lines.append(
                    f"| {label} | {counted['created']} | {counted['changed']} | "
                    f"{counted['deleted']} |"
                )
        if not self.entries:
            lines += ["", "No record was created, changed or deleted in that time."]
            return "\n".join(lines) + "\n"
        lines += ["", "## Every change, oldest first", ""]
        for entry in self.entries:
            lines.append(f"- {_line(entry)}")
        return "\n".join(lines) + "\n"


def _shown(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _line(entry: history.Change) -> str:
    """One change: when, what kind of record, what happened, which record (its title, and its
    key except a citation's, which is mostly its quote), and for a change the fields it made."""
    kind = KINDS[entry.kind].label
    text = f"{_shown(entry.time)}: {kind} {entry.action}: {markdown_text(entry.title)}"
    if entry.kind != "citation":
        text += f" (`{entry.key}`)"
    if entry.changed_labels:
        text += f"; fields: {markdown_text(', '.join(entry.changed_labels))}"
    return text


def changes_between(
    *, previous: str | None, since: datetime.datetime | None, until: datetime.datetime
) -> Changelog:
    """The changelog of a release whose build started at `until`, after the release
    `previous`, whose changes ran until `since`."""
    changelog = Changelog(until=until, since=since, previous=previous)
    if previous is None:
        return changelog
    after = None
    while True:
        page = history.changes(since=since, until=until, after=after, limit=PAGE)
        # A save that changed no field a reader sees changed nothing.
        changelog.entries.extend(
            entry for entry in page if entry.action != "changed" or entry.changed_fields
        )
        if len(page) < PAGE:
            return changelog
        after = page[-1].cursor
