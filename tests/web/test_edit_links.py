"""Between the site and the admin: a record's page links an editor who may change it to its
admin page, and no one else; a cache never hands one reader's copy to the other; and every
record's admin page links back to the page that shows it ("View on site")."""

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client

from instruments.models import Event, Instrument, Source
from jurisdictions.models import Jurisdiction
from policytracker.core.admin import RecordAdmin
from policytracker.web.urls import urlpatterns
from tests.helpers.admin import admin_url
from tests.helpers.writes import make_user

pytestmark = pytest.mark.django_db

# Every page of a record, by the record's key in the seed.
RECORD_PAGES = [
    (Instrument, {"slug": "eu-ai-act"}),
    (Jurisdiction, {"code": "SG"}),
    (Event, {"slug": "ai-seoul-summit-2024"}),
    (Source, {"slug": "us-asia-ai-governance-2025-08-08"}),
]
IDS = [model._meta.model_name for model, _ in RECORD_PAGES]


def record(model, key):
    return model._default_manager.get(**key)


def editor_client(model, *codenames, staff=True):
    """A signed-in client whose user holds `codenames` of `model` (e.g. "change")."""
    user = make_user(f"editor-{'-'.join(codenames) or 'none'}", staff=staff)
    opts = model._meta
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label=opts.app_label,
            codename__in=[f"{name}_{opts.model_name}" for name in codenames],
        )
    )
    client = Client()
    client.force_login(user)
    return client


def edit_href(model, obj):
    return f'href="{admin_url(model, "change", obj.pk)}"'


def test_every_record_page_is_covered():
    """A new page of a record gets the link too: the detail views are the pages listed here."""
    detail_pages = {p.name for p in urlpatterns if p.name and p.name.endswith("-detail")}
    assert detail_pages == {f"{model._meta.model_name}-detail" for model, _ in RECORD_PAGES}


@pytest.mark.parametrize(("model", "key"), RECORD_PAGES, ids=IDS)
def test_anonymous_readers_see_no_edit_link(seeded, client, model, key):
    obj = record(model, key)
    response = client.get(obj.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert edit_href(model, obj) not in html
    assert "/admin/" not in html
    assert "edit-link" not in html


@pytest.mark.parametrize(("model", "key"), RECORD_PAGES, ids=IDS)
def test_an_editor_who_may_change_the_record_gets_a_link_to_its_admin_page(seeded, model, key):
    obj = record(model, key)
    client = editor_client(model, "change")
    response = client.get(obj.get_absolute_url())
    html = response.content.decode()
    assert edit_href(model, obj) in html
    assert f'>Edit<span class="visually-hidden"> this {model._meta.verbose_name}</span>' in html
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(("model", "key"), RECORD_PAGES, ids=IDS)
def test_a_superuser_gets_the_link(seeded, admin_client, model, key):
    obj = record(model, key)
    assert edit_href(model, obj) in admin_client.get(obj.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("model", "key"), RECORD_PAGES, ids=IDS)
def test_staff_who_may_only_view_the_record_get_no_link(seeded, model, key):
    obj = record(model, key)
    html = editor_client(model, "view").get(obj.get_absolute_url()).content.decode()
    assert edit_href(model, obj) not in html
    assert "edit-link" not in html


def test_a_permission_without_staff_status_gives_no_link(seeded):
    """The admin lets in staff only: a link there would lead to its login page."""
    obj = record(Instrument, {"slug": "eu-ai-act"})
    client = editor_client(Instrument, "change", staff=False)
    assert edit_href(Instrument, obj) not in client.get(obj.get_absolute_url()).content.decode()


def test_another_models_permission_gives_no_link(seeded):
    obj = record(Instrument, {"slug": "eu-ai-act"})
    client = editor_client(Event, "change")
    assert edit_href(Instrument, obj) not in client.get(obj.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("model", "key"), RECORD_PAGES, ids=IDS)
def test_record_pages_vary_on_the_cookie(seeded, client, admin_client, model, key):
    """Which copy a page is (with or without the link) depends on the session cookie, and
    every response says so, to any cache between the site and its readers."""
    url = record(model, key).get_absolute_url()
    for response in (client.get(url), admin_client.get(url)):
        assert "Cookie" in response.get("Vary", "")
        assert "public" not in response.get("Cache-Control", "")


@pytest.fixture
def page_cache(settings):
    """The site behind Django's own page cache, as a deployment may put it."""
    settings.MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *django_settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    settings.CACHE_MIDDLEWARE_SECONDS = 600


@pytest.mark.parametrize("editor_first", [True, False], ids=["editor-first", "reader-first"])
def test_the_page_cache_never_mixes_the_copies(seeded, page_cache, admin_client, editor_first):
    obj = record(Instrument, {"slug": "eu-ai-act"})
    url, link = obj.get_absolute_url(), edit_href(Instrument, obj)
    reader = Client()
    visits = [(admin_client, True), (reader, False)]
    if not editor_first:
        visits.reverse()
    for visit_client, sees_link in visits:
        html = visit_client.get(url).content.decode()
        assert (link in html) is sees_link
    # Renamed behind the cache's back: the pages still showing the old title come from it.
    Instrument.objects.filter(pk=obj.pk).update(title="Renamed behind the cache")
    for visit_client, sees_link in visits:
        html = visit_client.get(url).content.decode()
        assert "Renamed behind the cache" not in html
        assert (link in html) is sees_link


# -- and back: "View on site" on every record's admin page ------------------------------------

RECORD_ADMINS = sorted(
    (
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, RecordAdmin)
    ),
    key=lambda model: model._meta.label,
)


@pytest.mark.parametrize("model", RECORD_ADMINS, ids=lambda m: m._meta.label)
def test_view_on_site_leads_to_the_page_showing_the_record(seeded, client, admin_client, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the seed holds no {model._meta.verbose_name}"
    url = admin.site._registry[model].get_view_on_site_url(obj)
    assert url, f"{model._meta.label} has no page"
    change_page = admin_client.get(admin_url(model, "change", obj.pk)).content.decode()
    assert 'class="viewsitelink"' in change_page
    assert f'href="{url}"'.replace("&", "&amp;") in change_page
    path, _, anchor = url.partition("#")
    response = client.get(path)
    assert response.status_code == 200
    if anchor:
        assert f'id="{anchor}"' in response.content.decode()
