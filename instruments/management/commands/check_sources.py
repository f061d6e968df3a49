"""`manage.py check_sources`: does every source's address still answer, and where?"""

import csv
import http.client
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from instruments.models import Source
from instruments.vocabulary import SourceKind

USER_AGENT = "PolicyTracker-check_sources/1.0 (checks the addresses of the sources it cites)"
# Answers to HEAD that say "ask with GET instead" rather than anything about the page.
HEAD_REFUSED = {405, 501}
GONE = {404, 410}
PERMANENT_REDIRECTS = {301, 308}

OK, MOVED, GONE_RESULT, ERROR, TIMEOUT, UNREACHABLE, NO_ADDRESS = (
    "ok",
    "moved",
    "gone",
    "error",
    "timeout",
    "unreachable",
    "no address",
)
# What `--fail-on-broken` fails on: an address a reader cannot follow to the source. A move
# still leads there (the address is worth updating, not broken).
BROKEN = {GONE_RESULT, ERROR, TIMEOUT, UNREACHABLE}
RESULTS = [OK, MOVED, GONE_RESULT, ERROR, TIMEOUT, UNREACHABLE, NO_ADDRESS]


@dataclass(frozen=True)
class Result:
    result: str
    status: int | None = None
    detail: str = ""

    def __str__(self):
        if self.result == MOVED:
            return f"moved → {self.detail}"
        if self.result == GONE_RESULT:
            return f"gone ({self.status})"
        if self.result == ERROR:
            return f"error {self.status}"
        if self.result == UNREACHABLE:
            return f"unreachable: {self.detail}"
        return self.result


class NotHttp(Exception):
    """An address, or a redirect, that leaves http(s): never followed."""


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects within http(s) only, keeps HEAD a HEAD, and remembers where the
    address has moved for good: the address reached by the permanent redirects (301, 308) it
    starts with. A temporary one after them is where the page is today, not its new address."""

    def __init__(self):
        self.permanent_to = None
        self.only_permanent = True

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            fp.close()
            raise NotHttp(f"redirected to a non-http(s) address ({newurl})")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        if code in PERMANENT_REDIRECTS and self.only_permanent:
            self.permanent_to = newurl
        else:
            self.only_permanent = False
        return new


def _request(url, method, timeout):
    redirects = _Redirects()
    opener = urllib.request.build_opener(redirects)
    request = urllib.request.Request(
        url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"}
    )
    with opener.open(request, timeout=timeout) as response:
        status = response.status
    return status, redirects.permanent_to


def _reason(error):
    reason = getattr(error, "reason", error)
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def check_address(url, timeout):
    """What asking for `url` gives: HEAD first, then GET where HEAD is refused."""
    if urlsplit(url).scheme not in ("http", "https"):
        return Result(UNREACHABLE, detail="not an http(s) address")
    try:
        try:
            status, moved_to = _request(url, "HEAD", timeout)
        except urllib.error.HTTPError as error:
            if error.code not in HEAD_REFUSED:
                raise
            error.close()
            status, moved_to = _request(url, "GET", timeout)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code in GONE:
            return Result(GONE_RESULT, error.code)
        return Result(ERROR, error.code)
    except NotHttp as error:
        return Result(UNREACHABLE, detail=str(error))
    except TimeoutError:
        return Result(TIMEOUT)
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return Result(TIMEOUT)
        return Result(UNREACHABLE, detail=_reason(error))
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Result(UNREACHABLE, detail=_reason(error))
    if moved_to and moved_to != url:
        return Result(MOVED, status, moved_to)
    return Result(OK, status)


class Command(BaseCommand):
    help = (
        "Checks that every source's address still answers: ok, moved (to the address it "
        "moved to for good), gone (404/410), error (another HTTP status), timeout or "
        "unreachable. Asks with HEAD, then GET where HEAD is refused, several at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            metavar="SLUG",
            help="Check only this source (repeatable).",
        )
        parser.add_argument(
            "--kind", choices=SourceKind.values, help="Check only sources of this kind."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=8,
            metavar="N",
            help="Addresses asked at the same time (default 8).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="How long to wait for a server to connect or answer (default 10).",
        )
        parser.add_argument(
            "--csv", dest="as_csv", action="store_true", help="Write CSV instead of a table."
        )
        parser.add_argument(
            "--fail-on-broken",
            action="store_true",
            help="Exit 1 when any address is gone, errs, times out or cannot be reached "
            "(for a scheduled check).",
        )

    def handle(self, *args, source, kind, workers, timeout, as_csv, fail_on_broken, **options):
        if workers < 1:
            raise CommandError(f"--workers takes 1 or more; got {workers}")
        if timeout <= 0:
            raise CommandError(f"--timeout takes a number of seconds above 0; got {timeout}")
        sources = Source.objects.order_by("slug")
        if source:
            unknown = sorted(
                set(source) - set(sources.filter(slug__in=source).values_list("slug", flat=True))
            )
            if unknown:
                raise CommandError(f"--source: no source has the slug {', '.join(unknown)}")
            sources = sources.filter(slug__in=source)
        if kind:
            sources = sources.filter(kind=kind)
        # Read in this thread: the workers only speak HTTP, never to the database.
        rows = list(sources.values_list("slug", "url"))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {slug: pool.submit(check_address, url, timeout) for slug, url in rows if url}
            results = [
                (slug, url, futures[slug].result() if url else Result(NO_ADDRESS))
                for slug, url in rows
            ]
        if as_csv:
            self._write_csv(results)
        else:
            self._write_table(results)
            self.stdout.write(self._summary(results))
        broken = [slug for slug, _, result in results if result.result in BROKEN]
        if fail_on_broken and broken:
            raise CommandError(f"{len(broken)} source address(es) broken.", returncode=1)

    def _summary(self, results):
        counts = dict.fromkeys(RESULTS, 0)
        for _, _, result in results:
            counts[result.result] += 1
        checked = len(results) - counts[NO_ADDRESS]
        found = ", ".join(f"{counts[name]} {name}" for name in RESULTS if name != NO_ADDRESS)
        return (
            f"{checked} address{'es' if checked != 1 else ''} checked: {found}; "
            f"{counts[NO_ADDRESS]} source{'s' if counts[NO_ADDRESS] != 1 else ''} without an "
            "address."
        )

    def _write_table(self, results):
        header = ["slug", "address", "result"]
        lines = [[slug, url or "-", str(result)] for slug, url, result in results]
        widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(2)]
        for cells in [header, *lines]:
            self.stdout.write(
                f"{cells[0].ljust(widths[0])}  {cells[1].ljust(widths[1])}  {cells[2]}"
            )

    def _write_csv(self, results):
        writer = csv.writer(self.stdout)
        writer.writerow(["slug", "url", "result", "status", "detail"])
        for slug, url, result in results:
            writer.writerow([slug, url, result.result, result.status or "", result.detail])
