"""The content security policy holds on the pages drawn by packages, not by the site's own
templates: the admin (every model's list, its add and change forms, a record's history, the
import and the data health pages), the browsable API (as the public and as an editor, whose
pages carry forms) and the API docs. Every page runs without one refusal of the policy (the
context's check) and without a request to another host. The site's own pages are held to the
same check by every other browser test."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from instruments.models import Instrument
from tests.browser.conftest import DESKTOP, assert_clean, open_context, visit
from tests.helpers.desk import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME = "policy-admin"


@pytest.fixture(scope="module")
def admin_pages(site, django_db_blocker):
    """A superuser, and the admin's pages to visit; the user is removed after."""
    with django_db_blocker.unblock():
        get_user_model().objects.create_superuser(USERNAME, "admin@example.org", PASSWORD)
        instrument = Instrument.objects.order_by("pk").first()
        pages = [reverse("admin:index"), reverse("admin-data-health")]
        for model in admin.site._registry:
            meta = model._meta
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        pages += [
            reverse("admin:instruments_instrument_add"),
            reverse("admin:instruments_instrument_change", args=[instrument.pk]),
            reverse("admin:instruments_instrument_history", args=[instrument.pk]),
            reverse("admin:instruments_instrument_import"),
            reverse("admin:password_change"),
        ]
        yield pages
        get_user_model().objects.filter(username=USERNAME).delete()


def signed_in(chromium, site):
    context = open_context(chromium, site, DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit(page, f"{site.url}/admin/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


def test_the_admin_runs_under_the_policy(chromium, site, admin_pages):
    context, page = signed_in(chromium, site)
    statuses = {path: visit(page, f"{site.url}{path}").status for path in admin_pages}
    context.close()
    assert {path: status for path, status in statuses.items() if status != 200} == {}
    assert_clean(context)


BROWSABLE = ["/api/v1/", "/api/v1/instruments/", "/api/v1/jurisdictions/EU/", "/api/v1/topics/"]


def test_the_browsable_api_runs_under_the_policy_for_the_public(chromium, site, db):
    context = open_context(chromium, site, DESKTOP)
    page = context.new_page()
    for path in BROWSABLE:
        assert visit(page, f"{site.url}{path}?format=api").status == 200
        assert page.locator(".response-info").count() == 1
    context.close()
    assert_clean(context)


def test_the_browsable_api_runs_under_the_policy_for_an_editor(chromium, site, admin_pages):
    context, page = signed_in(chromium, site)
    for path in BROWSABLE:
        assert visit(page, f"{site.url}{path}?format=api").status == 200
    # An editor's list page carries the form that writes.
    assert page.locator("form").count() > 0
    context.close()
    assert_clean(context)
