"""The synthetic data set (`manage.py generate_synthetic`): it stays, it is the same for the same
seed, it is skewed and realistic (timelines that keep the rules, citations everywhere, parties on
declarations, events for about a fifth), the API and pages read it, and `--remove` puts the
database back exactly as it was. On PostgreSQL the same tests go through `COPY`."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from instruments import synthetic
from instruments.data_checks import run_checks
from instruments.models import Citation, Event, Instrument, StatusChange
from instruments.rules import date_order_errors, timeline_problems
from jurisdictions.models import Jurisdiction
from tests.helpers.writes import snapshot

pytestmark = pytest.mark.django_db

SIZE = 400


def generate(size=SIZE, seed=3):
    out = io.StringIO()
    call_command("generate_synthetic", "--instruments", str(size), "--seed", str(seed),
                 verbosity=0, stdout=out)  # fmt: skip
    return out.getvalue()


def described():
    """What the synthetic rows say, without their keys (which depend on what was there)."""
    return sorted(
        Instrument.objects.filter(slug__startswith="syn-").values_list(
            "slug", "jurisdiction__code", "type", "status", "adopted_on", "effective_on"
        )
    )


def synthetic_instruments():
    return Instrument.objects.filter(slug__startswith=synthetic.SLUG_PREFIX)


def test_it_adds_what_it_says_and_stays(seeded):
    output = generate()
    assert f"Added {SIZE} instruments" in output
    assert synthetic_instruments().count() == SIZE
    places = Jurisdiction.objects.filter(code__startswith=synthetic.CODE_PREFIX)
    assert 240 <= Jurisdiction.objects.count() <= 270
    assert set(places.values_list("kind", flat=True)) == {
        "national",
        "subnational",
        "regional_bloc",
    }
    assert all(place.citations.exists() for place in places[:20])


def test_the_same_seed_gives_the_same_rows(seeded):
    generate(seed=5)
    first = described()
    call_command("generate_synthetic", "--remove", stdout=io.StringIO())
    generate(seed=5)
    assert described() == first
    call_command("generate_synthetic", "--remove", stdout=io.StringIO())
    generate(seed=6)
    assert described() != first


def test_a_few_jurisdictions_hold_most_records(seeded):
    generate()
    holders = Counter(synthetic_instruments().values_list("jurisdiction_id", flat=True))
    top = sum(count for _, count in holders.most_common(10))
    assert top > SIZE * 0.4
    assert len(holders) > 40


def test_every_record_is_cited_and_every_timeline_keeps_the_rules(seeded):
    generate()
    instruments = synthetic_instruments().prefetch_related("status_changes", "parties")
    for instrument in instruments:
        assert instrument.status_changes.exists()
        assert not timeline_problems(instrument.type, instrument.timeline_steps())
        assert not date_order_errors(
            instrument.introduced, instrument.adopted, instrument.effective
        )
        assert instrument.status == instrument.timeline_steps()[-1].status
        if instrument.type == "declaration":
            assert instrument.parties.count() >= 3
    own = Counter(
        Citation.objects.filter(instrument__in=instruments).values_list("instrument_id", flat=True)
    )
    assert set(own.values()) <= {1, 2, 3}
    assert len(own) == SIZE
    steps = StatusChange.objects.filter(instrument__in=instruments)
    assert steps.filter(citations__isnull=True).count() == 0
    events = Event.objects.filter(slug__startswith="syn-").count()
    assert SIZE * 0.1 < events < SIZE * 0.3
    problems = Counter(p.check for p in run_checks() if "syn-" in p.record or "ZS" in p.record)
    assert not {
        "uncited",
        "timeline-order",
        "date-order",
        "type-status",
        "uncited-date",
        "timeline-dates",
    } & set(problems)
    # The stored timeline dates it writes itself are those the models would read.
    assert not synthetic_instruments().stale_timeline_dates().exists()


def test_the_api_and_pages_read_it(seeded, client):
    generate()
    holder = (
        Jurisdiction.objects.filter(code__startswith=synthetic.CODE_PREFIX, kind="national")
        .order_by("code")
        .first()
    )
    response = client.get(reverse("api:instrument-list"), {"jurisdiction": holder.code})
    assert response.status_code == 200
    assert response.json()["count"] > 0
    assert client.get(f"/jurisdictions/{holder.code}/").status_code == 200


def test_remove_puts_the_database_back(seeded):
    before = snapshot()
    generate()
    assert snapshot() != before
    output = io.StringIO()
    call_command("generate_synthetic", "--remove", stdout=output)
    assert "Removed:" in output.getvalue()
    assert snapshot() == before
    output = io.StringIO()
    call_command("generate_synthetic", "--remove", stdout=output)
    assert "There were no synthetic records." in output.getvalue()


def test_it_refuses_to_add_twice_or_nothing(seeded):
    generate(size=20)
    with pytest.raises(CommandError, match="--remove first"):
        generate(size=20)
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_synthetic", "--instruments", "0", stdout=io.StringIO())


def test_chunks_change_nothing_but_memory(seeded, monkeypatch):
    generate(seed=9)
    whole = described()
    call_command("generate_synthetic", "--remove", stdout=io.StringIO())
    monkeypatch.setattr(synthetic, "CHUNK", 70)
    generate(seed=9)
    assert described() == whole
