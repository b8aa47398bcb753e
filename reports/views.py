"""The report's pages: the HTML report and its PDF (made by the worker, reports.jobs)."""

import dataclasses
import functools

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date, quote_etag
from django.views.decorators.http import require_POST

from measures.lib.addresses import request_client_address
from measures.models import ReportJob
from measures.state import default_since, reporting_period
from reading.access import case_reader
from reading.caching import cached_page
from reading.caching.shared import rendering_for_audience, sentinels
from reports import jobs
from reports.build import PAPER_SIZES, build_report, parse_request
from reports.jobs import REFRESH_SECONDS, Status, request_report
from reports.render import render_report_html


def _refused(request, case, params):
    """The 400 page for a report asked for with dates that cannot be used: the problems, the form, and
    the period an empty "Changes since" gives (state.default_since: it depends on the case's status)."""
    default = default_since(case, case.default_as_of(timezone.localdate()))
    context = {
        "case": case,
        "form": params.form,
        "errors": params.errors,
        "paper": params.paper,
        "default_period": default.rule_text,
    }
    return render(request, "measures/report_invalid.html", context, status=400)


def _report_or_errors(request, slug):
    case = request.viewer.case  # loaded by case_reader
    params = parse_request(request.GET, case=case)
    if params.errors:
        return None, _refused(request, case, params)
    built = build_report(case, user=request.user, public=request.viewer.is_public, **params.build_kwargs())
    if rendering_for_audience(request):  # one rendering for every reader: "By" filled in when served
        built = dataclasses.replace(built, generated_by=sentinels().display_name)
    return built, None


@case_reader
# The key judgements compare the case with the others: a write to any case makes a new page.
@functools.partial(cached_page, across_cases=True)
def report(request, slug):
    built, error_response = _report_or_errors(request, slug)
    if error_response is not None:
        return error_response
    return HttpResponse(render_report_html(built, request=request))


def _job_of(request, case, pk):
    """The case's report job `pk` made for this reader's audience (a public reader never opens the
    PDF made for readers with an account, which names who asked), else 404."""
    audience = ReportJob.Audience.PUBLIC if request.viewer.is_public else ReportJob.Audience.ACCOUNT
    return get_object_or_404(ReportJob.objects.select_related("case"), case=case, pk=pk, audience=audience)


def _described(job):
    """`job` with its period named the one way (`ReportingPeriod.text`: "16–18 Jan 2024") and its paper
    as the report page names it ("A4", "US Letter"), as `period_text` and `paper_label`."""
    job.period_text = reporting_period(since=job.since, as_of=job.as_of).text
    job.paper_label = PAPER_SIZES.get(job.paper, job.paper)
    return job


@case_reader
def report_pdf(request, slug):
    """The PDF of the report: the stored one at once when it exists, else the page following its making."""
    case = request.viewer.case  # loaded by case_reader
    params = parse_request(request.GET, case=case)
    if params.errors:
        return _refused(request, case, params)
    try:
        job = request_report(
            case,
            as_of=params.as_of,
            since=params.since,
            known_on=params.known_on,
            recorded_since=params.recorded_since,
            as_of_rule=params.as_of_rule,
            paper=params.paper,
            user=request.user,
            site_url=request.build_absolute_uri("/"),
            public=request.viewer.is_public,
            client_address=request_client_address(request),
        )
    except jobs.QueueFull as full:
        # By period (then paper, then when asked), each named as every page names a period.
        waiting = sorted(map(_described, full.waiting), key=lambda j: (j.as_of, j.since, j.paper, j.requested_at))
        context = {"case": case, "message": str(full), "waiting": waiting}
        response = render(request, "measures/report_queue_full.html", context, status=429)
        response["Retry-After"] = str(REFRESH_SECONDS * 15)
        return response
    if job.status == Status.DONE:
        return _pdf_response(request, job)
    return redirect(job)


@case_reader
def report_job(request, slug, pk):
    """How far the making of a report has got; the download link once it is made."""
    case = request.viewer.case  # loaded by case_reader
    job = jobs.reclaim_if_abandoned(_job_of(request, case, pk))  # its worker gone: queued again, or failed
    waiting = job.status in (Status.QUEUED, Status.RUNNING)
    elapsed = ((job.finished_at or timezone.now()) - job.requested_at).total_seconds()
    context = {
        "case": case,
        "job": _described(job),
        "waiting": waiting,
        "refresh_seconds": REFRESH_SECONDS,
        "elapsed": round(elapsed),
        "worker_late": job.status == Status.QUEUED and elapsed > 30,
        # A worker stopped while making it: which start this is (or will be), of how many.
        "attempt": job.attempts + 1 if job.status == Status.QUEUED else job.attempts,
        "max_attempts": jobs.MAX_ATTEMPTS,
    }
    response = render(request, "measures/report_job.html", context)
    patch_cache_control(response, no_store=True)
    if waiting:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@case_reader
def report_job_download(request, slug, pk):
    case = request.viewer.case  # loaded by case_reader
    job = _job_of(request, case, pk)
    if job.status != Status.DONE or not job.file:
        return redirect(job)
    return _pdf_response(request, job)


@require_POST
@case_reader
def report_job_retry(request, slug, pk):
    """Try a failed report again (the same case version, period and paper), with a fresh count of attempts."""
    case = request.viewer.case  # loaded by case_reader
    return redirect(jobs.retry(_job_of(request, case, pk)))


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
