"""Putting the seeded test database back exactly as it was after a test that writes through the
live server (whose writes are committed, outside any test transaction): every row added since
is deleted, and the records taken out are loaded back with their own keys and values, without a
history entry of their own."""

import importlib
from contextlib import contextmanager

from django.apps import apps
from django.core import serializers
from django.db import transaction

# Deleted first: what the rest depends on through PROTECT.
_FIRST = ("instruments.Revision",)


def _models():
    return [model for model in apps.get_models() if not model._meta.proxy]


def _largest_keys():
    keys = {}
    for model in _models():
        pk = model._meta.pk
        if pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
            keys[model] = (
                model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
    return keys


def _delete_added(keys):
    ordered = sorted(keys, key=lambda model: model._meta.label not in _FIRST)
    for model in ordered:
        model._default_manager.filter(pk__gt=keys[model]).delete()


@contextmanager
def restored(*querysets):
    """Inside: the records of `querysets` taken out (deleted, with what goes with them). After:
    every row added inside deleted, and those records back with their keys and values."""
    kept = []
    for queryset in querysets:
        kept.append(serializers.serialize("json", queryset))
    keys = _largest_keys()
    with transaction.atomic():
        for queryset in querysets:
            queryset.delete()
    try:
        yield
    finally:
        with transaction.atomic():
            _delete_added(keys)
            for data in kept:
                for record in serializers.deserialize("json", data):
                    record.save()
            # Loading many-to-many links writes history rows of its own: those go too.
            _delete_added(keys)


def remake_migration_data():
    """The rows a data migration made (the editors' and reviewers' groups), made again after a
    transactional test emptied every table."""
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("instruments.migrations.0012_editor_groups")

    def permissions(grants):
        return [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in migration.codenames(grants)
        ]

    editing = permissions(migration.EDITING)
    Group.objects.get_or_create(name="editors")[0].permissions.set(editing)
    reviewers = Group.objects.get_or_create(name="reviewers")[0]
    reviewers.permissions.set([*editing, *permissions(migration.PUBLISHING)])
