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
