"""The editors' desk through the API: a record with its timeline and its citations in one request,
the rules refused in plain words with nothing written, timeline steps corrected and deleted with
`If-Match`, fields and filters the API does not know refused, and an editor's write kept for a
reviewer (202) until published."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from instruments.models import Citation, Instrument, Revision, StatusChange
from instruments.revisions import RevisionRefused, revision_preview, revision_publish
from policytracker.api.urls import router
from tests.helpers.desk import (
    EFFECT_CITATION,
    LABELLING,
    RECORD_CITATION,
    labelling_payload,
    reviewer,
    without_labelling_measures,
)
from tests.helpers.writes import detail, make_user, read, snapshot, token_client, write

LIST = reverse("api:instrument-list")


def created(client, payload):
    response = client.post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def refused(client, payload, status=400):
    before = snapshot()
    response = client.post(LIST, payload, format="json")
    assert response.status_code == status, response.content
    assert snapshot() == before
    return response.json()["errors"]


@pytest.fixture
def labelling_free(seeded):
    without_labelling_measures()


def test_a_record_its_timeline_and_its_citations_in_one_request(labelling_free, as_editor):
    record = created(as_editor, labelling_payload())
    assert record["status"] == "in_effect"
    assert [step["status"] for step in record["status_timeline"]] == ["draft", "in_effect"]
    assert [len(step["citations"]) for step in record["status_timeline"]] == [1, 1]
    assert sorted(c["quote"] for c in record["citations"]) == sorted(
        [RECORD_CITATION["quote"], EFFECT_CITATION["quote"]]
    )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"status_timeline": [{"status": "draft", "date": "2024-09-14"}]},
            "status_timeline",
            "a binding law cannot be draft",
        ),
        (
            {
                "status_timeline": [
                    {"status": "in_effect", "date": "2024-01-01"},
                    {"status": "adopted", "date": "2024-06-01"},
                ]
            },
            "status_timeline",
            "a step back",
        ),
        ({"effective_on": "2024-01-01"}, "effective_on", "before it was adopted"),
        ({"citations": [RECORD_CITATION, RECORD_CITATION]}, "citations", "already cites"),
        (
            {"citations": [{**RECORD_CITATION, "fields": ["adopted"]}]},
            "citations",
            "Not fields of the cited instrument: adopted",
        ),
        ({"citations": [{**RECORD_CITATION, "page": 3}]}, "citations", "Unknown field"),
        ({"url": "https://example.org/measures"}, "url", "Read-only"),
        ({"status": "adopted"}, "status", "Follows the status timeline"),
        ({"adopted_on": "03/04/2025"}, "adopted_on", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
    ids=[
        "draft-binding-law",
        "backwards",
        "effective-before-adopted",
        "duplicate-citation",
        "unknown-cited-field",
        "unknown-citation-key",
        "read-only-url",
        "status-against-timeline",
        "day-first",
    ],
)
def test_each_mistake_is_a_400_in_words_and_nothing_is_written(
    labelling_free, as_editor, changes, field, words
):
    errors = refused(as_editor, labelling_payload(**changes))
    assert words in str(errors[field])


def test_a_near_duplicate_title_is_flagged_until_confirmed(seeded, as_editor):
    payload = labelling_payload(
        slug="cn-labelling-again",
        title="Measures for Labelling AI-Generated Synthetic Content",
        status_timeline=[],
        citations=[],
    )
    errors = refused(as_editor, payload)
    assert "not_a_duplicate" in errors["title"][0]
    created(as_editor, {**payload, "not_a_duplicate": True})


# -- timeline steps --------------------------------------------------------------------------


def step_url(slug, date, status):
    return reverse(
        "api:instrument-status-change",
        kwargs={"slug": slug, "step_date": date, "step_status": status},
    )


def test_a_step_is_corrected_and_deleted_with_if_match(labelling_free, as_editor):
    created(as_editor, labelling_payload())
    slug = LABELLING["slug"]
    _, etag = read(as_editor, detail("instrument", slug))

    url = step_url(slug, "2025-09-01", "in_effect")
    response = as_editor.patch(url, {"date": "2025-09"}, format="json")
    assert response.status_code == 428
    response = as_editor.patch(url, {"date": "2025-09"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["status_timeline"][-1]["date"] == "2025-09"
    stale = as_editor.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412

    # Deleting the last step would leave a binding law "draft": refused.
    etag = response["ETag"]
    url = step_url(slug, "2025-09", "in_effect")
    response = as_editor.delete(url, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert "contradicts its type" in str(response.json()["errors"])
    assert Instrument.objects.get(slug=slug).status_changes.count() == 2

    # The first step can go; the status still follows the last.
    response = as_editor.delete(step_url(slug, "2024-09-14", "draft"), HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert [step["status"] for step in response.json()["status_timeline"]] == ["in_effect"]
    missing = as_editor.delete(
        step_url(slug, "2024-09-14", "draft"), HTTP_IF_MATCH=response["ETag"]
    )
    assert missing.status_code == 404


def test_a_correction_that_breaks_the_order_is_refused(labelling_free, as_editor):
    created(as_editor, labelling_payload())
    slug = LABELLING["slug"]
    _, etag = read(as_editor, detail("instrument", slug))
    response = as_editor.patch(
        step_url(slug, "2024-09-14", "draft"),
        {"date": "2025-10-01"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert "a step back" in str(response.json()["errors"])
    assert StatusChange.objects.filter(instrument__slug=slug, date="2024-09-14").exists()


# -- strictness ------------------------------------------------------------------------------

LISTS = sorted(
    name for name in (pattern.name for pattern in router.urls) if name and name.endswith("-list")
)


@pytest.mark.parametrize("name", LISTS)
def test_every_list_refuses_a_parameter_it_does_not_know(seeded, anonymous, name):
    response = anonymous.get(reverse(f"api:{name}"), {"colour": "blue"})
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["colour"][0].startswith("Unknown parameter.")
    # A cache-buster is no parameter.
    assert anonymous.get(reverse(f"api:{name}"), {"_": "123"}).status_code == 200


def test_a_source_written_with_url_is_told_to_use_external_url(seeded, as_editor):
    response = write(
        as_editor,
        "post",
        reverse("api:source-list"),
        {"slug": "s", "title": "S", "kind": "article", "url": "https://example.org/s"},
    )
    assert response.status_code == 400
    assert "external_url" in response.json()["errors"]["url"][0]


def test_a_record_sent_back_as_read_is_accepted(seeded, as_editor):
    url = detail("instrument", "eu-ai-act")
    record, etag = read(as_editor, url)
    assert write(as_editor, "put", url, record, etag=etag).status_code == 200
    record, etag = read(as_editor, url)
    record["citations"] = []
    response = write(as_editor, "put", url, record, etag=etag)
    assert response.status_code == 400
    assert "/api/v1/citations/" in response.json()["errors"]["citations"][0]


def test_a_duplicate_citation_is_a_400_in_plain_words(seeded, as_editor):
    citation = Citation.objects.filter(instrument__slug="eu-ai-act").first()
    response = write(
        as_editor,
        "post",
        reverse("api:citation-list"),
        {
            "source": citation.source.slug,
            "quote": citation.quote,
            "record": {"kind": "instrument", "key": "eu-ai-act"},
        },
    )
    assert response.status_code == 400
    assert "already cites the same quote" in str(response.json()["errors"])


# -- review ----------------------------------------------------------------------------------


@pytest.fixture
def as_junior(db):
    """An editor who may not publish."""
    return token_client(make_user("june", editor=True, publishes=False))


def reviewer_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_an_editor_write_waits_for_a_reviewer(labelling_free, as_junior, anonymous):
    before = snapshot()
    response = as_junior.post(LIST, labelling_payload(), format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["state"] == "pending"
    assert response["Location"].endswith(f"/admin/instruments/revision/{body['revision']}/change/")
    # Nothing but the revision itself is written.
    assert snapshot() == {**before, "instruments.Revision": 1}
    assert anonymous.get(detail("instrument", LABELLING["slug"])).status_code == 404

    revision = Revision.objects.get(pk=body["revision"])
    boss = reviewer()
    preview = revision_preview(revision=revision, request=reviewer_request(boss))
    assert preview.ok
    added = {(change.kind, change.action) for change in preview.changes}
    assert {("instrument", "added"), ("status change", "added"), ("citation", "added")} <= added
    assert snapshot() == {**before, "instruments.Revision": 1}

    revision_publish(revision=revision, reviewer=boss, request=reviewer_request(boss))
    record, _ = read(anonymous, detail("instrument", LABELLING["slug"]))
    assert len(record["status_timeline"]) == 2
    instrument = Instrument.objects.get(slug=LABELLING["slug"])
    assert instrument.history.latest().history_user.username == "june"


def test_a_bad_editor_write_is_refused_at_once(labelling_free, as_junior):
    response = as_junior.post(LIST, labelling_payload(effective_on="2024-01-01"), format="json")
    assert response.status_code == 400
    assert not Revision.objects.exists()


def test_a_revision_made_stale_by_another_write_is_refused(seeded, as_junior, as_editor):
    url = detail("instrument", "eu-ai-act")
    response = write(as_junior, "patch", url, {"short_name": "EU AI Act"})
    assert response.status_code == 202, response.content
    assert write(as_editor, "patch", url, {"summary": "Changed meanwhile."}).status_code == 200

    revision = Revision.objects.get()
    boss = reviewer()
    with pytest.raises(RevisionRefused) as refusal:
        revision_publish(revision=revision, reviewer=boss, request=reviewer_request(boss))
    assert "changed after the author read it" in str(refusal.value)
    assert Instrument.objects.get(slug="eu-ai-act").short_name == "AI Act"


def test_an_event_is_created_with_its_citations_in_one_request(seeded, as_editor):
    citation = {
        "source": RECORD_CITATION["source"],
        "quote": RECORD_CITATION["quote"],
        "locator": RECORD_CITATION["locator"],
        "fields": ["title"],
    }
    event = {"slug": "cn-labelling-release", "title": "China releases labelling measures"}
    event.update(kind="statement", host="CN", date="2025-03-14")
    response = as_editor.post(
        reverse("api:event-list"), {**event, "citations": [citation]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert [c["quote"] for c in response.json()["citations"]] == [citation["quote"]]

    before = snapshot()
    response = as_editor.post(
        reverse("api:event-list"),
        {**event, "slug": "cn-labelling-twice", "citations": [{**citation, "fields": ["nope"]}]},
        format="json",
    )
    assert response.status_code == 400
    assert "nope" in str(response.json()["errors"]["citations"])
    assert snapshot() == before


def test_a_key_with_a_nul_character_is_a_400(seeded, as_editor):
    payload = labelling_payload(slug="cn-nul", topics=["content\u0000labelling"])
    errors = refused(as_editor, payload)
    assert "NUL character" in errors["topics"][0]
