"""Headers every answer carries whatever it is: a page, the API, an error, the admin."""

import pytest

pytestmark = pytest.mark.django_db

ADDRESSES = [
    "/",
    "/instruments/",
    "/jurisdictions/%00/",
    "/nothing-here/",
    "/api/v1/instruments/",
    "/api/v1/nothing/",
    "/admin/login/",
    "/feeds/updates/",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_answer_turns_off_the_browser_features_no_page_uses(seeded, client, address):
    policy = client.get(address)["Permissions-Policy"]
    features = dict(item.split("=") for item in policy.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_answer_says_its_type_is_its_type(seeded, client, address):
    assert client.get(address)["X-Content-Type-Options"] == "nosniff"


def policy_of(response):
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split("; ")
    }


@pytest.mark.parametrize(
    "address", [*ADDRESSES, "/api/docs/", "/api/redoc/", "/api/v1/?format=api"]
)
def test_every_answer_runs_no_inline_script_or_style(seeded, client, address):
    response = client.get(address)
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src", "style-src-elem", "style-src-attr"):
        sources = policy.get(directive, [])
        assert "'unsafe-inline'" not in sources
        assert "'unsafe-eval'" not in sources
    # Scripts: the site's own files, and on the docs the inline blocks carrying this answer's
    # nonce, which is new every time.
    assert [s for s in policy["script-src"] if not s.startswith("'nonce-")] == ["'self'"]


def test_a_nonce_is_new_with_every_answer_and_on_the_docs_blocks(seeded, client):
    first, second = client.get("/api/redoc/"), client.get("/api/redoc/")
    nonces = [
        next(s for s in policy_of(r)["script-src"] if s.startswith("'nonce-"))
        for r in (first, second)
    ]
    assert nonces[0] != nonces[1]
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    page = first.content.decode()
    assert page.count(f'nonce="{nonce}"') == 3  # the style, Redoc's script and its start
    assert "<script>" not in page
    assert "<style>" not in page


def test_the_browsable_api_allows_drf_own_styles_by_hash_alone(seeded, client):
    from policytracker.core.content_policy import source_hash

    policy = policy_of(client.get("/api/v1/topics/", HTTP_ACCEPT="text/html"))
    attributes = policy["style-src-attr"]
    assert attributes[0] == "'unsafe-hashes'"
    assert source_hash("float: right; margin-right: 10px") in attributes
    assert all(s.startswith("'sha256-") for s in attributes[1:])
    # The site's own pages allow none.
    assert "style-src-attr" not in policy_of(client.get("/instruments/"))
