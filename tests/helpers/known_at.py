"""Records edited on several days, so that `known_at` has versions to read.

Every write of a history-tracked record dates its history row with `timezone.now()`; `on(day)`
makes that noon (UTC) of `day`, so a test writes what the tracker said on each day."""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from instruments.models import Citation, Event, Instrument, Source, StatusChange, Topic
from instruments.services import instrument_change_status, instrument_correct_status_change
from jurisdictions.models import Jurisdiction
from jurisdictions.services import jurisdiction_change_approach
from tests.factories import (
    CitationFactory,
    EventFactory,
    IdentifierFactory,
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
    TopicFactory,
)

# The days the story writes on; the tracker's history begins on the first.
FIRST = datetime.date(2025, 3, 3)
SECOND = datetime.date(2025, 3, 10)
THIRD = datetime.date(2025, 3, 17)
FOURTH = datetime.date(2025, 3, 24)
BEFORE = datetime.date(2025, 3, 2)


@contextmanager
def on(day, hour=12):
    """Writes inside are dated `hour` o'clock (UTC) on `day`: history rows, `updated_at`, and
    what the services take for today."""
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


@dataclass
class Story:
    jurisdiction: Jurisdiction
    party: Jurisdiction
    instrument: Instrument
    topic: Topic
    source: Source
    citation: Citation
    event: Event


def tell_story():
    """Xanadu (XA) and its AI Act, written over four days:

    1. (3 March 2025) XA, assessed voluntary from 1 January 2025; the "AI Act", a binding law
       adopted on 15 January 2025, filed under "Licensing", with a law number; the Official
       Gazette (published 1 May 2024).
    2. (10 March) renamed "Artificial Intelligence Act"; Brobdingnag (XB) becomes a party; a
       citation of the Gazette backs its status; a second topic; the Xanadu AI Summit (hosted
       by XA) names it.
    3. (17 March) it takes effect on 15 March 2025 (a new step), its adoption is corrected to
       20 January, the citation is deleted, the topic renamed "Licences", XA renamed "Xanadu
       Republic" and assessed binding from 15 March 2025.
    4. (24 March) the instrument is deleted.
    """
    with on(FIRST):
        xa = JurisdictionFactory(code="XA", name="Xanadu")
        xb = JurisdictionFactory(code="XB", name="Brobdingnag")
        jurisdiction_change_approach(
            jurisdiction=xa,
            approach="voluntary",
            assessed_on=datetime.date(2025, 1, 1),
            summary="Relies on guidance.",
        )
        topic = TopicFactory(slug="licensing", name="Licensing")
        source = SourceFactory(
            slug="gazette", title="Official Gazette", published_on=datetime.date(2024, 5, 1)
        )
        act = InstrumentFactory(
            slug="xa-ai-act", title="AI Act", jurisdiction=xa, type="binding_law", status=""
        )
        instrument_change_status(
            instrument=act, status="adopted", date=datetime.date(2025, 1, 15), date_precision="day"
        )
        # A link's history row holds the instance's fields: read what the service wrote.
        act.refresh_from_db()
        act.topics.add(topic)
        IdentifierFactory(instrument=act, scheme="law_number", value="Law No. 1/2025")
    with on(SECOND):
        act.refresh_from_db()
        act.title = "Artificial Intelligence Act"
        act.save()
        act.parties.add(xb)
        act.topics.add(TopicFactory(slug="sandboxes", name="Sandboxes"))
        citation = CitationFactory(
            instrument=act, source=source, quote="The Act was adopted.", fields=["status"]
        )
        event = EventFactory(
            slug="xa-summit", title="Xanadu AI Summit", host=xa, date=datetime.date(2025, 3, 8),
            date_precision="day",
        )  # fmt: skip
        event.instruments.add(act)
    with on(THIRD):
        act.refresh_from_db()
        instrument_change_status(
            instrument=act,
            status="in_effect",
            date=datetime.date(2025, 3, 15),
            date_precision="day",
        )
        adopted = StatusChange.objects.get(instrument=act, status="adopted")
        instrument_correct_status_change(change=adopted, date=datetime.date(2025, 1, 20))
        Citation.objects.get(pk=citation.pk).delete()
        topic.name = "Licences"
        topic.save()
        xa.refresh_from_db()
        xa.name = "Xanadu Republic"
        xa.save()
        jurisdiction_change_approach(
            jurisdiction=xa,
            approach="binding",
            holds_from=datetime.date(2025, 3, 15),
            summary="Binds AI by law.",
        )
    with on(FOURTH):
        Instrument.objects.get(pk=act.pk).delete()
    return Story(xa, xb, act, topic, source, citation, event)
