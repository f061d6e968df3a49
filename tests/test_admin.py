import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from instruments.models import Instrument, StatusChange, Topic
from jurisdictions.models import ApproachAssessment, Jurisdiction

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_admin_page_opens(seeded, admin_client, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "AI"}).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
        assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_instrument_changelist_filters_by_binding(seeded, admin_client):
    response = admin_client.get(admin_url(Instrument, "changelist"), {"binding": "false"})
    shown = {obj.slug for obj in response.context["cl"].result_list}
    assert "seoul-declaration-2024" in shown
    assert "eu-ai-act" not in shown


def test_instrument_changelist_shows_jurisdiction_codes(seeded, admin_client):
    response = admin_client.get(admin_url(Instrument, "changelist"), {"q": "AI Act"})
    html = response.content.decode()
    assert '<td class="field-jurisdiction_code">EU</td>' in html


def test_autocomplete_finds_jurisdictions_by_code(seeded, admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "SG",
            "app_label": "instruments",
            "model_name": "instrument",
            "field_name": "jurisdiction",
        },
    )
    assert response.status_code == 200
    assert "Singapore" in response.content.decode()


def test_history_records_who_when_and_what(db, admin_client, admin_user):
    topic = Topic.objects.create(slug="test-sandboxes", name="Sandboxes")
    response = admin_client.post(
        admin_url(Topic, "change", topic.pk),
        {"slug": "test-sandboxes", "name": "Regulatory sandboxes", "description": ""},
    )
    assert response.status_code == 302
    latest = topic.history.latest()
    assert latest.history_user == admin_user
    assert latest.history_date is not None
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("name", "Sandboxes", "Regulatory sandboxes")
    ]
    page = admin_client.get(admin_url(Topic, "history", topic.pk)).content.decode()
    assert "Regulatory sandboxes" in page
    assert admin_user.username in page


def test_status_change_saved_in_admin_updates_the_instrument(seeded, admin_client):
    instrument = Instrument.objects.get(slug="kr-ai-framework-act")
    response = admin_client.post(
        admin_url(StatusChange, "add"),
        {
            "instrument": instrument.pk,
            "status": "repealed",
            "date": "2026-11-01",
            "date_precision": "day",
            "note": "",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    instrument.refresh_from_db()
    assert instrument.status == "repealed"
    change = StatusChange.objects.get(instrument=instrument, status="repealed")
    admin_client.post(admin_url(StatusChange, "delete", change.pk), {"post": "yes"})
    instrument.refresh_from_db()
    assert instrument.status == "in_effect"


def test_admin_refuses_a_contradicting_status_change(seeded, admin_client):
    bill = Instrument.objects.get(slug="us-ban-chinese-ai-federal-use")
    response = admin_client.post(
        admin_url(StatusChange, "add"),
        {
            "instrument": bill.pk,
            "status": "in_effect",
            "date": "2026-01-01",
            "date_precision": "day",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "cannot be in effect" in response.content.decode()
    assert not StatusChange.objects.filter(instrument=bill).exists()
    assert StatusChange.objects.filter(date=datetime.date(2026, 1, 1)).count() == 0


def test_status_is_locked_once_an_instrument_has_a_timeline(seeded, admin_client):
    with_timeline = Instrument.objects.get(slug="eu-ai-act")
    form = (
        admin_client.get(admin_url(Instrument, "change", with_timeline.pk))
        .context["adminform"]
        .form
    )
    assert form.fields["status"].disabled
    without = Instrument.objects.get(slug="us-ban-chinese-ai-federal-use")
    form = admin_client.get(admin_url(Instrument, "change", without.pk)).context["adminform"].form
    assert not form.fields["status"].disabled


def instrument_form_data(instrument, **changes):
    """The instrument change form as the admin posts it, with empty inline formsets."""
    data = {
        "title": instrument.title,
        "slug": instrument.slug,
        "short_name": instrument.short_name,
        "original_title": instrument.original_title,
        "jurisdiction": instrument.jurisdiction_id,
        "type": instrument.type,
        "status": instrument.status,
        "issuing_body": instrument.issuing_body,
        "topics": [t.pk for t in instrument.topics.all()],
        "parties": [p.pk for p in instrument.parties.all()],
        "summary": instrument.summary,
    }
    for field in Instrument.DATE_FIELDS:
        value = getattr(instrument, field)
        data[field] = value.isoformat() if value else ""
        data[f"{field}_precision"] = getattr(instrument, f"{field}_precision")
    for prefix in ("identifiers", "relations_out", "status_changes", "citations"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_changing_the_type_against_the_timeline_is_an_error_not_a_crash(seeded, admin_client):
    act = Instrument.objects.get(slug="kr-ai-framework-act")
    url = admin_url(Instrument, "change", act.pk)
    response = admin_client.post(url, instrument_form_data(act, type="draft_bill"))
    assert response.status_code == 200
    assert "a draft bill cannot be in effect" in response.content.decode()
    act.refresh_from_db()
    assert act.type == "binding_law"


def test_posted_status_is_ignored_once_there_is_a_timeline(seeded, admin_client):
    act = Instrument.objects.get(slug="kr-ai-framework-act")
    url = admin_url(Instrument, "change", act.pk)
    response = admin_client.post(
        url, instrument_form_data(act, status="repealed", summary="Edited.")
    )
    assert response.status_code == 302
    act.refresh_from_db()
    assert (act.status, act.summary) == ("in_effect", "Edited.")


def test_status_change_added_inline_moves_the_status(seeded, admin_client):
    act = Instrument.objects.get(slug="kr-ai-framework-act")
    data = instrument_form_data(act)
    data.update(
        {
            "status_changes-TOTAL_FORMS": "1",
            "status_changes-0-status": "repealed",
            "status_changes-0-date": "2026-11-02",
            "status_changes-0-date_precision": "day",
            "status_changes-0-note": "",
        }
    )
    response = admin_client.post(admin_url(Instrument, "change", act.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    act.refresh_from_db()
    assert act.status == "repealed"


# ---- approach timelines ------------------------------------------------------------------------


def jurisdiction_form_data(jurisdiction, **changes):
    """The jurisdiction change form as the admin posts it, with empty inline formsets."""
    data = {
        "code": jurisdiction.code,
        "name": jurisdiction.name,
        "local_name": jurisdiction.local_name,
        "kind": jurisdiction.kind,
        "region": jurisdiction.region,
        "approach": jurisdiction.approach,
        "approach_summary": jurisdiction.approach_summary,
    }
    for prefix in ("approach_assessments", "memberships", "member_links", "citations"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(changes)
    return data


def test_jurisdiction_page_shows_the_approach_timeline_and_locks_the_approach(seeded, admin_client):
    vietnam = Jurisdiction.objects.get(code="VN")
    response = admin_client.get(admin_url(Jurisdiction, "change", vietnam.pk))
    form = response.context["adminform"].form
    assert form.fields["approach"].disabled
    assert form.fields["approach_summary"].disabled
    html = response.content.decode()
    assert "approach timeline (the latest assessment is the current approach)" in html.lower()
    assert "Law No. 134/2025/QH15 took effect." in html
    [timeline] = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "approach_assessments"
    ]
    assert [f.instance.approach for f in timeline.formset.forms] == ["voluntary", "risk_based"]


def test_posted_approach_is_ignored_and_an_inline_assessment_moves_it(seeded, admin_client):
    thailand = Jurisdiction.objects.get(code="TH")
    url = admin_url(Jurisdiction, "change", thailand.pk)
    response = admin_client.post(url, jurisdiction_form_data(thailand, approach="binding"))
    assert response.status_code == 302
    thailand.refresh_from_db()
    assert thailand.approach == "voluntary"
    data = jurisdiction_form_data(thailand)
    data.update(
        {
            "approach_assessments-TOTAL_FORMS": "1",
            "approach_assessments-0-approach": "hybrid",
            "approach_assessments-0-summary": "Mixed.",
            "approach_assessments-0-date": "2026-06-01",
            "approach_assessments-0-date_precision": "day",
            "approach_assessments-0-note": "",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    thailand.refresh_from_db()
    assert (thailand.approach, thailand.approach_summary) == ("hybrid", "Mixed.")


def test_a_bad_inline_assessment_is_a_form_error(seeded, admin_client):
    thailand = Jurisdiction.objects.get(code="TH")
    data = jurisdiction_form_data(thailand)
    data.update(
        {
            "approach_assessments-TOTAL_FORMS": "1",
            "approach_assessments-0-approach": "not_assessed",
            "approach_assessments-0-date": "2099-01-01",
            "approach_assessments-0-date_precision": "day",
        }
    )
    response = admin_client.post(admin_url(Jurisdiction, "change", thailand.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not one of the available choices" in html
    assert "in the future" in html
    thailand.refresh_from_db()
    assert thailand.approach == "voluntary"


def assessment_form(jurisdiction, **changes):
    data = {
        "jurisdiction": jurisdiction.pk,
        "approach": "binding",
        "summary": "Binding rules.",
        "date": "2026-11-01",
        "date_precision": "day",
        "note": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_assessment_saved_moved_and_deleted_in_admin_keeps_approaches_in_step(seeded, admin_client):
    thailand = Jurisdiction.objects.get(code="TH")
    indonesia = Jurisdiction.objects.get(code="ID")
    response = admin_client.post(admin_url(ApproachAssessment, "add"), assessment_form(thailand))
    assert response.status_code == 302, response.content.decode()[:2000]
    thailand.refresh_from_db()
    assert (thailand.approach, thailand.approach_summary) == ("binding", "Binding rules.")

    assessment = ApproachAssessment.objects.get(jurisdiction=thailand, approach="binding")
    response = admin_client.post(
        admin_url(ApproachAssessment, "change", assessment.pk), assessment_form(indonesia)
    )
    assert response.status_code == 302
    thailand.refresh_from_db()
    indonesia.refresh_from_db()
    assert (thailand.approach, indonesia.approach) == ("voluntary", "binding")

    admin_client.post(admin_url(ApproachAssessment, "delete", assessment.pk), {"post": "yes"})
    indonesia.refresh_from_db()
    assert indonesia.approach == "voluntary"


def test_bulk_deleting_assessments_resets_approaches(seeded, admin_client):
    vietnam = Jurisdiction.objects.get(code="VN")
    pks = list(vietnam.approach_assessments.values_list("pk", flat=True))
    response = admin_client.post(
        admin_url(ApproachAssessment, "changelist"),
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )
    assert response.status_code == 302
    vietnam.refresh_from_db()
    assert (vietnam.approach, vietnam.approach_summary) == ("not_assessed", "")
