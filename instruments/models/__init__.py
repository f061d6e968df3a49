"""Instruments and everything said about them: events, actors, topics, sources and citations."""

from instruments.models.citations import Citation, Source, SourceKind
from instruments.models.events import Actor, ActorKind, Event, EventKind
from instruments.models.instruments import (
    IdentifierScheme,
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    InstrumentStatus,
    InstrumentType,
    RelationKind,
    StatusChange,
    Topic,
)

__all__ = [
    "Actor",
    "ActorKind",
    "Citation",
    "Event",
    "EventKind",
    "IdentifierScheme",
    "Instrument",
    "InstrumentIdentifier",
    "InstrumentRelation",
    "InstrumentStatus",
    "InstrumentType",
    "RelationKind",
    "Source",
    "SourceKind",
    "StatusChange",
    "Topic",
]
