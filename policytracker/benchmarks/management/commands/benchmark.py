"""`manage.py benchmark`: the site served as in production, measured request by request
against its floor (its own SQL replayed, plus a request that touches no database) and against
Datasette serving the same instruments (README, "Performance")."""

import signal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policytracker.benchmarks import report, scenarios, servers
from policytracker.benchmarks.runner import Benchmark, NotMigrated, Options


def _numbers(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise CommandError(f"expected numbers separated by commas, got {text!r}") from error
    if not values or min(values) < 1:
        raise CommandError(f"expected numbers of 1 or more, got {text!r}")
    return values


class Command(BaseCommand):
    help = (
        "Benchmark the site against the configured database: starts gunicorn in production "
        "mode (or uses --servers) and Datasette on a SQLite copy of the instruments, measures "
        "each request alternately on both after a warm-up, compares it with its floor (its own "
        "SQL replayed plus a request that touches no database), times the CSV against one "
        "written by hand, and measures throughput. Prints Markdown tables; --json writes every "
        "figure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            metavar="N,N,…",
            help="measure at each number of synthetic instruments (the database's synthetic "
            "set is replaced: generate_synthetic --remove, then --instruments N --seed 1); "
            "without it, what the database holds",
        )
        parser.add_argument(
            "--requests", type=int, default=100, help="requests of each kind, each side"
        )
        parser.add_argument("--warmup", type=int, default=3, help="warm-up requests, each side")
        parser.add_argument(
            "--budget",
            type=float,
            default=120,
            help="seconds after which a slow kind of request stops short of --requests (at "
            "least three are made); 0: no limit",
        )
        parser.add_argument("--throughput-seconds", type=float, default=20)
        parser.add_argument("--connections", type=int, default=8, help="for the throughput")
        parser.add_argument(
            "--load-processes", type=int, default=2, help="client processes for the throughput"
        )
        parser.add_argument(
            "--csv-rows", type=int, default=10_000, help="rows the CSV download should have"
        )
        parser.add_argument(
            "--memory-rows",
            default="1000,10000",
            metavar="N,N",
            help="CSV sizes whose peak memory is measured",
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
        parser.add_argument(
            "--servers",
            metavar="URL,URL",
            help="app servers already running (no gunicorn is started); throughput is "
            "measured on the first and on all of them",
        )
        parser.add_argument(
            "--datasette",
            metavar="PATH",
            help="Datasette's executable (default: $BENCHMARK_DATASETTE, else "
            f"{servers.BENCH_VENV}/bin/datasette)",
        )
        parser.add_argument("--no-datasette", action="store_true", help="measure the site alone")
        parser.add_argument(
            "--only",
            metavar="KEY,KEY",
            help=f"measure only these requests, of: {', '.join(scenarios.KEYS)}",
        )
        parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
        parser.add_argument(
            "--keep-files", action="store_true", help="keep the SQLite copy and server logs"
        )

    def handle(self, *args, **options):
        sizes = _numbers(options["sizes"]) if options["sizes"] else []
        for name in ("requests", "connections", "load_processes", "workers", "csv_rows"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} takes 1 or more")
        if options["warmup"] < 0 or options["budget"] < 0 or options["throughput_seconds"] <= 0:
            raise CommandError("--warmup and --budget take 0 or more, --throughput-seconds > 0")
        datasette = None
        if not options["no_datasette"]:
            datasette = servers.find_datasette(options["datasette"])
            if datasette is None:
                raise CommandError(
                    "Datasette was not found: `make bench` installs it in "
                    f"{servers.BENCH_VENV}/; or give --datasette PATH, or --no-datasette."
                )
        only = [key.strip() for key in (options["only"] or "").split(",") if key.strip()]
        unknown = sorted(set(only) - set(scenarios.KEYS))
        if unknown:
            raise CommandError(
                f"--only: no request {', '.join(unknown)}; they are {', '.join(scenarios.KEYS)}"
            )
        urls = [url.strip().rstrip("/") for url in (options["servers"] or "").split(",")]
        settings = Options(
            requests=options["requests"],
            warmup=options["warmup"],
            budget=options["budget"],
            throughput_seconds=options["throughput_seconds"],
            connections=options["connections"],
            load_processes=options["load_processes"],
            csv_rows=options["csv_rows"],
            memory_rows=_numbers(options["memory_rows"]),
            workers=options["workers"],
            datasette=datasette,
            servers=[url for url in urls if url],
            keep_files=options["keep_files"],
            only=only,
        )
        benchmark = Benchmark(settings, lambda line: self.stderr.write(line))
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            results = benchmark.run(sizes)
        except scenarios.NoSyntheticData as error:
            raise CommandError(
                "The database holds no synthetic instruments to measure: run `manage.py "
                "generate_synthetic --instruments 100000` first, or pass --sizes."
            ) from error
        except NotMigrated as error:
            raise CommandError(
                f"The database lacks migrations ({error}): run `manage.py migrate` first."
            ) from error
        except KeyboardInterrupt as error:
            raise CommandError("Interrupted; the servers it started are stopped.") from error
        except servers.ServerError as error:
            raise CommandError(str(error)) from error
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write(report.render(results))
        if options["json"]:
            report.write_json(results, Path(options["json"]))
            self.stderr.write(f"Every figure written to {options['json']}")


def _interrupt(signum, frame):
    # Unwinds like Ctrl-C, so the servers the benchmark started are stopped.
    raise KeyboardInterrupt
