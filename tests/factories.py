import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from instruments.models import (
    Actor,
    Citation,
    Event,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    Revision,
    Source,
    StatusChange,
    Topic,
)
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction, Membership

FREE_CODES = [f"Q{c}" for c in "MNOPQRSTUVWXYZ"] + [f"X{c}" for c in "DEFGHIJKLMNOPQRSTUVWXYZ"]


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ["code"]

    # Two-letter codes ISO 3166 leaves to users (QM-QZ, XD-XZ), so they never collide with the
    # seed's; tests that name a code use XA-XC.
    code = factory.Sequence(lambda n: FREE_CODES[n % len(FREE_CODES)])
    name = factory.Sequence(lambda n: f"Testland {n}")
    kind = "national"
    region = "eastern_asia"


class BlocFactory(JurisdictionFactory):
    code = factory.Sequence(lambda n: f"BLOC{n}")
    name = factory.Sequence(lambda n: f"Test bloc {n}")
    kind = "regional_bloc"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(JurisdictionFactory)
    bloc = factory.SubFactory(BlocFactory)
    role = "member"
    started_on = datetime.date(2000, 1, 1)
    started_on_precision = "year"


class ApproachAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApproachAssessment

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    approach = "voluntary"
    summary = "Relies on voluntary guidance."
    date = datetime.date(2025, 8, 8)
    date_precision = "day"
    # The step's `date` is derived from these (`holds_from`, else `assessed_on`); a test that
    # gives only `date` gets an assessment made that day.
    assessed_on = factory.LazyAttribute(lambda step: step.date)
    assessed_on_precision = factory.LazyAttribute(lambda step: step.date_precision)


class CoverageReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageReview

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    reviewed_on = datetime.date(2026, 12, 1)
    checked_government = True
    law_in_force = "nothing_found"
    law_in_force_note = "No AI-specific law found on the ministry's pages."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    slug = factory.Sequence(lambda n: f"instrument-{n}")
    title = factory.Sequence(lambda n: f"Test instrument {n}")
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    type = "binding_law"
    status = "adopted"


class IdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstrumentIdentifier

    instrument = factory.SubFactory(InstrumentFactory)
    scheme = "law_number"
    value = factory.Sequence(lambda n: f"Law No. {n}")


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstrumentRelation

    from_instrument = factory.SubFactory(InstrumentFactory)
    to_instrument = factory.SubFactory(InstrumentFactory)
    kind = "amends"


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    instrument = factory.SubFactory(InstrumentFactory)
    status = "adopted"
    date = datetime.date(2024, 5, 21)
    date_precision = "day"


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    slug = factory.Sequence(lambda n: f"actor-{n}")
    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = "person"
    jurisdiction = factory.SubFactory(JurisdictionFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    kind = "summit"
    date = datetime.date(2024, 1, 1)
    date_precision = "year"
    host = factory.SubFactory(JurisdictionFactory)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source {n}")
    kind = "article"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    quote = factory.Sequence(lambda n: f"Quoted sentence number {n}.")
    # A citation without a quote says why (check_data's rule); one with a quote needs no note.
    note = factory.LazyAttribute(
        lambda citation: "" if citation.quote else "A code list: no sentence states the value."
    )
    instrument = factory.SubFactory(InstrumentFactory)
    fields = factory.LazyFunction(lambda: ["type"])


class RevisionFactory(factory.django.DjangoModelFactory):
    """A change an editor submitted, waiting for review."""

    class Meta:
        model = Revision

    kind = "update"
    channel = "api"
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Topic))
    title = "A topic"
    method = "PATCH"
    path = "/api/v1/topics/a-topic/"
    author = factory.LazyFunction(
        lambda: get_user_model().objects.get_or_create(username="revision-author")[0]
    )
