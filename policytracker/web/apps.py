from django.apps import AppConfig


class WebConfig(AppConfig):
    """The browsing pages (views, template tags, feeds): an app so that Django finds its template
    tags. It has no models."""

    name = "policytracker.web"
    label = "web"
