from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from instruments.seeding import SEED_FILES, FixtureError, seed


class Command(BaseCommand):
    help = (
        "Load the seed data from fixtures/ (all or nothing). Running it again changes nothing "
        "unless the fixtures changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures-dir",
            default=str(settings.BASE_DIR / "fixtures"),
            help="Folder holding the seed files (default: fixtures/ in the project).",
        )
        parser.add_argument(
            "files",
            nargs="*",
            default=list(SEED_FILES),
            help=f"Fixture files to load, in order (default: {' '.join(SEED_FILES)}).",
        )

    def handle(self, *args, fixtures_dir, files, **options):
        if not Path(fixtures_dir).is_dir():
            raise CommandError(
                f"Nothing was loaded. There is no fixtures folder at {fixtures_dir}: the seed's "
                "files are in fixtures/ of the project (is the checkout complete?), or name "
                "another folder with --fixtures-dir."
            )
        try:
            report = seed(fixtures_dir, files)
        except FixtureError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed loaded: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged."
            )
        )
        if options["verbosity"] > 1:
            for label, count in sorted(report.by_model.items()):
                self.stdout.write(f"  {label}: {count}")
