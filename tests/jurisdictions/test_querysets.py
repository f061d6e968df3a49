import datetime

import pytest

from jurisdictions.models import Jurisdiction
from tests.factories import ApproachAssessmentFactory, JurisdictionFactory

pytestmark = pytest.mark.django_db


def approach_on(jurisdiction, day):
    return Jurisdiction.objects.as_of(day).get(pk=jurisdiction.pk)


def test_as_of_reads_the_latest_assessment_on_or_before_the_day():
    jurisdiction = JurisdictionFactory()
    ApproachAssessmentFactory(
        jurisdiction=jurisdiction, approach="voluntary", date=datetime.date(2025, 8, 8)
    )
    ApproachAssessmentFactory(
        jurisdiction=jurisdiction,
        approach="risk_based",
        summary="A law.",
        date=datetime.date(2026, 3, 1),
    )
    before = approach_on(jurisdiction, datetime.date(2025, 8, 7))
    assert (before.as_of_approach, before.as_of_approach_summary) == ("not_assessed", "")
    assert before.as_of_approach_on is None
    assert before.as_of_partial is False
    assert approach_on(jurisdiction, datetime.date(2025, 8, 8)).as_of_approach == "voluntary"
    assert approach_on(jurisdiction, datetime.date(2026, 2, 28)).as_of_approach == "voluntary"
    on = approach_on(jurisdiction, datetime.date(2026, 3, 1))
    assert (on.as_of_approach, on.as_of_approach_summary) == ("risk_based", "A law.")
    assert on.as_of_approach_on == datetime.date(2026, 3, 1)
    assert on.as_of_approach_precision == "day"


def test_a_partial_date_counts_from_the_first_day_of_its_period_and_says_so():
    jurisdiction = JurisdictionFactory()
    ApproachAssessmentFactory(
        jurisdiction=jurisdiction,
        approach="hybrid",
        date=datetime.date(2024, 5, 1),
        date_precision="month",
    )
    assert approach_on(jurisdiction, datetime.date(2024, 4, 30)).as_of_approach == "not_assessed"
    first = approach_on(jurisdiction, datetime.date(2024, 5, 1))
    assert (first.as_of_approach, first.as_of_partial) == ("hybrid", True)


def test_as_of_keeps_every_jurisdiction_and_runs_one_query(django_assert_num_queries, empty):
    for _ in range(5):
        ApproachAssessmentFactory()
    JurisdictionFactory()
    with django_assert_num_queries(1):
        rows = list(Jurisdiction.objects.as_of(datetime.date(2025, 1, 1)))
    assert len(rows) == 6


@pytest.mark.parametrize(
    "day", ["2025-08-08", datetime.datetime(2025, 8, 8, tzinfo=datetime.UTC), None]
)
def test_as_of_takes_a_date(day):
    with pytest.raises(TypeError):
        Jurisdiction.objects.as_of(day)
