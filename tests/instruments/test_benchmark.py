import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from instruments.models import Instrument, StatusChange
from jurisdictions.models import Jurisdiction

pytestmark = pytest.mark.django_db


def test_benchmark_prints_its_figures_and_leaves_nothing_behind(empty):
    out = StringIO()
    call_command("benchmark_as_of", instruments=40, steps=2, repeat=1, stdout=out)
    text = out.getvalue()
    assert "40 instruments, 80 status changes, 40 citations" in text
    rows = re.findall(
        r"^(instruments|jurisdictions), .*?([\d.]+)\s+([\d.]+)\s+([\d.]+)$", text, re.M
    )
    assert len(rows) == 4
    assert Instrument.objects.count() == StatusChange.objects.count() == 0
    assert Jurisdiction.objects.count() == 0


def test_benchmark_refuses_nonsense(empty):
    with pytest.raises(CommandError):
        call_command("benchmark_as_of", instruments=0)
