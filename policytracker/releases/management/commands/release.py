"""`manage.py release`: build the next data release (`policytracker.releases.builder`)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from policytracker.releases.builder import ReleaseError, build_release


class Command(BaseCommand):
    help = (
        "Builds the next data release (numbered YEAR.MONTH.N) in RELEASES_DIR: a Frictionless "
        "Data Package of CSV files, a SQLite file with Datasette metadata, every record as the "
        "API gives it, a changelog since the previous release, a citation and SHA-256 "
        "checksums. It is served at /data/<number>/ once whole; a build that fails leaves "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            help="The site's public address (scheme and host) the release's citation names; "
            "SITE_URL by default.",
        )

    def handle(self, *args, **options):
        start = time.perf_counter()
        try:
            release = build_release(origin=options["site_url"])
        except ReleaseError as error:
            raise CommandError(str(error)) from error
        waited = settings.CHANGES_SETTLE_SECONDS
        seconds = time.perf_counter() - start - waited
        size = sum(item.bytes for item in release.files)
        rows = sum(release.tables.values())
        wait = f" (after waiting {waited} s for writes in progress to commit)" if waited else ""
        self.stdout.write(
            f"Release {release.number}: {len(release.files)} files, {filesizeformat(size)}, "
            f"{rows:,} rows in {len(release.tables)} tables, built in {seconds:.1f} s{wait}, "
            f"in {release.path}."
        )
        changes = release.changes
        if changes["first"]:
            self.stdout.write("The first release: no earlier one to compare it with.")
        else:
            self.stdout.write(
                f"{changes['total']:,} change{'s' if changes['total'] != 1 else ''} since "
                f"release {changes['previous']} (CHANGELOG.md)."
            )
        self.stdout.write(f"Cite it as: {release.citation}")
