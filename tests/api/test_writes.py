"""Editor writes through the API, resource by resource: what a write accepts, what it changes
and records (who may write is tested in tests/core/api/test_permissions.py, what every write
shares in tests/core/api/test_writes.py, conditional requests in
tests/core/api/test_conditional.py)."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from instruments.models import Actor, Citation, Event, Instrument, Source, StatusChange, Topic
from jurisdictions.models import ApproachAssessment
from policytracker.core.api.throttling import EDITORS_GROUP
from tests.factories import (
    ActorFactory,
    ApproachAssessmentFactory,
    CitationFactory,
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
    StatusChangeFactory,
)
from tests.helpers.api import all_rows
from tests.helpers.writes import (
    NEW_INSTRUMENT,
    detail,
    errors,
    read,
    snapshot,
    timeline_post,
    write,
)

# Instruments


def test_an_editor_creates_an_instrument_naming_related_records_by_key(
    vocabulary, as_editor, editor
):
    response = write(as_editor, "post", reverse("api:instrument-list"), NEW_INSTRUMENT)

    assert response.status_code == 201, response.content
    instrument = Instrument.objects.get(slug="xa-ai-act")
    assert response["Location"].endswith(detail("instrument", "xa-ai-act"))
    assert response["ETag"] == read(as_editor, detail("instrument", "xa-ai-act"))[1]
    body = response.json()
    assert body["jurisdiction"]["code"] == "XA"
    assert body["topics"] == ["test-topic"]
    assert body["parties"] == ["XB"]
    assert (body["adopted_on"], body["adopted_on_precision"]) == ("2024-05", "month")
    assert (instrument.adopted_on, instrument.adopted_on_precision) == (
        datetime.date(2024, 5, 1),
        "month",
    )
    assert instrument.history.first().history_user == editor


def test_an_editor_updates_an_instrument(vocabulary, as_editor, editor):
    instrument = InstrumentFactory(jurisdiction=vocabulary["jurisdiction"], type="binding_law")
    url = detail("instrument", instrument.slug)

    response = write(as_editor, "put", url, {**NEW_INSTRUMENT, "slug": instrument.slug})
    assert response.status_code == 200, response.content
    instrument.refresh_from_db()
    assert instrument.title == "Xanadu AI Act"
    assert list(instrument.topics.values_list("slug", flat=True)) == ["test-topic"]

    response = write(as_editor, "patch", url, {"summary": "Changed.", "effective_on": None})
    assert response.status_code == 200, response.content
    instrument.refresh_from_db()
    assert instrument.summary == "Changed."
    assert instrument.title == "Xanadu AI Act"
    assert response.json()["summary"] == "Changed."
    assert instrument.history.first().history_user == editor


def test_an_editor_deletes_an_instrument(vocabulary, as_editor, editor):
    instrument = InstrumentFactory()
    pk = instrument.pk

    response = write(as_editor, "delete", detail("instrument", instrument.slug))

    assert response.status_code == 204
    assert not Instrument.objects.filter(pk=pk).exists()
    deleted = Instrument.history.filter(id=pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", editor)


def test_a_slug_in_use_answers_400(vocabulary, as_editor):
    InstrumentFactory(slug="xa-ai-act")
    response = write(as_editor, "post", reverse("api:instrument-list"), NEW_INSTRUMENT)
    assert list(errors(response)) == ["slug"]


def test_a_status_with_a_timeline_follows_it_and_is_not_written_directly(seeded, as_editor):
    instrument = InstrumentFactory(type="binding_law", status="adopted")
    StatusChangeFactory(instrument=instrument, status="adopted", date=datetime.date(2024, 5, 21))
    url = detail("instrument", instrument.slug)
    before = snapshot()

    response = write(as_editor, "patch", url, {"status": "repealed"})

    assert "status-changes" in errors(response)["status"][0]
    assert snapshot() == before
    # The same value, as a record written back carries it, is no change.
    assert write(as_editor, "patch", url, {"status": "adopted"}).status_code == 200


def test_an_editor_records_a_status_change(seeded, as_editor, editor):
    instrument = InstrumentFactory(type="binding_law", status="adopted")
    StatusChangeFactory(instrument=instrument, status="adopted", date=datetime.date(2024, 5, 21))

    response = timeline_post(
        as_editor,
        "instrument",
        instrument.slug,
        "status-changes",
        {"status": "in_effect", "date": "2025-01", "note": "Took effect."},
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "in_effect"
    assert response["Content-Location"].endswith(detail("instrument", instrument.slug))
    assert response["ETag"] == read(as_editor, detail("instrument", instrument.slug))[1]
    instrument.refresh_from_db()
    assert instrument.status == "in_effect"
    step = instrument.status_changes.get(status="in_effect")
    assert (step.date, step.date_precision, step.note) == (
        datetime.date(2025, 1, 1),
        "month",
        "Took effect.",
    )
    assert step.history.first().history_user == editor
    assert instrument.history.first().history_user == editor


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"status": "enacted", "date": "2025"}, "status"),
        ({"status": "in_effect"}, "date"),
        ({"status": "in_effect", "date": "2999-01-01"}, "date"),
        # The same status on the same day is recorded already.
        ({"status": "adopted", "date": "2024-05-21"}, "date"),
        ({"status": "proposed", "date": "2024", "note": "x" * 301}, "note"),
        ({"status": "in_effect", "date": "2025", "when": "now"}, "when"),
    ],
)
def test_a_bad_status_change_answers_400_naming_the_field(seeded, as_editor, step, field):
    instrument = InstrumentFactory(type="binding_law", status="adopted")
    StatusChangeFactory(instrument=instrument, status="adopted", date=datetime.date(2024, 5, 21))
    before = snapshot()

    response = timeline_post(as_editor, "instrument", instrument.slug, "status-changes", step)

    assert field in errors(response)
    assert snapshot() == before


def test_a_status_change_that_contradicts_the_type_answers_400(seeded, as_editor):
    bill = InstrumentFactory(type="draft_bill", status="draft")
    response = timeline_post(
        as_editor,
        "instrument",
        bill.slug,
        "status-changes",
        {"status": "in_effect", "date": "2025"},
    )
    assert list(errors(response)) == ["status"]
    assert not StatusChange.objects.filter(instrument=bill).exists()


# Jurisdictions: approach assessments


def test_an_editor_records_an_approach_assessment(seeded, as_editor, editor):
    jurisdiction = JurisdictionFactory(code="XC")

    response = timeline_post(
        as_editor,
        "jurisdiction",
        "XC",
        "approach-assessments",
        {
            "approach": "binding",
            "assessed_on": "2025-08-08",
            "holds_from": "2023-08",
            "summary": "Binding rules.",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["approach"] == "binding"
    jurisdiction.refresh_from_db()
    assert (jurisdiction.approach, jurisdiction.approach_summary) == (
        "binding",
        "Binding rules.",
    )
    assessment = ApproachAssessment.objects.get(jurisdiction=jurisdiction)
    assert (str(assessment.assessed), str(assessment.holds)) == ("8 August 2025", "August 2023")
    assert response.json()["approach_since"] == "2023-08"
    assert response.json()["approach_assessed_on"] == "2025-08-08"
    assert assessment.history.first().history_user == editor
    assert jurisdiction.history.first().history_user == editor


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"approach": "not_assessed", "assessed_on": "2025"}, "approach"),
        ({"approach": "voluntary"}, "assessed_on"),
        ({"approach": "voluntary", "assessed_on": "2025-08-08"}, "assessed_on"),  # one per day
        ({"approach": "voluntary", "assessed_on": "2025-13"}, "assessed_on"),
        ({"approach": "voluntary", "holds_from": "2999-01"}, "holds_from"),
        ({"approach": "voluntary", "date": "2025-08"}, "date"),  # derived, not written
    ],
)
def test_a_bad_approach_assessment_answers_400_naming_the_field(seeded, as_editor, step, field):
    ApproachAssessmentFactory(jurisdiction=JurisdictionFactory(code="XC"))
    before = snapshot()

    response = timeline_post(as_editor, "jurisdiction", "XC", "approach-assessments", step)

    assert field in errors(response)
    assert snapshot() == before


def test_a_jurisdiction_and_its_approach_are_not_written_directly(seeded, as_editor):
    url = detail("jurisdiction", "SG")
    _, etag = read(as_editor, url)
    before = snapshot()
    for method in ("put", "patch", "delete"):
        response = write(as_editor, method, url, {"approach": "binding"}, etag=etag)
        assert response.status_code == 405
    assert write(as_editor, "post", reverse("api:jurisdiction-list"), {}).status_code == 405
    assert snapshot() == before


# Events, actors, topics, sources


def test_an_editor_writes_an_event(vocabulary, as_editor, editor):
    actor = ActorFactory(slug="test-actor")
    instrument = InstrumentFactory(slug="test-instrument")
    payload = {
        "slug": "xa-summit",
        "title": "Xanadu AI summit",
        "kind": "summit",
        "date": "2025-02",
        "location": "Xanadu City",
        "host": {"code": "XA", "name": "Xanadu"},
        "participants": ["xa", "XB"],  # codes in any case, as filters take them
        "actors": ["test-actor"],
        "instruments": ["test-instrument"],
    }

    response = write(as_editor, "post", reverse("api:event-list"), payload)
    assert response.status_code == 201, response.content
    event = Event.objects.get(slug="xa-summit")
    assert (event.date, event.date_precision, event.host.code) == (
        datetime.date(2025, 2, 1),
        "month",
        "XA",
    )
    assert sorted(event.participants.values_list("code", flat=True)) == ["XA", "XB"]
    assert list(event.actors.all()) == [actor]
    assert list(event.instruments.all()) == [instrument]

    url = detail("event", "xa-summit")
    response = write(as_editor, "patch", url, {"date": None, "host": None, "participants": []})
    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert (event.date, event.date_precision, event.host) == (None, "", None)
    assert not event.participants.exists()
    assert event.history.first().history_user == editor

    response = write(as_editor, "patch", url, {"date": "2025-03-02", "reported_on": "2025-03-01"})
    assert "date" in errors(response)

    assert write(as_editor, "delete", url).status_code == 204
    assert not Event.objects.filter(slug="xa-summit").exists()


def test_an_editor_writes_an_actor(vocabulary, as_editor, editor):
    payload = {"slug": "ada", "name": "Ada", "kind": "person", "jurisdiction": "XA"}
    response = write(as_editor, "post", reverse("api:actor-list"), payload)
    assert response.status_code == 201, response.content

    url = detail("actor", "ada")
    response = write(as_editor, "put", url, {**payload, "role": "Minister", "jurisdiction": None})
    assert response.status_code == 200, response.content
    actor = Actor.objects.get(slug="ada")
    assert (actor.role, actor.jurisdiction) == ("Minister", None)
    assert actor.history.first().history_user == editor

    assert "kind" in errors(write(as_editor, "patch", url, {"kind": "robot"}))
    assert write(as_editor, "delete", url).status_code == 204


def test_an_editor_writes_a_topic(seeded, as_editor, editor):
    response = write(as_editor, "post", reverse("api:topic-list"), {"slug": "t1", "name": "T"})
    assert response.status_code == 201, response.content
    assert "name" in errors(write(as_editor, "post", reverse("api:topic-list"), {"slug": "t2"}))

    url = detail("topic", "t1")
    response = write(as_editor, "patch", url, {"slug": "t-one", "description": "About T."})
    assert response.status_code == 200, response.content
    assert response.json()["slug"] == "t-one"
    topic = Topic.objects.get(slug="t-one")
    assert topic.history.first().history_user == editor
    assert write(as_editor, "delete", detail("topic", "t-one")).status_code == 204


def test_an_editor_writes_a_source(seeded, as_editor, editor):
    payload = {
        "slug": "s1",
        "title": "A source",
        "kind": "official",
        "external_url": "https://example.org/law",
        "published_on": "2025-08-08",
    }
    response = write(as_editor, "post", reverse("api:source-list"), payload)
    assert response.status_code == 201, response.content
    source = Source.objects.get(slug="s1")
    assert source.url == "https://example.org/law"
    assert response.json()["external_url"] == "https://example.org/law"

    url = detail("source", "s1")
    assert "external_url" in errors(write(as_editor, "patch", url, {"external_url": "nope"}))
    assert "published_on" in errors(write(as_editor, "patch", url, {"published_on": "2025"}))
    assert write(as_editor, "patch", url, {"author": "Anna"}).status_code == 200
    source.refresh_from_db()
    assert source.author == "Anna"
    assert source.history.first().history_user == editor


def test_a_source_that_is_cited_cannot_be_deleted(seeded, as_editor):
    citation = CitationFactory(source=SourceFactory(slug="cited"))
    before = snapshot()

    response = write(as_editor, "delete", detail("source", "cited"))

    assert response.status_code == 409
    assert "citation" in response.json()["errors"]["conflict"][0]
    assert snapshot() == before
    assert Citation.objects.filter(pk=citation.pk).exists()


# Citations


def test_an_editor_writes_a_citation(vocabulary, as_editor, editor):
    InstrumentFactory(slug="cited-law")
    payload = {
        "source": "test-source",
        "quote": "The law regulates AI.",
        "locator": "Section 2",
        "fields": ["summary"],
        "record": {"kind": "instrument", "key": "cited-law"},
    }
    response = write(as_editor, "post", reverse("api:citation-list"), payload)
    assert response.status_code == 201, response.content
    citation = Citation.objects.get(quote="The law regulates AI.")
    assert response["Location"].endswith(detail("citation", citation.pk))
    assert response.json()["record"]["key"] == "cited-law"
    assert citation.history.first().history_user == editor

    url = detail("citation", citation.pk)
    record, etag = read(as_editor, url)
    assert record["quote"] == "The law regulates AI."

    # It moves to a step of a timeline, named by its natural key.
    StatusChangeFactory(
        instrument=Instrument.objects.get(slug="cited-law"), date=datetime.date(2024, 5, 21)
    )
    step = {"kind": "status_change", "key": "cited-law/adopted/2024-05-21"}
    response = write(as_editor, "patch", url, {"record": step, "fields": ["status"]}, etag=etag)
    assert response.status_code == 200, response.content
    citation.refresh_from_db()
    assert (citation.instrument, citation.status_change.status) == (None, "adopted")

    assert write(as_editor, "delete", url).status_code == 204
    assert not Citation.objects.filter(pk=citation.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "no-such-source"}, "source"),
        ({"record": {"kind": "instrument", "key": "no-such-law"}}, "record"),
        ({"record": {"kind": "planet", "key": "mars"}}, "record"),
        ({"record": "cited-law"}, "record"),
        ({"record": {"kind": "status_change", "key": "cited-law/adopted"}}, "record"),
        ({"fields": ["no_such_field"]}, "fields"),
        ({"checked_on": "yesterday"}, "checked_on"),
    ],
)
def test_a_bad_citation_answers_400_naming_the_field(vocabulary, as_editor, change, field):
    InstrumentFactory(slug="cited-law")
    payload = {"source": "test-source", "quote": "Q.", "record": {"kind": "instrument"}}
    payload["record"]["key"] = "cited-law"
    before = snapshot()

    response = write(as_editor, "post", reverse("api:citation-list"), {**payload, **change})

    assert field in errors(response)
    assert snapshot() == before


def test_a_citation_backs_a_record_only_once_per_quote(vocabulary, as_editor):
    instrument = InstrumentFactory(slug="cited-law")
    CitationFactory(source=vocabulary["source"], instrument=instrument, quote="Q.")
    payload = {
        "source": "test-source",
        "quote": "Q.",
        "record": {"kind": "instrument", "key": "cited-law"},
    }
    response = write(as_editor, "post", reverse("api:citation-list"), payload)
    assert "record" in errors(response)


def test_a_list_names_the_address_of_each_citation(seeded, anonymous):
    citation = Citation.objects.order_by("pk").first()
    # Every page of the list: the seed has more citations than one page of 200 holds.
    rows = all_rows(anonymous, reverse("api:citation-list"))
    assert len(rows) == Citation.objects.count()
    urls = [row["url"] for row in rows]
    assert any(url.endswith(detail("citation", citation.pk)) for url in urls)


# The editor's token


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command("create_editor_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_editor_token_prints_the_same_token_each_time(editor):
    key, note = run_command("edith")
    assert key == Token.objects.get(user=editor).key
    assert "New token" in note
    assert run_command("edith")[0] == key


def test_the_printed_token_writes(seeded, editor):
    key, _ = run_command("edith")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert (
        write(client, "post", reverse("api:topic-list"), {"slug": "t", "name": "T"}).status_code
        == 201
    )


def test_create_editor_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user “nobody”"):
        run_command("nobody")
    assert not Token.objects.exists()


def test_create_editor_token_refuses_a_user_who_is_no_editor(reader):
    with pytest.raises(CommandError, match="not an editor"):
        run_command("reggie")
    assert not Token.objects.exists()


def test_create_editor_token_can_make_a_user_an_editor(reader):
    key, _ = run_command("reggie", "--add-to-editors")
    assert reader.groups.filter(name=EDITORS_GROUP).exists()
    assert key == Token.objects.get(user=reader).key


def test_create_editor_token_exits_with_an_error_for_an_unknown_user(db, capsys):
    from instruments.management.commands.create_editor_token import Command

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["manage.py", "create_editor_token", "nobody", "--skip-checks"])
    assert exit_.value.code == 1
    assert "no user “nobody”" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    [
        reverse("api:instrument-list"),
        detail("instrument", "vn-law-on-artificial-intelligence"),
        reverse("api:instrument-status-changes", args=["vn-law-on-artificial-intelligence"]),
        detail("event", "ai-seoul-summit-2024"),
        detail("source", "us-asia-ai-governance-2025-08-08"),
        reverse("api:citation-list"),
        detail("jurisdiction", "SG"),
    ],
)
def test_the_browsable_api_shows_an_editor_its_forms(seeded, editor, url):
    client = APIClient()
    client.force_login(editor)
    page = client.get(url, HTTP_ACCEPT="text/html")
    assert page.status_code in (200, 405), page.content[:500]
    options = client.options(url)
    assert options.status_code == 200, options.content


@pytest.mark.parametrize("asked", [{"format": "csv"}, {"HTTP_ACCEPT": "text/csv"}])
def test_a_write_answers_json_even_to_an_address_asking_for_csv(vocabulary, as_editor, asked):
    query = "?format=csv" if "format" in asked else ""
    headers = {key: value for key, value in asked.items() if key.startswith("HTTP_")}
    url = reverse("api:instrument-list") + query
    created = as_editor.post(url, NEW_INSTRUMENT, format="json", **headers)
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == "application/json"
    assert created.json()["slug"] == "xa-ai-act"
    refused = as_editor.post(
        url, {**NEW_INSTRUMENT, "slug": "other", "type": "?"}, format="json", **headers
    )
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert "type" in refused.json()["errors"]
