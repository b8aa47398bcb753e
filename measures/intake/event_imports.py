"""Events file imports off the request: the analyst previews the file in the admin (a dry run of
measures.importing.events_csv, in the request: it writes nothing), confirms, and the tasks worker (the
worker that makes the report PDFs and reads documents: `manage.py report_worker`) writes it in batches
(EventImportJob). An import of 8,000 rows took minutes inside one request, longer than gunicorn's
timeout allows (docs/event-imports.md, *Off the request*).

The analyst's page waits for the job (a Refresh header, no JavaScript) and then says which lines were
written and which were not. Work always finishes (measures.models.LeasedJob): an import whose worker
died is taken back and imported again (the file compared anew: what the dead attempt wrote is "already
there"), up to MAX_ATTEMPTS starts, then failed with a retry button. An analyst has at most
IMPORTS_PER_USER imports waiting, under way or being previewed at once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from measures.importing import events_write
from measures.importing.events_csv import EventFileError, Mapping, import_events
from measures.lib import acting
from measures.models import EventImportJob, JobReclaimed, WorkKind, WorkSlot
from measures.services import WorkLimitReached

logger = logging.getLogger(__name__)
Status = EventImportJob.Status
# The waiting page reloads itself this often (seconds).
REFRESH_SECONDS = 2
MAX_ATTEMPTS = EventImportJob.MAX_ATTEMPTS
# Finished imports are forgotten after a week (their result is in the audit log and the events list).
KEEP_DAYS = 7


def under_way(user):
    """How many events imports `user` has waiting or under way (jobs) or being previewed (work slots)."""
    jobs = EventImportJob.objects.filter(requested_by=user, status__in=(Status.QUEUED, Status.RUNNING)).count()
    previews = WorkSlot.objects.filter(user=user, kind=WorkKind.EVENT_IMPORT, expires_at__gt=timezone.now()).count()
    return jobs + previews


def check_share(user):
    """Raise WorkLimitReached when `user` already has IMPORTS_PER_USER imports waiting, under way or being
    previewed: one analyst's imports must not take the worker from everyone else's."""
    count = under_way(user)
    if count >= settings.IMPORTS_PER_USER:
        what = "1 events file import" if count == 1 else f"{count} events file imports"
        raise WorkLimitReached(
            f"You already have {what} under way, the most one user may have at once (IMPORTS_PER_USER), so that "
            "the service stays quick for everyone. Nothing was done: try again when it has finished.",
            code="work_limit",
        )


def request_event_import(case, *, user, name, content, mapping=None, deletions=None, sync=False):
    """Queue the import of the event file `content` (bytes, with its optional `mapping` and `deletions`
    bytes, and `sync`: a complete export) into `case` for `user`. Returns the EventImportJob (done already
    when tasks run in the request: TASKS_IMMEDIATE). Raises WorkLimitReached, queueing nothing, when `user`
    has IMPORTS_PER_USER imports under way (check_share)."""
    EventImportJob.objects.filter(
        status__in=(Status.DONE, Status.FAILED), requested_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)
    ).delete()
    with transaction.atomic():
        # One user's share is counted and taken one request at a time (a row lock on PostgreSQL; SQLite's
        # IMMEDIATE transactions serialise writers already).
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        check_share(user)
        job = EventImportJob.objects.create(
            case=case,
            requested_by=user,
            name=name[:255],
            content=content,
            mapping=mapping,
            deletions=deletions,
            sync=sync,
        )
    return job.enqueue()  # behind the analyst's other imports (the fair queue)


def _summary(result):
    """What the import did, for the result page (JSON): counts, and the lines written."""
    lines = sorted([event.line for event in result.new] + [update.line for update in result.updated])
    return {
        "added": len(result.new),
        "updated": len(result.updated),
        "removed": len(result.removed),
        "existing": len(result.existing),
        "repeated": len(result.repeated),
        "kept": [f"{event.date_text}: {event.title}" for event, _ in result.kept],
        "unknown_deletions": [external_id for _, external_id in result.unknown_deletions],
        "batches": result.batches,
        "lines_written": events_write.line_ranges(lines),
    }


@task()
def import_events_job(job_id):
    """Import the file of EventImportJob `job_id` (events_csv.import_events, in batches), stamping the job
    after each batch (its progress and heartbeat). A file refused (a row that no longer fits, a batch
    refused at write time) fails the job with every problem, naming the lines written and not written.
    Raises EventImportJob.DoesNotExist for an unknown id; another error is stored as a failure and raised
    again for the task's own record."""
    job = EventImportJob.objects.select_related("case", "requested_by").get(pk=job_id)
    if not job.begin(stage="Checking every row against the stored events", written=0, total=0, problems=[]):
        return job.pk

    def progress(done, total):
        job.update(stage="Writing the events in batches", written=min(done, total), total=total)

    try:
        mapping = Mapping.parse(bytes(job.mapping)) if job.mapping is not None else None
        with acting.acting(path=acting.IMPORT, user=job.requested_by):
            result = import_events(
                job.case,
                bytes(job.content),
                mapping=mapping,
                sync=job.sync,
                deletions=bytes(job.deletions) if job.deletions is not None else None,
                progress=progress,
            )
    except JobReclaimed:
        logger.warning("Events import %s was taken back from this worker (attempt %s)", job.pk, job.attempts)
        raise
    except EventFileError as exc:
        job.update(status=Status.FAILED, stage="Refused", problems=exc.problems, finished_at=timezone.now())
        return job.pk
    except Exception as exc:
        logger.exception("Events import %s failed", job.pk)
        job.update(
            status=Status.FAILED,
            stage="Failed",
            error=f"The import stopped ({type(exc).__name__}). The batches written before stay: import the file "
            "again to complete it (they are recognised as already there).",
            finished_at=timezone.now(),
        )
        raise
    done = len(result.new) + len(result.updated) + len(result.removed)
    job.update(
        status=Status.DONE,
        stage="Imported",
        result=_summary(result),
        written=done,
        total=done,
        content=b"",
        mapping=None,
        deletions=None,
        finished_at=timezone.now(),
    )
    return job.pk
