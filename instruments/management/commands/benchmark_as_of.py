"""Time `as_of` against plain reads on synthetic data, inside a transaction that is rolled back."""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from instruments.models import Citation, Instrument, Source, StatusChange
from instruments.vocabulary import InstrumentType
from jurisdictions.models import ApproachAssessment, Jurisdiction

DAY = datetime.date(2025, 8, 8)
PAGE = 50


class Rollback(Exception):
    pass


def timed(action, repeat):
    """Best of `repeat` runs of `action()`, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best * 1000


class Command(BaseCommand):
    help = (
        "Benchmark Instrument.objects.as_of and Jurisdiction.objects.as_of against plain reads "
        "of the same rows, on synthetic records written in a transaction that is rolled back "
        "(nothing stays in the database). Prints milliseconds and the ratio as_of / plain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instruments", type=int, default=10_000, metavar="N")
        parser.add_argument("--steps", type=int, default=3, help="status changes per instrument")
        parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best kept)")

    def handle(self, *args, instruments, steps, repeat, **options):
        if instruments < 1 or steps < 0 or repeat < 1:
            raise CommandError("--instruments and --repeat take 1 or more, --steps 0 or more")
        try:
            with transaction.atomic():
                self.build(instruments, steps)
                self.measure(repeat)
                raise Rollback
        except Rollback:
            pass

    def build(self, count, steps):
        rng = random.Random(8)
        start = time.perf_counter()
        codes = [f"Q{a}{b}" for a in "ABCDEFGHIJ" for b in "ABCDEFGHIJ"]
        jurisdictions = Jurisdiction.objects.bulk_create(
            Jurisdiction(code=code, name=f"Bench {code}", kind="regional_bloc") for code in codes
        )
        ApproachAssessment.objects.bulk_create(
            ApproachAssessment(
                jurisdiction=jurisdiction,
                approach=rng.choice(["voluntary", "binding", "risk_based"]),
                date=datetime.date(2020 + offset, 1, 1),
                assessed_on=datetime.date(2020 + offset, 1, 1),
                assessed_on_precision="day",
            )
            for jurisdiction in jurisdictions
            for offset in range(3)
        )
        source = Source.objects.create(
            slug="benchmark-source", title="Benchmark", kind="article", published_on=DAY
        )
        created = Instrument.objects.bulk_create(
            (
                Instrument(
                    slug=f"benchmark-{number}",
                    title=f"Benchmark instrument {number:07d}",
                    jurisdiction=rng.choice(jurisdictions),
                    type=rng.choice(InstrumentType.values),
                    status="",
                )
                for number in range(count)
            ),
            batch_size=2000,
        )
        StatusChange.objects.bulk_create(
            (
                StatusChange(
                    instrument=instrument,
                    status=status,
                    date=datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(3000)),
                )
                for instrument in created
                for status in ["proposed", "adopted", "superseded"][:steps]
            ),
            batch_size=5000,
        )
        Citation.objects.bulk_create(
            (Citation(source=source, instrument=instrument, quote="q") for instrument in created),
            batch_size=5000,
        )
        seconds = time.perf_counter() - start
        self.stdout.write(
            f"{connection.vendor}: {count} instruments, {count * steps} status changes, "
            f"{count} citations, {len(jurisdictions)} jurisdictions (built in {seconds:.1f} s)"
        )

    def measure(self, repeat):
        figures = [
            (
                "instruments, first page of 50 by title",
                lambda: list(Instrument.objects.order_by("title")[:PAGE]),
                lambda: list(Instrument.objects.as_of(DAY).order_by("title")[:PAGE]),
            ),
            (
                "instruments, count",
                lambda: Instrument.objects.count(),
                lambda: Instrument.objects.as_of(DAY).count(),
            ),
            (
                "instruments, every row",
                lambda: list(Instrument.objects.values_list("pk", "status")),
                lambda: list(Instrument.objects.as_of(DAY).values_list("pk", "as_of_status")),
            ),
            (
                "jurisdictions, every row",
                lambda: list(Jurisdiction.objects.all()),
                lambda: list(Jurisdiction.objects.as_of(DAY)),
            ),
        ]
        self.stdout.write(f"{'query':<42}{'plain ms':>10}{'as_of ms':>10}{'ratio':>8}")
        for label, plain, as_of in figures:
            plain_ms, as_of_ms = timed(plain, repeat), timed(as_of, repeat)
            self.stdout.write(
                f"{label:<42}{plain_ms:>10.1f}{as_of_ms:>10.1f}{as_of_ms / plain_ms:>8.1f}"
            )
