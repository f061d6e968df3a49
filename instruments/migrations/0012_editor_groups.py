"""The `editors` and `reviewers` groups, with exactly the permissions their work needs.

Editors add, change and delete what the tracker states (instruments and their timelines,
identifiers and relations; events, actors, topics, sources and citations; approach assessments,
coverage reviews and memberships) and add and change jurisdictions, which are reference data
they may not delete. Their changes wait as revisions until a reviewer publishes them. Reviewers
may do all of that and publish: their own changes, and editors' revisions.

The lists are written out here, as they stand at this migration: a later model gets its
permissions by a migration of its own.

Reversing takes the two groups' permissions away and keeps them
(`policytracker.core.migration_keeping`): applying this again gives each group back the
permissions it had, an admin's changes included, rather than the lists below."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from policytracker.core import migration_keeping as keeping

ALL = ("add", "change", "delete", "view")
EDITING = {
    ("instruments", "instrument"): ALL,
    ("instruments", "statuschange"): ALL,
    ("instruments", "instrumentidentifier"): ALL,
    ("instruments", "instrumentrelation"): ALL,
    ("instruments", "event"): ALL,
    ("instruments", "actor"): ALL,
    ("instruments", "topic"): ALL,
    ("instruments", "source"): ALL,
    ("instruments", "citation"): ALL,
    ("instruments", "revision"): ("view",),
    ("jurisdictions", "jurisdiction"): ("add", "change", "view"),
    ("jurisdictions", "approachassessment"): ALL,
    ("jurisdictions", "coveragereview"): ALL,
    ("jurisdictions", "membership"): ALL,
}
PUBLISHING = {("instruments", "revision"): ("publish",)}  # the codename is publish_revision


def codenames(grants):
    for (app_label, model), actions in grants.items():
        for action in actions:
            yield app_label, f"{action}_{model}"


def create_groups(apps, schema_editor):
    # Permissions are made after migrations run; a fresh database needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(grants):
        found = []
        for app_label, codename in codenames(grants):
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    editing = permissions(EDITING)
    editors, _ = Group.objects.get_or_create(name="editors")
    editors.permissions.set(editing)
    reviewers, _ = Group.objects.get_or_create(name="reviewers")
    reviewers.permissions.set([*editing, *permissions(PUBLISHING)])


def remove_permissions(apps, schema_editor):
    # The groups stay (they may hold people); they lose what this migration gave them.
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["editors", "reviewers"]):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("jurisdictions", "0008_coverage_review"),
        ("instruments", "0011_revision"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_permissions),
        keeping.keep_rows(
            __name__,
            "auth.group_permissions",
            {"group__name__in": ["editors", "reviewers"]},
            forward_replaces=True,
        ),
    ]
