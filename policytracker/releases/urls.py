"""The data releases' addresses (mounted at /data/ by the root URLconf)."""

from django.urls import path

from policytracker.releases import views

app_name = "releases"

urlpatterns = [
    path("", views.DataView.as_view(), name="data"),
    # Before the numbered addresses, which would take "latest" for a number.
    path("latest/", views.latest, name="latest"),
    path("latest/<str:filename>", views.latest_file, name="latest-file"),
    path("<str:number>/", views.ReleaseView.as_view(), name="release"),
    path("<str:number>/<str:filename>", views.release_file, name="release-file"),
]
