"""The REST API, version 1 (mounted at /api/v1/ by the root URLconf)."""

from rest_framework.routers import DefaultRouter

from policytracker.api.actors import ActorViewSet
from policytracker.api.changes import ChangeViewSet
from policytracker.api.citations import CitationViewSet
from policytracker.api.events import EventViewSet
from policytracker.api.instruments import InstrumentViewSet
from policytracker.api.jurisdictions import JurisdictionViewSet
from policytracker.api.sources import SourceViewSet
from policytracker.api.topics import TopicViewSet

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
