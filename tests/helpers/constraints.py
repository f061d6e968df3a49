"""Every database constraint of the domain apps and a write that breaks it (`CASES`, by
constraint name). tests/jurisdictions/test_constraints.py and tests/instruments/test_constraints.py
each break the constraints of their app; a new constraint without a case here fails
`test_every_constraint_has_a_case`."""

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from instruments.models import (
    Actor,
    Citation,
    Event,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Source,
    Topic,
)
from jurisdictions.models import Jurisdiction, Membership
from jurisdictions.vocabulary import COVERAGE_CATEGORIES
from tests.factories import (
    ActorFactory,
    ApproachAssessmentFactory,
    BlocFactory,
    CitationFactory,
    CoverageReviewFactory,
    EventFactory,
    IdentifierFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    RelationFactory,
    RevisionFactory,
    SourceFactory,
    StatusChangeFactory,
    TopicFactory,
)

# -- one write per constraint that breaks it, on an otherwise valid row ------------------------


def update(factory, **values):
    """Write `values` over a valid row with a bare UPDATE: no model validation runs."""
    obj = factory()
    type(obj)._default_manager.filter(pk=obj.pk).update(**values)


def reviewer():
    return get_user_model().objects.get_or_create(username="reviewer")[0]


def duplicate(factory):
    """Save a second copy of a valid row: every column equal, a new primary key."""
    copy = factory()
    copy.pk = None
    copy._state.adding = True
    copy.save()


def duplicate_citation(target):
    citation = CitationFactory(**{"instrument": None, target: TARGETS[target]()})
    Citation.objects.create(
        source=citation.source, quote=citation.quote, **{target: getattr(citation, target)}
    )


TARGETS = {
    "jurisdiction": JurisdictionFactory,
    "instrument": InstrumentFactory,
    "event": EventFactory,
    "actor": ActorFactory,
    "status_change": StatusChangeFactory,
    "approach_assessment": ApproachAssessmentFactory,
    "coverage_review": CoverageReviewFactory,
}

CASES = {
    # jurisdictions
    "jurisdiction_code_unique": lambda: Jurisdiction.objects.create(
        code=JurisdictionFactory().code, name="Twin", kind="national"
    ),
    "jurisdiction_code_upper_case": lambda: update(JurisdictionFactory, code="xx"),
    "jurisdiction_kind_valid": lambda: update(JurisdictionFactory, kind="planet"),
    "jurisdiction_approach_valid": lambda: update(JurisdictionFactory, approach="laissez_faire"),
    "jurisdiction_region_valid": lambda: update(JurisdictionFactory, region="atlantis"),
    "jurisdiction_parent_iff_subnational": lambda: update(JurisdictionFactory, kind="subnational"),
    "membership_unique": lambda: duplicate(MembershipFactory),
    "membership_not_own_bloc": lambda: Membership.objects.create(
        member=(bloc := BlocFactory()), bloc=bloc, started_on=datetime.date(2000, 1, 1)
    ),
    "membership_start_before_end": lambda: update(
        MembershipFactory, ended_on=datetime.date(1999, 1, 1), ended_on_precision="year"
    ),
    "membership_role_valid": lambda: update(MembershipFactory, role="friend"),
    "membership_started_on_precision_valid": lambda: update(
        MembershipFactory, started_on_precision="week"
    ),
    "membership_ended_on_precision_matches": lambda: update(
        MembershipFactory, ended_on_precision="day"
    ),
    "approach_assessment_one_per_day": lambda: duplicate(ApproachAssessmentFactory),
    "approach_assessment_assessed_on_precision_matches": lambda: update(
        ApproachAssessmentFactory, assessed_on_precision=""
    ),
    "approach_assessment_holds_from_precision_matches": lambda: update(
        ApproachAssessmentFactory, holds_from_precision="day"
    ),
    # A date that is neither `holds_from` nor `assessed_on`.
    "approach_assessment_date_derived": lambda: update(
        ApproachAssessmentFactory, date=datetime.date(2001, 1, 1)
    ),
    "approach_assessment_approach_valid": lambda: update(
        ApproachAssessmentFactory, approach="not_assessed"
    ),
    "coverage_review_one_per_day": lambda: duplicate(CoverageReviewFactory),
    **{
        f"coverage_review_{name}_valid": (
            lambda name=name: update(CoverageReviewFactory, **{name: "maybe"})
        )
        for name in COVERAGE_CATEGORIES
    },
    # A finding with no kind of source checked.
    "coverage_review_findings_need_sources": lambda: update(
        CoverageReviewFactory, checked_government=False
    ),
    # instruments
    "topic_slug_unique": lambda: Topic.objects.create(slug=TopicFactory().slug, name="Twin"),
    "instrument_slug_unique": lambda: Instrument.objects.create(
        slug=(first := InstrumentFactory()).slug,
        title="Twin",
        jurisdiction=first.jurisdiction,
        type="binding_law",
    ),
    "instrument_type_valid": lambda: update(InstrumentFactory, type="regulation"),
    "instrument_status_valid": lambda: update(InstrumentFactory, status="pending"),
    "instrument_introduced_on_precision_matches": lambda: update(
        InstrumentFactory, introduced_on=datetime.date(2024, 1, 1)
    ),
    "instrument_adopted_on_precision_matches": lambda: update(
        InstrumentFactory, adopted_on_precision="day"
    ),
    "instrument_effective_on_precision_matches": lambda: update(
        InstrumentFactory, effective_on=datetime.date(2024, 1, 1), effective_on_precision="week"
    ),
    "identifier_unique": lambda: InstrumentIdentifier.objects.create(
        instrument=InstrumentFactory(),
        scheme=(first := IdentifierFactory()).scheme,
        value=first.value,
    ),
    "identifier_scheme_valid": lambda: update(IdentifierFactory, scheme="isbn"),
    "identifier_value_not_empty": lambda: update(IdentifierFactory, value=""),
    "relation_unique": lambda: InstrumentRelation.objects.create(
        from_instrument=(first := RelationFactory()).from_instrument,
        to_instrument=first.to_instrument,
        kind=first.kind,
    ),
    "relation_not_to_itself": lambda: InstrumentRelation.objects.create(
        from_instrument=(same := InstrumentFactory()), to_instrument=same, kind="amends"
    ),
    "relation_kind_valid": lambda: update(RelationFactory, kind="inspires"),
    "status_change_unique": lambda: duplicate(StatusChangeFactory),
    "status_change_status_valid": lambda: update(StatusChangeFactory, status=""),
    "status_change_precision_valid": lambda: update(StatusChangeFactory, date_precision=""),
    "actor_slug_unique": lambda: Actor.objects.create(
        slug=ActorFactory().slug, name="Twin", kind="person"
    ),
    "actor_kind_valid": lambda: update(ActorFactory, kind="robot"),
    "event_slug_unique": lambda: Event.objects.create(
        slug=EventFactory().slug, title="Twin", kind="summit"
    ),
    "event_kind_valid": lambda: update(EventFactory, kind="party"),
    "event_date_precision_matches": lambda: update(EventFactory, date=None),
    "source_slug_unique": lambda: Source.objects.create(
        slug=SourceFactory().slug, title="Twin", kind="article"
    ),
    "source_kind_valid": lambda: update(SourceFactory, kind="rumour"),
    "citation_backs_exactly_one_record": lambda: update(CitationFactory, instrument=None),
    "revision_kind_valid": lambda: update(RevisionFactory, kind="rename"),
    "revision_state_valid": lambda: update(
        RevisionFactory, state="lost", reviewer=reviewer(), reviewed_at=timezone.now()
    ),
    "revision_reviewed_has_reviewer": lambda: update(RevisionFactory, state="published"),
    **{
        f"citation_unique_per_{target}": (lambda target=target: duplicate_citation(target))
        for target in TARGETS
    },
}


def all_constraint_names(labels=("jurisdictions", "instruments")):
    """The names of the constraints of the models of `labels` (both domain apps by default)."""
    return {
        constraint.name
        for label in labels
        for model in apps.get_app_config(label).get_models()
        for constraint in model._meta.constraints
    }
