"""Status report PDFs made off the request, by Django's tasks framework (django-tasks-db's backend:
the queue is a table, the worker is `manage.py report_worker`, no other service).

A reader asking for a PDF gets, at once, either the stored PDF made for the same case data
version, period and paper size (ReportJob), or a page that follows the job's progress and then
offers the download. `manage.py status_report` stays synchronous.
"""

import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from measures.models import ReportJob
from measures.state import default_since
from reading.caching import data_stamp
from reports.build import build_report
from reports.render import render_report_pdf

logger = logging.getLogger(__name__)
Status = ReportJob.Status
# The progress page reloads itself this often (seconds) while the job is not finished.
REFRESH_SECONDS = 2


def _update(job, **fields):
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


@task()
def render_report_job(job_id):
    """Make the PDF of ReportJob `job_id` and store it; the job row tells the reader how far it got.

    Raises ReportJob.DoesNotExist for an unknown id; a failure of the rendering marks the job
    failed, with the error, and is raised again for the task's own record.
    """
    job = ReportJob.objects.select_related("case", "requested_by").get(pk=job_id)
    if job.status == Status.DONE:
        return job.pk
    _update(
        job,
        status=Status.RUNNING,
        stage="Gathering levels, evidence and events",
        progress=10,
        started_at=timezone.now(),
        error="",
    )
    try:
        report = build_report(
            job.case,
            as_of=job.as_of,
            since=job.since,
            known_on=job.known_on,
            recorded_since=job.recorded_since,
            as_of_rule=job.as_of_rule,
            since_rule=_since_rule(job.case, job.as_of, job.since),
            user=job.requested_by,
            paper=job.paper,
            public=job.audience == ReportJob.Audience.PUBLIC,
        )
        _update(job, stage="Laying out the pages", progress=30)
        pdf = render_report_pdf(report, site_url=job.site_url or None)
        _update(job, stage="Storing the PDF", progress=95)
        job.file.save(f"{report.filename_stem}-{job.pk}.pdf", ContentFile(pdf), save=False)
        _update(
            job,
            file=job.file.name,
            filename=f"{report.filename_stem}.pdf",
            size=len(pdf),
            status=Status.DONE,
            stage="Ready",
            progress=100,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("Report job %s failed", job.pk)
        _update(
            job,
            status=Status.FAILED,
            stage="Failed",
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return job.pk


def _since_rule(case, as_of, since):
    """Which default gave `since`, in words (as the pages say it), when `since` is the default's."""
    default = default_since(case, as_of)
    return default.rule_text if since == default.since else ""


def request_report(
    case,
    *,
    as_of,
    since,
    paper,
    user,
    known_on=None,
    recorded_since=None,
    as_of_rule="given",
    site_url="",
    public=False,
):
    """The ReportJob for `case` at its current data version (and every case's) over this period, "as
    known on" date (None: everything on record), "recorded since" date (None: no such list), as-of
    rule, paper and audience (`public`: for a reader without an account, a PDF that names no one):
    the existing one (made, under way or failed), or a new one, queued. Never blocks on the rendering.
    A public job records no requester."""
    audience = ReportJob.Audience.PUBLIC if public else ReportJob.Audience.ACCOUNT
    if public or not getattr(user, "is_authenticated", False):
        user = None
    key = {
        "case": case,
        "data_version": case.data_version,
        # The key judgements compare the case with the others: any case's write makes a new PDF.
        "others_version": data_stamp()[0],
        "as_of": as_of,
        "since": since,
        "known_on": known_on,
        "recorded_since": recorded_since,
        "as_of_rule": as_of_rule,
        "paper": paper,
        "audience": audience,
    }
    job = ReportJob.objects.filter(**key).first()
    if job is not None:
        if job.status == Status.DONE and not job.file.storage.exists(job.file.name):
            return _requeue(job)  # the stored file went missing: make it again
        return job
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(**key, requested_by=user, site_url=site_url)
    except IntegrityError:  # someone asked for the same report at the same moment
        return ReportJob.objects.get(**key)
    return _enqueue(job)


def _enqueue(job):
    result = render_report_job.enqueue(job.pk)
    ReportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def _requeue(job):
    _update(job, status=Status.QUEUED, stage="", progress=0, error="", file="", started_at=None, finished_at=None)
    return _enqueue(job)
