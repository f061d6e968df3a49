"""The admin: every page of every registered model opens, history records who changed what,
and an instrument's status follows its status timeline (the jurisdictions' approach
timelines are tested in tests/jurisdictions/test_admin.py)."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from instruments.models import Actor, Instrument, StatusChange, Topic
from tests.factories import ActorFactory
from tests.helpers.admin import admin_url

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_admin_page_opens(seeded, admin_client, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "AI"}).status_code == 200
    model_admin = admin.site._registry[model]
    # Revisions are made by saves, not added by hand.
    may_add = model_admin.has_add_permission(admin_client.get("/").wsgi_request)
    assert admin_client.get(admin_url(model, "add")).status_code == (200 if may_add else 403)
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
        assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_instrument_changelist_filters_by_legal_force(seeded, admin_client):
    def shown(force):
        response = admin_client.get(admin_url(Instrument, "changelist"), {"force": force})
        return {obj.slug for obj in response.context["cl"].result_list}

    assert "seoul-declaration-2024" in shown("voluntary")
    assert "eu-ai-act" not in shown("voluntary")
    assert "eu-ai-act" in shown("binding")
    bills = set(Instrument.objects.filter(type="draft_bill").values_list("slug", flat=True))
    assert shown("pending") == bills
    assert not bills & shown("binding")


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

    def timeline():
        return list(bill.status_changes.chronological().values_list("status", "date"))

    assert timeline() == [("proposed", datetime.date(2025, 6, 25))]
    # The seed holds other steps on 1 January 2026: none may be added.
    on_the_day = StatusChange.objects.filter(date=datetime.date(2026, 1, 1)).count()
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
    assert timeline() == [("proposed", datetime.date(2025, 6, 25))]
    bill.refresh_from_db()
    assert bill.status == "proposed"
    assert StatusChange.objects.filter(date=datetime.date(2026, 1, 1)).count() == on_the_day


def test_status_is_locked_once_an_instrument_has_a_timeline(seeded, admin_client):
    with_timeline = Instrument.objects.get(slug="eu-ai-act")
    form = (
        admin_client.get(admin_url(Instrument, "change", with_timeline.pk))
        .context["adminform"]
        .form
    )
    assert form.fields["status"].disabled
    # A pending bill whose status no dated source gives yet.
    without = Instrument.objects.get(slug="ph-hb-2827")
    assert not without.status_changes.exists()
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


def test_view_on_site_links_to_the_records_page_or_is_left_off(db, admin_client):
    with_page = ActorFactory()
    page = admin_client.get(admin_url(Actor, "change", with_page.pk)).content.decode()
    assert f'href="{with_page.get_absolute_url()}"' in page
    # An actor with no jurisdiction is shown on no page: no link that would lead to an error.
    nowhere = ActorFactory(jurisdiction=None)
    page = admin_client.get(admin_url(Actor, "change", nowhere.pk)).content.decode()
    assert "View on site" not in page
    assert "viewsitelink" not in page
