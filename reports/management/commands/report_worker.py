"""The report worker: django-tasks-db's `db_worker`, which first loads WeasyPrint and the report's fonts,
takes back the jobs of workers that died, of every kind (report PDFs, document readings, events imports:
measures.models.reclaim_abandoned), as it starts and then every RECLAIM_SECONDS, and outlives a locked or
lost database: its polling waits and tries again (after 1, 2, 4 … seconds, doubling up to a minute),
saying so in the log, instead of dying (db_worker's loop lets a lock held longer than the busy timeout end it).
It runs every task of the queue: the reading of uploaded documents too (measures.intake.jobs, each in a
child process with its own memory and time budget, so a costly file cannot take the worker down)."""

import logging
import os
import time

from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from measures.models import reclaim_abandoned
from reports.jobs import Periodic
from reports.render import warm_up_pdf

logger = logging.getLogger("reports.worker")
# Back-off after a database error: the first wait, doubled after each failure in a row, up to the last.
BACKOFF_FIRST_SECONDS = 1
BACKOFF_MAX_SECONDS = 60
# How often a running worker looks for jobs whose worker died (seconds): well under the shortest lease
# (a report's, ReportJob.LEASE_SECONDS), so a job is taken back soon after its lease ends, even while this
# worker is idle.
RECLAIM_SECONDS = 30


class ReportWorker(Worker):
    """db_worker's Worker whose polling survives database errors (locked, lost, restarted)."""

    def _reclaim(self):
        for kind, count in reclaim_abandoned().items():
            logger.warning("Took back %s job(s) of kind %s whose worker had stopped", count, kind)

    def run(self):
        failures = 0
        while True:
            started = time.monotonic()
            try:
                self._reclaim()
                with Periodic(
                    RECLAIM_SECONDS,
                    self._reclaim,
                    name="job-reclaimer",
                    failed=lambda exc: logger.warning(
                        "Taking back abandoned jobs failed (%s); trying again later", exc
                    ),
                ):
                    super().run()
                return
            except DatabaseError as exc:
                if time.monotonic() - started > BACKOFF_MAX_SECONDS:
                    failures = 0  # it worked for a while: this is a new outage
                failures += 1
                wait = min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** (failures - 1))
                logger.warning(
                    "Report worker: database error (%s: %s), failure %s in a row; polling again in %s s",
                    type(exc).__name__,
                    exc,
                    failures,
                    wait,
                )
                close_old_connections()
                if not self.running:
                    return
                time.sleep(wait)
                self.startup_delay = False


class Command(DatabaseWorkerCommand):
    help = (
        "Run the report worker: db_worker (same options), after loading WeasyPrint and the report's fonts, "
        "so that the first PDF after a start does not also pay for them. It takes back the jobs of workers "
        "that died and waits out a locked or lost database (logged) instead of stopping. It also reads uploaded "
        "documents (each in a child process with memory and time budgets)."
    )

    def handle(self, *args, **options):
        seconds = warm_up_pdf()
        if options["verbosity"] > 0:
            loaded = "without WeasyPrint" if seconds is None else f"WeasyPrint and the fonts loaded in {seconds:.1f} s"
            self.stdout.write(f"Report worker ready ({loaded}).")
            self.stdout.flush()
        self.configure_logging(options["verbosity"])
        if not logger.hasHandlers():
            logger.addHandler(logging.StreamHandler(self.stdout))
        reload, batch = options["reload"], options["batch"]
        if reload and batch:
            reload = False  # as db_worker: --batch runs once
        exclude = options["exclude_queues"]
        if exclude and "*" not in options["queue_name"].split(","):
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReportWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=exclude.split(",") if exclude else [],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
