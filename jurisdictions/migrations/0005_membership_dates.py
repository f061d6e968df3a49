"""Memberships are dated at the precision a source gives (a day where known), not by year: a
year-only membership becomes a year-precision date (1 January of its year, as before), except
the ASEAN memberships of the seed, whose days the seed cites (so that seeding an existing
database finds them rather than adding a second, day-dated copy).

Reversing writes the years back and keeps the dates (`policytracker.core.migration_keeping`):
applying this again puts back each date as it was, rather than 1 January of its year. Two
memberships of the same member, bloc and role that start in the same year cannot both be held
by the older schema (one per year): the reverse refuses them."""

import datetime
from collections import defaultdict

from django.db import migrations, models

from policytracker.core import migration_keeping as keeping


PRECISIONS = [("year", "Year"), ("month", "Month"), ("day", "Day")]

# (member, bloc, role, start year) -> (start day, end day or None), as fixtures/jurisdictions.json
# states and cites them.
KNOWN_DAYS = {
    **{
        (code, "ASEAN", "member", 1967): (datetime.date(1967, 8, 8), None)
        for code in ("ID", "MY", "PH", "SG", "TH")
    },
    ("BN", "ASEAN", "member", 1984): (datetime.date(1984, 1, 7), None),
    ("VN", "ASEAN", "member", 1995): (datetime.date(1995, 7, 28), None),
    ("LA", "ASEAN", "member", 1997): (datetime.date(1997, 7, 23), None),
    ("MM", "ASEAN", "member", 1997): (datetime.date(1997, 7, 23), None),
    ("KH", "ASEAN", "member", 1999): (datetime.date(1999, 4, 30), None),
    ("TL", "ASEAN", "observer", 2022): (datetime.date(2022, 11, 11), datetime.date(2025, 10, 26)),
    ("TL", "ASEAN", "member", 2025): (datetime.date(2025, 10, 26), None),
}


def years_to_dates(apps, schema_editor):
    codes = dict(apps.get_model("jurisdictions", "Jurisdiction").objects.values_list("pk", "code"))
    for name in ("Membership", "HistoricalMembership"):
        model = apps.get_model("jurisdictions", name)
        for row in model.objects.all():
            row.started_on = datetime.date(row.start_year, 1, 1)
            row.started_on_precision = "year"
            if row.end_year is not None:
                row.ended_on = datetime.date(row.end_year, 1, 1)
                row.ended_on_precision = "year"
            member, bloc = codes.get(row.member_id), codes.get(row.bloc_id)
            known = KNOWN_DAYS.get((member, bloc, row.role, row.start_year))
            if known and (row.end_year is None) == (known[1] is None):
                row.started_on, row.started_on_precision = known[0], "day"
                if known[1]:
                    row.ended_on, row.ended_on_precision = known[1], "day"
            row.save(
                update_fields=[
                    "started_on",
                    "started_on_precision",
                    "ended_on",
                    "ended_on_precision",
                ]
            )


def dates_to_years(apps, schema_editor):
    same_year = defaultdict(list)
    for row in apps.get_model("jurisdictions", "Membership").objects.order_by("pk"):
        same_year[row.member_id, row.bloc_id, row.role, row.started_on.year].append(row.pk)
    clashes = [pks for pks in same_year.values() if len(pks) > 1]
    if clashes:
        raise keeping.CannotReverse(
            "The older schema holds one membership per member, bloc, role and starting year; "
            f"these memberships (ids) start in the same year: {clashes}."
        )
    for name in ("Membership", "HistoricalMembership"):
        model = apps.get_model("jurisdictions", name)
        for row in model.objects.all():
            row.start_year = row.started_on.year
            row.end_year = row.ended_on.year if row.ended_on else None
            row.save(update_fields=["start_year", "end_year"])


class Migration(migrations.Migration):
    dependencies = [("jurisdictions", "0004_search_indexes")]

    operations = [
        migrations.RemoveConstraint(model_name="membership", name="membership_unique"),
        migrations.RemoveConstraint(model_name="membership", name="membership_start_before_end"),
        *[
            operation
            for model in ("membership", "historicalmembership")
            for operation in (
                migrations.AddField(
                    model_name=model,
                    name="started_on",
                    field=models.DateField(null=True),
                ),
                migrations.AddField(
                    model_name=model,
                    name="started_on_precision",
                    field=models.CharField(
                        choices=PRECISIONS,
                        default="day",
                        help_text="How much of the start date is known.",
                        max_length=8,
                    ),
                ),
                migrations.AddField(
                    model_name=model,
                    name="ended_on",
                    field=models.DateField(
                        blank=True,
                        help_text="When it ended (the first day it no longer held); empty while "
                        "it lasts.",
                        null=True,
                    ),
                ),
                migrations.AddField(
                    model_name=model,
                    name="ended_on_precision",
                    field=models.CharField(
                        blank=True,
                        choices=PRECISIONS,
                        help_text="How much of the end date is known; empty without an end.",
                        max_length=8,
                    ),
                ),
            )
        ],
        # Nullable for the moment it is still there, so that reversing can add it back to
        # rows that have it only once `dates_to_years` has run.
        *[
            migrations.AlterField(
                model_name=model,
                name="start_year",
                field=models.PositiveSmallIntegerField(
                    help_text="Year the membership began.", null=True
                ),
            )
            for model in ("membership", "historicalmembership")
        ],
        migrations.RunPython(years_to_dates, dates_to_years),
        keeping.keep_columns(
            __name__,
            {
                f"jurisdictions.{model}": [
                    "started_on",
                    "started_on_precision",
                    "ended_on",
                    "ended_on_precision",
                ]
                for model in ("membership", "historicalmembership")
            },
        ),
        *[
            operation
            for model in ("membership", "historicalmembership")
            for operation in (
                migrations.AlterField(
                    model_name=model,
                    name="started_on",
                    field=models.DateField(
                        help_text="When the membership began (first day of the period at year or "
                        "month precision)."
                    ),
                ),
                migrations.RemoveField(model_name=model, name="start_year"),
                migrations.RemoveField(model_name=model, name="end_year"),
            )
        ],
        migrations.AlterModelOptions(
            name="membership",
            options={"ordering": ["bloc__code", "started_on", "member__name"]},
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                fields=("member", "bloc", "role", "started_on"), name="membership_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("ended_on__isnull", True), ("started_on__lt", models.F("ended_on")), _connector="OR"),
                name="membership_start_before_end",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("started_on_precision__in", ["year", "month", "day"])),
                name="membership_started_on_precision_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ended_on__isnull", True), ("ended_on_precision", "")),
                    models.Q(
                        ("ended_on__isnull", False),
                        ("ended_on_precision__in", ["year", "month", "day"]),
                    ),
                    _connector="OR",
                ),
                name="membership_ended_on_precision_matches",
            ),
        ),
    ]
