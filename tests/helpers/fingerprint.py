"""What a set of tables holds, in a form two moments or two databases can be compared by."""

import hashlib

from django.apps import apps


def fingerprint(models=None):
    """{model: (rows, checksum of every row in key order)} for `models` (by default every model
    of the records and the API tokens)."""
    if models is None:
        models = [
            model
            for label in ("jurisdictions", "instruments", "authtoken")
            for model in apps.get_app_config(label).get_models()
        ]
    found = {}
    for model in models:
        rows = model._default_manager.order_by("pk").values_list()
        digest = hashlib.sha256()
        count = 0
        for row in rows.iterator():
            digest.update(repr(row).encode())
            count += 1
        found[model._meta.label] = (count, digest.hexdigest())
    return found
