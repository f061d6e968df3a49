"""The API against its schema with every check schemathesis has (`--checks all`): the
`schemathesis` command run against the app under gunicorn in production mode, on a copy of the
seed of its own, once as the public and once as an editor writing with a token (the hooks in
tests/helpers/schema_run_hooks.py give it real keys and current `ETag`s).

Every failure the runs report must be one of the decisions below: answers the API gives on
purpose that a schema cannot say. Each is in the README (REST API, "Where the API is stricter
than its schema") and has a test of its own; anything else fails this test, named with the
request that found it. A server error is never a decision.
"""

import base64
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from instruments.management.commands.export_data import BACKED_UP_APPS
from instruments.models import Actor, Citation, Event, Instrument, Source, Topic
from jurisdictions.models import Jurisdiction
from policytracker.benchmarks import servers
from policytracker.core.backups import write_backup
from tests.helpers.databases import manage

pytestmark = pytest.mark.django_db

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Examples per operation and phase: every operation is reached in each phase, the run stays
# around half a minute on 2 cores.
EXAMPLES = 10


@dataclass(frozen=True)
class Decision:
    name: str
    codes: frozenset[str]
    statuses: frozenset[int]
    methods: frozenset[str]
    body: str  # a regular expression the answer's body matches
    shown_by: str

    def covers(self, failure):
        return (
            failure.code in self.codes
            and failure.status in self.statuses
            and failure.method in self.methods
            and re.search(self.body, failure.body) is not None
        )


DECISIONS = [
    Decision(
        "a filter naming a record the tracker does not hold is refused, naming it",
        frozenset({"ST202"}),
        frozenset({400}),
        frozenset({"GET"}),
        r'^\{"errors":\{"[a-z_]+":\["“[^”]*” is not (the code of )?an? [a-z ]+ in the tracker',
        "tests/api/test_stricter_than_schema.py",
    ),
    Decision(
        "a page past the last, or no page number at all, is refused, naming `page`",
        frozenset({"ST202"}),
        frozenset({400}),
        frozenset({"GET"}),
        r'^\{"errors":\{"page":\["(There is no page \d+|“\d+” is not allowed)',
        "tests/api/test_stricter_than_schema.py",
    ),
    Decision(
        "the change feed reads a `cursor` it gave, and `page_size` or `limit`, not both",
        frozenset({"ST202"}),
        frozenset({400}),
        frozenset({"GET"}),
        r'^\{"errors":\{"(cursor":\["“[^”]*” is not a cursor|limit":\["Give `page_size`)',
        "tests/api/test_stricter_than_schema.py",
    ),
    Decision(
        "a write is held to the records' rules, which the schema's types cannot say (a key "
        "taken, a record named that does not exist, a real date, a timeline in order, no "
        "unknown field): 400 naming each field",
        frozenset({"ST202"}),
        frozenset({400}),
        frozenset(WRITES),
        r'^\{"errors":\{"(?!path"|format"|body":\["The body (is|holds|nests))',
        "tests/api/test_stricter_than_schema.py",
    ),
    Decision(
        "a write to a record without `If-Match`, or with `*`, is 428 Precondition Required "
        "(RFC 6585) naming the header, where the check expects a 400",
        frozenset({"ST202", "ST203"}),
        frozenset({428}),
        frozenset(WRITES),
        r'^\{"errors":\{"If-Match":\[',
        "tests/api/test_stricter_than_schema.py",
    ),
    Decision(
        "`known_at` takes a day from the tracker's first history to today, and goes with "
        "`as_of` only where there is a status or an approach to read: 400 naming it (or both)",
        frozenset({"ST202"}),
        frozenset({400}),
        frozenset({"GET"}),
        r'^\{"errors":\{"(known_at|as_of)":\["(The tracker.s history begins on|The tracker '
        r"has no history yet|[0-9]{4}-[0-9]{2}-[0-9]{2} is in the future|Not read together)",
        "tests/api/test_stricter_than_schema.py",
    ),
    Decision(
        "a record's address reads no query parameter but `format` (and `known_at`, with "
        "`as_of` beside it): others are ignored",
        frozenset({"ST201"}),
        frozenset({200, 201, 204}),
        frozenset(WRITES | {"GET"}),
        r"",
        "tests/api/test_stricter_than_schema.py",
    ),
]


@dataclass(frozen=True)
class Failure:
    code: str
    title: str
    method: str
    uri: str
    status: int | None
    body: str

    def __str__(self):
        return (
            f"{self.code} {self.title}: {self.method} {self.uri} → {self.status} {self.body[:300]}"
        )


def events(report: Path):
    """The events of a run, from its NDJSON report."""
    return [json.loads(line) for line in report.read_text().splitlines()]


def recorders(report: Path):
    """What each finished scenario of a run recorded: its checks and its requests."""
    return [e["ScenarioFinished"]["recorder"] for e in events(report) if "ScenarioFinished" in e]


def failures_of(report: Path):
    """Every failed check of a run."""
    found = []
    for recorder in recorders(report):
        for case, checks in recorder.get("checks", {}).items():
            interaction = recorder.get("interactions", {}).get(case, {})
            request, response = interaction.get("request", {}), interaction.get("response") or {}
            content = response.get("content") or {}
            encoded = content.get("$base64", "") if isinstance(content, dict) else ""
            body = base64.b64decode(encoded).decode("utf-8", "replace") if encoded else ""
            found += [
                Failure(
                    check["failure_info"]["failure"]["code"],
                    check["failure_info"]["failure"]["title"],
                    request.get("method", ""),
                    request.get("uri", ""),
                    response.get("status_code"),
                    body,
                )
                for check in checks
                if check["status"] != "success"
            ]
    return found


def answers_of(report: Path):
    """(method, status) of every request a run made."""
    return [
        (interaction["request"]["method"], (interaction.get("response") or {}).get("status_code"))
        for recorder in recorders(report)
        for interaction in recorder.get("interactions", {}).values()
    ]


def errors_of(report: Path):
    """The errors of a run (schemathesis's own, not the API's)."""
    return [
        json.dumps(event)[:600]
        for event in events(report)
        if "NonFatalError" in event or "FatalError" in event
    ]


def real_keys():
    def first(model, key, count):
        return [
            str(value) for value in model.objects.order_by("pk").values_list(key, flat=True)[:count]
        ]

    return {
        "instruments": first(Instrument, "slug", 30),
        "jurisdictions": first(Jurisdiction, "code", 20),
        "events": first(Event, "slug", 10),
        "actors": first(Actor, "slug", 10),
        "topics": first(Topic, "slug", 10),
        "sources": first(Source, "slug", 20),
        "citations": first(Citation, "pk", 20),
    }


@pytest.fixture
def served(seeded, tmp_path, new_database):
    """The app under gunicorn in production mode on a copy of the seed, and an editor's token
    there."""
    backup = tmp_path / "seed.jsonl.gz"
    write_backup(backup, BACKED_UP_APPS)
    manage(new_database, "migrate", "--noinput", "-v0")
    manage(new_database, "import_data", str(backup))
    manage(
        new_database, "shell", "--no-imports", "-v0", "-c",
        "from django.contrib.auth.models import User; User.objects.create_user('schema-run')",
    )  # fmt: skip
    token = manage(new_database, "create_editor_token", "schema-run", "--add-to-reviewers")
    servers.collect_static(tmp_path, ignore=("admin", "rest_framework"))
    app = servers.gunicorn(tmp_path, workers=2)
    app.env["DATABASE_URL"] = new_database
    with app:
        app.start("/api/v1/")
        yield app, token.strip().splitlines()[-1]


def schema_run(app, tmp_path, name, token=""):
    report_dir = tmp_path / f"report-{name}"
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{app.url}/api/schema/",
        "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", "1", "--workers", "1",
        "--phases", "examples,coverage,fuzzing", "--report", "ndjson",
        "--report-dir", str(report_dir), "--no-color",
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": str(settings.BASE_DIR),
        "SCHEMATHESIS_HOOKS": "tests.helpers.schema_run_hooks",
        "SCHEMA_RUN_KEYS": json.dumps(real_keys()),
        "SCHEMA_RUN_BASE_URL": app.url,
        "SCHEMA_RUN_TOKEN": token,
    }
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    reports = list(report_dir.glob("*.ndjson"))
    assert reports, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return reports[0], result.stdout, summary


def undecided(report):
    failures = failures_of(report)
    left = [failure for failure in failures if not any(d.covers(failure) for d in DECISIONS)]
    return failures, left


def test_every_check_holds_for_the_public_and_an_editor_but_the_decisions(served, tmp_path):
    app, token = served
    for name, credentials in (("public", ""), ("editor", token)):
        report, output, summary = schema_run(app, tmp_path, name, credentials)
        assert errors_of(report) == [], output[-3000:]
        failures, left = undecided(report)
        assert not left, f"{name}: failures that are no decision:\n" + "\n".join(map(str, left))
        assert all(f.code != "ST100" for f in failures)  # never a server error
        answers = answers_of(report)
        assert len(answers) > 1000, summary
        assert not [answer for answer in answers if answer[1] is None or answer[1] >= 500]
        reads = [status for method, status in answers if method == "GET" and status == 200]
        assert len(reads) > 100, summary
        writes = [status for method, status in answers if method in WRITES and status < 300]
        if credentials:
            # The editor's run changed records (with real keys and current ETags), not only
            # met refusals.
            assert len(writes) > 20, summary
        else:
            assert writes == []


def test_the_decisions_are_told_apart():
    """Each decision covers what it says, and nothing a real fault looks like."""
    bad_filter = Failure(
        "ST202", "", "GET", "/api/v1/instruments/?topic=0", 400,
        '{"errors":{"topic":["“0” is not a topic in the tracker (topics go by slug)."]}}',
    )  # fmt: skip
    server_error = Failure("ST100", "", "GET", "/api/v1/instruments/", 500, "")
    write_rule = Failure(
        "ST202", "", "POST", "/api/v1/topics/", 400,
        '{"errors":{"slug":["topic with this slug already exists."]}}',
    )  # fmt: skip
    address = Failure(
        "ST202", "", "GET", "/api/v1/topics/%0F/", 400,
        '{"errors": {"path": ["The address holds a control character (U+000F)."]}}',
    )  # fmt: skip
    too_early = Failure(
        "ST202", "", "GET", "/api/v1/instruments/eu-ai-act/?known_at=2000-01-01", 400,
        '{"errors":{"known_at":["The tracker\'s history begins on 5 December 2026 '
        '(2026-12-05): give that day or a later one."]}}',
    )  # fmt: skip
    covered = {
        f: [d.name for d in DECISIONS if d.covers(f)] for f in (bad_filter, write_rule, too_early)
    }
    assert all(len(names) == 1 for names in covered.values()), covered
    assert not any(d.covers(server_error) for d in DECISIONS)
    # The schema says which characters an address may hold: such a 400 is no decision.
    assert not any(d.covers(address) for d in DECISIONS)
