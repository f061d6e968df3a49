from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    """Data releases (`manage.py release`, the pages under /data/): an app so that its command is
    found. It has no models: releases are folders of files under `RELEASES_DIR`."""

    name = "policytracker.releases"
    label = "releases"
