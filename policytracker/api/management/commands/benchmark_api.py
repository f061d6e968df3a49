"""Time the API's largest lists, as CSV downloads and as JSON pages, on synthetic data written in
a transaction that is rolled back."""

import datetime
import random
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

from instruments.models import Citation, Instrument, InstrumentRelation, Source, Topic
from instruments.vocabulary import InstrumentStatus, InstrumentType
from jurisdictions.models import Jurisdiction
from policytracker.api.citations import CitationViewSet
from policytracker.api.instruments import InstrumentViewSet

DAY = datetime.date(2025, 8, 8)
PAGE_SIZE = 200
LISTS = (("instruments", InstrumentViewSet), ("citations", CitationViewSet))
SUMMARY = (
    "Sets duties for providers of high-risk systems, a registration scheme and fines, "
    "and gives a national office the power to test models before they reach the market. "
)


class Rollback(Exception):
    pass


def consume(response):
    """Bytes of `response`, read the way a client reads it (a streamed body chunk by chunk)."""
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    response.render()
    return len(response.content)


class Command(BaseCommand):
    help = (
        "Benchmark the API's instruments and citations lists on synthetic records written in a "
        "transaction that is rolled back (nothing stays in the database): the whole list as "
        "CSV, and the first and last JSON pages of 200. Prints rows per second (best of "
        "--repeat runs) and the peak memory Python allocated while answering (a separate run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=30_000, metavar="N")
        parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")

    def handle(self, *args, rows, repeat, **options):
        if rows < 1 or repeat < 1:
            raise CommandError("--rows and --repeat take 1 or more")
        try:
            with transaction.atomic():
                self.build(rows)
                # The synthetic requests name the test host; nothing is served to anyone.
                with override_settings(ALLOWED_HOSTS=["testserver"]):
                    self.measure(repeat)
                raise Rollback
        except Rollback:
            pass

    def build(self, count):
        rng = random.Random(8)
        start = time.perf_counter()
        codes = [f"Q{a}{b}" for a in "ABCDEFGHIJ" for b in "ABCDEFGHIJ"]
        jurisdictions = Jurisdiction.objects.bulk_create(
            Jurisdiction(code=code, name=f"Bench {code}", kind="national", region="eastern_asia")
            for code in codes
        )
        sources = Source.objects.bulk_create(
            Source(slug=f"benchmark-{n}", title=f"Benchmark source {n}", kind="article")
            for n in range(20)
        )
        topics = Topic.objects.bulk_create(
            Topic(slug=f"benchmark-{n}", name=f"Benchmark topic {n}") for n in range(12)
        )
        instruments = Instrument.objects.bulk_create(
            (
                Instrument(
                    slug=f"benchmark-{number}",
                    title=f"Benchmark instrument {number:07d}",
                    short_name=f"Bench {number}",
                    jurisdiction=rng.choice(jurisdictions),
                    type=InstrumentType.BINDING_LAW,
                    status=InstrumentStatus.IN_EFFECT,
                    adopted_on=DAY - datetime.timedelta(days=rng.randrange(3000)),
                    adopted_on_precision="day",
                    issuing_body="National Assembly",
                    summary=SUMMARY,
                )
                for number in range(count)
            ),
            batch_size=2000,
        )
        topic_links = Instrument.topics.through
        topic_links.objects.bulk_create(
            (
                topic_links(instrument=instrument, topic=topic)
                for instrument in instruments
                for topic in rng.sample(topics, 2)
            ),
            batch_size=5000,
        )
        party_links = Instrument.parties.through
        party_links.objects.bulk_create(
            (
                party_links(instrument=instrument, jurisdiction=rng.choice(jurisdictions))
                for instrument in instruments
            ),
            batch_size=5000,
        )
        InstrumentRelation.objects.bulk_create(
            (
                InstrumentRelation(from_instrument=first, to_instrument=second, kind="amends")
                for first, second in zip(instruments[::2], instruments[1::2], strict=False)
            ),
            batch_size=5000,
        )
        Citation.objects.bulk_create(
            (
                Citation(
                    source=rng.choice(sources),
                    instrument=instrument,
                    quote=f"The Assembly adopted the law, number {number}. " + SUMMARY,
                    locator="Section 2",
                    fields=["adopted_on", "status"],
                )
                for number, instrument in enumerate(instruments)
            ),
            batch_size=5000,
        )
        seconds = time.perf_counter() - start
        self.stdout.write(
            f"{connection.vendor}: {count} instruments ({2 * count} topic links, {count} parties, "
            f"{count // 2} relations), {count} citations (built in {seconds:.1f} s)"
        )

    def measure(self, repeat):
        self.stdout.write(
            f"{'list':<14}{'request':<22}{'rows':>8}{'seconds':>10}{'rows/s':>10}{'peak MiB':>10}"
        )
        for label, viewset in LISTS:
            # Throttling is the deployment's business, not the cost of answering.
            view = viewset.as_view({"get": "list"}, throttle_classes=())
            url = reverse(f"api:{label.removesuffix('s')}-list")
            total = viewset.queryset.count()
            last = max(1, -(-total // PAGE_SIZE))
            requests = [
                ("csv, every row", {"format": "csv"}, total),
                ("json, first page", {"page_size": PAGE_SIZE}, min(total, PAGE_SIZE)),
                (
                    "json, last page",
                    {"page_size": PAGE_SIZE, "page": last},
                    total - (last - 1) * PAGE_SIZE,
                ),
            ]
            for name, params, rows in requests:
                seconds = min(self.answer(view, url, params) for _ in range(repeat))
                tracemalloc.start()
                self.answer(view, url, params)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                self.stdout.write(
                    f"{label:<14}{name:<22}{rows:>8}{seconds:>10.3f}{rows / seconds:>10.0f}"
                    f"{peak / 2**20:>10.1f}"
                )

    def answer(self, view, url, params):
        """Seconds `view` takes to answer a GET of `url` with `params`, body read to the end."""
        start = time.perf_counter()
        response = view(RequestFactory().get(url, params))
        if response.status_code != 200:
            raise CommandError(f"{url} {params}: {response.status_code}")
        consume(response)
        return time.perf_counter() - start
