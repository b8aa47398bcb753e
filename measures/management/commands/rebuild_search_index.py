"""Make the search index again from the data: after a restore from an old backup, a bulk change made
around the services, or to check that the index is whole. Every write through the application keeps
it current; this is never needed in ordinary use."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from measures import search
from measures.models import Case
from measures.services import touch_cases


class Command(BaseCommand):
    help = "Rebuild the search index (sources, cited passages, events, measures, rationales) from the data."

    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            count = search.rebuild()
            # Every case's data version moves, so that no search page or ranking kept in the cache for
            # the old index is served again (a reader's search is kept per data version).
            touch_cases(Case.objects.values_list("pk", flat=True))
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {count} records for search in {time.perf_counter() - started:.1f} s.")
        )
