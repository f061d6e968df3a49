"""The README tells receivers how to verify a delivery with the very code the tests run against
real deliveries (docs/webhooks/verify.py), and names what a delivery carries."""

from pathlib import Path

from django.conf import settings

from policytracker.webhooks import signing
from tests.helpers.webhooks import VERIFY_SNIPPET

README = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")


def test_the_readme_quotes_the_verification_code_the_tests_run():
    code = VERIFY_SNIPPET.read_text(encoding="utf-8")
    assert f"```python\n{code}```" in README


def test_the_readme_names_every_header_of_a_delivery():
    for header in (
        signing.SIGNATURE,
        signing.TIMESTAMP,
        signing.DELIVERY,
        signing.EVENT,
        signing.HOOK,
        signing.USER_AGENT,
    ):
        assert f"`{header}`" in README, header


def test_the_readme_gives_the_worker_command():
    assert "make worker" in README
    assert "manage.py run_huey" in README
