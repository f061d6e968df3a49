"""`manage.py loadtest` (`make loadtest`): the site under load on the loopback interface.

gunicorn serves the site in production mode on PostgreSQL, with the seed and a synthetic data
set, while locust's users (`policytracker/benchmarks/locustfile.py`) ask for a mix of pages, API
requests and searches with no pause for a fixed time; then both are stopped, whatever happened,
and the run is reported: requests, errors and the first of them, throughput, the 50th, 95th and
99th percentiles of latency overall and per group, and how busy the machine's cores were. Any
error makes the command fail."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from instruments import synthetic
from instruments.models import Event, Instrument
from instruments.vocabulary import InstrumentType
from jurisdictions.models import Jurisdiction
from policytracker.benchmarks import report, scenarios, servers
from policytracker.benchmarks.runner import (
    Benchmark,
    Options,
    database_version,
    synthetic_count,
    unapplied_migrations,
)
from policytracker.benchmarks.stats import percentile

# The database a load run uses when DATABASE_URL names none: made on first use.
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/policytracker_load"
LOCUSTFILE = Path(__file__).resolve().parents[2] / "locustfile.py"
# The variable naming the mix file, which the locustfile reads.
MIX_VARIABLE = "LOADTEST_MIX"
GROUPS = ("pages", "API", "search")
PERCENTILES = (50, 95, 99)
# How many keys of each kind the mix asks for, at random among them.
SAMPLE = 100
# Static files no page of the mix refers to, left out of the collection (the largest part).
UNUSED_STATIC = ("drf_spectacular_sidecar", "admin", "rest_framework")
# The rows of the CSV download the mix asks for now and then (the filter nearest to it).
CSV_ROWS = 500
# Words too common in titles to be a search anyone makes.
COMMON_WORDS = frozenset({"about", "after", "among", "other", "their", "under", "which", "within"})


# ---------------------------------------------------------------------- the mix


@dataclass(frozen=True)
class Keys:
    """What the mix's addresses are made of, read from the database."""

    instruments: Sequence[str]
    jurisdictions: Sequence[str]
    events: Sequence[str]
    types: Sequence[str]
    words: Sequence[str]
    # A filtered list's query string for the CSV download.
    csv_query: str


@dataclass(frozen=True)
class Request:
    """A request of the mix: its group, its name in locust's figures, how often it is asked
    for relative to the others, and the paths it is asked at (one at random each time)."""

    group: str
    name: str
    weight: int
    paths: tuple[str, ...]


def title_words(titles: Iterable[str], count: int = 10) -> list[str]:
    """The `count` words of five letters or more that the most `titles` hold (once per title,
    lower-cased, common words left out), most frequent first, then alphabetically."""
    seen: Counter = Counter()
    for title in titles:
        words = {word.lower() for word in re.findall(r"[^\W\d_]{5,}", title)}
        seen.update(words - COMMON_WORDS)
    ranked = sorted(seen.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:count]]


def build_mix(keys: Keys) -> list[Request]:
    """The requests of the load run and their weights (out of 100): pages 45, API 39, search 16.
    A request whose keys are missing (no events, say) has no path and is left out."""

    def paths(template: str, values: Iterable[str]) -> tuple[str, ...]:
        return tuple(template.format(quote(value, safe="")) for value in values)

    def queried(base: str, *pairs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
        return tuple(f"{base}?{urlencode(list(query))}" for query in pairs if query)

    places = keys.jurisdictions
    by_place = [[("jurisdiction", code)] for code in places]
    by_type = [[("type", kind)] for kind in keys.types]
    binding_in = [[("binding", "true"), ("jurisdiction", code)] for code in places]
    facets = [[("jurisdiction", code), ("facet", "type"), ("facet", "status")] for code in places]
    mix = [
        Request("pages", "page: home", 8, ("/",)),
        Request("pages", "page: instrument list", 4, ("/instruments/",)),
        Request("pages", "page: instruments, binding", 3, ("/instruments/?binding=true",)),
        Request(
            "pages", "page: instruments, by jurisdiction", 4, queried("/instruments/", *by_place)
        ),
        Request("pages", "page: instruments, by type", 3, queried("/instruments/", *by_type)),
        Request(
            "pages",
            "page: instruments, binding in a jurisdiction",
            3,
            queried("/instruments/", *binding_in),
        ),
        Request("pages", "page: instrument", 9, paths("/instruments/{}/", keys.instruments)),
        Request("pages", "page: jurisdiction", 5, paths("/jurisdictions/{}/", places)),
        Request("pages", "page: event", 3, paths("/events/{}/", keys.events)),
        Request("pages", "page: jurisdiction list", 2, ("/jurisdictions/",)),
        Request("pages", "page: event list", 1, ("/events/",)),
        Request("API", "api: instrument list", 4, ("/api/v1/instruments/",)),
        Request(
            "API",
            "api: instruments, filtered",
            8,
            queried("/api/v1/instruments/", *by_place, *by_type, *binding_in),
        ),
        Request("API", "api: instruments + 2 facets", 3, queried("/api/v1/instruments/", *facets)),
        Request("API", "api: instrument", 10, paths("/api/v1/instruments/{}/", keys.instruments)),
        Request("API", "api: jurisdiction list", 4, ("/api/v1/jurisdictions/",)),
        Request("API", "api: jurisdiction", 5, paths("/api/v1/jurisdictions/{}/", places)),
        Request("API", "api: event list", 2, ("/api/v1/events/",)),
        Request("API", "api: event", 2, paths("/api/v1/events/{}/", keys.events)),
        Request(
            "API",
            "api: CSV of a filtered list",
            1,
            (f"/api/v1/instruments/?{keys.csv_query}&format=csv",) if keys.csv_query else (),
        ),
        Request("search", "search: page", 9, paths("/search/?q={}", keys.words)),
        Request("search", "search: API", 7, paths("/api/v1/instruments/?q={}", keys.words)),
    ]
    return [request for request in mix if request.paths]


def _sample(values: Sequence, number: int, rng: random.Random) -> list:
    return rng.sample(list(values), min(number, len(values)))


def read_keys(sample: int = SAMPLE, seed: int = 1) -> Keys:
    """Keys from the database: instruments half from the seed and half synthetic (where there
    are both), jurisdictions, events, the words the sampled titles use most, and the filter (a
    country and types) whose CSV has the rows nearest `CSV_ROWS`. The same database, the same
    keys."""
    rng = random.Random(seed)
    made_up = Instrument.objects.filter(slug__startswith=synthetic.SLUG_PREFIX)
    real = Instrument.objects.exclude(slug__startswith=synthetic.SLUG_PREFIX)
    chosen = []
    for rows in (real, made_up):
        keys = rows.order_by("pk").values_list("pk", flat=True)
        chosen += _sample(keys, sample // 2 if made_up.exists() else sample, rng)
    instruments = list(Instrument.objects.filter(pk__in=chosen).values_list("slug", "title"))
    codes = Jurisdiction.objects.order_by("code").values_list("code", flat=True)
    events = Event.objects.order_by("pk").values_list("pk", flat=True)
    event_slugs = Event.objects.filter(pk__in=_sample(events, sample, rng))
    try:
        csv_query = scenarios.nearest_filter(scenarios.country_type_counts(), CSV_ROWS).ours()
    except scenarios.NoSyntheticData:
        csv_query = ""
    return Keys(
        instruments=sorted(slug for slug, _ in instruments),
        jurisdictions=sorted(_sample(codes, sample, rng)),
        events=sorted(event_slugs.values_list("slug", flat=True)),
        types=list(InstrumentType.values),
        words=title_words(title for _, title in instruments),
        csv_query=csv_query,
    )


# ---------------------------------------------------------------------- the figures


def histogram_times(histogram: dict) -> list[float]:
    """The response times (ms) of locust's histogram ({time: count}, keys maybe strings)."""
    values: list[float] = []
    for value, number in sorted((float(key), number) for key, number in histogram.items()):
        values.extend([value] * number)
    return values


def _row(label: str, entries: list[dict], seconds: float) -> dict:
    requests = sum(entry["num_requests"] for entry in entries)
    merged: Counter = Counter()
    for entry in entries:
        merged.update({float(key): n for key, n in entry["response_times"].items()})
    values = histogram_times(merged)
    row = {
        "label": label,
        "requests": requests,
        "errors": sum(entry["num_failures"] for entry in entries),
        "requests_per_second": requests / seconds if seconds > 0 else None,
    }
    for q in PERCENTILES:
        row[f"p{q}_ms"] = percentile(values, q) if values else None
    return row


def summarize(entries: list[dict], mix: Sequence[Request]) -> dict:
    """Requests, errors, throughput and percentiles overall, per group and per request, from
    locust's final figures (`--json-file`: an entry per request name, with its histogram of
    response times). The time measured runs from the first entry's start to the last request."""
    starts = [entry["start_time"] for entry in entries if entry.get("start_time")]
    ends = [e["last_request_timestamp"] for e in entries if e.get("last_request_timestamp")]
    seconds = max(ends) - min(starts) if starts and ends else 0.0
    group_of = {request.name: request.group for request in mix}
    groups = [g for g in GROUPS if any(group_of.get(e["name"]) == g for e in entries)]
    others = [entry for entry in entries if entry["name"] not in group_of]
    names = [request.name for request in mix] + sorted({entry["name"] for entry in others})
    by_name = {name: [e for e in entries if e["name"] == name] for name in names}
    return {
        "seconds": seconds,
        "all": _row("all", entries, seconds),
        "groups": [
            _row(group, [e for e in entries if group_of.get(e["name"]) == group], seconds)
            for group in groups
        ],
        "requests": [_row(name, rows, seconds) for name, rows in by_name.items() if rows],
    }


def read_errors(prefix: Path, limit: int = 5) -> tuple[int, list[str]]:
    """What locust wrote beside its figures (`--csv`): the number of exceptions the users
    raised (no request counts them), and the first `limit` errors, failed requests and
    exceptions together, most frequent first."""

    def rows(suffix: str) -> list[dict]:
        path = prefix.with_name(f"{prefix.name}_{suffix}.csv")
        if not path.exists():
            return []
        with path.open(newline="") as file:
            return list(csv.DictReader(file))

    failures = [
        (int(row["Occurrences"]), f"{row['Name']}: {row['Error']}") for row in rows("failures")
    ]
    raised = [(int(row["Count"]), f"exception: {row['Message']}") for row in rows("exceptions")]
    found = sorted(failures + raised, key=lambda item: -item[0])
    return sum(n for n, _ in raised), [f"{n} × {text}" for n, text in found[:limit]]


# ---------------------------------------------------------------------- the cores


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def parse_process_stat(text: str) -> tuple[str, int, float]:
    """(name, process group, CPU seconds in user and kernel mode) from /proc/PID/stat."""
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])
    return name, int(fields[2]), ticks / _clock_ticks()


def parse_machine_stat(text: str) -> tuple[int, int]:
    """(busy, total) ticks of every core from /proc/stat's first line (idle and I/O wait are
    not busy)."""
    values = [int(value) for value in text.split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])  # guest time is counted in user time already
    return total - values[3] - values[4], total


def cpu_snapshot() -> dict | None:
    """Every process's CPU seconds, with its name and group, and the machine's ticks; None
    where /proc does not tell."""
    try:
        machine = parse_machine_stat(Path("/proc/stat").read_text())
    except (OSError, ValueError, IndexError):
        return None
    processes = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                processes[int(entry.name)] = parse_process_stat((entry / "stat").read_text())
            except (OSError, ValueError, IndexError):
                continue
    return {"machine": machine, "processes": processes}


def cpu_use(before: dict | None, after: dict | None, seconds: float, parts: dict) -> dict | None:
    """Cores used on average over `seconds` between two snapshots: by the machine, and by each
    of `parts` ({label: process group id, or a process name}), summed over its processes (a
    process that started in between counts from zero)."""
    if not before or not after or seconds <= 0:
        return None
    busy = after["machine"][0] - before["machine"][0]
    total = after["machine"][1] - before["machine"][1]
    cores = os.cpu_count() or 1
    used = {"cores": cores, "machine_busy": busy / total if total else None}
    for label, key in parts.items():
        spent = 0.0
        for pid, (name, group, cpu) in after["processes"].items():
            if key in (group, name):
                earlier = before["processes"].get(pid)
                spent += cpu - (earlier[2] if earlier and earlier[:2] == (name, group) else 0)
        used[label] = spent / seconds
    return used


# ---------------------------------------------------------------------- the report


def render(run: dict) -> str:
    """The run as Markdown: what ran, the totals, a table per group and per request, the
    cores' use and the first errors."""
    figures = run["figures"]
    total = figures["all"]
    data = run["data"]
    lines = [
        f"## Load run, {run['date']}",
        "",
        f"- **Served:** gunicorn, {run['workers']} sync workers, production mode, on "
        f"{run['database']} ({data['instruments']:,} instruments, {data['synthetic']:,} "
        f"synthetic); cache: {run['cache']}",
        f"- **Load:** locust, {run['users']} users with no pause between requests (concurrency "
        f"{run['users']}) for {run['run_seconds']} s, measured over {figures['seconds']:.1f} s "
        "after every user had started",
        f"- **Requests:** {total['requests']:,}; **errors:** {total['errors']:,}"
        + (f" and {run['exceptions']} exceptions" if run["exceptions"] else ""),
        f"- **Throughput:** {report.per_second(total['requests_per_second'])} req/s; "
        f"latency p50 {report.ms(total['p50_ms'])} ms, p95 {report.ms(total['p95_ms'])} ms, "
        f"p99 {report.ms(total['p99_ms'])} ms",
    ]
    cpu = run.get("cpu")
    if cpu:
        busy = cpu["machine_busy"]
        if busy is None:
            lines.append(f"- **Cores:** {cpu['cores']}")
        else:
            ours = cpu["gunicorn"] + cpu["postgres"] + cpu["locust"]
            lines.append(
                f"- **Cores:** {cpu['cores']}, busy {busy:.0%} of the run: gunicorn "
                f"{cpu['gunicorn']:.2f} cores, PostgreSQL {cpu['postgres']:.2f}, locust "
                f"{cpu['locust']:.2f}, anything else {max(busy * cpu['cores'] - ours, 0):.2f}"
            )
    load = run.get("load_average")
    if load:
        lines.append(
            "- **Load average** (1 min): "
            f"{load['before'][0]:.2f} before, {load['after'][0]:.2f} after"
        )
    header = ["", "requests", "share", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"]

    def row(figure: dict) -> list[str]:
        share = figure["requests"] / total["requests"] if total["requests"] else 0
        return [
            figure["label"],
            report.count(figure["requests"]),
            f"{share:.0%}",
            report.count(figure["errors"]),
            report.per_second(figure["requests_per_second"]),
            *(report.ms(figure[f"p{q}_ms"]) for q in PERCENTILES),
        ]

    lines += ["", *report.table(header, [row(total)] + [row(g) for g in figures["groups"]])]
    lines += ["", *report.table(["request", *header[1:]], [row(r) for r in figures["requests"]])]
    if run["errors"]:
        lines += ["", "**First errors:**", *(f"- {error}" for error in run["errors"])]
    lines += ["", f"Command: `{run['command']}`"]
    return "\n".join(lines)


# ---------------------------------------------------------------------- the database


def ensure_database(url: str) -> bool:
    """Make the database `url` names unless it exists (connecting to the server's `postgres`
    database to do so); whether it was made."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as server:
            if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    except psycopg.Error as error:
        raise CommandError(f"PostgreSQL at {parts.hostname}:{parts.port}: {error}") from error


def _said(command: str, **options) -> str:
    said = io.StringIO()
    call_command(command, stdout=said, **options)
    return said.getvalue().strip()


class Command(BaseCommand):
    help = (
        "Load run on the loopback interface: prepares the PostgreSQL database DATABASE_URL "
        f"names (else {DEFAULT_DATABASE}, made if missing): migrations, the seed and --size "
        "synthetic instruments; serves the site under gunicorn in production mode; runs "
        "locust's users on a mix of pages, API requests and searches for --seconds; stops "
        "everything and reports requests, errors, throughput, p50/p95/p99 and the cores' use. "
        "Fails on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60, help="how long the load runs")
        parser.add_argument(
            "--users",
            type=int,
            default=4,
            help="locust users, each a request in flight with no pause (the concurrency): two "
            "per worker keep every worker busy, one answering while the next waits",
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
        parser.add_argument(
            "--size",
            type=int,
            default=10_000,
            help="synthetic instruments beside the seed (a synthetic set of another size is "
            "replaced: generate_synthetic --remove, then --instruments N --seed 1); 0: the "
            "seed alone",
        )
        parser.add_argument(
            "--keep-data",
            action="store_true",
            help="run on what the database holds: no migration, seed or synthetic data",
        )
        parser.add_argument(
            "--keep-files", action="store_true", help="keep the mix, locust's files and logs"
        )

    def handle(self, *args, **options):
        for name in ("seconds", "users", "workers"):
            if options[name] < 1:
                raise CommandError(f"--{name} takes 1 or more")
        if options["size"] < 0:
            raise CommandError("--size takes 0 or more")
        if not os.environ.get("DATABASE_URL", "").strip():
            self.use_default_database()
        if connection.vendor != "postgresql":
            raise CommandError(
                f"DATABASE_URL names a {connection.vendor} database: the load run is made on "
                "PostgreSQL (unset DATABASE_URL to use " + DEFAULT_DATABASE + ")."
            )
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            run = self.run(options)
        except KeyboardInterrupt as error:
            raise CommandError("Interrupted; the processes it started are stopped.") from error
        except servers.ServerError as error:
            raise CommandError(str(error)) from error
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write(render(run))
        errors = run["figures"]["all"]["errors"] + run["exceptions"]
        if errors:
            raise CommandError(f"The load run met {errors:,} errors.")

    def say(self, line: str) -> None:
        self.stderr.write(line)

    def use_default_database(self) -> None:
        """With no DATABASE_URL, the load run's own database, made if missing; the command
        starts again with it, as settings are read once."""
        if sys.argv[1:2] != ["loadtest"]:
            raise CommandError(f"Set DATABASE_URL (e.g. {DEFAULT_DATABASE}).")
        made = ensure_database(DEFAULT_DATABASE)
        self.say(
            f"DATABASE_URL is not set: using {DEFAULT_DATABASE}"
            + (" (made now)" if made else " (it exists)")
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os.environ["DATABASE_URL"] = DEFAULT_DATABASE
        os.execv(sys.executable, [sys.executable, *sys.argv])

    def prepare(self, size: int) -> None:
        self.say("Migrating…")
        call_command("migrate", interactive=False, verbosity=0)
        self.say("Seeding… " + _said("seed", verbosity=0))
        if size:
            Benchmark(Options(), self.say).hold(size)
        elif synthetic_count():
            self.say(_said("generate_synthetic", remove=True, verbosity=0))

    def run(self, options: dict) -> dict:
        users, seconds, workers = options["users"], options["seconds"], options["workers"]
        if options["keep_data"]:
            pending = unapplied_migrations()
            if pending:
                raise CommandError(f"The database lacks migrations: {', '.join(pending)}")
        else:
            self.prepare(options["size"])
        mix = build_mix(read_keys())
        data = {"instruments": Instrument.objects.count(), "synthetic": synthetic_count()}
        self.say(
            f"{data['instruments']:,} instruments ({data['synthetic']:,} synthetic); a mix of "
            f"{len(mix)} requests over {sum(len(r.paths) for r in mix):,} addresses"
        )
        with ExitStack() as stack:
            work = servers.work_directory()
            if options["keep_files"]:
                self.say(f"Files (the mix, locust's figures, logs) kept in {work}")
            else:
                stack.callback(shutil.rmtree, work, ignore_errors=True)
            mix_file = work / "mix.json"
            mix_file.write_text(json.dumps([asdict(request) for request in mix], indent=1))
            # The mix asks for no file of the admin's, the browsable API's or the API docs'.
            collected = servers.collect_static(work, ignore=UNUSED_STATIC)
            self.say(f"Static files collected for production in {collected:.1f} s")
            app = stack.enter_context(servers.gunicorn(work, workers))
            app.start("/api/")
            self.say(f"gunicorn ({workers} sync workers) at {app.url}")
            prefix = work / "locust"
            command = [
                sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
                "--users", str(users), "--spawn-rate", str(users),
                "--run-time", f"{seconds}s", "--stop-timeout", "10",
                "--host", app.url, "--reset-stats", "--only-summary",
                "--csv", str(prefix), "--json-file", str(prefix),
            ]  # fmt: skip
            shown = (
                f"locust -f {LOCUSTFILE.relative_to(settings.BASE_DIR)} --headless -u {users} "
                f"-r {users} --run-time {seconds}s --reset-stats --host {app.url}"
            )
            self.say(f"locust: {users} users for {seconds} s…")
            load_before = os.getloadavg()
            before = cpu_snapshot()
            children_before = _children_cpu()
            started = time.monotonic()
            locust = self.locust(command, work, {MIX_VARIABLE: str(mix_file)}, stack)
            try:
                locust.wait(seconds + 90)
            except subprocess.TimeoutExpired as error:
                log = _tail(work / "locust.log")
                raise CommandError(f"locust did not finish: {log}") from error
            elapsed = time.monotonic() - started
            after = cpu_snapshot()
            locust_cpu = _children_cpu() - children_before
            load_after = os.getloadavg()
            figures_file = prefix.with_suffix(".json")
            if not figures_file.exists():
                raise CommandError(
                    f"locust wrote no figures ({locust.returncode}): {_tail(work / 'locust.log')}"
                )
            entries = json.loads(figures_file.read_text())
            exceptions, errors = read_errors(prefix)
            cpu = cpu_use(
                before, after, elapsed, {"gunicorn": app.process.pid, "postgres": "postgres"}
            )
            if cpu:
                # locust has ended by now: its time is that of the children waited for since.
                cpu["locust"] = locust_cpu / elapsed
        return {
            "date": time.strftime("%Y-%m-%d"),
            "workers": workers,
            "users": users,
            "run_seconds": seconds,
            "database": database_version(),
            "cache": "Redis (REDIS_URL)"
            if os.environ.get("REDIS_URL", "").strip()
            else "each worker's own memory (no REDIS_URL)",
            "data": data,
            "figures": summarize(entries, mix),
            "exceptions": exceptions,
            "errors": errors,
            "cpu": cpu,
            "load_average": {"before": load_before, "after": load_after},
            "command": shown,
        }

    def locust(self, command: list[str], work: Path, extra: dict, stack: ExitStack):
        """locust started in a process group of its own, stopped with the group when the run
        ends, whatever ends it."""
        with (work / "locust.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                env={**os.environ, **extra},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=settings.BASE_DIR,
                start_new_session=True,
            )
        stack.callback(servers.stop_process_group, process)
        return process


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _interrupt(signum, frame):
    # Unwinds like Ctrl-C, so the processes the load run started are stopped.
    raise KeyboardInterrupt
