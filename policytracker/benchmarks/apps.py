from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmark (`manage.py benchmark`): an app so that its command is found. It has no
    models."""

    name = "policytracker.benchmarks"
    label = "benchmarks"
