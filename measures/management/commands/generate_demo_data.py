import time

from django.core.management.base import BaseCommand, CommandError

from measures.importing.demo_data import MAX_SCALE, DemoDataError, generate
from measures.lib import acting
from measures.management.acting import acting_user, add_user_argument


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with invented demo crises for measuring speed at scale (demo data only, "
        "never real analysis), shaped like real cases. --scale 100: 50 cases, 20,000 events, 2,000 sources, "
        "100,000 citations, 132,650 evidence links, 22,500 assessments (corrections included), 5,000 commitments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, required=True, help=f"1 to {MAX_SCALE}: how many times the data of a large crisis"
        )
        add_user_argument(parser)

    def handle(self, *args, scale, user=None, **options):
        user = acting_user(user)
        started = time.perf_counter()
        progress = (lambda message: self.stdout.write(f"  {message}…")) if options["verbosity"] > 1 else None
        try:
            with acting.acting(path=acting.COMMAND, user=user):
                totals = generate(scale=scale, progress=progress)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from None
        counts = ", ".join(f"{n:,} {name}" for name, n in totals.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated demo data at scale {scale} in {time.perf_counter() - started:.1f} s: {counts}."
            )
        )
