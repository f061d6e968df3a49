"""The floor under a request (`policytracker.benchmarks.floor`): the SQL a request issues,
captured in-process, and replayed on its own."""

import pytest
from django.db import connection
from django.urls import reverse

from policytracker.benchmarks import floor

pytestmark = pytest.mark.django_db


def test_capture_returns_the_statements_of_a_request(seeded):
    captured = floor.capture(reverse("api:instrument-list") + "?binding=true&page_size=5")
    assert captured.status == 200
    assert captured.bytes > 0
    assert captured.statements
    assert any("instruments_instrument" in sql for sql in captured.statements)
    # The values are in place, as the database received them.
    assert not any("%s" in sql for sql in captured.statements)


def test_a_page_that_touches_no_database_captures_nothing(seeded):
    captured = floor.capture("/api/")
    assert captured.status == 200
    assert captured.statements == []


def test_the_csv_download_streams_through_a_cursor_that_replays_as_its_query(seeded):
    captured = floor.capture(reverse("api:instrument-list") + "?format=csv")
    assert captured.status == 200
    statements = floor.replayable(captured.statements)
    assert statements
    assert all(not sql.lstrip().upper().startswith("DECLARE") for sql in statements)


def test_replayable_drops_transaction_control_and_unwraps_cursors():
    statements = [
        "BEGIN",
        'DECLARE "_django_curs_1_sync_1" NO SCROLL CURSOR WITH HOLD FOR SELECT 1',
        "SAVEPOINT s1",
        "SELECT 2",
        "CLOSE c",
        "COMMIT",
    ]
    assert floor.replayable(statements) == ["SELECT 1", "SELECT 2"]


def test_replay_runs_the_statements_and_times_each_run(seeded):
    captured = floor.capture(reverse("api:instrument-list") + "?page_size=5")
    runs = floor.replay(captured.statements, 3, raw=connection.connection)
    assert len(runs) == 3
    assert all(seconds >= 0 for seconds in runs)


def test_replay_stops_at_its_budget_after_three_runs():
    ticks = iter(range(100))

    class Raw:
        def cursor(self):
            class Cursor:
                description = None

                def execute(self, sql):
                    pass

                def close(self):
                    pass

            return Cursor()

    runs = floor.replay(["SELECT 1"], 50, raw=Raw(), budget=0.5, clock=lambda: next(ticks))
    assert len(runs) == 3
