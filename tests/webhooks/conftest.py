import pytest

from policytracker.webhooks import services
from tests.helpers.webhooks import Receiver


@pytest.fixture
def webhook_settings(settings):
    """Deliveries as the tests make them: to the loopback interface, changes read at once (no
    settling time), short timeouts and retries."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.CHANGES_SETTLE_SECONDS = 0
    settings.WEBHOOKS_CONNECT_TIMEOUT = 2
    settings.WEBHOOKS_READ_TIMEOUT = 2
    settings.WEBHOOKS_RETRY_SECONDS = 60
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 3600
    settings.WEBHOOKS_DISABLE_AFTER = 3
    return settings


@pytest.fixture
def receiver(tmp_path, webhook_settings):
    """An HTTPS receiver on 127.0.0.1, its authority trusted by the sender."""
    with Receiver(tmp_path) as running:
        webhook_settings.WEBHOOKS_CA_BUNDLE = str(running.ca_file)
        yield running


@pytest.fixture
def make_hook(editor, receiver):
    """A hook of the editor's to the receiver (which then checks its deliveries' signatures)."""

    def make(list_name="instruments", query="", **fields):
        hook, secret = services.webhook_create(
            owner=editor, endpoint=receiver.url, list_name=list_name, query=query, **fields
        )
        receiver.secret = secret
        return hook

    return make
