from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from instruments import synthetic


class Command(BaseCommand):
    help = (
        "Add a large synthetic data set that stays (for measuring the tracker at scale): "
        "--instruments N with their timelines, citations, topics, parties and events, over "
        "about 250 jurisdictions; deterministic for a given --seed. --remove takes every "
        "synthetic row away again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instruments", type=int, default=10_000, help="How many.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same rows.")
        parser.add_argument(
            "--remove", action="store_true", help="Delete every synthetic row instead."
        )

    def handle(self, *args, instruments, seed, remove, verbosity, **options):
        quiet = verbosity == 0
        if remove:
            removed = synthetic.remove()
            self.stdout.write(
                "Removed: " + ", ".join(f"{table} {n}" for table, n in removed.items() if n)
                if any(removed.values())
                else "There were no synthetic records."
            )
            return
        if instruments < 1:
            raise CommandError("--instruments must be at least 1.")
        if synthetic.exists():
            raise CommandError(
                "Synthetic records are there already: run with --remove first, then again."
            )
        with tqdm(total=instruments, desc="instruments", unit=" instruments", disable=quiet,
                  file=self.stderr._out) as bar:  # fmt: skip
            written = synthetic.generate(instruments, seed, bar.update)
        self.stdout.write(
            f"Added {written.get('instruments_instrument', 0)} instruments: "
            + ", ".join(f"{table} {n}" for table, n in written.items())
        )
