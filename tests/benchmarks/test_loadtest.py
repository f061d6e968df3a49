"""`manage.py loadtest` (`make loadtest`) without a load run: the mix built from the
database's keys, the figures read from locust's files, the cores' use read from /proc, the
report, and the refusals made before anything starts."""

import csv
import json
from dataclasses import asdict
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from policytracker.benchmarks.management.commands import loadtest
from policytracker.benchmarks.stats import percentile

KEYS = loadtest.Keys(
    instruments=["eu-ai-act", "syn-1"],
    jurisdictions=["EU", "US-CA"],
    events=["bletchley-summit"],
    types=["binding_law", "policy"],
    words=["safety", "artificial intelligence"],
    csv_query="jurisdiction=ZS001&type=policy",
)


def test_title_words_are_the_most_common_long_words_once_per_title():
    titles = [
        "Safety of Safety Systems 2024",
        "AI safety framework",
        "Framework about recognition",
        "Law on AI",
    ]
    assert loadtest.title_words(titles) == ["framework", "safety", "recognition", "systems"]
    assert loadtest.title_words(titles, count=1) == ["framework"]


def test_the_mix_weighs_pages_api_and_search_out_of_100():
    mix = loadtest.build_mix(KEYS)
    assert sum(request.weight for request in mix) == 100
    shares = {group: sum(r.weight for r in mix if r.group == group) for group in loadtest.GROUPS}
    assert shares == {"pages": 45, "API": 39, "search": 16}
    assert len({request.name for request in mix}) == len(mix)
    for request in mix:
        assert request.paths
        assert all(path.startswith("/") for path in request.paths)
        if request.name.startswith("api:"):
            assert all(path.startswith("/api/v1/") for path in request.paths)


def test_the_mix_asks_for_the_keys_it_is_given():
    paths = {request.name: request.paths for request in loadtest.build_mix(KEYS)}
    assert paths["page: instrument"] == ("/instruments/eu-ai-act/", "/instruments/syn-1/")
    assert paths["api: jurisdiction"] == (
        "/api/v1/jurisdictions/EU/",
        "/api/v1/jurisdictions/US-CA/",
    )
    assert paths["page: event"] == ("/events/bletchley-summit/",)
    assert paths["search: page"] == ("/search/?q=safety", "/search/?q=artificial%20intelligence")
    assert (
        "/instruments/?binding=true&jurisdiction=US-CA"
        in paths["page: instruments, binding in a jurisdiction"]
    )
    assert "/api/v1/instruments/?type=policy" in paths["api: instruments, filtered"]
    assert paths["api: CSV of a filtered list"] == (
        "/api/v1/instruments/?jurisdiction=ZS001&type=policy&format=csv",
    )


def test_a_request_without_keys_is_left_out():
    mix = loadtest.build_mix(loadtest.Keys([], ["EU"], [], ["policy"], [], ""))
    names = {request.name for request in mix}
    assert not names & {
        "page: instrument",
        "api: event",
        "search: page",
        "api: CSV of a filtered list",
    }
    assert "page: home" in names


def test_the_mix_file_has_what_the_locustfile_reads():
    written = json.loads(json.dumps([asdict(r) for r in loadtest.build_mix(KEYS)]))
    assert all({"group", "name", "weight", "paths"} <= set(request) for request in written)


def entry(name, times, failures=0, start=1000.0, end=1010.0):
    return {
        "name": name,
        "method": "GET",
        "num_requests": sum(times.values()),
        "num_failures": failures,
        # JSON keys are strings, as locust's file has them.
        "response_times": {str(ms): n for ms, n in times.items()},
        "start_time": start,
        "last_request_timestamp": end,
    }


def test_figures_overall_per_group_and_per_request():
    mix = loadtest.build_mix(KEYS)
    entries = [
        entry("page: home", {100: 8, 200: 2}, start=1000.0),
        entry("api: instrument", {10: 15, 20: 5}, failures=1, end=1020.0),
        entry("search: API", {50: 10}),
        entry("somewhere else", {5: 1}),
    ]
    figures = loadtest.summarize(entries, mix)
    assert figures["seconds"] == 20.0
    total = figures["all"]
    assert (total["requests"], total["errors"], total["requests_per_second"]) == (41, 1, 41 / 20)
    every = [5] + [10] * 15 + [20] * 5 + [50] * 10 + [100] * 8 + [200] * 2
    assert total["p50_ms"] == percentile(every, 50)
    assert total["p99_ms"] == percentile(every, 99)
    groups = {row["label"]: row for row in figures["groups"]}
    assert list(groups) == ["pages", "API", "search"]
    assert groups["API"]["requests"] == 20
    assert groups["API"]["errors"] == 1
    assert groups["API"]["p95_ms"] == percentile([10] * 15 + [20] * 5, 95)
    assert groups["pages"]["p50_ms"] == 100
    # A request outside the mix counts overall and has its row, but is in no group.
    assert [row["label"] for row in figures["requests"]] == [
        "page: home", "api: instrument", "search: API", "somewhere else",
    ]  # fmt: skip
    assert sum(row["requests"] for row in figures["groups"]) == 40


def write_csv(path, header, rows):
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def test_errors_are_read_from_locusts_files_most_frequent_first(tmp_path):
    prefix = tmp_path / "locust"
    write_csv(
        tmp_path / "locust_failures.csv",
        ["Method", "Name", "Error", "Occurrences"],
        [
            ["GET", "page: home", "500 at /: Server Error", "2"],
            ["GET", "api: instrument", "404 at /api/v1/instruments/x/: {}", "7"],
        ],
    )
    write_csv(
        tmp_path / "locust_exceptions.csv",
        ["Count", "Message", "Traceback", "Nodes"],
        [["3", "KeyError('paths')", "…", "local"]],
    )
    exceptions, errors = loadtest.read_errors(prefix)
    assert exceptions == 3
    assert errors == [
        "7 × api: instrument: 404 at /api/v1/instruments/x/: {}",
        "3 × exception: KeyError('paths')",
        "2 × page: home: 500 at /: Server Error",
    ]
    assert loadtest.read_errors(tmp_path / "none") == (0, [])


def test_proc_stat_lines_are_read(monkeypatch):
    monkeypatch.setattr(loadtest, "_clock_ticks", lambda: 100)
    line = "4242 (gunicorn: worker (x)) S 41 4100 4100 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 1"
    assert loadtest.parse_process_stat(line) == ("gunicorn: worker (x)", 4100, 3.0)
    machine = "cpu  100 5 20 800 40 1 2 3 7 0\ncpu0 50 2 10 400 20 0 1 1 3 0\n"
    assert loadtest.parse_machine_stat(machine) == (131, 971)


def test_cores_used_by_each_part_over_the_run():
    before = {
        "machine": (1000, 2000),
        "processes": {
            10: ("gunicorn", 10, 5.0),
            11: ("gunicorn", 10, 1.0),
            20: ("postgres", 20, 2.0),
            30: ("x", 30, 4.0),
        },  # fmt: skip
    }
    after = {
        "machine": (2800, 4000),
        "processes": {
            10: ("gunicorn", 10, 5.5),
            11: ("gunicorn", 10, 11.0),
            12: ("gunicorn", 10, 3.0),  # started during the run
            20: ("postgres", 20, 4.0),
            21: ("postgres", 20, 1.0),
            30: ("x", 30, 9.0),
        },
    }
    used = loadtest.cpu_use(before, after, 10.0, {"gunicorn": 10, "postgres": "postgres"})
    assert used["machine_busy"] == 0.9
    assert used["gunicorn"] == pytest.approx(1.35)
    assert used["postgres"] == pytest.approx(0.3)
    assert loadtest.cpu_use(None, after, 10.0, {}) is None


def test_the_report_gives_the_figures_and_the_errors():
    mix = loadtest.build_mix(KEYS)
    entries = [entry("page: home", {100: 9, 300: 1}), entry("api: instrument", {20: 10}, 2)]
    run = {
        "date": "2026-12-05",
        "workers": 4,
        "users": 8,
        "run_seconds": 60,
        "database": "PostgreSQL 15.20",
        "cache": "Redis (REDIS_URL)",
        "data": {"instruments": 10_180, "synthetic": 10_000},
        "figures": loadtest.summarize(entries, mix),
        "exceptions": 0,
        "errors": ["2 × api: instrument: 500 at /api/v1/instruments/syn-1/: oops"],
        "cpu": {"cores": 2, "machine_busy": 0.97, "gunicorn": 1.4, "postgres": 0.3, "locust": 0.2},
        "load_average": {"before": (0.5, 0.4, 0.3), "after": (6.0, 3.0, 1.0)},
        "command": "locust -f policytracker/benchmarks/locustfile.py …",
    }
    text = loadtest.render(run)
    assert "gunicorn, 4 sync workers" in text
    assert "10,180 instruments, 10,000 synthetic" in text
    assert "concurrency 8" in text
    assert "**Requests:** 20; **errors:** 2" in text
    assert "**Throughput:** 2.0 req/s" in text
    assert (
        "busy 97% of the run: gunicorn 1.40 cores, PostgreSQL 0.30, locust 0.20, anything else 0.04"
        in text
    )
    assert "| all | 20 | 100% | 2 | 2.0 | 60.0 | 110 | 262 |" in text
    assert "| pages | 10 | 50% | 0 | 1.0 | 100 | 210 | 282 |" in text
    assert "- 2 × api: instrument: 500 at /api/v1/instruments/syn-1/: oops" in text
    assert "Command: `locust -f policytracker/benchmarks/locustfile.py …`" in text


def test_without_database_url_it_asks_for_one(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(CommandError, match="Set DATABASE_URL"):
        call_command("loadtest")


def test_it_runs_on_postgresql_only(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    monkeypatch.setattr(loadtest, "connection", SimpleNamespace(vendor="sqlite"))
    with pytest.raises(CommandError, match="made on PostgreSQL"):
        call_command("loadtest")


@pytest.mark.parametrize(
    "option", [["--users", "0"], ["--seconds", "0"], ["--workers", "0"], ["--size", "-1"]]
)
def test_nonsense_options_are_refused(option):
    with pytest.raises(CommandError):
        call_command("loadtest", *option)


def test_every_request_of_the_mix_answers_on_the_seed(seeded):
    keys = loadtest.read_keys(sample=4)
    assert len(keys.instruments) == 4
    assert len(keys.jurisdictions) == len(keys.events) == 4
    assert keys.words
    assert keys.csv_query
    client = Client()
    for request in loadtest.build_mix(keys):
        for path in request.paths[:2]:
            status = client.get(path).status_code
            assert 200 <= status < 400, (request.name, path, status)
