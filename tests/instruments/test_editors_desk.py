"""The editors' desk in the admin: a fresh editor who is not a superuser adds a record with its
timeline and its citations on one page; the usual mistakes are refused in words before anything
is saved; a save made from a stale page is refused; a changed value leaves its citations
unverified until confirmed; and nothing an editor saves is public before a reviewer publishes it."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from instruments.data_checks import run_checks
from instruments.models import Citation, Instrument, Revision, Source, StatusChange, Topic
from jurisdictions.models import Jurisdiction
from tests.helpers.admin import add_row, admin_url, page_data
from tests.helpers.desk import (
    DRAFT_STEP,
    EFFECT_CITATION,
    IN_EFFECT_STEP,
    LABELLING,
    PASSWORD,
    RECORD_CITATION,
    person,
    reviewer,
    without_labelling_measures,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    # The sign-in limits count by request: a sign-in outside one names a blank request.
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client


def fresh_editor(client, username="ed"):
    """An account made an editor the documented way, signed in to the admin."""
    user = person(username, staff=False)
    call_command("create_editor_token", username, "--add-to-editors")
    user.refresh_from_db()
    return signed_in(client, user), user


def step_row(step, *, cite=True):
    row = {"status": step["status"], "date": step["date"], "note": step["note"]}
    if cite:
        citation = step["citation"]
        row.update(
            cite_source=str(Source.objects.get(slug=citation["source"]).pk),
            cite_quote=citation["quote"],
            cite_locator=citation["locator"],
        )
    return row


def citation_row(citation):
    return {
        "source": str(Source.objects.get(slug=citation["source"]).pk),
        "quote": citation["quote"],
        "locator": citation["locator"],
        "fields": citation["fields"],
    }


def labelling_form(
    client, *, steps=(DRAFT_STEP, IN_EFFECT_STEP), citations=(RECORD_CITATION, EFFECT_CITATION)
):
    """The instrument add page filled in with the measures, its timeline and its citations."""
    response = client.get(admin_url(Instrument, "add"))
    assert response.status_code == 200
    data = page_data(response)
    data.update(
        {
            "title": LABELLING["title"],
            "slug": LABELLING["slug"],
            "short_name": LABELLING["short_name"],
            "jurisdiction": str(Jurisdiction.objects.get(code="CN").pk),
            "type": LABELLING["type"],
            "adopted_on": LABELLING["adopted_on"],
            "effective_on": LABELLING["effective_on"],
            "issuing_body": LABELLING["issuing_body"],
            "topics": [str(Topic.objects.get(slug=slug).pk) for slug in LABELLING["topics"]],
        }
    )
    for step in steps:
        add_row(data, "status_changes", step_row(step))
    for citation in citations:
        add_row(data, "citations", citation_row(citation))
    return data


def errors_of(response):
    """Every error message the page shows, its form's and its inlines'."""
    assert response.status_code == 200, "the page was saved"
    messages = [str(m) for errors in response.context["errors"] for m in errors]
    assert messages, "the page shows no error"
    return " ".join(messages)


# -- who may use the desk --------------------------------------------------------------------


def test_the_groups_have_exactly_the_permissions_their_work_needs(db):
    editing = set(
        Group.objects.get(name="editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    models = [
        "instrument", "statuschange", "instrumentidentifier", "instrumentrelation", "event",
        "actor", "topic", "source", "citation",
    ]  # fmt: skip
    expected = {
        ("instruments", f"{action}_{model}")
        for model in models
        for action in ("add", "change", "delete", "view")
    }
    expected |= {
        ("jurisdictions", f"{action}_{model}")
        for model in ("approachassessment", "coveragereview", "membership")
        for action in ("add", "change", "delete", "view")
    }
    expected |= {
        ("jurisdictions", "add_jurisdiction"),
        ("jurisdictions", "change_jurisdiction"),
        ("jurisdictions", "view_jurisdiction"),
        ("instruments", "view_revision"),
    }
    assert editing == expected
    reviewing = set(
        Group.objects.get(name="reviewers").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert reviewing == editing | {("instruments", "publish_revision")}


def test_create_editor_token_makes_a_working_staff_editor(client, db):
    client, user = fresh_editor(client)
    assert user.is_staff
    assert not user.is_superuser
    assert user.groups.filter(name="editors").exists()
    for model in (Instrument, Citation, StatusChange, Source):
        assert client.get(admin_url(model, "changelist")).status_code == 200
        assert client.get(admin_url(model, "add")).status_code == 200


def test_an_account_that_may_not_use_the_admin_is_told_so(client, db):
    person("walter", staff=False)
    response = client.post(reverse("admin:login"), {"username": "walter", "password": PASSWORD})
    assert response.status_code == 200
    assert "not a staff account" in response.content.decode()


# -- one pass --------------------------------------------------------------------------------


def test_a_fresh_editor_adds_a_cited_record_in_one_pass_and_a_reviewer_publishes_it(seeded, client):
    without_labelling_measures()
    client, editor = fresh_editor(client)
    response = client.post(admin_url(Instrument, "add"), labelling_form(client))
    assert response.status_code == 302, errors_of(response)

    # Waiting for review: nothing public has it.
    revision = Revision.objects.get()
    assert response.url == admin_url(Revision, "change", revision.pk)
    assert (revision.kind, revision.state, revision.author) == ("create", "pending", editor)
    assert not Instrument.objects.filter(slug=LABELLING["slug"]).exists()
    assert client.get(f"/instruments/{LABELLING['slug']}/").status_code == 404
    assert client.get(f"/api/v1/instruments/{LABELLING['slug']}/").status_code == 404

    # The reviewer sees what publishing writes, then publishes it.
    from django.test import Client

    desk = signed_in(Client(), reviewer())
    page = desk.get(admin_url(Revision, "change", revision.pk)).content.decode()
    assert "What publishing it writes" in page
    assert LABELLING["title"] in page
    assert "In effect" in page
    assert "Draft" in page
    response = desk.post(admin_url(Revision, "change", revision.pk), {"decision": "publish"})
    assert response.status_code == 302

    instrument = Instrument.objects.get(slug=LABELLING["slug"])
    assert instrument.status == "in_effect"
    assert [str(step.when) for step in instrument.status_changes.chronological()] == [
        "14 September 2024",
        "1 September 2025",
    ]
    assert sorted(citation.fields for citation in instrument.citations.all()) == [
        ["effective_on"],
        ["title", "adopted_on"],
    ]
    for step in instrument.status_changes.all():
        assert step.citations.get().fields == ["status", "date"]
    assert instrument.history.latest().history_user == editor
    revision.refresh_from_db()
    assert revision.state == "published"
    assert revision.published_object_id == str(instrument.pk)
    assert client.get(f"/instruments/{LABELLING['slug']}/").status_code == 200


def test_a_reviewer_publishes_as_they_save(seeded, client):
    without_labelling_measures()
    client = signed_in(client, reviewer())
    response = client.post(admin_url(Instrument, "add"), labelling_form(client))
    assert response.status_code == 302, errors_of(response)
    assert Instrument.objects.filter(slug=LABELLING["slug"]).exists()
    assert not Revision.objects.exists()


def test_the_fields_a_citation_backs_are_ticked_by_the_page_labels(seeded, client):
    client = signed_in(client, reviewer())
    page = client.get(admin_url(Instrument, "add")).content.decode()
    assert 'type="checkbox" name="citations-__prefix__-fields" value="effective_on"' in page
    assert "In effect from" in page


# -- mistakes, refused in words before anything is saved ---------------------------------------

DRAFT_ONLY = {"steps": (DRAFT_STEP,)}
BACKWARDS = {
    "steps": (
        {**IN_EFFECT_STEP, "date": "2024-01-01"},
        {**DRAFT_STEP, "status": "adopted", "date": "2024-06-01"},
    )
}


@pytest.mark.parametrize(
    ("changes", "options", "message"),
    [
        ({}, DRAFT_ONLY, "contradicts its type: a binding law cannot be draft"),
        ({"effective_on": "2024-01-01"}, {}, "before it was adopted"),
        ({"adopted_on": "03/04/2025"}, {}, "is not a date of the form YYYY, YYYY-MM or"),
        ({}, BACKWARDS, "a step back"),
        ({}, {"citations": (RECORD_CITATION, RECORD_CITATION)}, "already cites the same quote"),
    ],
    ids=["draft-binding-law", "effective-before-adopted", "day-first", "backwards", "duplicate"],
)
def test_a_mistake_is_refused_before_anything_is_saved(seeded, client, changes, options, message):
    without_labelling_measures()
    client = signed_in(client, reviewer())
    data = labelling_form(client, **options)
    data.update(changes)
    counts = (Instrument.objects.count(), StatusChange.objects.count(), Citation.objects.count())

    response = client.post(admin_url(Instrument, "add"), data)

    assert message in errors_of(response)
    assert (
        Instrument.objects.count(),
        StatusChange.objects.count(),
        Citation.objects.count(),
    ) == counts


def test_a_month_is_taken_at_month_precision(seeded, client):
    without_labelling_measures()
    client = signed_in(client, reviewer())
    data = labelling_form(client)
    data["adopted_on"] = "2025-03"
    response = client.post(admin_url(Instrument, "add"), data)
    assert response.status_code == 302, errors_of(response)
    instrument = Instrument.objects.get(slug=LABELLING["slug"])
    assert (instrument.adopted_on, instrument.adopted_on_precision) == (
        datetime.date(2025, 3, 1),
        "month",
    )
    page = client.get(admin_url(Instrument, "change", instrument.pk)).content.decode()
    assert 'value="2025-03"' in page


def test_a_reversal_is_the_one_way_back_and_says_what_happened(seeded, client):
    client = signed_in(client, reviewer())
    instrument = Instrument.objects.get(slug="eu-ai-act")
    url = admin_url(Instrument, "change", instrument.pk)
    data = page_data(client.get(url))
    back = {"status": "adopted", "date": timezone.localdate().isoformat(), "note": ""}
    add_row(data, "status_changes", back)
    assert "a step back" in errors_of(client.post(url, data))

    prefix = f"status_changes-{int(data['status_changes-TOTAL_FORMS']) - 1}"
    data[f"{prefix}-reversal"] = "on"
    assert "A reversal must say what happened" in errors_of(client.post(url, data))

    data[f"{prefix}-note"] = "Application suspended by a court"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    instrument.refresh_from_db()
    assert instrument.status == "adopted"


# -- no lost update --------------------------------------------------------------------------


def test_a_save_from_a_stale_page_is_refused_with_what_changed(seeded, client):
    from django.test import Client

    first = signed_in(client, reviewer("ann"))
    second = signed_in(Client(), reviewer("ben"))
    instrument = Instrument.objects.get(slug="eu-ai-act")
    url = admin_url(Instrument, "change", instrument.pk)
    stale = page_data(first.get(url))
    fresh = page_data(second.get(url))

    fresh["short_name"] = "The AI Act"
    assert second.post(url, fresh).status_code == 302
    stale["summary"] = "An edit made on a page loaded before ben's save."
    response = first.post(url, stale)

    message = errors_of(response)
    assert "Someone else saved this record after you opened it (ben" in message
    assert "Short name: “AI Act” → “The AI Act”" in message
    instrument.refresh_from_db()
    assert instrument.short_name == "The AI Act"
    assert instrument.summary != stale["summary"]


# -- a value and its citation stay tied --------------------------------------------------------


def test_a_changed_value_leaves_its_citations_unverified_until_confirmed(seeded, client):
    client = signed_in(client, reviewer())
    instrument = Instrument.objects.get(slug=LABELLING["slug"])
    [backing] = [c for c in instrument.citations.all() if "adopted_on" in c.fields]
    other = instrument.citations.exclude(pk=backing.pk).filter(unverified_since__isnull=True)
    url = admin_url(Instrument, "change", instrument.pk)
    data = page_data(client.get(url))
    data["adopted_on"] = "2025-03-15"
    assert client.post(url, data).status_code == 302

    backing.refresh_from_db()
    assert backing.unverified_since == timezone.localdate()
    assert backing.unverified_fields == ["adopted_on"]
    assert other.count() == instrument.citations.exclude(pk=backing.pk).count()
    page = client.get(f"/instruments/{instrument.slug}/").content.decode()
    assert "unverified since the value changed" in page
    assert any(p.check == "unverified-citation" for p in run_checks())
    listed = client.get(admin_url(Citation, "changelist"), {"unverified": "yes"})
    assert list(listed.context["cl"].result_list) == [backing]

    # An editor checks it against the source and confirms it.
    citation_url = admin_url(Citation, "change", backing.pk)
    data = page_data(client.get(citation_url))
    data["confirm"] = "on"
    assert client.post(citation_url, data).status_code == 302
    backing.refresh_from_db()
    assert backing.unverified_since is None
    assert backing.checked_on == timezone.localdate()
    assert not any(p.check == "unverified-citation" for p in run_checks())


def test_the_seed_keeps_every_rule(seeded):
    broken = [
        str(problem)
        for problem in run_checks()
        if problem.check in ("timeline-order", "date-order", "unverified-citation")
    ]
    assert broken == []


# -- near-duplicate titles --------------------------------------------------------------------


def test_a_near_duplicate_title_is_flagged_before_saving(seeded, client):
    client = signed_in(client, reviewer())
    data = labelling_form(client, steps=(), citations=())
    data.update(
        slug="cn-labelling-copy", title="Measures for Labelling AI-Generated Synthetic Content"
    )
    response = client.post(admin_url(Instrument, "add"), data)
    assert "nearly identical title" in errors_of(response)
    assert LABELLING["slug"] in errors_of(response)
    assert not Instrument.objects.filter(slug="cn-labelling-copy").exists()

    data["not_a_duplicate"] = "on"
    response = client.post(admin_url(Instrument, "add"), data)
    assert response.status_code == 302, errors_of(response)


# -- review -----------------------------------------------------------------------------------


def editor_change(client, slug, **changes):
    instrument = Instrument.objects.get(slug=slug)
    url = admin_url(Instrument, "change", instrument.pk)
    data = page_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    return Revision.objects.latest("pk")


def test_an_editor_change_waits_and_the_reviewer_sees_the_difference(seeded, client):
    from django.test import Client

    client, _ = fresh_editor(client)
    revision = editor_change(client, "eu-ai-act", short_name="EU AI Act")
    assert revision.kind == "update"
    assert Instrument.objects.get(slug="eu-ai-act").short_name == "AI Act"
    assert "AI Act" in Client().get("/api/v1/instruments/eu-ai-act/").json()["short_name"]

    record_page = client.get(admin_url(Instrument, "change", revision.object_id))
    assert "1 change to this record waits for review" in record_page.content.decode()
    queue = client.get(
        admin_url(Revision, "changelist"),
        {"object_id": revision.object_id, "content_type__id__exact": revision.content_type_id},
    )
    assert list(queue.context["cl"].result_list) == [revision]

    desk = signed_in(Client(), reviewer())
    page = desk.get(admin_url(Revision, "change", revision.pk)).content.decode()
    assert "<del>AI Act</del>" in page
    assert "<ins>EU AI Act</ins>" in page
    desk.post(admin_url(Revision, "change", revision.pk), {"decision": "publish"})
    assert Instrument.objects.get(slug="eu-ai-act").short_name == "EU AI Act"


def test_a_revision_made_stale_by_another_save_is_not_published(seeded, client):
    from django.test import Client

    client, _ = fresh_editor(client)
    revision = editor_change(client, "eu-ai-act", short_name="EU AI Act")
    desk = signed_in(Client(), reviewer())
    instrument = Instrument.objects.get(slug="eu-ai-act")
    url = admin_url(Instrument, "change", instrument.pk)
    data = page_data(desk.get(url))
    data["summary"] = "Changed by the reviewer meanwhile."
    assert desk.post(url, data).status_code == 302

    page = desk.get(admin_url(Revision, "change", revision.pk)).content.decode()
    assert "It cannot be published as it stands" in page
    assert "Someone else saved this record" in page
    desk.post(admin_url(Revision, "change", revision.pk), {"decision": "publish"})
    revision.refresh_from_db()
    assert revision.state == "pending"
    assert Instrument.objects.get(slug="eu-ai-act").short_name == "AI Act"


def test_a_revision_is_rejected_or_withdrawn(seeded, client):
    from django.test import Client

    client, _ = fresh_editor(client)
    first = editor_change(client, "eu-ai-act", short_name="EU AI Act")
    second = editor_change(client, "eu-ai-act", short_name="The EU AI Act")
    desk = signed_in(Client(), reviewer())
    desk.post(
        admin_url(Revision, "change", first.pk),
        {"decision": "reject", "review_note": "The source calls it the AI Act."},
    )
    client.post(admin_url(Revision, "change", second.pk), {"decision": "withdraw"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.review_note) == ("rejected", "The source calls it the AI Act.")
    assert second.state == "withdrawn"
    assert Instrument.objects.get(slug="eu-ai-act").short_name == "AI Act"
    # An editor cannot publish.
    third = editor_change(client, "eu-ai-act", short_name="EU AI Act")
    client.post(admin_url(Revision, "change", third.pk), {"decision": "publish"})
    third.refresh_from_db()
    assert third.state == "pending"


def test_an_editor_deletion_waits_for_review(seeded, client):
    client, _ = fresh_editor(client)
    instrument = Instrument.objects.get(slug="eu-ai-act")
    response = client.post(admin_url(Instrument, "delete", instrument.pk), {"post": "yes"})
    assert response.status_code == 302
    assert Instrument.objects.filter(pk=instrument.pk).exists()
    revision = Revision.objects.get()
    assert (revision.kind, revision.title) == ("delete", instrument.title)


def test_a_value_with_no_citation_is_not_published(seeded, client):
    from django.test import Client

    without_labelling_measures()
    client, _ = fresh_editor(client)
    data = labelling_form(client, citations=())
    response = client.post(admin_url(Instrument, "add"), data)
    assert response.status_code == 302, errors_of(response)
    revision = Revision.objects.get()

    desk = signed_in(Client(), reviewer())
    page = desk.get(admin_url(Revision, "change", revision.pk)).content.decode()
    assert "A value with no citation cannot be published" in page
    assert "adopted_on" in page
    desk.post(admin_url(Revision, "change", revision.pk), {"decision": "publish"})
    revision.refresh_from_db()
    assert revision.state == "pending"
    assert not Instrument.objects.filter(slug=LABELLING["slug"]).exists()


def test_a_whole_date_is_written_and_shown_as_iso(seeded, client):
    client = signed_in(client, reviewer())
    citation = Citation.objects.filter(checked_on__isnull=False).first()
    url = admin_url(Citation, "change", citation.pk)
    data = page_data(client.get(url))
    assert data["checked_on"] == citation.checked_on.isoformat()
    data["checked_on"] = "03/04/2025"
    assert "Enter a valid date" in errors_of(client.post(url, data))
    data["checked_on"] = "2025-04-03"
    assert client.post(url, data).status_code == 302
    citation.refresh_from_db()
    assert citation.checked_on == datetime.date(2025, 4, 3)


@pytest.mark.parametrize("gone", ["staff", "group"])
def test_a_revision_whose_author_has_left_is_not_published(seeded, client, gone):
    from django.test import Client

    client, editor = fresh_editor(client)
    revision = editor_change(client, "eu-ai-act", short_name="EU AI Act")
    if gone == "staff":
        editor.is_staff = False
        editor.save()
    else:
        editor.groups.clear()
    desk = signed_in(Client(), reviewer())
    page = desk.get(admin_url(Revision, "change", revision.pk)).content.decode()
    assert "may no longer" in page
    desk.post(admin_url(Revision, "change", revision.pk), {"decision": "publish"})
    revision.refresh_from_db()
    assert revision.state == "pending"
    assert Instrument.objects.get(slug="eu-ai-act").short_name == "AI Act"
