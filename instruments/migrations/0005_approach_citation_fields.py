"""An approach assessment's `date` is now derived from `assessed_on` or `holds_from`; a citation
that backed the date backed the day its source made the assessment (every assessment recorded
before had only that date), so it now names `assessed_on`.

Going back, `assessed_on` and `holds_from` both become `date` again: the older schema has no
other name for them. The citations' lists as they were are kept
(`policytracker.core.migration_keeping`), and applying this again puts them back where the
older list is still there, rather than reading every `date` as `assessed_on`."""

from django.db import migrations

from policytracker.core import migration_keeping as keeping


def date_to_assessed_on(apps, schema_editor):
    citation = apps.get_model("instruments", "Citation")
    for row in citation.objects.filter(approach_assessment__isnull=False):
        if "date" in row.fields:
            row.fields = ["assessed_on" if name == "date" else name for name in row.fields]
            row.save(update_fields=["fields"])


def older_fields(fields):
    """A citation's list of fields as the older schema names them."""
    renamed = ["date" if name in ("assessed_on", "holds_from") else name for name in fields]
    return list(dict.fromkeys(renamed))


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0004_search_indexes"),
        ("jurisdictions", "0006_approach_assessed_on_holds_from"),
    ]

    operations = [
        # Going back, this writes the older lists (keeping the lists as they were); going
        # forward, it puts the kept lists back before the next operation renames the rest.
        keeping.keep_values(
            __name__,
            "instruments.citation",
            "fields",
            older_fields,
            where={"approach_assessment__isnull": False},
        ),
        migrations.RunPython(date_to_assessed_on, migrations.RunPython.noop),
    ]
