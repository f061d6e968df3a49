"""The admin of jurisdictions: the approach follows the approach timeline, whether an
assessment is saved inline, on its own page, moved or deleted."""

import pytest

from jurisdictions.models import ApproachAssessment, Jurisdiction
from tests.helpers.admin import admin_url

pytestmark = pytest.mark.django_db


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
    assert [(f.instance.approach, f.instance.date.isoformat()) for f in timeline.formset.forms] == [
        ("voluntary", "2025-08-08"),
        ("risk_based", "2026-01-01"),  # the AI chapter of its digital technology law
        ("risk_based", "2026-03-01"),  # its AI law
    ]


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
            "approach_assessments-0-assessed_on": "2026-06-01",
            "approach_assessments-0-assessed_on_precision": "day",
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
            "approach_assessments-0-assessed_on": "2099-01-01",
            "approach_assessments-0-assessed_on_precision": "day",
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
        "assessed_on": "2026-11-01",
        "assessed_on_precision": "day",
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
