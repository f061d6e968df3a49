"""The registry of record kinds, and which page shows each record (`get_absolute_url`)."""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from instruments.history import KINDS as HISTORY_KINDS
from instruments.models import CITED_RECORDS
from instruments.records import CITED_KINDS, KINDS
from policytracker.core.records import ShownOnParentPage
from tests.factories import (
    ActorFactory,
    ApproachAssessmentFactory,
    CitationFactory,
    CoverageReviewFactory,
    EventFactory,
    IdentifierFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    RelationFactory,
    SourceFactory,
    StatusChangeFactory,
    TopicFactory,
)


def test_the_registry_names_every_tracked_model_once():
    tracked = {kind.model for kind in KINDS}
    assert len(tracked) == len(KINDS.names())
    # Every model with a change history is a kind the history and the feeds can describe.
    with_history = {
        model
        for label in ("jurisdictions", "instruments")
        for model in apps.get_app_config(label).get_models()
        if hasattr(model, "history") and not model.__name__.startswith("Historical")
    }
    assert tracked == with_history
    assert KINDS.names() == HISTORY_KINDS


def test_cited_kinds_follow_the_citation_targets():
    assert [kind.kind for kind in CITED_KINDS] == list(CITED_RECORDS)
    assert [kind.model for kind in CITED_KINDS] == list(CITED_RECORDS.values())


def test_labels_come_from_the_models():
    assert KINDS["status_change"].label == "Status change"
    assert KINDS["status_change"].plural == "Status changes"
    assert KINDS["instrument_identifier"].label == "Instrument identifier"
    assert KINDS.of_model(KINDS["event"].model).kind == "event"


def test_a_kind_that_belongs_to_another_names_the_relation_to_it():
    for kind in KINDS:
        if kind.parent:
            field = kind.model._meta.get_field(kind.parent)
            assert field.many_to_one, kind.kind
            assert kind.parent in kind.related, kind.kind
        for path in kind.related:
            kind.model._meta.get_field(path)  # raises for a relation that does not exist


@pytest.mark.django_db
def test_records_with_a_page_of_their_own():
    jurisdiction = JurisdictionFactory(code="XA")
    instrument = InstrumentFactory(slug="xa-act", jurisdiction=jurisdiction)
    event = EventFactory(slug="xa-summit")
    source = SourceFactory(slug="xa-source")
    topic = TopicFactory(slug="xa-topic")
    assert jurisdiction.get_absolute_url() == reverse("web:jurisdiction-detail", args=["XA"])
    assert instrument.get_absolute_url() == reverse("web:instrument-detail", args=["xa-act"])
    assert event.get_absolute_url() == reverse("web:event-detail", args=["xa-summit"])
    assert source.get_absolute_url() == reverse("web:source-detail", args=["xa-source"])
    # A topic has no page: the instruments filed under it stand for it.
    assert topic.get_absolute_url() == reverse("web:instrument-list") + "?topic=xa-topic"


@pytest.mark.django_db
def test_records_shown_on_their_parents_page_link_to_its_section():
    jurisdiction = JurisdictionFactory(code="XA")
    instrument = InstrumentFactory(slug="xa-act", jurisdiction=jurisdiction)
    page = instrument.get_absolute_url()
    home = jurisdiction.get_absolute_url()
    assert (
        StatusChangeFactory(instrument=instrument).get_absolute_url() == page + "#status-timeline"
    )
    assert IdentifierFactory(instrument=instrument).get_absolute_url() == page + "#facts"
    assert RelationFactory(from_instrument=instrument).get_absolute_url() == page + "#related"
    assert ActorFactory(jurisdiction=jurisdiction).get_absolute_url() == home + "#actors"
    assert MembershipFactory(member=jurisdiction).get_absolute_url() == home + "#memberships"
    assessment = ApproachAssessmentFactory(jurisdiction=jurisdiction)
    assert assessment.get_absolute_url() == home + "#approach-heading"
    # An actor with no jurisdiction is shown nowhere.
    assert ActorFactory(jurisdiction=None).get_absolute_url() is None


@pytest.mark.django_db
def test_a_citation_is_shown_with_its_record_else_on_its_sources_page():
    instrument = InstrumentFactory(slug="xa-act")
    citation = CitationFactory(instrument=instrument)
    assert citation.get_absolute_url() == instrument.get_absolute_url()
    step = StatusChangeFactory(instrument=instrument)
    cited_step = CitationFactory(instrument=None, status_change=step, fields=["status"])
    assert cited_step.get_absolute_url() == step.get_absolute_url()
    actor = ActorFactory(jurisdiction=None)
    orphan = CitationFactory(instrument=None, actor=actor, fields=["name"])
    assert orphan.get_absolute_url() == orphan.source.get_absolute_url()


@pytest.mark.django_db
def test_every_section_a_record_links_to_is_on_its_parents_page(client):
    """The anchor of every kind shown on another record's page names an element of that
    page, so a link to a status change or an actor lands on the section that lists it."""
    jurisdiction = JurisdictionFactory(code="XA")
    instrument = InstrumentFactory(jurisdiction=jurisdiction)
    children = [
        StatusChangeFactory(instrument=instrument),
        IdentifierFactory(instrument=instrument),
        RelationFactory(from_instrument=instrument),
        ActorFactory(jurisdiction=jurisdiction),
        MembershipFactory(member=jurisdiction),
        ApproachAssessmentFactory(jurisdiction=jurisdiction),
        CoverageReviewFactory(jurisdiction=jurisdiction),
    ]
    kinds = {type(child) for child in children}
    assert kinds == {kind.model for kind in KINDS if issubclass(kind.model, ShownOnParentPage)}
    for child in children:
        page, anchor = child.get_absolute_url().split("#")
        html = client.get(page).content.decode()
        assert re.search(rf'\bid="{anchor}"', html), (type(child).__name__, anchor)
