from django.urls import path
from django.views.generic import TemplateView

from policytracker.web import feeds
from policytracker.web.views import (
    about,
    compare,
    events,
    home,
    instruments,
    jurisdictions,
    maps,
    search,
    sources,
)

app_name = "web"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("about/", about.AboutView.as_view(), name="about"),
    # The API's front page, in the site's look (the API itself is at /api/v1/).
    path(
        "api/",
        TemplateView.as_view(
            template_name="web/api_home.html",
            extra_context={"breadcrumbs": [{"label": "API", "url": None}]},
        ),
        name="api-home",
    ),
    # Before the records' own addresses, which would take "feed" for a key.
    # "Follow this list": the changes to the records a list selects, with its query string.
    path("instruments/feed/", feeds.InstrumentListFeed(), name="instrument-feed-list"),
    path("events/feed/", feeds.EventListFeed(), name="event-feed-list"),
    path("jurisdictions/feed/", feeds.JurisdictionListFeed(), name="jurisdiction-feed-list"),
    path(
        "jurisdictions/",
        jurisdictions.JurisdictionListView.as_view(),
        name="jurisdiction-list",
    ),
    path(
        "jurisdictions/<str:code>/",
        jurisdictions.JurisdictionDetailView.as_view(),
        name="jurisdiction-detail",
    ),
    path("instruments/", instruments.InstrumentListView.as_view(), name="instrument-list"),
    path(
        "instruments/<slug:slug>/",
        instruments.InstrumentDetailView.as_view(),
        name="instrument-detail",
    ),
    path("events/", events.EventListView.as_view(), name="event-list"),
    path("events/<slug:slug>/", events.EventDetailView.as_view(), name="event-detail"),
    path("compare/", compare.CompareView.as_view(), name="compare"),
    path("map/", maps.MapView.as_view(), name="map"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("sources/", sources.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", sources.SourceDetailView.as_view(), name="source-detail"),
    path("feeds/updates/", feeds.UpdatesFeed(), name="feed-updates"),
    # One record's changes.
    path("instruments/<slug:slug>/feed/", feeds.InstrumentFeed(), name="instrument-feed"),
    path("events/<slug:slug>/feed/", feeds.EventFeed(), name="event-feed"),
    path("jurisdictions/<str:code>/feed/", feeds.JurisdictionFeed(), name="jurisdiction-feed"),
    path("sources/<slug:slug>/feed/", feeds.SourceFeed(), name="source-feed"),
]
