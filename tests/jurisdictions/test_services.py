import datetime

import pytest
from django.core.exceptions import ValidationError

from jurisdictions.models import ApproachAssessment
from jurisdictions.services import jurisdiction_change_approach, jurisdiction_sync_approach
from tests.factories import ApproachAssessmentFactory, JurisdictionFactory

pytestmark = pytest.mark.django_db


def test_recording_an_assessment_sets_the_current_approach():
    jurisdiction = JurisdictionFactory()
    assert jurisdiction.approach == "not_assessed"
    assessment = jurisdiction_change_approach(
        jurisdiction=jurisdiction,
        approach="risk_based",
        summary="A risk-based law.",
        assessed_on=datetime.date(2026, 3, 1),
    )
    jurisdiction.refresh_from_db()
    assert (jurisdiction.approach, jurisdiction.approach_summary) == (
        "risk_based",
        "A risk-based law.",
    )
    assert assessment.jurisdiction == jurisdiction


def test_an_older_assessment_does_not_replace_the_current_approach():
    jurisdiction = JurisdictionFactory()
    jurisdiction_change_approach(
        jurisdiction=jurisdiction, approach="risk_based", assessed_on=datetime.date(2026, 3, 1)
    )
    jurisdiction_change_approach(
        jurisdiction=jurisdiction, approach="voluntary", assessed_on=datetime.date(2025, 8, 8)
    )
    jurisdiction.refresh_from_db()
    assert jurisdiction.approach == "risk_based"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"approach": "not_assessed"}, "approach"),
        ({"approach": "laissez_faire"}, "approach"),
        (
            {"assessed_on": datetime.date(2025, 3, 4), "assessed_on_precision": "year"},
            "assessed_on",
        ),
        ({"assessed_on": datetime.date(2999, 1, 1)}, "assessed_on"),
        ({"holds_from": datetime.date(2999, 1, 1)}, "holds_from"),
        ({"assessed_on": None}, "assessed_on"),
    ],
)
def test_a_bad_assessment_is_refused_and_nothing_is_written(changes, field):
    jurisdiction = JurisdictionFactory()
    arguments = {"approach": "voluntary", "assessed_on": datetime.date(2025, 8, 8), **changes}
    with pytest.raises(ValidationError) as excinfo:
        jurisdiction_change_approach(jurisdiction=jurisdiction, **arguments)
    assert field in excinfo.value.message_dict
    jurisdiction.refresh_from_db()
    assert jurisdiction.approach == "not_assessed"
    assert not ApproachAssessment.objects.filter(jurisdiction=jurisdiction).exists()


def test_a_second_assessment_on_the_same_day_is_refused():
    assessment = ApproachAssessmentFactory()
    with pytest.raises(ValidationError):
        jurisdiction_change_approach(
            jurisdiction=assessment.jurisdiction,
            approach="binding",
            assessed_on=assessment.date,
        )


def test_sync_repairs_a_stale_approach_and_resets_one_without_assessments():
    assessment = ApproachAssessmentFactory(approach="hybrid", summary="Mixed.")
    jurisdiction = assessment.jurisdiction
    assert jurisdiction.approach == "not_assessed"  # written past the service
    assert jurisdiction_sync_approach(jurisdiction=jurisdiction).approach == "hybrid"
    assert jurisdiction.approach_summary == "Mixed."
    assessment.delete()
    jurisdiction_sync_approach(jurisdiction=jurisdiction)
    jurisdiction.refresh_from_db()
    assert (jurisdiction.approach, jurisdiction.approach_summary) == ("not_assessed", "")


def test_a_new_approach_moves_updated_at(db):
    import datetime

    from jurisdictions.services import jurisdiction_change_approach
    from tests.factories import JurisdictionFactory

    jurisdiction = JurisdictionFactory()
    before = jurisdiction.updated_at
    jurisdiction_change_approach(
        jurisdiction=jurisdiction,
        approach="binding",
        summary="Binds by law.",
        assessed_on=datetime.date(2025, 1, 1),
        assessed_on_precision="day",
    )
    jurisdiction.refresh_from_db()
    assert jurisdiction.approach == "binding"
    assert jurisdiction.updated_at > before


def test_since_when_an_approach_holds_dates_the_step_and_its_source_date_is_kept():
    jurisdiction = JurisdictionFactory()
    assessment = jurisdiction_change_approach(
        jurisdiction=jurisdiction,
        approach="risk_based",
        assessed_on=datetime.date(2026, 4, 1),
        holds_from=datetime.date(2026, 3, 1),
    )
    assert (assessment.date, assessment.date_precision) == (datetime.date(2026, 3, 1), "day")
    assert str(assessment.assessed) == "1 April 2026"
    assert str(assessment.holds) == "1 March 2026"
    undated_source = jurisdiction_change_approach(
        jurisdiction=jurisdiction, approach="binding", holds_from=datetime.date(2026, 6, 1)
    )
    assert undated_source.assessed is None
    assert undated_source.date == datetime.date(2026, 6, 1)
