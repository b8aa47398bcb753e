"""Reading uploaded documents off the request: the tasks worker (Django's tasks framework with
django-tasks-db, the worker that makes the report PDFs: `manage.py report_worker`) extracts the text in
a child process with memory and time budgets (measures.intake.sandbox), and the analyst's page waits
for it, then shows the text for review.

A job is the analyst's alone (`requested_by`). Its file waits in the intake staging folder until the
source is saved. Work always finishes, by the rule of every job of the worker (measures.models.LeasedJob):
a running job whose worker has been silent for its lease (the time budget and a margin: the child is
killed at the budget, so only a dead worker stays silent longer) is queued again, up to MAX_ATTEMPTS
starts, then failed with a message.
An analyst has at most SOURCE_EXTRACTIONS_PER_USER documents waiting or being read at once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from measures.intake import sandbox, staging
from measures.intake.extract import IntakeError
from measures.intake.language import detect_language
from measures.models import ExtractionJob, JobReclaimed

logger = logging.getLogger(__name__)
Status = ExtractionJob.Status
# The waiting page reloads itself this often (seconds; a Refresh header, no JavaScript).
REFRESH_SECONDS = 2
# A job is started at most this many times: a document that kills its worker must not kill every next one.
MAX_ATTEMPTS = ExtractionJob.MAX_ATTEMPTS
# Finished jobs are forgotten after their staged file would be (a day).
KEEP_SECONDS = staging.MAX_AGE_SECONDS


def lease_seconds():
    """How long a running job's worker may stay silent before the job is taken back: the time budget
    of the reading (SOURCE_EXTRACT_SECONDS, after which the child is killed) and a minute."""
    return ExtractionJob.lease_seconds()


def _update(job, **fields):
    """Write `fields` while the job is still this attempt's; False (nothing written) once it was taken back."""
    try:
        job.update(**fields)
    except JobReclaimed:
        return False
    return True


def request_extraction(original, *, user):
    """Stage `original` (measures.intake.staging.Original) and queue its reading for `user`.

    Returns the ExtractionJob (done already when the tasks run in the request: TASKS_IMMEDIATE). Raises
    IntakeError, staging and queueing nothing, when `user` already has SOURCE_EXTRACTIONS_PER_USER
    documents waiting or being read."""
    limit = settings.SOURCE_EXTRACTIONS_PER_USER
    waiting = ExtractionJob.objects.filter(requested_by=user, status__in=(Status.QUEUED, Status.RUNNING)).count()
    if waiting >= limit:
        raise IntakeError(
            f"You already have {waiting} documents waiting to be read or being read, the most one analyst may have "
            f"at once (SOURCE_EXTRACTIONS_PER_USER), so that everyone's documents are read in turn. Upload "
            f"“{original.name}” again when one of them is ready. Nothing was saved."
        )
    ExtractionJob.objects.filter(requested_at__lt=timezone.now() - timedelta(seconds=KEEP_SECONDS)).delete()
    token = staging.stage(original, user_id=user.pk)
    with transaction.atomic():
        job = ExtractionJob.objects.create(
            requested_by=user, name=original.name[:255], size=len(original.data), staged=token
        )
    return job.enqueue()  # behind the analyst's other documents (the fair queue)


@task()
def extract_source_job(job_id):
    """Read the staged file of ExtractionJob `job_id` in the sandbox and store the text, or the refusal.

    A file over a budget (size, unpacked size, pages, characters, memory, time) fails the job with the
    message naming the budget; the staged file is then removed. Raises ExtractionJob.DoesNotExist for
    an unknown id; another error is stored as a failure and raised again for the task's own record."""
    job = ExtractionJob.objects.get(pk=job_id)
    # A stale task of a job taken back, finished meanwhile, or started by another worker: nothing to do.
    if not job.begin(stage="Reading the document"):
        return job.pk
    try:
        original = staging.load(job.staged, user_id=job.requested_by_id)
        document = sandbox.extract_limited(original.data, name=job.name)
    except IntakeError as exc:
        staging.discard(job.staged)
        _update(
            job,
            status=Status.FAILED,
            stage="Refused",
            error=str(exc),
            peak_bytes=getattr(exc, "peak_bytes", 0),
            finished_at=timezone.now(),
        )
        return job.pk
    except Exception as exc:
        logger.exception("Reading of “%s” (job %s) failed", job.name, job.pk)
        _update(
            job,
            status=Status.FAILED,
            stage="Failed",
            error=f"“{job.name}” could not be read ({type(exc).__name__}). Nothing was saved. Upload it again, "
            "or paste its text.",
            finished_at=timezone.now(),
        )
        raise
    result = sandbox.document_to_json(document)
    result["language"] = detect_language(document.text)
    _update(
        job,
        status=Status.DONE,
        stage="Ready",
        result=result,
        peak_bytes=document.peak_bytes,
        finished_at=timezone.now(),
    )
    return job.pk


def reclaim_if_abandoned(job, *, now=None):
    """Take `job` back from a worker that is gone (silent for lease_seconds()): queued again while it
    has starts left (MAX_ATTEMPTS), else failed with a message (LeasedJob). Returns the job as it now is."""
    return job.reclaim_if_abandoned(now=now)
