"""An approach assessment's `date` is now derived from `assessed_on` or `holds_from`; a citation
that backed the date backed the day its source made the assessment (every assessment recorded
before had only that date), so it now names `assessed_on`."""

from django.db import migrations


def date_to_assessed_on(apps, schema_editor):
    citation = apps.get_model("instruments", "Citation")
    for row in citation.objects.filter(approach_assessment__isnull=False):
        if "date" in row.fields:
            row.fields = ["assessed_on" if name == "date" else name for name in row.fields]
            row.save(update_fields=["fields"])


def assessed_on_to_date(apps, schema_editor):
    citation = apps.get_model("instruments", "Citation")
    for row in citation.objects.filter(approach_assessment__isnull=False):
        renamed = ["date" if name in ("assessed_on", "holds_from") else name for name in row.fields]
        if renamed != row.fields:
            row.fields = list(dict.fromkeys(renamed))
            row.save(update_fields=["fields"])


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0004_search_indexes"),
        ("jurisdictions", "0006_approach_assessed_on_holds_from"),
    ]

    operations = [migrations.RunPython(date_to_assessed_on, assessed_on_to_date)]
