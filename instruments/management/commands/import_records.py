from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from instruments.imports import KINDS, RowAction, import_file


class Command(BaseCommand):
    help = (
        "Import instruments or events, with their citations, from a spreadsheet (CSV in UTF-8, "
        "or Excel .xlsx). A dry run by default: prints what each row would create or change and "
        "what is wrong, and writes nothing. With --apply, writes everything if no row has an "
        "error, and nothing otherwise. Exits 1 when anything is wrong. The columns are listed "
        "in the README (Importing a spreadsheet)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The spreadsheet: a .csv or .xlsx file.")
        parser.add_argument(
            "--kind", required=True, choices=sorted(KINDS), help="What the rows are."
        )
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Write the records (all or nothing); without it, only report.",
        )

    def handle(self, *args, file, kind, apply, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        report = import_file(data, path.name, kind=kind, apply=apply)

        for problem in report.file_errors:
            self.stdout.write(self.style.ERROR(problem))
        for row in report.rows:
            line = f"row {row.number}  {row.slug or '(no slug)'}  {row.action.label.lower()}"
            style = self.style.ERROR if row.action == RowAction.ERROR else str
            self.stdout.write(style(line))
            for change in row.changes:
                old, new = change.old or "(empty)", change.new or "(empty)"
                self.stdout.write(f"    {change.column}: {old} → {new}")
            for error in row.errors:
                self.stdout.write(self.style.ERROR(f"    {error}"))

        summary = f"{kind} from {path.name}: {report.summary()}."
        if report.has_errors:
            self.stdout.write(summary)
            raise CommandError("Nothing was written: correct the rows above and import again.")
        if report.applied:
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(f"{summary} Dry run: nothing was written (add --apply to write).")
