"""Every kind of record the tracker keeps, named once.

The change history, the feeds, the citations (which back records of several kinds), the sources
page and the search read this registry rather than keeping tables of their own keyed by kind.
Which page shows a record is the record's own `get_absolute_url()`.
"""

from instruments.models import (
    CITED_RECORDS,
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
from jurisdictions.models import ApproachAssessment, CoverageReview, Jurisdiction, Membership
from policytracker.core.records import RecordKind, RecordKinds

# In the order the change history lists kinds that changed at the same instant.
KINDS = RecordKinds(
    [
        RecordKind("jurisdiction", Jurisdiction, list_url_name="web:jurisdiction-list"),
        RecordKind(
            "membership",
            Membership,
            related=("member", "bloc"),
            parent="member",
            list_url_name="web:jurisdiction-list",
        ),
        RecordKind(
            "approach_assessment",
            ApproachAssessment,
            related=("jurisdiction",),
            parent="jurisdiction",
            list_url_name="web:jurisdiction-list",
        ),
        RecordKind(
            "coverage_review",
            CoverageReview,
            related=("jurisdiction",),
            parent="jurisdiction",
            list_url_name="web:jurisdiction-list",
        ),
        RecordKind("topic", Topic, list_url_name="web:instrument-list"),
        RecordKind("instrument", Instrument, list_url_name="web:instrument-list"),
        RecordKind(
            "instrument_identifier",
            InstrumentIdentifier,
            related=("instrument",),
            parent="instrument",
            list_url_name="web:instrument-list",
        ),
        RecordKind(
            "instrument_relation",
            InstrumentRelation,
            related=("from_instrument", "to_instrument"),
            parent="from_instrument",
            list_url_name="web:instrument-list",
        ),
        RecordKind(
            "status_change",
            StatusChange,
            related=("instrument",),
            parent="instrument",
            list_url_name="web:instrument-list",
        ),
        # An actor is a record of its own in the API; its page is its jurisdiction's.
        RecordKind(
            "actor", Actor, related=("jurisdiction",), list_url_name="web:jurisdiction-list"
        ),
        RecordKind("event", Event, list_url_name="web:event-list"),
        RecordKind("source", Source, list_url_name="web:source-list"),
        RecordKind("citation", Citation, related=("source",), list_url_name="web:source-list"),
    ]
)

# The kinds of record a citation can back, in the order of `Citation`'s target fields.
CITED_KINDS = tuple(KINDS[name] for name in CITED_RECORDS)
