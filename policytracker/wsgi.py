"""WSGI entry point (gunicorn policytracker.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policytracker.settings")

application = get_wsgi_application()
