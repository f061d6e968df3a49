"""Every database constraint of the instruments app, broken once: the database itself refuses
the row, whatever code writes it. The cases are in tests/helpers/constraints.py, with those of
the jurisdictions app (tests/jurisdictions/test_constraints.py); a new constraint without a
case there fails `test_every_constraint_has_a_case`."""

import pytest
from django.db import IntegrityError, connection, transaction

from instruments.models import StatusChange
from jurisdictions.models import ApproachAssessment
from tests.factories import IdentifierFactory, MembershipFactory, RelationFactory
from tests.helpers.constraints import CASES, TARGETS, all_constraint_names

pytestmark = pytest.mark.django_db

INSTRUMENT_CASES = sorted(set(CASES) & all_constraint_names(["instruments"]))


def test_every_constraint_has_a_case():
    assert set(CASES) == all_constraint_names()


@pytest.mark.parametrize("name", INSTRUMENT_CASES)
def test_the_database_refuses_a_row_that_breaks(name):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        CASES[name]()
    # PostgreSQL names every constraint it enforces; SQLite names its CHECK constraints only.
    if connection.vendor == "postgresql" or "CHECK" in str(excinfo.value):
        assert name in str(excinfo.value)


def test_the_cases_build_valid_rows_first():
    # Each case breaks one rule of an otherwise valid row: the factories make valid rows.
    for factory in {*TARGETS.values(), MembershipFactory, IdentifierFactory, RelationFactory}:
        obj = factory()
        obj.full_clean()
    assert StatusChange.objects.exists()
    assert ApproachAssessment.objects.exists()
