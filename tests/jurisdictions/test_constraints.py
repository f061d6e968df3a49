"""Every database constraint of the jurisdictions app, broken once: the database itself refuses
the row, whatever code writes it (the cases are in tests/helpers/constraints.py)."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.helpers.constraints import CASES, all_constraint_names

pytestmark = pytest.mark.django_db

JURISDICTION_CASES = sorted(set(CASES) & all_constraint_names(["jurisdictions"]))


@pytest.mark.parametrize("name", JURISDICTION_CASES)
def test_the_database_refuses_a_row_that_breaks(name):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        CASES[name]()
    # PostgreSQL names every constraint it enforces; SQLite names its CHECK constraints only.
    if connection.vendor == "postgresql" or "CHECK" in str(excinfo.value):
        assert name in str(excinfo.value)
