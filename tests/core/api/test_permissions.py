"""Who may do what through the API (`policytracker.core.api.permissions`): anyone reads;
every write the router serves is for editors only (401 anonymous, 403 a signed-in non-editor),
with a token or with a session and its CSRF token."""

import pytest
from django.urls import reverse
from rest_framework.permissions import SAFE_METHODS
from rest_framework.test import APIClient

from instruments.models import StatusChange, Topic
from policytracker.api.urls import router
from tests.helpers.writes import detail, make_user, read, snapshot, token_client, write


def write_routes():
    """(URL name, method, viewset) for every write route of the API, read from its router:
    a viewset or action added later is covered without a change here."""
    routes = []
    for pattern in router.urls:
        actions = getattr(pattern.callback, "actions", None)
        if not actions or "format" in pattern.pattern.regex.groupindex:
            continue
        for method in actions:
            if method.upper() not in SAFE_METHODS:
                routes.append((pattern.name, method, pattern.callback.cls))
    return routes


WRITE_ROUTES = write_routes()


def route_url(name, viewset):
    """The route's address, for an existing record when the route names one."""
    if name.endswith("-list"):
        return reverse(f"api:{name}")
    kwarg = viewset.lookup_url_kwarg or viewset.lookup_field
    if name == "instrument-status-change":
        # A step of a timeline, named by its date and status.
        step = StatusChange.objects.order_by("pk").first()
        return reverse(
            f"api:{name}",
            kwargs={
                kwarg: step.instrument.slug,
                "step_date": step.when.isoformat(),
                "step_status": step.status,
            },
        )
    record = viewset.queryset.model._default_manager.order_by("pk").first()
    return reverse(f"api:{name}", kwargs={kwarg: getattr(record, viewset.lookup_field)})


def test_the_router_serves_every_write_the_api_promises():
    routes = {(name, method) for name, method, _ in WRITE_ROUTES}
    for basename in ("instrument", "event", "actor", "topic", "source", "citation"):
        assert (f"{basename}-list", "post") in routes
        for method in ("put", "patch", "delete"):
            assert (f"{basename}-detail", method) in routes
    assert ("instrument-status-changes", "post") in routes
    assert ("jurisdiction-approach-assessments", "post") in routes
    # Jurisdictions are reference data, and their approach follows their assessments.
    assert not {method for name, method in routes if name == "jurisdiction-detail"}


@pytest.mark.parametrize(
    ("name", "method", "viewset"),
    WRITE_ROUTES,
    ids=[f"{method.upper()} {name}" for name, method, _ in WRITE_ROUTES],
)
def test_only_editors_may_write(seeded, anonymous, as_reader, name, method, viewset):
    url = route_url(name, viewset)
    _, etag = read(anonymous, url) if name.endswith("-detail") else (None, '"any"')
    if name == "instrument-status-change":
        etag = '"any"'
    before = snapshot()

    response = getattr(anonymous, method)(url, {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Token")
    assert snapshot() == before

    response = getattr(as_reader, method)(url, {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 403, response.content
    assert "editors" in response.json()["errors"]["permission"][0]
    assert snapshot() == before


def test_reads_stay_public(seeded, anonymous):
    for name in ("instrument-list", "citation-list", "jurisdiction-list", "api-root"):
        assert anonymous.get(reverse(f"api:{name}")).status_code == 200
    assert anonymous.get(detail("jurisdiction", "SG")).status_code == 200


def test_staff_are_editors_whose_writes_wait_for_review(seeded):
    client = token_client(make_user("stan", staff=True))
    response = write(client, "post", reverse("api:topic-list"), {"slug": "t", "name": "T"})
    assert response.status_code == 202, response.content
    assert not Topic.objects.filter(slug="t").exists()


def test_superusers_publish_as_they_write(seeded):
    user = make_user("sue", staff=True)
    user.is_superuser = True
    user.save()
    response = write(
        token_client(user), "post", reverse("api:topic-list"), {"slug": "t", "name": "T"}
    )
    assert response.status_code == 201, response.content


def test_a_session_write_needs_its_csrf_token(seeded, editor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("api:topic-list")
    response = client.post(url, {"slug": "t", "name": "T"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"]["permission"][0]
    assert not Topic.objects.filter(slug="t").exists()

    client.get(reverse("api:topic-list"), HTTP_ACCEPT="text/html")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"slug": "t", "name": "T"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_a_bad_token_is_refused_even_for_a_read(seeded):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(reverse("api:topic-list")).status_code == 401
