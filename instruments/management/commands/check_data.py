from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from instruments.audit import run_checks
from instruments.models import Source


class Command(BaseCommand):
    help = (
        "Check the data: records without a citation, article citations without a quote, "
        "citations naming unknown fields, type/status contradictions, statuses out of step with "
        "their timeline and, with --source-text, quotes not found verbatim in a source's text. "
        "Exits 1 when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source-text",
            action="append",
            default=[],
            metavar="SLUG=PATH",
            help="Check every quote from the source SLUG against the text file PATH (repeatable).",
        )

    def handle(self, *args, source_text, **options):
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

        problems = run_checks(texts)
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) found.", returncode=1)
        checked = f" (quotes checked against {', '.join(texts)})" if texts else ""
        self.stdout.write(self.style.SUCCESS(f"No problems found{checked}."))
