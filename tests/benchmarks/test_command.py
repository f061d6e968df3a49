"""`manage.py benchmark` refuses, in words, what it cannot measure, before starting anything."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from policytracker.benchmarks import servers

pytestmark = pytest.mark.django_db


def test_without_synthetic_data_it_says_how_to_make_some(seeded):
    with pytest.raises(CommandError, match="generate_synthetic --instruments 100000"):
        call_command("benchmark", "--no-datasette")


def test_without_datasette_it_says_where_it_looks(seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("BENCHMARK_DATASETTE", str(tmp_path / "nowhere"))
    monkeypatch.setattr(servers.settings, "BASE_DIR", tmp_path)
    with pytest.raises(CommandError, match=r"make bench.*\.venv-bench"):
        call_command("benchmark")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--sizes", "10,x"),
        ("--sizes", "0"),
        ("--requests", "0"),
        ("--memory-rows", ""),
        ("--only", "list,lists"),
    ],
)
def test_nonsense_options_are_refused(seeded, option, value):
    with pytest.raises(CommandError):
        call_command("benchmark", "--no-datasette", option, value)
