"""What a delivery posts: a JSON object naming the hook and the delivery, with the changes as
entries of the change feed (`/api/v1/changes/`), written by its own serializer, so that a
receiver reads a delivery's `changes` with the code that reads the feed's `results`:

    {"hook": "<uuid>", "delivery": "<uuid>", "event": "changes", "list": "instruments",
     "query": "binding=true&member_of=ASEAN", "cursor": "<the last entry's cursor>",
     "changes": [<entry>, …]}

A ping has `"event": "ping"`, `"cursor": null` and no changes. Addresses in the entries are
absolute on `SITE_URL` (paths where it is not set)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

if TYPE_CHECKING:
    from instruments.history import Change
    from policytracker.webhooks.models import Delivery, Webhook


class SiteAddresses:
    """What the feed's serializer asks of a request, outside one: an absolute address on the
    site's public address (`SITE_URL`)."""

    def __init__(self, origin: str) -> None:
        self.origin = origin.rstrip("/")

    def build_absolute_uri(self, location: str) -> str:
        return f"{self.origin}{location}" if location.startswith("/") else location


def body(hook: Webhook, delivery: Delivery, *, entries: Sequence[Change], cursor: str) -> str:
    """The JSON text of `delivery` to `hook` carrying `entries` (sent as UTF-8)."""
    # Here, not at the top: the admin imports this module as Django starts, and DRF's views
    # must not be imported before the settings are final (a command may still change them).
    from policytracker.api.changes import ChangeSerializer

    changes = ChangeSerializer(
        entries, many=True, context={"request": SiteAddresses(settings.SITE_URL)}
    ).data
    document = {
        "hook": str(hook.public_id),
        "delivery": str(delivery.public_id),
        "event": delivery.event,
        "list": hook.list_name,
        "query": hook.query,
        "cursor": cursor or None,
        "changes": changes,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
