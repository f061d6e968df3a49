from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from instruments.models import (
    Actor,
    Citation,
    Event,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Source,
    StatusChange,
    Topic,
)
from instruments.seeding import seed
from jurisdictions.models import ApproachAssessment, Jurisdiction, Membership

ARTICLE_SLUG = "us-asia-ai-governance-2025-08-08"
# The shared folder sits beside the checkout; tests that need the article's text skip without it.
ARTICLE_PATH = Path(settings.BASE_DIR).parent / "shared" / "sources" / f"{ARTICLE_SLUG}.txt"
FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
# In the order they can be created; deleted in reverse.
RECORD_MODELS = [
    Source,
    Topic,
    Jurisdiction,
    Membership,
    ApproachAssessment,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    StatusChange,
    Actor,
    Event,
    Citation,
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the seed once into the test database, the way `manage.py seed` loads it. Every test
    runs in a transaction that is rolled back, so each one starts from the same seeded state."""
    with django_db_blocker.unblock():
        seed(FIXTURES_DIR)


@pytest.fixture
def seeded(db):
    """Marks a test that relies on the seed data (always present; see django_db_setup)."""


@pytest.fixture
def empty(db):
    """A database with no records at all (the deletions are rolled back after the test)."""
    for model in reversed(RECORD_MODELS):
        model._default_manager.all().delete()
    for label in ("jurisdictions", "instruments"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                model._default_manager.all().delete()


@pytest.fixture
def article_text():
    if not ARTICLE_PATH.exists():
        pytest.skip(f"the article's text is not at {ARTICLE_PATH}")
    return ARTICLE_PATH.read_text(encoding="utf-8")
