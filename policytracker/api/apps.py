from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: an app so that its management commands (`benchmark_api`) are found. It has
    no models."""

    name = "policytracker.api"
    label = "api"
