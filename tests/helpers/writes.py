"""Writing through the API in tests: editors and their token clients, reads with their ETag,
writes with `If-Match`, and a snapshot of every table to show that a refused write wrote nothing.
The fixtures built on these (`editor`, `as_editor`, `anonymous`...) are in tests/conftest.py."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from policytracker.core.api.throttling import EDITORS_GROUP, REVIEWERS_GROUP

User = get_user_model()


def make_user(username, *, editor=False, staff=False, publishes=True):
    """A user; an `editor` is in the `editors` group and, unless `publishes` is False, in the
    `reviewers` group too, so that their writes are published at once (the tests of review
    make editors who do not publish)."""
    user = User.objects.create_user(username, password="unused-password", is_staff=staff)
    if editor:
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        if publishes:
            user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    return user


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def detail(basename, key):
    return reverse(f"api:{basename}-detail", args=[key])


def read(client, url):
    """The record at `url` as JSON, and its ETag."""
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json(), response["ETag"]


def write(client, method, url, data=None, *, etag=None):
    """A JSON write; `etag` (default: read it first) goes in If-Match, False sends none."""
    headers = {}
    if etag is None and method != "post":
        _, etag = read(client, url)
    if etag:
        headers["HTTP_IF_MATCH"] = etag
    return getattr(client, method)(url, data, format="json", **headers)


def timeline_post(client, basename, key, suffix, data, *, etag=None):
    if etag is None:
        _, etag = read(client, detail(basename, key))
    url = reverse(f"api:{basename}-{suffix}", args=[key])
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.post(url, data, format="json", **headers)


def errors(response, status=400):
    assert response.status_code == status, response.content
    return response.json()["errors"]


def snapshot():
    """How many rows every model of the project has, history included: any write adds a
    history row, so an unchanged snapshot means nothing was written."""
    return {
        model._meta.label: model._default_manager.count()
        for label in ("jurisdictions", "instruments", "authtoken")
        for model in apps.get_app_config(label).get_models()
    }


NEW_INSTRUMENT = {
    "slug": "xa-ai-act",
    "title": "Xanadu AI Act",
    "jurisdiction": "XA",
    "type": "binding_law",
    "status": "adopted",
    "adopted_on": "2024-05",
    "topics": ["test-topic"],
    "parties": ["XB"],
    "summary": "Regulates AI.",
}
