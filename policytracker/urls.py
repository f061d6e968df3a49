"""The site's addresses: the admin, the API (`policytracker.api`), the data releases
(`policytracker.releases`) and the pages (`policytracker.web`)."""

from django.contrib import admin
from django.urls import include, path

from instruments.admin_health import data_health_page
from policytracker.core.forms import EditorLoginForm

admin.site.site_header = "Policy Tracker: editors"
admin.site.site_title = "Policy Tracker editors"
admin.site.index_title = "Records"
# Wide change lists (titles, jurisdictions, dates) need the room more than the app menu does.
admin.site.enable_nav_sidebar = False
admin.site.login_form = EditorLoginForm

urlpatterns = [
    # The admin's data health page (`instruments.admin_health`), before the admin's own
    # addresses, whose catch-all would answer this one.
    path("admin/data-health/", data_health_page, name="admin-data-health"),
    path("admin/", admin.site.urls),
    # Editors' webhooks (`policytracker.webhooks`), under the API's version.
    path("api/v1/webhooks/", include("policytracker.webhooks.urls")),
    path("api/v1/", include("policytracker.api.urls")),
    path("api/", include("policytracker.api.docs")),
    path("data/", include("policytracker.releases.urls")),
    path("", include("policytracker.web.urls")),
]

# Under /api/ these answer in the API's JSON shape; elsewhere with the site's pages.
handler400 = "policytracker.core.error_pages.bad_request"
handler403 = "policytracker.core.error_pages.permission_denied"
handler404 = "policytracker.core.error_pages.page_not_found"
handler500 = "policytracker.core.error_pages.server_error"
