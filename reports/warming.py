"""After a write, the report worker makes the case's default PDF again, so that no reader waits for
WeasyPrint when asking for it (issue 25, points 4 and 6).

The report page's "PDF" link without a query asks for the default report (reports.build.parse_request
with no parameters: the case's default as-of date and period, A4). `case_changed` is a case-change
hook (settings.CASE_CHANGE_HOOKS, called once a write committed): it queues `warm_report_pdfs`, to run
WARM_REPORT_PDFS_DELAY_SECONDS later (the writes of those seconds share one PDF), once per case while
one is waiting (a claim in the cache, released when the task starts, as
reading.views.warming does for the pages), and the task asks, at the case's data version when it
runs, for the default report of each audience: readers with an account, and the public when the
case is published. A job already made or under way for that version is left as it is; else a job is
created and queued (reports.jobs.request_default_report), and the worker makes it in turn. The
reader's request then finds the job made (reports.jobs.request_report's key) and is answered with the
stored file at once.

Off with WARM_REPORT_PDFS_AFTER_WRITES (by default WARM_PAGES_AFTER_WRITES: false where tasks run inside
the request, where the writer would wait for WeasyPrint).
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from measures.models import Case

# How long the claim "this case's PDFs are queued for warming" is kept: longer than a queue usually waits.
CLAIM_SECONDS = 3600


def case_changed(case_ids):
    """The hook: queue `warm_report_pdfs` for each of these cases, unless one is queued for it already
    (a claim in the cache, released when the task starts). One query; nothing when
    settings.WARM_REPORT_PDFS_AFTER_WRITES is off."""
    if not settings.WARM_REPORT_PDFS_AFTER_WRITES:
        return
    for pk, version in Case.objects.filter(pk__in=case_ids).values_list("pk", "data_version"):
        if cache.add(_claim(pk), version, CLAIM_SECONDS):
            _deferred(warm_report_pdfs).enqueue(pk, version)


def _deferred(task):
    """`task` to run WARM_REPORT_PDFS_DELAY_SECONDS from now, where the backend can defer (the worker's
    database queue can): the writes of those seconds share one PDF, instead of each new data version
    costing the worker a layout while analysts are still writing."""
    delay = settings.WARM_REPORT_PDFS_DELAY_SECONDS
    if delay <= 0 or not task.get_backend().supports_defer:
        return task
    return task.using(run_after=timezone.now() + timedelta(seconds=delay))


def _claim(case_id):
    return f"warm-report-pdfs:{case_id}"


@task()
def warm_report_pdfs(case_id, data_version):
    """Ask for the default report PDF of case `case_id` for each audience (module docstring), at its data
    version when the task runs (`data_version`: the one it was queued at; writes since then queued
    nothing, so this asks for what they made). Returns the ReportJob ids asked for (made, under way or
    queued); an empty list when the case is gone."""
    from reports.jobs import expire_superseded_warmed, request_default_report

    cache.delete(_claim(case_id))  # a write from now on queues the next warming
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return []
    audiences = [False]  # readers with an account
    if case.visibility == Case.Visibility.PUBLISHED:
        audiences.append(True)  # the public
    expire_superseded_warmed(case)  # the PDFs of earlier warmings, replaced by these
    return [request_default_report(case, public=public).pk for public in audiences]
