"""/api/v1/webhooks/: signed-in editors register, read, change and delete their own hooks, and
read their delivery log; nobody else sees any of it. A filter the list would refuse is a 400
naming the parameter inside `query`."""

import pytest
from django.urls import reverse

from policytracker.webhooks import services
from policytracker.webhooks.models import Delivery, Webhook
from tests.helpers.writes import make_user, read, token_client, write

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks/"


@pytest.fixture
def endpoint(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return "https://127.0.0.1:8443/hooks/policy"


def register(client, endpoint, **fields):
    payload = {"endpoint": endpoint, "list": "instruments", **fields}
    return client.post(LIST, payload, format="json")


def test_registering_answers_the_secret_once(as_editor, editor, endpoint):
    response = register(
        as_editor, endpoint, query="?binding=true&member_of=ASEAN", description="Our mirror"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    hook = Webhook.objects.get(owner=editor)
    assert data["secret"] == hook.secret
    assert len(data["secret"]) == 64
    assert data["id"] == str(hook.public_id)
    assert data["url"] == f"http://testserver{LIST}{hook.public_id}/"
    assert response["Location"] == data["url"]
    assert data["query"] == "binding=true&member_of=ASEAN"
    assert data["list_url"] == "http://testserver/api/v1/instruments/?binding=true&member_of=ASEAN"
    assert data["deliveries_url"] == f"{data['url']}deliveries/"
    assert (data["active"], data["consecutive_failures"], data["disabled_reason"]) == (True, 0, "")

    again, etag = read(as_editor, data["url"])
    assert "secret" not in again
    assert again == {key: value for key, value in data.items() if key != "secret"}
    assert etag == response["ETag"]
    listed = as_editor.get(LIST).json()["results"]
    assert [row["id"] for row in listed] == [data["id"]]
    assert "secret" not in listed[0]
    assert hook.secret not in as_editor.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("list_name", "query"),
    [
        ("events", "kind=summit&jurisdiction=FR"),
        ("jurisdictions", "member_of=ASEAN"),
        ("instruments", ""),
    ],
)
def test_every_list_can_be_filtered(as_editor, endpoint, list_name, query, seeded):
    response = register(as_editor, endpoint, list=list_name, query=query)
    assert response.status_code == 201, response.content
    assert response.json()["list"] == list_name


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"query": "bindng=true"},
            {"query": {"bindng": ["Unknown parameter. Did you mean “binding”?"]}},
        ),
        (
            {"query": "binding=maybe&type=law"},
            {
                "query": {
                    "binding": ["“maybe” is not allowed. Allowed values: true, false."],
                    "type": [
                        "Select a valid choice. law is not one of the available choices.",
                    ],
                }
            },
        ),
        (
            {"query": "binding=true&page=2&ordering=title"},
            {
                "query": {
                    "page": [
                        "Not a filter: a hook selects records; it does not page, sort or format "
                        "them. Leave it out."
                    ],
                    "ordering": [
                        "Not a filter: a hook selects records; it does not page, sort or format "
                        "them. Leave it out."
                    ],
                }
            },
        ),
        (
            {"query": "q=%00"},
            {"query": {"q": ["Holds a NUL character (U+0000), which no value may hold."]}},
        ),
        (
            {"list": "sources"},
            {
                "list": [
                    "“sources” is not allowed. Allowed values: instruments, events, jurisdictions."
                ]
            },
        ),
        ({"colour": "red"}, {"colour": ["Unknown field."]}),
    ],
)
def test_a_bad_filter_or_field_is_named(as_editor, endpoint, payload, errors):
    response = register(as_editor, endpoint, **payload)
    assert response.status_code == 400
    got = response.json()["errors"]
    if "type" in errors.get("query", {}):
        assert set(got["query"]) == {"binding", "type"}
        assert got["query"]["binding"] == errors["query"]["binding"]
    else:
        assert got == errors
    assert not Webhook.objects.exists()


def test_a_member_of_the_tracker_names_records_it_holds(as_editor, endpoint, seeded):
    response = register(as_editor, endpoint, query="member_of=ZZ")
    assert response.status_code == 400
    assert list(response.json()["errors"]["query"]) == ["member_of"]


def test_only_https_and_public_endpoints(as_editor, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for endpoint, message in [
        ("http://93.184.215.14/in", "Only HTTPS endpoints are accepted"),
        ("https://10.0.0.8/in", "non-public address"),
        ("https://[::1]/in", "non-public address"),
    ]:
        response = register(as_editor, endpoint)
        assert response.status_code == 400
        (error,) = response.json()["errors"]["endpoint"]
        assert message in error
    assert not Webhook.objects.exists()


def test_anonymous_clients_and_readers_see_nothing(as_editor, endpoint, anonymous, as_reader):
    url = register(as_editor, endpoint).json()["url"]
    for client, status, name in ((anonymous, 401, "Authorization"), (as_reader, 403, "permission")):
        for response in (
            client.get(LIST),
            client.get(url),
            client.get(f"{url}deliveries/"),
            register(client, "https://127.0.0.1/x"),
            client.post(f"{url}ping/"),
            client.delete(url, HTTP_IF_MATCH='"x"'),
        ):
            assert response.status_code == status
            assert list(response.json()["errors"]) == [name]
    assert anonymous.get(LIST)["WWW-Authenticate"] == "Token"
    assert Webhook.objects.count() == 1


def test_another_editors_hooks_are_not_there(as_editor, endpoint):
    url = register(as_editor, endpoint).json()["url"]
    other = token_client(make_user("otto", editor=True))
    assert other.get(LIST).json()["results"] == []
    for response in (
        other.get(url),
        other.get(f"{url}deliveries/"),
        other.post(f"{url}ping/"),
        other.post(f"{url}rotate-secret/"),
        other.patch(url, {"description": "mine"}, format="json", HTTP_IF_MATCH='"x"'),
        other.delete(url, HTTP_IF_MATCH='"x"'),
    ):
        assert response.status_code == 404
        assert list(response.json()["errors"]) == ["path"]
    assert Webhook.objects.get().description == ""
    assert not Delivery.objects.exists()


def test_changes_need_if_match(as_editor, endpoint):
    url = register(as_editor, endpoint).json()["url"]
    assert write(as_editor, "patch", url, {"description": "x"}, etag=False).status_code == 428
    stale = write(as_editor, "patch", url, {"description": "x"}, etag='"0123"')
    assert stale.status_code == 412
    response = write(as_editor, "patch", url, {"description": "Mirror", "query": "year=2024"})
    assert response.status_code == 200, response.content
    assert (response.json()["description"], response.json()["query"]) == ("Mirror", "year=2024")
    assert response["ETag"] == read(as_editor, url)[1]
    bad = write(as_editor, "patch", url, {"query": "yeer=2024"})
    assert bad.json() == {
        "errors": {"query": {"yeer": ["Unknown parameter. Did you mean “year”?"]}}
    }
    whole = write(
        as_editor, "put", url, {"endpoint": endpoint, "list": "events", "query": "kind=summit"}
    )
    assert whole.status_code == 200, whole.content
    assert (whole.json()["list"], whole.json()["description"]) == ("events", "Mirror")


def test_turning_a_hook_on_again_forgives_its_failures(as_editor, endpoint):
    url = register(as_editor, endpoint).json()["url"]
    Webhook.objects.update(
        active=False, consecutive_failures=10, disabled_reason="Turned off after 10 failed…"
    )
    data, _ = read(as_editor, url)
    assert (data["active"], data["disabled_reason"]) == (False, "Turned off after 10 failed…")
    response = write(as_editor, "patch", url, {"active": True})
    assert response.status_code == 200
    data = response.json()
    assert (data["active"], data["consecutive_failures"], data["disabled_reason"]) == (True, 0, "")
    assert write(as_editor, "patch", url, {"active": False}).json()["active"] is False


def test_deleting_a_hook_takes_its_log(as_editor, endpoint):
    url = register(as_editor, endpoint).json()["url"]
    as_editor.post(f"{url}ping/")
    assert write(as_editor, "delete", url).status_code == 204
    assert as_editor.get(url).status_code == 404
    assert not Webhook.objects.exists()
    assert not Delivery.objects.exists()


def test_rotating_the_secret_answers_the_new_one_once(as_editor, endpoint):
    created = register(as_editor, endpoint).json()
    response = as_editor.post(f"{created['url']}rotate-secret/")
    assert response.status_code == 200
    rotated = response.json()
    hook = Webhook.objects.get()
    assert rotated["secret"] == hook.secret != created["secret"]
    assert hook.previous_secret == created["secret"]
    assert rotated["previous_secret_until"] is not None
    assert "secret" not in as_editor.get(created["url"]).json()


def test_a_ping_is_queued_and_logged(as_editor, endpoint):
    url = register(as_editor, endpoint).json()["url"]
    response = as_editor.post(f"{url}ping/")
    assert response.status_code == 202
    ping = response.json()
    assert (ping["event"], ping["state"], ping["attempt_count"]) == ("ping", "pending", 0)
    log = as_editor.get(f"{url}deliveries/").json()
    assert [row["id"] for row in log["results"]] == [ping["id"]]
    assert as_editor.get(f"{url}deliveries/", {"state": "delivered"}).json()["results"] == []
    bad = as_editor.get(f"{url}deliveries/", {"stat": "pending"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["stat"]


@pytest.mark.parametrize("page_size", [1, 5])
def test_the_lists_read_a_fixed_number_of_queries(
    as_editor, editor, endpoint, page_size, django_assert_num_queries
):
    for number in range(6):
        hook, _ = services.webhook_create(
            owner=editor, endpoint=endpoint, list_name="instruments", description=str(number)
        )
    for _ in range(6):
        services.webhook_ping(hook)
    deliveries = reverse("webhooks:webhook-deliveries", args=[hook.public_id])
    # Token, groups, count, rows (and for deliveries: the hook, then their attempts).
    with django_assert_num_queries(4):
        assert len(as_editor.get(LIST, {"page_size": page_size}).json()["results"]) == page_size
    with django_assert_num_queries(6):
        response = as_editor.get(deliveries, {"page_size": page_size})
        assert len(response.json()["results"]) == page_size
