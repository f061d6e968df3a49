"""A record's address reversed once per view (`policytracker.core.addresses`): the same path
`reverse` gives, for every key."""

import pytest
from django.urls import reverse, set_script_prefix

from policytracker.core.addresses import key_address, reverse_key

KEYS = ["eu-ai-act", "US", "gdpr_2016", "AI-Act-2024"]


@pytest.mark.parametrize("key", KEYS)
def test_reverse_key_is_reverse(key):
    for view in ("web:instrument-detail", "api:instrument-detail", "web:jurisdiction-detail"):
        assert reverse_key(view, key) == reverse(view, args=[key])


def test_key_address_puts_the_origin_before_the_path():
    address = key_address("api:instrument-detail", "https://tracker.example")
    for key in KEYS:
        assert address(key) == "https://tracker.example" + reverse(
            "api:instrument-detail", args=[key]
        )


def test_key_address_reads_the_script_prefix_when_made():
    try:
        set_script_prefix("/tracker/")
        under_prefix = key_address("web:instrument-detail")
        assert under_prefix("x") == reverse("web:instrument-detail", args=["x"])
        assert under_prefix("x").startswith("/tracker/")
    finally:
        set_script_prefix("/")
    assert key_address("web:instrument-detail")("x") == reverse("web:instrument-detail", args=["x"])
