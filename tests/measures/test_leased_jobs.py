"""One rule for every job of the tasks worker (measures.models.LeasedJob): a running job whose worker is
gone is taken back after its kind's lease, queued again a bounded number of times, then failed with a
retry; the worker takes back every kind, as it starts and while it runs (a starting worker took back
report jobs only: a reading whose worker died waited for its analyst to look)."""

import threading
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from measures.models import EventImportJob, ExtractionJob, LeasedJob, ReportJob, reclaim_abandoned
from measures.models.jobs import job_kinds
from reports import jobs as report_jobs
from reports.management.commands import report_worker
from tests import factories

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def one_of_each(user, case):
    """A job of every kind, running, its worker silent since `silent` ago (set by the caller)."""
    return [
        ReportJob.objects.create(case=case, data_version=1, as_of="2024-01-31", since="2024-01-20", paper="a4"),
        ExtractionJob.objects.create(requested_by=user, name="envoys.html", staged="token"),
        EventImportJob.objects.create(case=case, requested_by=user, name="events.csv", content=b"x"),
    ]


def silent(job, *, seconds, attempts=1):
    type(job).objects.filter(pk=job.pk).update(
        status=LeasedJob.RUNNING, attempts=attempts, heartbeat_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_every_kind_of_job_follows_the_one_rule():
    assert set(job_kinds()) == {ReportJob, ExtractionJob, EventImportJob}


@override_settings(TASKS=DUMMY)
def test_the_workers_reclaim_takes_back_every_kind_whose_lease_ran_out(db):
    user, case = factories.analyst(username="analyst"), factories.CaseFactory()
    jobs = one_of_each(user, case)
    for job in jobs:
        silent(job, seconds=type(job).lease_seconds() + 5)
    alive = ExtractionJob.objects.create(requested_by=user, name="alive.html", staged="token")
    silent(alive, seconds=5)

    # What the worker runs as it starts (reports.jobs.reclaim_abandoned, then for reports only).
    assert report_jobs.reclaim_abandoned() == 3

    for job in jobs:
        job.refresh_from_db()
        assert (job.status, job.attempts) == (LeasedJob.QUEUED, 1), type(job).__name__
    alive.refresh_from_db()
    assert alive.status == LeasedJob.RUNNING


@override_settings(TASKS=DUMMY)
def test_after_its_last_start_a_job_of_any_kind_fails_with_its_message_and_can_be_retried(db):
    user, case = factories.analyst(username="analyst"), factories.CaseFactory()
    for job in one_of_each(user, case):
        silent(job, seconds=type(job).lease_seconds() + 5, attempts=type(job).MAX_ATTEMPTS)
    assert reclaim_abandoned() == {"ReportJob": 1, "ExtractionJob": 1, "EventImportJob": 1}
    for kind in job_kinds():
        job = kind.objects.get()
        assert job.status == LeasedJob.FAILED and "stopped" in job.error and job.finished_at is not None
        job.retry()
        job.refresh_from_db()
        assert (job.status, job.attempts, job.error) == (LeasedJob.QUEUED, 0, "")
    assert reclaim_abandoned() == {}


@override_settings(TASKS=DUMMY)
def test_a_worker_that_outlives_its_lease_writes_nothing_more(db):
    user = factories.analyst(username="analyst")
    job = ExtractionJob.objects.create(requested_by=user, name="envoys.html", staged="token")
    assert job.begin(stage="Reading the document")
    late = ExtractionJob.objects.get(pk=job.pk)
    silent(job, seconds=ExtractionJob.lease_seconds() + 5)
    reclaim_abandoned()
    again = ExtractionJob.objects.get(pk=job.pk)
    assert again.status == LeasedJob.QUEUED and again.begin(stage="Reading the document")  # another worker
    with pytest.raises(report_jobs.JobReclaimed):
        late.update(stage="Ready", status=LeasedJob.DONE)
    again.refresh_from_db()
    assert (again.status, again.attempts) == (LeasedJob.RUNNING, 2)


def test_a_running_worker_takes_back_abandoned_jobs_while_it_runs(monkeypatch):
    rounds = threading.Event()
    calls = []

    def reclaim():
        calls.append(1)
        if len(calls) >= 3:
            rounds.set()

    monkeypatch.setattr(report_worker, "RECLAIM_SECONDS", 0.01)
    monkeypatch.setattr(report_worker, "reclaim_abandoned", lambda: reclaim() or {})
    monkeypatch.setattr(report_worker.Worker, "run", lambda self: rounds.wait(30))  # an idle worker's polling
    worker = report_worker.ReportWorker(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    worker.run()
    assert rounds.is_set() and len(calls) >= 3  # once as it started, then by the reclaimer while it ran
