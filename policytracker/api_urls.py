"""The REST API, version 1 (mounted at /api/v1/ by the root URLconf)."""

from rest_framework.routers import DefaultRouter

from instruments.api.changes import ChangeViewSet
from instruments.api.views import (
    ActorViewSet,
    CitationViewSet,
    EventViewSet,
    InstrumentViewSet,
    SourceViewSet,
    TopicViewSet,
)
from jurisdictions.api.views import JurisdictionViewSet

app_name = "api"

router = DefaultRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("events", EventViewSet, basename="event")
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")
router.register("actors", ActorViewSet, basename="actor")
router.register("topics", TopicViewSet, basename="topic")
router.register("sources", SourceViewSet, basename="source")
router.register("citations", CitationViewSet, basename="citation")
router.register("changes", ChangeViewSet, basename="change")

urlpatterns = router.urls
