"""Status report PDFs made off the request, by Django's tasks framework (django-tasks-db's backend:
the queue is a table, the worker is `manage.py db_worker`, no other service).

A reader asking for a PDF gets, at once, either the stored PDF made for the same case data
version, period and paper size (ReportJob), or a page that follows the job's progress and then
offers the download. `manage.py status_report` stays synchronous.
"""

import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import task
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date, quote_etag
from django.views.decorators.http import require_POST

from .models import Case, ReportJob
from .reports import build_report, parse_request, render_report_pdf
from .roles import reader_required

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
            as_of_rule=job.as_of_rule,
            user=job.requested_by,
            paper=job.paper,
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


def request_report(case, *, as_of, since, paper, user, known_on=None, as_of_rule="given", site_url=""):
    """The ReportJob for `case` at its current data version over this period, "as known on" date
    (None: everything on record), as-of rule and paper: the existing one (made, under way or failed),
    or a new one, queued. Never blocks on the rendering."""
    key = {
        "case": case,
        "data_version": case.data_version,
        "as_of": as_of,
        "since": since,
        "known_on": known_on,
        "as_of_rule": as_of_rule,
        "paper": paper,
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


def _job_of(case, pk):
    return get_object_or_404(ReportJob.objects.select_related("case"), case=case, pk=pk)


@reader_required
def report_pdf(request, slug):
    """The PDF of the report: the stored one at once when it exists, else the page following its making."""
    case = get_object_or_404(Case, slug=slug)
    params = parse_request(request.GET, case=case)
    if params.errors:
        context = {"case": case, "form": params.form, "errors": params.errors, "paper": params.paper}
        return render(request, "measures/report_invalid.html", context, status=400)
    job = request_report(
        case,
        as_of=params.as_of,
        since=params.since,
        known_on=params.known_on,
        as_of_rule=params.as_of_rule,
        paper=params.paper,
        user=request.user,
        site_url=request.build_absolute_uri("/"),
    )
    if job.status == Status.DONE:
        return _pdf_response(request, job)
    return redirect(job)


@reader_required
def report_job(request, slug, pk):
    """How far the making of a report has got; the download link once it is made."""
    case = get_object_or_404(Case, slug=slug)
    job = _job_of(case, pk)
    waiting = job.status in (Status.QUEUED, Status.RUNNING)
    elapsed = ((job.finished_at or timezone.now()) - job.requested_at).total_seconds()
    context = {
        "case": case,
        "job": job,
        "waiting": waiting,
        "refresh_seconds": REFRESH_SECONDS,
        "elapsed": round(elapsed),
        "worker_late": job.status == Status.QUEUED and elapsed > 30,
    }
    response = render(request, "measures/report_job.html", context)
    patch_cache_control(response, no_store=True)
    if waiting:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@reader_required
def report_job_download(request, slug, pk):
    case = get_object_or_404(Case, slug=slug)
    job = _job_of(case, pk)
    if job.status != Status.DONE or not job.file:
        return redirect(job)
    return _pdf_response(request, job)


@require_POST
@reader_required
def report_job_retry(request, slug, pk):
    """Try a failed report again (the same case version, period and paper)."""
    case = get_object_or_404(Case, slug=slug)
    job = _job_of(case, pk)
    if job.status == Status.FAILED:
        job = _requeue(job)
    return redirect(job)


def _pdf_response(request, job):
    etag = quote_etag(f"report-{job.pk}-{job.size}")
    modified = int(job.finished_at.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is None:
        try:
            with job.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            raise Http404("The stored report is missing: ask for it again.") from None
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, job.filename)
    else:
        response = not_modified
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, private=True, no_cache=True)
    return response
