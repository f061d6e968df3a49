"""The webhooks' API addresses, mounted at /api/v1/webhooks/ by the root URLconf (namespace
`webhooks`): the list and each hook (`webhook-list`, `webhook-detail`, `webhook-ping`,
`webhook-rotate-secret`), and a hook's delivery log (`webhook-deliveries`)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from policytracker.webhooks.api import UUID_PATTERN, DeliveryViewSet, WebhookViewSet

app_name = "webhooks"

router = SimpleRouter()
router.register("", WebhookViewSet, basename="webhook")

urlpatterns = [
    re_path(
        rf"^(?P<id>{UUID_PATTERN})/deliveries/$",
        DeliveryViewSet.as_view({"get": "list"}),
        name="webhook-deliveries",
    ),
    *router.urls,
]
