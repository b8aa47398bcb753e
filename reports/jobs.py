"""Status report PDFs made off the request, by Django's tasks framework (django-tasks-db's backend:
the queue is a table, the worker is `manage.py report_worker`, no other service).

A reader asking for a PDF gets, at once, either the stored PDF made for the same case data
version, period and paper size (ReportJob), or a page that follows the job's progress and then
offers the download. `manage.py status_report` stays synchronous.

Work always finishes, by the rule every job of the worker follows (measures.models.LeasedJob: lease,
bounded retries, reclaim): the worker making a job stamps `heartbeat_at` at each stage and every
HEARTBEAT_SECONDS while WeasyPrint lays out; a running job silent for LEASE_SECONDS has lost its
worker (killed, machine lost) and is reclaimed: queued again, up to MAX_ATTEMPTS starts in all, then
failed with a message and the page's retry button. A worker that outlives its lease finds the job's
attempt number changed and stops writing to it (JobReclaimed). The queue is served fairly: a reader's
new job waits behind the jobs of readers with fewer under way (LeasedJob.enqueue).
"""

import hashlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.tasks import task
from django.utils import timezone

from measures.models import JobReclaimed, ReportJob
from measures.models import reclaim_abandoned as reclaim_every_kind
from measures.roles import readable_cases
from measures.state import default_since
from reading.caching import data_stamp
from reports.build import build_report
from reports.render import ReportTooLarge, memory_budget, render_report_pdf

logger = logging.getLogger(__name__)
Status = ReportJob.Status
# The progress page reloads itself this often (seconds) while the job is not finished.
REFRESH_SECONDS = 2
# A running job whose worker has given no sign of life for this long is taken back (seconds). The
# worker stamps it at each stage and every HEARTBEAT_SECONDS in between, so only a dead or cut-off
# worker goes silent this long.
LEASE_SECONDS = ReportJob.LEASE_SECONDS
HEARTBEAT_SECONDS = 30
# A job is started at most this many times (a worker killed by the report itself, e.g. out of
# memory, must not kill every worker after it); then it is failed, and the reader may retry it.
MAX_ATTEMPTS = ReportJob.MAX_ATTEMPTS
# Who the PDF says made it ("By") when no reader asked for it: the warming task's default report.
WARMED_BY = "De-escalation Tracker, after the case last changed"


class QueueFull(Exception):
    """The reader already has settings.REPORT_JOBS_PER_USER reports waiting or being made.

    `waiting` lists them (ReportJob, oldest first), for the page that says so."""

    def __init__(self, message, waiting):
        super().__init__(message)
        self.waiting = waiting


def _update(job, **fields):
    """Write `fields` to the job while it is still this worker's attempt (LeasedJob.update: stamps the
    heartbeat; raises JobReclaimed once it was taken back)."""
    job.update(**fields)


class Periodic:
    """Calls `action()` every `seconds` from a daemon thread named `name`, for the duration of a `with`
    block. A DatabaseError (a locked or lost database) is handed to `failed(exc)` and the next round
    tries again; the thread closes its own connection when it ends. The report job's heartbeat and the
    worker's reclaiming of abandoned jobs (report_worker) run on it."""

    def __init__(self, seconds, action, *, name, failed):
        self.seconds, self.action, self.failed = seconds, action, failed
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def _loop(self):
        try:
            while not self.stop.wait(self.seconds):
                try:
                    self.action()
                except DatabaseError as exc:
                    self.failed(exc)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()


def _heartbeat(job):
    """Stamps the job's heartbeat every HEARTBEAT_SECONDS while the worker is busy in one long call (the
    layout), so that a slow report is not mistaken for a dead worker."""
    return Periodic(
        HEARTBEAT_SECONDS,
        lambda: ReportJob.objects.filter(pk=job.pk, attempts=job.attempts, status=Status.RUNNING).update(
            heartbeat_at=timezone.now()
        ),
        name=f"report-job-{job.pk}-heartbeat",
        failed=lambda exc: logger.warning("Report job %s: heartbeat not stored (%s)", job.pk, exc),
    )


@task()
def render_report_job(job_id):
    """Make the PDF of ReportJob `job_id` and store it; the job row tells the reader how far it got.

    Raises ReportJob.DoesNotExist for an unknown id; a failure of the rendering marks the job
    failed, with the error, and is raised again for the task's own record.
    """
    job = ReportJob.objects.select_related("case", "requested_by").get(pk=job_id)
    # Made meanwhile, given up on (a stale task of a reclaimed job), or started by another worker: nothing to do.
    if not job.begin(stage="Gathering levels, evidence and events", progress=10):
        return job.pk
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
        if job.requested_by_id is None and not report.public:
            report.generated_by = WARMED_BY  # asked for by the warming task (request_default_report)
        _update(job, stage="Laying out the pages", progress=30)
        # Within its memory budget: a report too large fails with a message, not the worker.
        with _heartbeat(job), memory_budget(settings.REPORT_MAX_MEMORY_MIB):
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
    except JobReclaimed:
        logger.warning(
            "Report job %s was reclaimed from this worker (attempt %s); its result is dropped", job.pk, job.attempts
        )
        raise
    except ReportTooLarge as exc:
        # A refusal, said to the reader in a sentence of its own (no class name, no traceback).
        logger.warning("Report job %s refused: %s", job.pk, exc)
        _update(job, status=Status.FAILED, stage="Failed", error=str(exc)[:2000], finished_at=timezone.now())
        raise
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
    client_address=None,
):
    """The ReportJob for `case` at its current data version (and every case's) over this period, "as
    known on" date (None: everything on record), "recorded since" date (None: no such list), as-of
    rule, paper and audience (`public`: for a reader without an account, a PDF that names no one):
    the existing one (made, under way or failed), or a new one, queued. Never blocks on the rendering.
    A public job records no requester.

    Raises QueueFull, creating nothing, when a new job would be more than `user`'s share of the queue
    (settings.REPORT_JOBS_PER_USER), or, asked for without an account, more than `client_address`'s
    share (the same number) or than the queue takes from readers without an account
    (settings.REPORT_JOBS_PUBLIC)."""
    if public or not getattr(user, "is_authenticated", False):
        user = None
    key = _job_key(
        case,
        as_of=as_of,
        since=since,
        known_on=known_on,
        recorded_since=recorded_since,
        as_of_rule=as_of_rule,
        paper=paper,
        public=public,
    )
    job = _existing(key)
    if job is not None:
        return job
    address = (client_address or None) if user is None else None
    _refuse_when_queue_full(user, address)
    return _create(key, requested_by=user, requested_from=address, site_url=site_url)


def request_default_report(case, *, public):
    """The ReportJob of `case`'s default report (the report page's PDF link without a query:
    reports.build.parse_request with no parameters) at its current data version, for the public
    (`public`) or for readers with an account: the existing one, or a new one, queued, with no
    requester. The warming task (reports.warming) asks for it after a write, so that the reader's
    request (request_report, the same key) finds it made. It takes no reader's share of the queue, and
    the PDF names the tracker as its maker (WARMED_BY) instead of a reader."""
    from reports.build import parse_request

    params = parse_request({}, case=case)
    key = _job_key(
        case,
        as_of=params.as_of,
        since=params.since,
        known_on=params.known_on,
        recorded_since=params.recorded_since,
        as_of_rule=params.as_of_rule,
        paper=params.paper,
        public=public,
    )
    return _existing(key) or _create(key, requested_by=None, requested_from=None, site_url=settings.SITE_URL + "/")


def _job_key(case, *, as_of, since, known_on, recorded_since, as_of_rule, paper, public):
    """What makes two requests the same PDF: ReportJob's fields to look it up by."""
    return {
        "case": case,
        "data_version": case.data_version,
        # The key judgements compare the case with the others: any case's write makes a new PDF.
        "others_version": _others_version(public),
        "as_of": as_of,
        "since": since,
        "known_on": known_on,
        "recorded_since": recorded_since,
        "as_of_rule": as_of_rule,
        "paper": paper,
        "audience": ReportJob.Audience.PUBLIC if public else ReportJob.Audience.ACCOUNT,
    }


def _existing(key):
    """The job of `key` as it now is (taken back from a dead worker, queued again when its file went
    missing), or None."""
    job = ReportJob.objects.filter(**key).first()
    if job is None:
        return None
    job = reclaim_if_abandoned(job)
    if job.status == Status.DONE and not job.file.storage.exists(job.file.name):
        return _requeue(job, attempts=0)  # the stored file went missing: make it again
    return job


def _create(key, **fields):
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(**key, **fields)
    except IntegrityError:  # someone asked for the same report at the same moment
        return ReportJob.objects.get(**key)
    return _enqueue(job)


def _others_version(public):
    """Every case's data version (reading.caching.data_stamp); for a public report, with a digest of
    which cases the public may read as well (its comparison draws on those only), since a case
    published or unpublished by a plain save() (a shell, a command) changes no data version."""
    version = data_stamp()[0]
    if public:
        from django.contrib.auth.models import AnonymousUser

        ids = readable_cases(AnonymousUser()).order_by("pk").values_list("pk", flat=True)
        version += "|" + hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return version


def _refuse_when_queue_full(user, address):
    """Raise QueueFull when `user` has settings.REPORT_JOBS_PER_USER reports queued or running: one reader
    asking for 60 periods queued 60 jobs, and a colleague's report waited minutes behind them. Without
    an account (`user` None), the same share per client `address` (measures.lib.addresses, the login
    throttle's rule: behind a trusted proxy, the address it forwards), and at most
    settings.REPORT_JOBS_PUBLIC such reports at once in all, since addresses are cheap to change."""
    limit = settings.REPORT_JOBS_PER_USER
    waiting = ReportJob.objects.filter(status__in=(Status.QUEUED, Status.RUNNING))
    if user is not None:
        mine = list(waiting.filter(requested_by=user).select_related("case").order_by("requested_at", "pk")[:limit])
        if len(mine) >= limit:
            raise QueueFull(_share_message(len(mine), "You already have"), mine)
        return
    public = waiting.filter(requested_by__isnull=True)
    if address is not None:
        mine = list(public.filter(requested_from=address).select_related("case").order_by("requested_at", "pk")[:limit])
        if len(mine) >= limit:
            raise QueueFull(_share_message(len(mine), "Your address already has"), mine)
    total = public.count()
    if total >= settings.REPORT_JOBS_PUBLIC:
        raise QueueFull(
            f"{total} PDF reports asked for without an account are waiting or being made, the most the queue takes "
            "at once from readers without an account, so that everyone's reports are made in turn. Ask for this one "
            "again in a few minutes, or log in if you have an account.",
            [],
        )


def _share_message(count, who):
    reports = "1 PDF report" if count == 1 else f"{count} PDF reports"
    which = "it is" if count == 1 else "one of them is"
    return (
        f"{who} {reports} waiting or being made, the most one reader may have at once, so that everyone's "
        f"reports are made in turn. Ask for this one when {which} ready."
    )


def _enqueue(job):
    return job.enqueue()  # behind the jobs of the same reader or address (the fair queue)


def _requeue(job, *, attempts=None):
    """Queue `job` again from the start; `attempts=0` gives it a fresh count (the reader's retry)."""
    return job.requeue(attempts=attempts)


def retry(job):
    """The reader's "Try again" on a failed job: queued again with a fresh count of attempts.

    Returns the job; one not failed is returned unchanged."""
    return job.retry()


def abandoned(now=None):
    """The running jobs whose worker has been silent for LEASE_SECONDS (a list)."""
    return ReportJob.abandoned(now)


def reclaim_if_abandoned(job, *, now=None):
    """Take `job` back from a worker that is gone (LeasedJob.reclaim_if_abandoned): queued again while it has
    attempts left (MAX_ATTEMPTS), else failed with a message saying so. Returns the job as it now is."""
    return job.reclaim_if_abandoned(now=now)


def reclaim_abandoned(now=None):
    """Reclaim every abandoned job, of every kind (reports, readings, imports); returns how many."""
    return sum(reclaim_every_kind(now).values())


# Stored PDFs are kept this many days after they were made (manage.py expire_reports).
KEEP_DAYS = 30

# A PDF the warming task made (no requester) for a data version since replaced is kept this long after
# it was made, for a reader who was sent to it then, and deleted by the next warming of its case.
SUPERSEDED_WARMED_KEEP = timedelta(hours=1)


def expire_superseded_warmed(case, *, now=None):
    """Delete the finished PDFs of `case` that name no requester (the warming task's, reports.warming,
    and a visitor's without an account once made: its address is dropped then) for a data version
    older than the case's current one and made over SUPERSEDED_WARMED_KEEP ago, with their files: no
    request asks for them again (a request names the current version), and while analysts write the
    warming makes one a minute at most per case and audience, which KEEP_DAYS would otherwise keep a
    month. A reader's own PDFs are left to expire_reports. Returns how many jobs were deleted."""
    cutoff = (now or timezone.now()) - SUPERSEDED_WARMED_KEEP
    superseded = ReportJob.objects.filter(
        case=case,
        data_version__lt=case.data_version,
        requested_by__isnull=True,
        requested_from__isnull=True,
        status__in=(Status.DONE, Status.FAILED),
        finished_at__lt=cutoff,
    )
    storage = ReportJob._meta.get_field("file").storage
    deleted = 0
    for job in superseded.only("pk", "file"):
        if job.file and storage.exists(job.file.name):
            storage.delete(job.file.name)
        deleted += ReportJob.objects.filter(pk=job.pk).delete()[0]
    return deleted


def expire_reports(*, keep_days=KEEP_DAYS, now=None):
    """Delete the finished jobs (made or failed) older than `keep_days` days, with their stored PDFs,
    and any PDF file under reports/ that no job names and is as old. Queued and running jobs are
    kept whatever their age. Returns (jobs deleted, files deleted, bytes freed).

    A report asked for again after its job was deleted is simply made again."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    old = ReportJob.objects.filter(status__in=(Status.DONE, Status.FAILED), requested_at__lt=cutoff).filter(
        models.Q(finished_at__lt=cutoff) | models.Q(finished_at__isnull=True)
    )
    storage = ReportJob._meta.get_field("file").storage
    files = freed = 0
    deleted = 0
    for job in old.only("pk", "file", "size"):
        if job.file and storage.exists(job.file.name):
            storage.delete(job.file.name)
            files += 1
            freed += job.size
        deleted += ReportJob.objects.filter(pk=job.pk).delete()[0]
    named = set(ReportJob.objects.exclude(file="").values_list("file", flat=True))
    try:
        _, stored = storage.listdir("reports")
    except FileNotFoundError:
        stored = []
    for name in stored:
        path = f"reports/{name}"
        if path not in named and storage.get_modified_time(path) < cutoff:
            freed += storage.size(path)
            storage.delete(path)
            files += 1
    logger.info(
        "Expired %s report job(s) and %s stored PDF(s) older than %s days (%s bytes)", deleted, files, keep_days, freed
    )
    return deleted, files, freed
