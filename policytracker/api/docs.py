"""The API's description of itself: the OpenAPI schema and the two documentation pages that read
it, served from the site's own static files so they work offline. Mounted under /api/ by the
root URLconf, beside the versioned API, with their names un-namespaced (`schema`, `docs`,
`redoc`)."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# The two style elements Redoc's bundle writes as it loads, before it reads the nonce its page
# gives it (an empty sheet it fills through the CSSOM, and its scrollbars' rules), allowed by
# their hashes: no other inline style runs. A new version of the bundle that writes others is
# caught by the browser tests, which fail on any refusal of the policy.
REDOC_LOAD_STYLES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's script as a file of its own, which the site's content
    # security policy lets run (it runs no inline script).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    # Our own page: the package's loads its fonts from a CDN, and the docs must work offline.
    path(
        "redoc/",
        csp_update({"style-src": REDOC_LOAD_STYLES})(
            SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
]
