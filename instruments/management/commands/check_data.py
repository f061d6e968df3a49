from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from instruments.data_checks import quotes_sharing_no_word, run_checks, stale_citations
from instruments.models import Source


class Command(BaseCommand):
    help = (
        "Check the data: records without a citation, article citations without a quote or a "
        "locator, citations naming unknown or empty fields, type/status contradictions, "
        "statuses and approaches out of step with their timelines and, with --source-text, "
        "quotes not found verbatim in a source's text. Exits 1 when anything is wrong. "
        "Lists for review, as warnings, quotes that share no word with a field they back, and "
        "with --stale-days citations not checked recently."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source-text",
            action="append",
            default=[],
            metavar="SLUG=PATH",
            help="Check every quote from the source SLUG against the text file PATH (repeatable).",
        )
        parser.add_argument(
            "--stale-days",
            type=int,
            metavar="N",
            help="Warn about citations not checked against their source in the last N days "
            "(or never).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Treat warnings (quotes to review, stale citations) as problems: exit 1 when "
            "there are any.",
        )

    def handle(self, *args, source_text, stale_days, strict, **options):
        texts = {}
        for item in source_text:
            slug, sep, path = item.partition("=")
            if not sep or not slug or not path:
                raise CommandError(f"--source-text takes SLUG=PATH; got {item!r}")
            if not Source.objects.filter(slug=slug).exists():
                raise CommandError(f"--source-text: no source has the slug {slug!r}")
            try:
                texts[slug] = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"--source-text: cannot read {path}: {exc}") from exc
        if stale_days is not None and stale_days < 0:
            raise CommandError(f"--stale-days takes a number of days, 0 or more; got {stale_days}")

        problems = run_checks(texts)
        review = list(quotes_sharing_no_word())
        stale = list(stale_citations(stale_days)) if stale_days is not None else []
        warnings = review + stale
        for problem in problems:
            self.stdout.write(str(problem))
        for warning in warnings:
            self.stdout.write(f"warning: {warning}")
        if review:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(review)} quote(s) share no word with a field they back: review them."
                )
            )
        if stale:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(stale)} citation(s) not checked in the last {stale_days} days."
                )
            )
        failures = len(problems) + (len(warnings) if strict else 0)
        if failures:
            raise CommandError(f"{failures} problem(s) found.", returncode=1)
        checked = f" (quotes checked against {', '.join(texts)})" if texts else ""
        self.stdout.write(self.style.SUCCESS(f"No problems found{checked}."))
