"""Where releases are kept, and reading them back.

Each release is a folder of `RELEASES_DIR` named by its number (`2026.12.1`: the year and month
it was made, then a count within that month from 1), holding its files and its manifest,
`release.json`, with `SHA256SUMS` beside them. A folder takes a release's name only once the
release is whole (`policytracker.releases.builder`), so any folder named by a number and
holding a manifest is a finished release; anything else there (a build under way, a file left
by hand) is not one and is never listed or served.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings

MANIFEST = "release.json"
CHECKSUMS = "SHA256SUMS"
# Year, month without a leading zero, count within the month: the normal form, one spelling
# per release.
_NUMBER = re.compile(r"(?P<year>[0-9]{4})\.(?P<month>[1-9]|1[0-2])\.(?P<count>[1-9][0-9]{0,5})")


@dataclass(frozen=True, order=True)
class Number:
    """A release's number: the year and month it was made, and its count within the month."""

    year: int
    month: int
    count: int

    def __str__(self) -> str:
        return f"{self.year}.{self.month}.{self.count}"

    @classmethod
    def parse(cls, text: str) -> Number | None:
        """The number `text` spells, or None when it spells none (`2026.01.1` included: the
        month is written without a leading zero)."""
        match = _NUMBER.fullmatch(text)
        if match is None:
            return None
        return cls(int(match["year"]), int(match["month"]), int(match["count"]))

    @classmethod
    def next_after(cls, numbers: list[Number], day: datetime.date) -> Number:
        """The number of a release made on `day`, after those already made (`numbers`)."""
        counts = [n.count for n in numbers if (n.year, n.month) == (day.year, day.month)]
        return cls(day.year, day.month, max(counts, default=0) + 1)


def utc_text(moment: datetime.datetime) -> str:
    """`moment` in ISO 8601, in UTC, as the API writes times ("2026-12-05T10:00:00.123456Z")."""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def releases_dir() -> Path:
    return Path(settings.RELEASES_DIR)


def sha256(path: Path) -> str:
    """The SHA-256 of the file at `path`, as hex, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(2**20):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: its name, size in bytes, SHA-256, media type and what it holds."""

    name: str
    bytes: int
    sha256: str
    media_type: str
    description: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "description": self.description,
        }


# Each file's media type, by its extension (`SHA256SUMS` has none: plain text).
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".db": "application/vnd.sqlite3",
    ".md": "text/markdown; charset=utf-8",
    ".cff": "application/yaml",
}


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix, "text/plain; charset=utf-8")


class Release:
    """A finished release, read from its folder."""

    def __init__(self, path: Path, number: Number, manifest: dict[str, Any]) -> None:
        self.path = path
        self.number = number
        self.manifest = manifest

    def __str__(self) -> str:
        return str(self.number)

    @property
    def date(self) -> datetime.date:
        return datetime.date.fromisoformat(self.manifest["date"])

    @property
    def built_at(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.manifest["built_at"])

    @property
    def citation(self) -> str:
        return self.manifest["citation"]["text"]

    @property
    def bibtex(self) -> str:
        return self.manifest["citation"]["bibtex"]

    @property
    def url(self) -> str:
        return self.manifest["url"]

    @property
    def tables(self) -> dict[str, int]:
        return self.manifest["tables"]

    @property
    def changes(self) -> dict[str, Any]:
        return self.manifest["changes"]

    @property
    def changes_since(self) -> datetime.datetime | None:
        """Where this release's changes start: where the previous release's ended."""
        since = self.changes["since"]
        return datetime.datetime.fromisoformat(since) if since else None

    @property
    def changes_until(self) -> datetime.datetime:
        """Where this release's changes end, and the next release's start."""
        return datetime.datetime.fromisoformat(self.changes["until"])

    @cached_property
    def files(self) -> list[ReleaseFile]:
        """Every file of the release: those the manifest lists, then the manifest (its checksum
        from `SHA256SUMS`) and `SHA256SUMS` itself (its checksum read now: no file can hold its
        own)."""
        listed = [ReleaseFile(**described) for described in self.manifest["files"]]
        sums = self.checksums()
        manifest = self.path / MANIFEST
        listed.append(
            ReleaseFile(
                MANIFEST,
                manifest.stat().st_size,
                sums[MANIFEST],
                media_type(MANIFEST),
                "This release's manifest: its number, date, citation, files, row counts and "
                "changes.",
            )
        )
        checksums = self.path / CHECKSUMS
        listed.append(
            ReleaseFile(
                CHECKSUMS,
                checksums.stat().st_size,
                sha256(checksums),
                media_type(CHECKSUMS),
                "The SHA-256 of every other file, for `sha256sum -c SHA256SUMS`.",
            )
        )
        return listed

    def file(self, name: str) -> ReleaseFile | None:
        return next((item for item in self.files if item.name == name), None)

    def checksums(self) -> dict[str, str]:
        """{file name: SHA-256} as `SHA256SUMS` lists them."""
        sums = {}
        for line in (self.path / CHECKSUMS).read_text(encoding="utf-8").splitlines():
            checksum, _, name = line.partition("  ")
            sums[name] = checksum
        return sums


def read_release(path: Path) -> Release | None:
    """The release in the folder `path`, or None when it holds none (not named by a number,
    or without its manifest and checksums)."""
    number = Number.parse(path.name)
    manifest, checksums = path / MANIFEST, path / CHECKSUMS
    if number is None or not manifest.is_file() or not checksums.is_file():
        return None
    return Release(path, number, json.loads(manifest.read_text(encoding="utf-8")))


def all_releases() -> list[Release]:
    """Every finished release, newest first."""
    folder = releases_dir()
    if not folder.is_dir():
        return []
    found = [read_release(path) for path in folder.iterdir()]
    releases = [release for release in found if release is not None]
    return sorted(releases, key=lambda release: release.number, reverse=True)


def find_release(text: str) -> Release | None:
    """The release numbered `text`, or None when there is none (or `text` is no number)."""
    number = Number.parse(text)
    if number is None:
        return None
    return read_release(releases_dir() / str(number))


def latest_release() -> Release | None:
    releases = all_releases()
    return releases[0] if releases else None
