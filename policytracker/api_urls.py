"""The REST API, version 1 (mounted at /api/v1/ by the root URLconf)."""

from rest_framework.routers import DefaultRouter

from instruments.api.views import EventViewSet, InstrumentViewSet
from jurisdictions.api.views import JurisdictionViewSet

app_name = "api"

router = DefaultRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("events", EventViewSet, basename="event")
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")

urlpatterns = router.urls
