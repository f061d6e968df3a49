"""The benchmark's course: servers up, data at each size, every request measured against its
floor and against Datasette, the CSV download against a hand-written one, throughput, and
servers down whatever happens."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import os
import platform
import shutil
import sqlite3
import time
import tracemalloc
from collections.abc import Callable, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from instruments import synthetic
from instruments.models import Instrument
from instruments.vocabulary import InstrumentType
from policytracker.benchmarks import export as sqlite_export
from policytracker.benchmarks import floor, plain_csv, scenarios, servers
from policytracker.benchmarks.client import HttpClient, throughput
from policytracker.benchmarks.stats import median, ratio, summary

MIN_REQUESTS = 3
# A warm-up request this slow is enough warming on its own.
SLOW_WARMUP = 2.0


@dataclass
class Options:
    requests: int = 100
    warmup: int = 3
    budget: float = 120
    throughput_seconds: float = 20
    connections: int = 8
    load_processes: int = 2
    csv_rows: int = 10_000
    memory_rows: Sequence[int] = (1_000, 10_000)
    workers: int = 2
    datasette: Path | None = None
    servers: list[str] = field(default_factory=list)
    keep_files: bool = False
    # The keys of the requests to measure (`scenarios.build`); empty: all of them.
    only: Sequence[str] = ()


def database_version() -> str:
    if connection.vendor == "postgresql":
        number = connection.pg_version
        return f"PostgreSQL {number // 10000}.{number % 10000}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


class NotMigrated(Exception):
    pass


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def synthetic_count() -> int:
    return Instrument.objects.filter(slug__startswith=synthetic.SLUG_PREFIX).count()


class Benchmark:
    def __init__(self, options: Options, say: Callable[[str], None]):
        self.options = options
        self.say = say

    # ------------------------------------------------------------------ the whole run

    def run(self, sizes: Sequence[int] = ()) -> dict:
        options = self.options
        machine = {
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "database": database_version(),
            "gunicorn": importlib.metadata.version("gunicorn"),
            "workers": options.workers if not options.servers else None,
            "datasette": servers.datasette_version(options.datasette)
            if options.datasette
            else None,
            # Other work on the machine skews every figure: the load it had before and after.
            "load_average_before": os.getloadavg(),
        }
        pending = unapplied_migrations()
        if pending:
            raise NotMigrated(", ".join(pending))
        if not sizes and not synthetic_count():
            raise scenarios.NoSyntheticData
        runs = []
        with ExitStack() as stack:
            work = servers.work_directory()
            if options.keep_files:
                self.say(f"Files (SQLite copy, server logs) kept in {work}")
            else:
                stack.callback(shutil.rmtree, work, ignore_errors=True)
            urls = list(options.servers)
            if not urls:
                seconds = servers.collect_static(work)
                self.say(f"Static files collected for production in {seconds:.1f} s")
                app = stack.enter_context(servers.gunicorn(work, options.workers))
                app.start(scenarios.NO_DATABASE_PATHS[0])
                self.say(f"gunicorn ({options.workers} sync workers) at {app.url}")
                urls = [app.url]
            for size in sizes or [None]:
                if size is not None:
                    self.hold(size)
                runs.append(self.measure(urls, work))
        machine["load_average_after"] = os.getloadavg()
        return {
            "machine": machine,
            "options": {
                "requests": options.requests,
                "warmup": options.warmup,
                "budget_seconds": options.budget,
                "throughput_seconds": options.throughput_seconds,
                "connections": options.connections,
                "load_processes": options.load_processes,
                "servers": options.servers or None,
                "workers": options.workers,
                "csv_rows": options.csv_rows,
                "memory_rows": list(options.memory_rows),
                "only": list(options.only) or None,
            },
            "sizes": [run["synthetic"] for run in runs],
            "runs": runs,
        }

    def hold(self, size: int) -> None:
        """Make the database hold `size` synthetic instruments (seed 1)."""
        if synthetic_count() == size:
            self.say(f"The database holds {size:,} synthetic instruments already")
            return
        self.say(f"Replacing the synthetic instruments with {size:,} (seed 1)…")
        for options in ({"remove": True}, {"instruments": size, "seed": 1}):
            said = io.StringIO()
            call_command("generate_synthetic", verbosity=0, stdout=said, **options)
            self.say("  " + said.getvalue().strip())

    # ------------------------------------------------------------------ one size

    def measure(self, urls: list[str], work: Path) -> dict:
        options = self.options
        counts = scenarios.country_type_counts()
        country, country_rows = scenarios.largest_country(counts)
        word = scenarios.search_word()
        slug = scenarios.first_binding(country)
        csv_filter = scenarios.nearest_filter(counts, options.csv_rows)
        run: dict = {
            "instruments": Instrument.objects.count(),
            "synthetic": synthetic_count(),
            "country": country,
            "country_rows": country_rows,
            "binding_rows": counts[(country, InstrumentType.BINDING_LAW)],
            "search_word": word,
            "record": slug,
            "checks": [],
        }
        self.say(f"Measuring {run['instruments']:,} instruments; filtering on {country}")
        with ExitStack() as stack:
            datasette = row_id = None
            if options.datasette:
                database = work / f"{scenarios.DATABASE}.db"
                self.say("Exporting the instruments to SQLite for Datasette…")
                exported = sqlite_export.export(database)
                run["export"] = exported.as_dict()
                self.say(f"  {exported.rows:,} rows in {exported.seconds:.1f} s")
                with sqlite3.connect(database) as copy:
                    found = copy.execute(
                        f"SELECT id FROM {sqlite_export.TABLE} WHERE slug = ?", [slug]
                    ).fetchone()
                row_id = found[0] if found else None
                server = servers.datasette(options.datasette, database, work)
                datasette = stack.enter_context(server)
                datasette.start("/-/versions.json")
            plan = scenarios.build(country, word, slug, row_id, csv_filter)
            measured = [s for s in plan if not options.only or s.key in options.only]
            ours = stack.enter_context(closing(HttpClient(urls[0])))
            theirs = stack.enter_context(closing(HttpClient(datasette.url))) if datasette else None
            run["no_db"] = self.no_database(ours)
            captured = {}
            for scenario in measured:
                self.say(f"Capturing the SQL of {scenario.ours}")
                captured[scenario.key] = floor.capture(scenario.ours)
                if captured[scenario.key].status != 200:
                    run["checks"].append(
                        f"{scenario.ours} answered {captured[scenario.key].status} in-process"
                    )
            run["checks"] += self.checks(plan, ours, theirs)
            run["requests"] = []
            raw = floor.raw_connection()
            stack.callback(raw.close)
            for scenario in measured:
                run["requests"].append(
                    self.request(scenario, captured[scenario.key], ours, theirs, raw, run)
                )
            if any(scenario.key == "csv" for scenario in measured):
                run["csv"] = self.csv(run, csv_filter, raw, ours, urls[0])
            run["throughput"] = self.throughput(plan[0], urls, datasette)
        return run

    def no_database(self, ours: HttpClient) -> dict:
        """The median of a request that issues no query, on the app server."""
        for path in scenarios.NO_DATABASE_PATHS:
            captured = floor.capture(path)
            if captured.status == 200 and not captured.statements:
                break
        else:
            raise RuntimeError("no page answers without a database query")
        seconds, sizes, _ = self.series(ours, path, None, None)
        return {"path": path, "queries": 0, **summary(seconds[0], sizes[0])}

    def spent(self, start: float, number: int) -> bool:
        """Whether a series begun at `start` has used its budget, `number` runs made."""
        budget = self.options.budget
        return bool(budget) and number >= MIN_REQUESTS and time.monotonic() - start > budget

    def series(self, ours, ours_path, theirs, theirs_path):
        """Warm up, then ask `ours` and `theirs` in turn, request by request, `requests` times
        each (fewer once `budget` seconds have passed, never fewer than three). Returns
        ((our seconds, their seconds), (our sizes, their sizes), (our errors, their errors))."""
        options = self.options
        pairs = [(ours, ours_path)] + ([(theirs, theirs_path)] if theirs and theirs_path else [])
        for _ in range(options.warmup):
            slow = False
            for client, path in pairs:
                slow |= client.get(path).seconds > SLOW_WARMUP
            if slow:
                break
        seconds: list[list[float]] = [[] for _ in pairs]
        sizes: list[list[int]] = [[] for _ in pairs]
        errors = [0 for _ in pairs]
        start = time.monotonic()
        for number in range(1, options.requests + 1):
            for index, (client, path) in enumerate(pairs):
                answer = client.get(path)
                if 200 <= answer.status < 300:
                    seconds[index].append(answer.seconds)
                    sizes[index].append(answer.bytes)
                else:
                    errors[index] += 1
            if self.spent(start, number):
                break
        if len(pairs) == 1:
            seconds.append([])
            sizes.append([])
            errors.append(0)
        return seconds, sizes, errors

    def request(self, scenario, captured, ours, theirs, raw, run) -> dict:
        options = self.options
        theirs_path = scenario.datasette if theirs else None
        self.say(f"Measuring {scenario.label}")
        seconds, sizes, errors = self.series(ours, scenario.ours, theirs, theirs_path)
        item: dict = {
            "key": scenario.key,
            "label": scenario.label,
            "ours_path": scenario.ours,
            "datasette_path": theirs_path,
            "ours": {
                **summary(seconds[0], sizes[0]),
                "queries": len(captured.statements),
                "errors": errors[0],
            },
            "datasette": None,
        }
        if theirs_path:
            item["datasette"] = {
                **summary(seconds[1], sizes[1]),
                "queries": self.datasette_queries(theirs, scenario),
                "errors": errors[1],
            }
        replays = floor.replay(
            captured.statements, options.requests, raw=raw, budget=options.budget or None
        )
        sql_ms = median(replays) * 1000 if captured.statements else 0.0
        no_db_ms = run["no_db"].get("median_ms")
        floor_ms = sql_ms + no_db_ms if no_db_ms is not None else None
        item["floor"] = {
            "sql_ms": sql_ms,
            "no_db_ms": no_db_ms,
            "ms": floor_ms,
            "statements": len(captured.statements),
            "replays": len(replays),
        }
        for side in ("ours", "datasette"):
            if (item[side] or {}).get("errors"):
                run["checks"].append(
                    f"{scenario.label}: {item[side]['errors']} answers of "
                    f"{'the site' if side == 'ours' else 'Datasette'} were not 2xx"
                )
        item["to_floor"] = ratio(item["ours"].get("median_ms"), floor_ms)
        item["to_datasette"] = ratio(
            item["ours"].get("median_ms"), (item["datasette"] or {}).get("median_ms")
        )
        return item

    def datasette_queries(self, theirs: HttpClient, scenario) -> int | None:
        """How many SQL queries Datasette ran for the request (its `?_trace=1`)."""
        if scenario.kind != "json":
            return None
        joiner = "&" if "?" in scenario.datasette else "?"
        answer = theirs.get(f"{scenario.datasette}{joiner}_trace=1", keep_body=True)
        try:
            return json.loads(answer.body or b"{}")["_trace"]["num_traces"]
        except (ValueError, KeyError, TypeError):
            return None

    # ------------------------------------------------------------------ checks

    def checks(self, plan, ours: HttpClient, theirs: HttpClient | None) -> list[str]:
        """That both sides answer the same rows: the filtered list's page, the search's count
        and the CSV's rows (the site's requests are checked in-process by `capture`)."""
        notes: list[str] = []
        by_key = {scenario.key: scenario for scenario in plan}
        if theirs is None:
            return notes

        def both(key):
            scenario = by_key[key]
            return (
                ours.get(scenario.ours, keep_body=True).body or b"",
                theirs.get(scenario.datasette, keep_body=True).body or b"",
            )

        mine, other = (json.loads(body) for body in both("list"))
        my_slugs = [row["slug"] for row in mine["results"]]
        their_slugs = [row["slug"] for row in other["rows"]]
        notes.append(
            f"filtered list: {mine['count']:,} rows here, {other['filtered_table_rows_count']:,} "
            f"in Datasette; first page {'the same' if my_slugs == their_slugs else 'DIFFERENT'}"
        )
        mine, other = (json.loads(body) for body in both("search"))
        notes.append(
            f"search: {mine['count']:,} rows here (ranked; also searches topic names), "
            f"{other['filtered_table_rows_count']:,} in Datasette (FTS5, in row order)"
        )
        rows = [
            sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
            for body in both("csv")
        ]
        notes.append(f"CSV: {rows[0]:,} rows here, {rows[1]:,} from Datasette")
        return notes

    # ------------------------------------------------------------------ CSV and throughput

    def csv(self, run, csv_filter, raw, ours: HttpClient, origin: str) -> dict:
        options = self.options
        item = next(item for item in run["requests"] if item["key"] == "csv")
        self.say("Timing the CSV written by hand (driver + csv.writer)…")
        origin = origin.rstrip("/")
        by_hand = io.StringIO()
        plain_csv.write(raw, csv_filter.country, csv_filter.types, by_hand, origin)
        answer = ours.get(f"/api/v1/instruments/?{csv_filter.ours()}&format=csv", keep_body=True)
        same = (answer.body or b"").decode("utf-8") == by_hand.getvalue()
        run["checks"].append(
            f"CSV written by hand: {'the same bytes as' if same else 'DIFFERENT from'} the API's"
        )
        plain_seconds, sizes = [], []
        start = time.monotonic()
        for number in range(1, options.requests + 1):
            seconds, rows, size = plain_csv.timed(raw, csv_filter.country, csv_filter.types, origin)
            plain_seconds.append(seconds)
            sizes.append(size)
            if self.spent(start, number):
                break
        plain = {**summary(plain_seconds, sizes), "rows": rows}
        result = {
            "filter": csv_filter.describe(),
            "rows": csv_filter.rows,
            "ours_ms": item["ours"].get("median_ms"),
            "ours_bytes": item["ours"].get("bytes"),
            "datasette_ms": (item["datasette"] or {}).get("median_ms"),
            "datasette_bytes": (item["datasette"] or {}).get("bytes"),
            "plain": plain,
            "to_plain": ratio(item["ours"].get("median_ms"), plain.get("median_ms")),
            "to_datasette": item["to_datasette"],
            "memory": [],
        }
        counts = scenarios.country_type_counts()
        for target in options.memory_rows:
            chosen = scenarios.nearest_filter(counts, target)
            self.say(f"Peak memory of a CSV of {chosen.rows:,} rows…")
            result["memory"].append(
                {"rows": chosen.rows, "filter": chosen.describe(), "peak_mib": csv_peak(chosen)}
            )
        return result

    def throughput(self, listed, urls: list[str], datasette) -> list[dict]:
        options = self.options
        runs = [("ours, 1 server", [urls[0] + listed.ours])]
        if len(urls) > 1:
            runs.append((f"ours, {len(urls)} servers", [url + listed.ours for url in urls]))
        if datasette:
            runs.append(("Datasette", [datasette.url + listed.datasette]))
        results = []
        for label, targets in runs:
            self.say(
                f"Throughput, {label}: {options.connections} connections for "
                f"{options.throughput_seconds:g} s…"
            )
            figures = throughput(
                targets, options.connections, options.throughput_seconds, options.load_processes
            )
            results.append({"label": label, **figures})
        return results


def csv_peak(chosen) -> float:
    """Peak memory (MiB) Python allocated while answering the CSV of `chosen` in-process."""
    path = f"/api/v1/instruments/?{chosen.ours()}&format=csv"
    with floor.in_process() as client:
        client.get("/api/")  # load the middleware and the URLs before counting
        tracemalloc.start()
        try:
            response = client.get(path)
            floor.consume(response)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak / 2**20
