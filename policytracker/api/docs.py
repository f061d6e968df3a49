"""The API's description of itself: the OpenAPI schema and the two documentation pages that read
it, served from the site's own static files so they work offline. Mounted under /api/ by the
root URLconf, beside the versioned API, with their names un-namespaced (`schema`, `docs`,
`redoc`)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Our own page: the package's loads its fonts from a CDN, and the docs must work offline.
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="redoc",
    ),
]
