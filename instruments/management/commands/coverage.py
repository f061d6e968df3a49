import csv

from django.core.management.base import BaseCommand, CommandError

from instruments.coverage import REVIEW_MAX_AGE_DAYS, coverage_report
from jurisdictions.vocabulary import COVERAGE_CATEGORIES, CoverageResult

# One letter per finding, so the table stays narrow: F found, N nothing found, - not reviewed.
_RESULT_MARKS = {
    CoverageResult.FOUND: "F",
    CoverageResult.NOTHING_FOUND: "N",
    CoverageResult.NOT_REVIEWED: "-",
}
_SHORT = {
    "law_in_force": "in force",
    "law_adopted": "adopted",
    "bills": "bills",
    "strategy": "strategy",
    "voluntary": "voluntary",
    "sector_rules": "sector",
    "international": "intl",
}


class Command(BaseCommand):
    help = (
        "The coverage ledger: per jurisdiction, the day of its latest coverage review, per "
        "category what the review found (F found, N nothing found, - not reviewed) beside how "
        "many records of that category the tracker holds today, and which reviews are overdue "
        "(never done, or older than --max-age-days)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age-days",
            type=int,
            default=REVIEW_MAX_AGE_DAYS,
            metavar="N",
            help=f"A review older than N days is overdue (default {REVIEW_MAX_AGE_DAYS}).",
        )
        parser.add_argument(
            "--overdue", action="store_true", help="List only the jurisdictions that are overdue."
        )
        parser.add_argument(
            "--csv",
            dest="as_csv",
            action="store_true",
            help="Write CSV (one column per category and count).",
        )
        parser.add_argument(
            "--fail-on-overdue",
            action="store_true",
            help="Exit 1 when any review is overdue (for a scheduled check).",
        )

    def handle(self, *args, max_age_days, overdue, as_csv, fail_on_overdue, **options):
        if max_age_days < 0:
            raise CommandError(f"--max-age-days takes 0 or more; got {max_age_days}")
        lines = coverage_report(max_age_days=max_age_days)
        due = [line for line in lines if line.overdue]
        shown = due if overdue else lines
        if as_csv:
            self._write_csv(shown)
        else:
            self._write_table(shown)
            self.stdout.write(
                f"{len(lines) - len(due)} of {len(lines)} jurisdictions reviewed in the last "
                f"{max_age_days} days; {len(due)} overdue."
            )
        if fail_on_overdue and due:
            raise CommandError(f"{len(due)} coverage review(s) overdue.", returncode=1)

    def _write_table(self, lines):
        header = ["code", "kind", "reviewed", *(_SHORT[name] for name in COVERAGE_CATEGORIES)]
        rows = []
        for line in lines:
            cells = [
                line.jurisdiction.code,
                line.jurisdiction.kind,
                line.review.reviewed_on.isoformat() if line.review else "never",
            ]
            for name in COVERAGE_CATEGORIES:
                mark = _RESULT_MARKS[getattr(line.review, name)] if line.review else " "
                count = line.counts[name]
                cells.append(f"{mark} {'' if count is None else count}".rstrip())
            rows.append((cells, line.overdue))
        widths = [
            max(len(str(cells[i])) for cells in [header, *(c for c, _ in rows)])
            for i in range(len(header))
        ]
        self.stdout.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        for cells, why in rows:
            text = "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))
            self.stdout.write(f"{text}  OVERDUE: {why}" if why else text.rstrip())

    def _write_csv(self, lines):
        writer = csv.writer(self.stdout)
        writer.writerow(
            [
                "code",
                "name",
                "kind",
                "reviewed_on",
                *(column for name in COVERAGE_CATEGORIES for column in (name, f"{name}_records")),
                "overdue",
            ]
        )
        for line in lines:
            review = line.review
            writer.writerow(
                [
                    line.jurisdiction.code,
                    line.jurisdiction.name,
                    line.jurisdiction.kind,
                    review.reviewed_on.isoformat() if review else "",
                    *(
                        value
                        for name in COVERAGE_CATEGORIES
                        for value in (
                            getattr(review, name) if review else "",
                            "" if line.counts[name] is None else line.counts[name],
                        )
                    ),
                    line.overdue,
                ]
            )
