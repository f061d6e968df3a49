import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from instruments.models import (
    CITED_RECORDS,
    Citation,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Revision,
    StatusChange,
)
from instruments.vocabulary import CitedRecordKind
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

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("type_", "binding"),
    [
        ("binding_law", True),
        ("draft_bill", False),
        ("voluntary_framework", False),
        ("declaration", False),
    ],
)
def test_binding_is_derived_from_type(type_, binding):
    instrument = InstrumentFactory(type=type_, status="")
    assert instrument.binding is binding
    assert Instrument.objects.binding().filter(pk=instrument.pk).exists() is binding
    # A draft bill is neither binding nor voluntary: it binds only if enacted.
    voluntary = type_ in ("voluntary_framework", "declaration")
    assert Instrument.objects.binding(False).filter(pk=instrument.pk).exists() is voluntary


@pytest.mark.parametrize(
    ("type_", "force"),
    [
        ("binding_law", "binding"),
        ("draft_bill", "pending"),
        ("voluntary_framework", "voluntary"),
        ("declaration", "voluntary"),
    ],
)
def test_force_is_derived_from_type(empty, type_, force):
    instrument = InstrumentFactory(type=type_, status="")
    assert instrument.force == force
    assert list(Instrument.objects.force(force)) == [instrument]


def test_binding_is_not_a_column():
    assert "binding" not in {field.name for field in Instrument._meta.get_fields()}


def test_the_forces_partition_the_instruments(empty):
    for type_ in ("binding_law", "draft_bill", "voluntary_framework", "declaration"):
        InstrumentFactory(type=type_, status="")
    assert Instrument.objects.binding().count() == 1
    assert Instrument.objects.force("pending").count() == 1
    assert Instrument.objects.binding(False).count() == 2
    assert Instrument.objects.force_counts() == {
        "total": 4,
        "binding": 1,
        "pending": 1,
        "voluntary": 2,
    }


def test_in_force_reads_the_status_on_the_day(empty):
    law = InstrumentFactory(type="binding_law", status="in_effect")
    StatusChangeFactory(instrument=law, status="adopted", date="2024-01-01")
    StatusChangeFactory(instrument=law, status="in_effect", date="2025-01-01")
    InstrumentFactory(type="binding_law", status="adopted")
    assert list(Instrument.objects.in_force()) == [law]
    day = datetime.date(2024, 6, 1)
    assert not Instrument.objects.as_of(day).in_force(day=day).exists()
    later = datetime.date(2025, 6, 1)
    assert list(Instrument.objects.as_of(later).in_force(day=later)) == [law]


FACTORIES = [
    JurisdictionFactory,
    ApproachAssessmentFactory,
    CoverageReviewFactory,
    MembershipFactory,
    TopicFactory,
    InstrumentFactory,
    IdentifierFactory,
    RelationFactory,
    StatusChangeFactory,
    ActorFactory,
    EventFactory,
    SourceFactory,
    CitationFactory,
    CoverageReviewFactory,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f._meta.model.__name__)
def test_natural_key_finds_the_record(factory):
    obj = factory()
    manager = type(obj)._default_manager
    assert manager.get_by_natural_key(*obj.natural_key()) == obj
    assert str(obj)


def test_every_model_has_a_natural_key():
    models = [
        model
        for model in [
            *apps.get_app_config("instruments").get_models(),
            *apps.get_app_config("jurisdictions").get_models(),
        ]
        if not model.__name__.startswith("Historical")
        and not model._meta.auto_created
        # The desk's revisions are its workflow, not data: never loaded from a fixture.
        and model is not Revision
    ]
    covered = {factory._meta.model for factory in FACTORIES}
    assert set(models) <= covered
    for model in models:
        assert hasattr(model, "natural_key")
        assert hasattr(model._default_manager, "get_by_natural_key")


def test_slug_is_unique():
    InstrumentFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentFactory(slug="same")


@pytest.mark.parametrize(("field", "value"), [("type", "regulation"), ("status", "pending")])
def test_instrument_vocabularies_are_checked(field, value):
    instrument = InstrumentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=instrument.pk).update(**{field: value})


def test_relation_never_points_at_itself():
    instrument = InstrumentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentRelation.objects.create(
            from_instrument=instrument, to_instrument=instrument, kind="amends"
        )
    relation = InstrumentRelation(
        from_instrument=instrument, to_instrument=instrument, kind="amends"
    )
    with pytest.raises(ValidationError):
        relation.full_clean()


def test_relation_is_unique():
    relation = RelationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationFactory(
            from_instrument=relation.from_instrument, to_instrument=relation.to_instrument
        )


def test_identifier_is_unique_and_not_empty():
    identifier = IdentifierFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentifierFactory(scheme=identifier.scheme, value=identifier.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentIdentifier.objects.create(
            instrument=identifier.instrument, scheme="eli", value=""
        )


def test_status_change_is_unique_per_instrument_status_and_date():
    change = StatusChangeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChangeFactory(instrument=change.instrument, status=change.status, date=change.date)


def test_status_change_shows_its_date_at_its_precision():
    change = StatusChangeFactory(date=datetime.date(2022, 5, 1), date_precision="month")
    assert str(change.when) == "May 2022"
    assert "May 2022" in str(change)


def test_status_change_status_is_checked():
    change = StatusChangeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.filter(pk=change.pk).update(status="")


@pytest.mark.parametrize(
    ("type_", "status"),
    [
        ("draft_bill", "in_effect"),
        ("draft_bill", "repealed"),
        ("binding_law", "draft"),
        ("binding_law", "proposed"),
    ],
)
def test_current_type_and_status_must_agree(type_, status):
    instrument = InstrumentFactory.build(
        jurisdiction=JurisdictionFactory(), type=type_, status=status
    )
    with pytest.raises(ValidationError) as excinfo:
        instrument.full_clean()
    assert "status" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("type_", "status", "allowed"),
    [
        ("draft_bill", "in_effect", False),
        ("draft_bill", "repealed", False),
        # Every law was a bill before it was enacted.
        ("binding_law", "proposed", True),
        ("binding_law", "draft", True),
    ],
)
def test_timeline_steps_follow_the_type(type_, status, allowed):
    change = StatusChangeFactory.build(
        instrument=InstrumentFactory(type=type_, status=""), status=status
    )
    if allowed:
        change.full_clean()
    else:
        with pytest.raises(ValidationError) as excinfo:
            change.full_clean()
        assert "status" in excinfo.value.message_dict


def test_a_timeline_step_cannot_be_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    change = StatusChangeFactory.build(instrument=InstrumentFactory(), date=tomorrow)
    with pytest.raises(ValidationError, match="in the future"):
        change.full_clean()


def test_event_cannot_happen_after_it_was_reported():
    event = EventFactory.build(
        host=JurisdictionFactory(),
        date=datetime.date(2025, 8, 9),
        date_precision="day",
        reported_on=datetime.date(2025, 8, 8),
    )
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "date" in excinfo.value.message_dict


def test_citation_must_back_a_record():
    source = SourceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, quote="Orphan.")


def test_citation_backs_only_one_record():
    with pytest.raises(IntegrityError), transaction.atomic():
        CitationFactory(event=EventFactory())


def test_citation_validation_names_the_rule():
    citation = Citation(
        source=SourceFactory(), quote="Two.", instrument=InstrumentFactory(), actor=ActorFactory()
    )
    with pytest.raises(ValidationError, match="exactly one record"):
        citation.full_clean()


def test_citation_is_unique_per_source_record_and_quote():
    citation = CitationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CitationFactory(
            source=citation.source, instrument=citation.instrument, quote=citation.quote
        )


def test_citation_fields_must_name_fields_of_the_record():
    citation = CitationFactory.build(
        source=SourceFactory(), instrument=InstrumentFactory(), fields=["type", "colour"]
    )
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    assert "colour" in str(excinfo.value.message_dict["fields"])


def test_citation_fields_accept_relations_and_aliases():
    citation = CitationFactory.build(
        source=SourceFactory(),
        instrument=InstrumentFactory(),
        fields=["topics", "related", "identifiers"],
    )
    citation.full_clean()


def test_citation_natural_key_is_built_from_source_and_record():
    change = StatusChangeFactory(date=datetime.date(2024, 5, 21))
    citation = CitationFactory(instrument=None, status_change=change, quote="")
    key = citation.natural_key()
    assert key == (
        citation.source.slug,
        "status_change",
        [change.instrument.slug, "adopted", "2024-05-21"],
        "",
    )
    assert Citation.objects.get_by_natural_key(*key) == citation


def test_citation_can_back_an_approach_assessment():
    assessment = ApproachAssessmentFactory()
    citation = CitationFactory(
        instrument=None, approach_assessment=assessment, fields=["approach", "summary", "date"]
    )
    citation.full_clean()
    assert citation.record == assessment
    assert Citation.objects.get_by_natural_key(*citation.natural_key()) == citation


def test_citation_kinds_are_the_cited_records():
    assert list(CitedRecordKind.values) == list(CITED_RECORDS)
