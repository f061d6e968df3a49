"""`manage.py benchmark_api` prints its figures and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from instruments.models import Citation, Instrument
from jurisdictions.models import Jurisdiction


def test_api_benchmark_prints_its_figures_and_leaves_nothing_behind(empty):
    out = StringIO()
    call_command("benchmark_api", rows=30, repeat=1, stdout=out)
    text = out.getvalue()
    assert "30 instruments (60 topic links, 30 parties, 15 relations), 30 citations" in text
    rows = re.findall(
        r"^(instruments|citations)\s+(csv, every row|json, first page|json, last page)"
        r"\s+(\d+)\s+[\d.]+\s+\d+\s+[\d.]+$",
        text,
        re.M,
    )
    assert [(name, request, int(count)) for name, request, count in rows] == [
        ("instruments", "csv, every row", 30),
        ("instruments", "json, first page", 30),
        ("instruments", "json, last page", 30),
        ("citations", "csv, every row", 30),
        ("citations", "json, first page", 30),
        ("citations", "json, last page", 30),
    ]
    assert Instrument.objects.count() == Citation.objects.count() == 0
    assert Jurisdiction.objects.count() == 0


def test_api_benchmark_refuses_nonsense(empty):
    with pytest.raises(CommandError):
        call_command("benchmark_api", rows=0)
