"""Report work always finishes: a job whose worker died is taken back and made again, a bounded number
of times, then failed with a retry; the worker outlives a locked database; stored PDFs expire."""

import os
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from measures.models import ReportJob
from reports import jobs
from reports.management.commands import report_worker
from tests import factories
from tests.scenarios import build_case

Status = ReportJob.Status
PERIOD = "?as_of=2024-01-31&since=2024-01-20"
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def case(db):
    return build_case()


@pytest.fixture
def fast_pdf(monkeypatch):
    calls = []

    def fake(report, *, site_url=None):
        calls.append(report.case.slug)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(jobs, "render_report_pdf", fake)
    return calls


def pdf_url(case):
    return reverse("measures:report_pdf", args=[case.slug]) + PERIOD


def _killed_mid_job(job, *, silent_for, attempts=1):
    """What a worker killed while laying out leaves behind: the job running, its heartbeat getting old."""
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        stage="Laying out the pages",
        progress=30,
        attempts=attempts,
        started_at=timezone.now() - silent_for,
        heartbeat_at=timezone.now() - silent_for,
    )


def _queued(reader_client, case):
    with override_settings(TASKS=DUMMY):
        reader_client.get(pdf_url(case))
    return ReportJob.objects.get()


def test_asking_again_for_a_report_whose_worker_died_makes_it(reader_client, case, fast_pdf):
    job = _queued(reader_client, case)
    _killed_mid_job(job, silent_for=timedelta(seconds=jobs.LEASE_SECONDS + 1))
    response = reader_client.get(pdf_url(case))  # it returned the stuck job, "being made", for good
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.DONE, 2)
    assert response.status_code == 200 and response.content == b"%PDF-1.7 stand-in"


def test_a_running_job_within_its_lease_is_left_to_its_worker(reader_client, case, fast_pdf):
    job = _queued(reader_client, case)
    _killed_mid_job(job, silent_for=timedelta(seconds=jobs.LEASE_SECONDS - 10))
    assert reader_client.get(pdf_url(case)).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.RUNNING, 1)
    assert fast_pdf == []


def test_the_waiting_page_takes_the_job_back_and_says_it_is_made_again(reader_client, case, fast_pdf):
    job = _queued(reader_client, case)
    _killed_mid_job(job, silent_for=timedelta(minutes=5))
    with override_settings(TASKS=DUMMY):
        page = reader_client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.QUEUED, 1)
    assert f"attempt 2 of {jobs.MAX_ATTEMPTS}" in page
    assert "manage.py report_worker" not in page  # queued a moment ago: no worker is late yet


def test_after_the_last_attempt_the_job_fails_with_a_retry_button(reader_client, case, fast_pdf, caplog):
    job = _queued(reader_client, case)
    _killed_mid_job(job, silent_for=timedelta(minutes=5), attempts=jobs.MAX_ATTEMPTS)
    with caplog.at_level("ERROR", logger="reports.jobs"):
        page = reader_client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert f"stopped while making this report, {jobs.MAX_ATTEMPTS} times" in page
    assert reverse("measures:report_job_retry", args=[case.slug, job.pk]) in page
    assert f"Report job {job.pk}" in caplog.text
    assert fast_pdf == []

    reader_client.post(reverse("measures:report_job_retry", args=[case.slug, job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.DONE, 1)  # a fresh count


def test_a_worker_that_outlives_its_lease_drops_its_result(case, monkeypatch):
    job = ReportJob.objects.create(
        case=case, data_version=case.data_version, as_of="2024-01-31", since="2024-01-20", paper="a4"
    )

    def slow_then_reclaimed(report, *, site_url=None):
        # While this worker lays out, its lease runs out and the job is taken back (and started elsewhere).
        ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
        with override_settings(TASKS=DUMMY):
            assert jobs.reclaim_abandoned() == 1
        ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=2)
        return b"%PDF-1.7 late"

    monkeypatch.setattr(jobs, "render_report_pdf", slow_then_reclaimed)
    with pytest.raises(jobs.JobReclaimed):
        jobs.render_report_job.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (Status.RUNNING, 2, "")


@pytest.mark.django_db(transaction=True)
def test_a_long_layout_keeps_the_heartbeat_going(monkeypatch):
    case = build_case()
    job = ReportJob.objects.create(
        case=case, data_version=case.data_version, as_of="2024-01-31", since="2024-01-20", paper="a4"
    )
    beats = []

    def slow(report, *, site_url=None):
        laying_out = ReportJob.objects.get(pk=job.pk).heartbeat_at
        for _ in range(100):  # until the heartbeat thread has stamped the job once (a few ms)
            time.sleep(0.02)
            if ReportJob.objects.get(pk=job.pk).heartbeat_at > laying_out:
                beats.append(True)
                break
        return b"%PDF-1.7 slow"

    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.01)
    monkeypatch.setattr(jobs, "render_report_pdf", slow)
    jobs.render_report_job.call(job.pk)
    assert beats == [True]
    assert ReportJob.objects.get(pk=job.pk).status == Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_out_a_locked_database_and_says_so(client, fast_pdf, monkeypatch, caplog):
    """db_worker's polling died when the database stayed locked past its busy timeout."""
    case = build_case()
    client.force_login(factories.reader(username="reader"))
    monkeypatch.setattr(report_worker, "warm_up_pdf", lambda: 0.1)
    real = report_worker.Worker.run
    locks = []

    def locked_twice(self):
        if len(locks) < 2:
            locks.append("locked")
            raise OperationalError("database is locked")
        return real(self)

    waits = []
    monkeypatch.setattr(report_worker.Worker, "run", locked_twice)
    monkeypatch.setattr(report_worker.time, "sleep", waits.append)
    with override_settings(TASKS=DATABASE):
        assert client.get(pdf_url(case)).status_code == 302
        with caplog.at_level("WARNING", logger="reports.worker"):
            call_command("report_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert waits == [1, 2]  # back-off
    assert "database is locked" in caplog.text and "failure 2 in a row" in caplog.text
    assert ReportJob.objects.get().status == Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_worker_takes_back_the_jobs_of_a_dead_worker_as_it_starts(client, fast_pdf, monkeypatch):
    case = build_case()
    client.force_login(factories.reader(username="reader"))
    monkeypatch.setattr(report_worker, "warm_up_pdf", lambda: 0.1)
    with override_settings(TASKS=DATABASE):
        assert client.get(pdf_url(case)).status_code == 302
        call_command("report_worker", "--batch", "--no-startup-delay", verbosity=0)
        job = ReportJob.objects.get()
        _killed_mid_job(job, silent_for=timedelta(minutes=10))
        call_command("report_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.DONE, 2)


def test_stored_pdfs_expire(reader_client, case, fast_pdf):
    """Stored PDFs were never cleaned: every period and data version asked for stayed on disk."""
    reader_client.get(pdf_url(case))
    old = ReportJob.objects.get()
    storage = old.file.storage
    old_file = old.file.name
    ReportJob.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - timedelta(days=40), finished_at=timezone.now() - timedelta(days=40)
    )
    with override_settings(TASKS=DUMMY):
        reader_client.get(reverse("measures:report_pdf", args=[case.slug]) + "?as_of=2024-01-31&since=2024-01-10")
    queued = ReportJob.objects.get(status=Status.QUEUED)
    ReportJob.objects.filter(pk=queued.pk).update(requested_at=timezone.now() - timedelta(days=40))
    recent_pdf = reader_client.get(
        reverse("measures:report_pdf", args=[case.slug]) + "?as_of=2024-01-30&since=2024-01-10"
    )
    assert recent_pdf.status_code == 200
    recent = ReportJob.objects.get(as_of="2024-01-30")
    orphan = storage.save("reports/left-behind.pdf", ContentFile(b"%PDF orphan"))
    os.utime(storage.path(orphan), (time.time() - 40 * 86400,) * 2)
    fresh_orphan = storage.save("reports/being-stored.pdf", ContentFile(b"%PDF new"))

    out = StringIO()
    call_command("expire_reports", "--days", "30", stdout=out)
    assert "Deleted 1 report job(s) and 2 stored PDF(s)" in out.getvalue()
    assert set(ReportJob.objects.values_list("pk", flat=True)) == {queued.pk, recent.pk}
    assert not storage.exists(old_file) and not storage.exists(orphan)
    assert storage.exists(recent.file.name) and storage.exists(fresh_orphan)
    storage.delete(fresh_orphan)
    assert reader_client.get(pdf_url(case)).status_code == 200  # asked for again: made again


def test_expire_reports_refuses_a_negative_age(db):
    with pytest.raises(CommandError, match="Nothing was deleted"):
        call_command("expire_reports", "--days", "-1")


def test_one_reader_cannot_fill_the_queue(client, case, fast_pdf, settings):
    """60 PDF requests with different periods queued 60 jobs; a colleague's report then waited minutes."""
    settings.REPORT_JOBS_PER_USER = 3
    client.force_login(factories.reader(username="hoarder"))
    with override_settings(TASKS=DUMMY):
        for day in (20, 21, 22):
            url = reverse("measures:report_pdf", args=[case.slug]) + f"?as_of=2024-01-31&since=2024-01-{day}"
            assert client.get(url).status_code == 302
        refused = client.get(reverse("measures:report_pdf", args=[case.slug]) + "?as_of=2024-01-31&since=2024-01-23")
        assert refused.status_code == 429
        page = refused.content.decode()
        assert "You already have 3 PDF reports waiting or being made" in page
        assert page.count(reverse("measures:report_job", args=[case.slug, ReportJob.objects.first().pk])) == 1
        assert ReportJob.objects.count() == 3  # nothing queued for the refused one
        # A report already asked for is served whoever asks, queue or not…
        assert client.get(pdf_url(case).replace("2024-01-20", "2024-01-21")).status_code == 302
        # …and a colleague's own share is untouched.
        client.force_login(factories.reader(username="colleague"))
        other = reverse("measures:report_pdf", args=[case.slug]) + "?as_of=2024-01-31&since=2024-01-23"
        assert client.get(other).status_code == 302
    assert ReportJob.objects.count() == 4


def test_the_full_queue_page_names_periods_as_every_page_does_and_in_order(client, case, fast_pdf, settings):
    """It listed "…, as of 18 Jan 2024 since 16 Jan 2024 (LETTER)" and the jobs in the order 18, 19, 17 January."""
    settings.REPORT_JOBS_PER_USER = 3
    client.force_login(factories.reader(username="hoarder"))
    pdf = reverse("measures:report_pdf", args=[case.slug])
    with override_settings(TASKS=DUMMY):
        for as_of, since in (("2024-01-18", "2024-01-16"), ("2024-01-19", "2024-01-16"), ("2024-01-17", "2024-01-17")):
            assert client.get(f"{pdf}?as_of={as_of}&since={since}&paper=letter").status_code == 302
        page = client.get(f"{pdf}?as_of=2024-01-31&since=2024-01-23").content.decode()
    names = ["17 Jan 2024 (US Letter)", "16–18 Jan 2024 (US Letter)", "16–19 Jan 2024 (US Letter)"]
    assert all(name in page for name in names), page
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "LETTER" not in page and "as of 18 Jan 2024 since" not in page
    job = client.get(ReportJob.objects.order_by("pk").first().get_absolute_url()).content.decode()
    assert "16–18 Jan 2024, both days included; US Letter paper." in job
