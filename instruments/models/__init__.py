"""Instruments and everything said about them: events, actors, topics, sources and citations.

Their vocabularies live in `instruments.vocabulary`."""

from instruments.models.citations import CITED_RECORDS, Citation, Source
from instruments.models.events import Actor, Event
from instruments.models.instruments import (
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    StatusChange,
    Topic,
)
from instruments.models.revisions import (
    Revision,
    RevisionChannel,
    RevisionKind,
    RevisionState,
)
from instruments.querysets import citations_prefetch, events_prefetch

__all__ = [
    "CITED_RECORDS",
    "Actor",
    "Citation",
    "Event",
    "Instrument",
    "InstrumentIdentifier",
    "InstrumentRelation",
    "Revision",
    "RevisionChannel",
    "RevisionKind",
    "RevisionState",
    "Source",
    "StatusChange",
    "Topic",
    "citations_prefetch",
    "events_prefetch",
]
