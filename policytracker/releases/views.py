"""The data releases' pages and files, under /data/.

- `/data/`: every release, newest first, with its date, citation, files, sizes and checksums;
  with none yet, says so and how one is made;
- `/data/<number>/`: one release: its citation, what it holds, what changed, its files;
- `/data/<number>/<file>`: a file of it, with its media type, as a download under its own name,
  its SHA-256 as a strong `ETag` (so `If-None-Match` answers 304) and the release's build time
  as `Last-Modified`;
- `/data/latest/` and `/data/latest/<file>`: redirect (302) to the newest release's page or
  file, so that what a reader saves or cites is the numbered address, which never changes,
  while the latest address always leads to the newest.

An unknown release, a number that is not one, or a file a release does not hold answers the
site's 404 page.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import condition, require_safe
from django.views.generic import TemplateView

from instruments.records import KINDS
from policytracker.releases.store import Release, all_releases, find_release, latest_release
from policytracker.releases.tables import BY_NAME


def _release_or_404(number: str) -> Release:
    release = find_release(number)
    if release is None:
        raise Http404(f"No release is numbered “{number}”.")
    return release


class DataView(TemplateView):
    """`/data/`: every release, newest first."""

    template_name = "releases/data.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            releases=all_releases(),
            breadcrumbs=[{"label": "Data releases", "url": None}],
        )
        return context


def table_rows(release: Release) -> list[dict[str, Any]]:
    """Each table of `release` with its title and its rows, in the release's order."""
    return [
        {
            "name": name,
            "title": BY_NAME[name].title if name in BY_NAME else name,
            "filename": f"{name}.csv",
            "rows": rows,
        }
        for name, rows in release.tables.items()
    ]


def change_rows(release: Release) -> list[dict[str, Any]]:
    """The changelog's counts per kind of record, the kinds with a change only."""
    counts = release.changes.get("counts", {})
    return [
        {"label": KINDS[kind].plural if kind in KINDS else kind, **counted}
        for kind, counted in counts.items()
        if any(counted.values())
    ]


class ReleaseView(TemplateView):
    """`/data/<number>/`: one release."""

    template_name = "releases/release.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        release = _release_or_404(kwargs["number"])
        newest = latest_release()
        previous = release.changes.get("previous")
        context.update(
            release=release,
            is_latest=newest is not None and newest.number == release.number,
            latest=newest,
            tables=table_rows(release),
            total_rows=sum(release.tables.values()),
            changes=change_rows(release),
            previous=find_release(previous) if previous else None,
            breadcrumbs=[
                {"label": "Data releases", "url": reverse("releases:data")},
                {"label": f"Release {release.number}", "url": None},
            ],
        )
        return context


def _checksum(request: HttpRequest, number: str, filename: str) -> str | None:
    release = find_release(number)
    item = release.file(filename) if release else None
    return item.sha256 if item else None


def _built_at(request: HttpRequest, number: str, filename: str) -> Any:
    release = find_release(number)
    return release.built_at if release and release.file(filename) else None


@require_safe
@condition(etag_func=_checksum, last_modified_func=_built_at)
def release_file(request: HttpRequest, number: str, filename: str) -> FileResponse:
    """A file of a release, as a download under its own name (so that `sha256sum -c
    SHA256SUMS` finds the files saved beside it)."""
    release = _release_or_404(number)
    item = release.file(filename)
    if item is None:
        raise Http404(f"Release {number} holds no file “{filename}”.")
    return FileResponse(
        (release.path / item.name).open("rb"),
        as_attachment=True,
        filename=item.name,
        content_type=item.media_type,
    )


def _latest_or_404() -> Release:
    release = latest_release()
    if release is None:
        raise Http404("No release has been made yet.")
    return release


@require_safe
def latest(request: HttpRequest) -> HttpResponseRedirect:
    """`/data/latest/`: the newest release's page."""
    release = _latest_or_404()
    return HttpResponseRedirect(reverse("releases:release", args=[str(release.number)]))


@require_safe
def latest_file(request: HttpRequest, filename: str) -> HttpResponseRedirect:
    """`/data/latest/<file>`: that file of the newest release."""
    release = _latest_or_404()
    if release.file(filename) is None:
        raise Http404(f"Release {release.number} holds no file “{filename}”.")
    return HttpResponseRedirect(
        reverse("releases:release-file", args=[str(release.number), filename])
    )
