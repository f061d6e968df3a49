"""WSGI entry point (gunicorn policytracker.wsgi).

The server refuses to start on an unmigrated database (`policytracker.core.startup`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policytracker.settings")

application = get_wsgi_application()

from policytracker.core.startup import check_ready_to_serve  # noqa: E402 (needs the app loaded)

check_ready_to_serve()
