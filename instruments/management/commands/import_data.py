from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policytracker.core.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Read a backup written by `export_data` into this database, which must be new and "
        "migrated to the backup's migrations (`manage.py migrate`). All or nothing: on any "
        "error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file to read.")

    def handle(self, *args, path, **options):
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            counts = restore_backup(path)
        except BackupError as error:
            raise CommandError(f"{path}: {error}. Nothing was written.") from error
        self.stdout.write(
            f"Read {sum(counts.values()):,} rows of {len(counts)} tables from {path}."
        )
