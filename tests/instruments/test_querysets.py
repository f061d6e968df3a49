"""`Instrument.objects.as_of(day)`: which instruments existed on a day, and their status then."""

import datetime

import pytest
from django.db import connection

from instruments.models import Instrument
from tests.factories import (
    CitationFactory,
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
    StatusChangeFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def on(day, instrument):
    """The instrument as `as_of(day)` gives it, or None when it is left out."""
    return Instrument.objects.as_of(day).filter(pk=instrument.pk).first()


@pytest.fixture
def law():
    """Adopted 10 December 2025, in effect 1 March 2026 (day precision)."""
    instrument = InstrumentFactory(type="binding_law", status="")
    StatusChangeFactory(instrument=instrument, status="adopted", date=D(2025, 12, 10))
    StatusChangeFactory(instrument=instrument, status="in_effect", date=D(2026, 3, 1))
    return instrument


def test_left_out_before_anything_shows_it_existed(law):
    assert on(D(2025, 12, 9), law) is None


def test_status_is_the_latest_change_on_or_before_the_day(law):
    adopted = on(D(2025, 12, 10), law)
    assert (adopted.as_of_status, adopted.as_of_status_on) == ("adopted", D(2025, 12, 10))
    assert on(D(2026, 2, 28), law).as_of_status == "adopted"
    in_effect = on(D(2026, 3, 1), law)
    assert (in_effect.as_of_status, in_effect.as_of_status_precision) == ("in_effect", "day")
    assert in_effect.as_of_partial is False


def test_changes_on_one_day_follow_the_life_cycle():
    instrument = InstrumentFactory(status="")
    StatusChangeFactory(instrument=instrument, status="in_effect", date=D(2024, 8, 1))
    StatusChangeFactory(instrument=instrument, status="adopted", date=D(2024, 8, 1))
    assert on(D(2024, 8, 1), instrument).as_of_status == "in_effect"


def test_a_partial_date_counts_from_the_first_day_of_its_period_and_says_so():
    instrument = InstrumentFactory(type="voluntary_framework", status="")
    StatusChangeFactory(
        instrument=instrument, status="in_effect", date=D(2024, 1, 1), date_precision="year"
    )
    assert on(D(2023, 12, 31), instrument) is None
    first_day = on(D(2024, 1, 1), instrument)
    assert (first_day.as_of_status, first_day.as_of_partial) == ("in_effect", True)
    assert str(first_day.as_of_status_when) == "2024"


def test_own_dates_show_existence_before_the_timeline_begins():
    instrument = InstrumentFactory(
        status="", introduced_on=D(2025, 11, 19), introduced_on_precision="day"
    )
    StatusChangeFactory(instrument=instrument, status="adopted", date=D(2026, 6, 29))
    proposed = on(D(2026, 1, 1), instrument)
    # It existed, but no source gives its status on that day.
    assert (proposed.as_of_status, proposed.as_of_status_on) == ("", None)
    assert proposed.as_of_partial is False


def test_existence_resting_only_on_a_partial_own_date_is_partial():
    instrument = InstrumentFactory(
        status="", adopted_on=D(2024, 5, 1), adopted_on_precision="month"
    )
    StatusChangeFactory(instrument=instrument, status="adopted", date=D(2024, 6, 3))
    assert on(D(2024, 5, 15), instrument).as_of_partial is True
    assert on(D(2024, 6, 3), instrument).as_of_partial is False


def test_an_undated_record_exists_from_its_earliest_dated_source():
    bill = InstrumentFactory(type="draft_bill", status="proposed")
    CitationFactory(instrument=bill, source=SourceFactory(published_on=D(2025, 8, 8)))
    CitationFactory(instrument=bill, source=SourceFactory(published_on=D(2025, 9, 1)))
    CitationFactory(instrument=bill, source=SourceFactory(published_on=None))
    assert on(D(2025, 8, 7), bill) is None
    then = on(D(2025, 8, 8), bill)
    # With no timeline, its status is the one its sources state, undated.
    assert (then.as_of_status, then.as_of_status_on, then.as_of_partial) == (
        "proposed",
        None,
        False,
    )
    assert then.as_of_status_when is None


def test_an_undated_record_without_a_dated_source_is_always_left_out():
    bill = InstrumentFactory(type="draft_bill", status="proposed")
    CitationFactory(instrument=bill, source=SourceFactory(published_on=None))
    assert on(D(2099, 1, 1), bill) is None
    assert Instrument.objects.filter(pk=bill.pk).exists()


def test_a_source_does_not_override_a_records_own_dates():
    instrument = InstrumentFactory(status="", adopted_on=D(2024, 5, 21), adopted_on_precision="day")
    CitationFactory(instrument=instrument, source=SourceFactory(published_on=D(2020, 1, 1)))
    assert on(D(2024, 5, 20), instrument) is None


@pytest.mark.parametrize("size", [3, 30])
def test_as_of_is_one_query(empty, django_assert_num_queries, size):
    for number in range(size):
        instrument = InstrumentFactory(status="")
        StatusChangeFactory(instrument=instrument, date=D(2020, 1, 1 + number % 28))
        CitationFactory(instrument=instrument)
    with django_assert_num_queries(1):
        rows = list(Instrument.objects.as_of(D(2025, 1, 1)))
    assert len(rows) == size


def test_as_of_chains_with_other_methods(empty, law):
    StatusChangeFactory(
        instrument=InstrumentFactory(type="declaration", status=""), date=D(2025, 1, 1)
    )
    rows = Instrument.objects.binding().as_of(D(2026, 3, 1)).for_listing()
    assert [row.pk for row in rows] == [law.pk]


@pytest.mark.parametrize("day", ["2025-08-08", datetime.datetime(2025, 8, 8, tzinfo=datetime.UTC)])
def test_as_of_takes_a_date(day):
    with pytest.raises(TypeError):
        Instrument.objects.as_of(day)


def test_first_by_title_takes_each_jurisdictions_first_rows_in_one_query(
    db, django_assert_num_queries
):
    crowded, sparse, silent = JurisdictionFactory(), JurisdictionFactory(), JurisdictionFactory()
    for title in ["Delta", "alpha", "Charlie", "bravo", "Echo", "Alpha"]:
        InstrumentFactory(jurisdiction=crowded, title=title, type="binding_law")
    only = InstrumentFactory(jurisdiction=sparse, title="Zulu")
    InstrumentFactory(title="Aardvark")  # another jurisdiction's
    with django_assert_num_queries(1):
        first = Instrument.objects.first_by_title([crowded.pk, sparse.pk, silent.pk], 3)
    expected = list(
        Instrument.objects.filter(jurisdiction=crowded)
        .order_by("title", "pk")
        .values_list("pk", flat=True)[:3]
    )
    assert sorted(first) == sorted([*expected, only.pk])
    assert len(first) == 4
    # Narrowed first (a legal force), then ranked.
    InstrumentFactory(jurisdiction=crowded, title="A first draft", type="draft_bill")
    laws = Instrument.objects.filter(type="binding_law")
    assert sorted(laws.first_by_title([crowded.pk], 3)) == sorted(expected)
    assert Instrument.objects.first_by_title([], 3) == []


# A page in the lists' order ------------------------------------------------------------------


@pytest.fixture
def spread():
    """Instruments in four jurisdictions, two of them named alike, titles out of order and of
    mixed case, with a topic on some."""
    names = ["Beta", "Alpha", "Alpha", "Gamma"]
    jurisdictions = [JurisdictionFactory(name=name) for name in names]
    titles = ["delta", "Alpha", "charlie", "Bravo", "echo", "alpha", "Foxtrot"]
    for index, jurisdiction in enumerate(jurisdictions):
        for offset, title in enumerate(titles[: 3 + index]):
            InstrumentFactory(
                jurisdiction=jurisdiction,
                title=title,
                type="binding_law" if offset % 2 else "draft_bill",
            )
    return jurisdictions


LISTED = ("jurisdiction__name", "title", "pk")


def listed(queryset):
    return queryset.select_related("jurisdiction").order_by(*LISTED)


@pytest.mark.parametrize(
    "narrow",
    [
        lambda qs, js: qs,
        lambda qs, js: qs.filter(type="binding_law"),
        lambda qs, js: qs.filter(jurisdiction__in=[js[0].pk, js[2].pk]),
        lambda qs, js: qs.filter(jurisdiction=js[1], type="draft_bill"),
        lambda qs, js: qs.filter(jurisdiction__in=[]),
        lambda qs, js: qs.exclude(jurisdiction=js[0]),
        lambda qs, js: qs.filter(title__icontains="a"),
        lambda qs, js: qs.filter(pk__in=[]),
        lambda qs, js: qs.filter(jurisdiction=js[2], pk__in=[]),
        lambda qs, js: qs.none(),
    ],
)
def test_a_page_in_the_lists_order_is_the_slice_of_the_list(spread, narrow):
    rows = narrow(listed(Instrument.objects.all()), spread)
    every = list(rows.values_list("pk", flat=True))
    for bottom, top in [(0, 3), (3, 6), (0, 50), (9, 12), (40, 60)]:
        page = rows.page_rows(bottom, top)
        assert [row.pk for row in page] == every[bottom:top], (bottom, top)


def test_a_page_in_another_order_or_deep_is_a_slice(spread):
    rows = Instrument.objects.order_by("-title", "pk")
    assert [row.pk for row in rows.page_rows(2, 5)] == [row.pk for row in rows[2:5]]
    rows = listed(Instrument.objects.all())
    deep = rows.page_rows(0, Instrument.objects.all().GROUPED_PAGE_LIMIT + 1)
    assert "LATERAL" not in str(deep.query)
    assert "UNION" not in str(deep.query)
    assert [row.pk for row in deep] == list(rows.values_list("pk", flat=True))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL reads it per jurisdiction"
)
def test_a_page_in_the_lists_order_is_read_per_jurisdiction(spread):
    rows = listed(Instrument.objects.all())
    assert "LATERAL" in str(rows.page_rows(0, 50).query)
    chosen = rows.filter(jurisdiction__in=[spread[0].pk, spread[1].pk])
    assert chosen._chosen_jurisdictions() == sorted([spread[0].pk, spread[1].pk])
    assert str(chosen.page_rows(0, 50).query).count("UNION ALL") == 1
    assert rows.filter(jurisdiction=spread[3])._chosen_jurisdictions() == [spread[3].pk]
    assert rows.exclude(jurisdiction=spread[3])._chosen_jurisdictions() is None
    assert rows.filter(jurisdiction__name="Beta")._chosen_jurisdictions() is None


def test_a_searched_page_is_a_slice(spread):
    rows = listed(Instrument.objects.search("alpha"))
    every = list(rows.values_list("pk", flat=True))
    assert every
    page = rows.page_rows(0, 50)
    assert "LATERAL" not in str(page.query)
    assert [row.pk for row in page] == every


# -- jurisdictions bound by law, built once per day -------------------------------------------


FIELDS = (
    "code",
    "binds_by_law",
    "binding_laws_in_force",
    "binding_law_since",
    "binding_law_since_precision",
    "subdivisions_binding_by_law",
)


@pytest.mark.parametrize("day", [datetime.date(2025, 8, 8), datetime.date(2026, 12, 4)])
def test_jurisdictions_bound_by_law_answer_as_with_binding_laws(seeded, day):
    from instruments.querysets import (
        jurisdictions_bound_by_law,
        with_binding_laws,
        with_instrument_counts,
    )
    from jurisdictions.models import Jurisdiction

    kept = jurisdictions_bound_by_law(day).order_by("code").values_list(*FIELDS)
    built = with_binding_laws(Jurisdiction.objects.all(), day).order_by("code")
    assert list(kept) == list(built.values_list(*FIELDS))
    counted = ("code", "binding_count", "pending_count", "voluntary_count", "binds_by_law")
    kept = jurisdictions_bound_by_law(day, counts=True).filter(parent__code="US")
    built = with_binding_laws(with_instrument_counts(Jurisdiction.objects.all()), day)
    assert list(kept.order_by("code").values_list(*counted)) == list(
        built.filter(parent__code="US").order_by("code").values_list(*counted)
    )


def test_jurisdictions_bound_by_law_hand_out_copies_that_see_later_writes(seeded):
    from instruments.querysets import jurisdictions_bound_by_law

    day = datetime.date(2026, 12, 4)
    first = jurisdictions_bound_by_law(day).filter(code="XA")
    assert list(first) == []
    place = JurisdictionFactory(code="XA", name="Xanadu")
    InstrumentFactory(
        jurisdiction=place, status="in_effect", effective_on=day, effective_on_precision="day"
    )
    # The kept queryset was never evaluated: a later copy reads the database afresh.
    [row] = jurisdictions_bound_by_law(day).filter(code="XA")
    assert (row.binds_by_law, row.binding_laws_in_force) == (True, 1)
    assert jurisdictions_bound_by_law(day) is not jurisdictions_bound_by_law(day)
