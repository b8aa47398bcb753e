from django.core.management.base import BaseCommand, CommandError

from measures.intake.suggest import TOP, evaluate
from measures.models import Case


class Command(BaseCommand):
    help = (
        "Measure the suggested passages on a case's existing evidence: leaving each source out in turn, how "
        "often the passage an analyst cited for a measure ranks in the top N suggested for that measure."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The case, e.g. pakistan-iran-2024.")
        parser.add_argument("--top", type=int, default=TOP, help=f"How many suggestions count (default {TOP}).")

    def handle(self, *args, slug, top, **options):
        case = Case.objects.filter(slug=slug).first()
        if case is None:
            known = ", ".join(Case.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No case “{slug}”. Known cases: {known}.")
        if top < 1:
            raise CommandError("--top must be at least 1.")
        result = evaluate(case, top=top)
        if not result.pairs:
            raise CommandError(f"“{case}” has no evidence quoted from a source's text to measure against.")
        self.stdout.write(
            f"{case}: {result.hits} of {result.pairs} cited passages ({result.rate:.1%}) rank in the top {top} "
            f"for their measure; a random order would place {result.chance_rate:.1%} there."
        )
        for title, (pairs, hits, passages) in sorted(result.by_source.items()):
            if pairs:
                self.stdout.write(f"  {hits:>3} of {pairs:>3} · {passages:>3} passages · {title}")
