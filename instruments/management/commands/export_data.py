from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policytracker.core.backups import BackupError, write_backup

# Everything the site holds that a restore must bring back: the records and their history, the
# editors' desk, the editors' accounts, groups and API tokens, and the admin's log.
BACKED_UP_APPS = ("auth", "authtoken", "admin", "jurisdictions", "instruments")


class Command(BaseCommand):
    help = (
        "Write a backup of the whole database to PATH (gzip-compressed JSON lines): records, "
        "history, revisions, editors' accounts and tokens. `import_data PATH` reads it back into "
        "a new, migrated database of either kind, with the same API answers, ETags and "
        "change-feed cursors."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to write (e.g. backup.jsonl.gz).")

    def handle(self, *args, path, **options):
        if path.is_dir():
            raise CommandError(f"{path} is a folder: name the file to write")
        if not path.parent.exists():
            raise CommandError(f"{path.parent} does not exist")
        try:
            counts = write_backup(path, BACKED_UP_APPS)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        rows = sum(counts.values())
        tables = sum(1 for count in counts.values() if count)
        self.stdout.write(
            f"Wrote {rows:,} rows of {tables} tables to {path} "
            f"({path.stat().st_size / 1024:,.0f} KiB)."
        )
