"""Instruments and everything said about them: events, actors, topics, sources and citations.

Their vocabularies live in `instruments.vocabulary`."""

from instruments.models.citations import Citation, Source
from instruments.models.events import Actor, Event
from instruments.models.instruments import (
    Instrument,
    InstrumentIdentifier,
    InstrumentRelation,
    StatusChange,
    Topic,
)

__all__ = [
    "Actor",
    "Citation",
    "Event",
    "Instrument",
    "InstrumentIdentifier",
    "InstrumentRelation",
    "Source",
    "StatusChange",
    "Topic",
]
