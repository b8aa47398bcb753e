"""After a write, the report worker makes the case's default PDF again (reports.warming): the reader's
"PDF" link is then answered with the stored file, without waiting for the worker."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Case, ReportJob
from reports import jobs, warming
from tests import factories
from tests.scenarios import build_case

Status = ReportJob.Status


@pytest.fixture
def fast_pdf(monkeypatch):
    """WeasyPrint replaced by a stand-in that counts its calls: these tests are about the jobs, not the layout."""
    calls = []

    def fake(report, *, site_url=None):
        calls.append((report.public, report.generated_by, site_url))
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(jobs, "render_report_pdf", fake)
    return calls


@pytest.fixture
def warming_on(settings):
    settings.WARM_REPORT_PDFS_AFTER_WRITES = True


def write(case, django_capture_on_commit_callbacks):
    """A committed write to the case (the hooks run after the commit; the tests' task backend runs the
    tasks there and then, as the worker would)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.touch_cases({case.pk})
    case.refresh_from_db()


def test_after_a_write_the_default_pdf_is_made_and_a_reader_gets_it_at_once(
    client, db, warming_on, fast_pdf, django_capture_on_commit_callbacks, settings
):
    case = build_case()
    write(case, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert (job.status, job.data_version, job.audience, job.requested_by) == (
        Status.DONE,
        case.data_version,
        ReportJob.Audience.ACCOUNT,
        None,
    )
    # Made once, naming the tracker (no reader asked), its links on the site's address.
    assert fast_pdf == [(False, jobs.WARMED_BY, settings.SITE_URL + "/")]

    client.force_login(factories.reader(username="reader"))
    response = client.get(reverse("measures:report_pdf", args=[case.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(fast_pdf) == 1  # the stored file: nothing made for the reader
    assert ReportJob.objects.count() == 1


def test_a_published_case_gets_the_public_pdf_too(client, db, warming_on, fast_pdf, django_capture_on_commit_callbacks):
    case = build_case()
    case.visibility = Case.Visibility.PUBLISHED
    case.save(update_fields=["visibility"])
    write(case, django_capture_on_commit_callbacks)
    assert sorted(ReportJob.objects.values_list("audience", "status")) == [
        (ReportJob.Audience.ACCOUNT, Status.DONE),
        (ReportJob.Audience.PUBLIC, Status.DONE),
    ]
    public = [call for call in fast_pdf if call[0]]
    assert public == [(True, "", public[0][2])]  # the public's PDF names no one

    response = client.get(reverse("measures:report_pdf", args=[case.slug]))  # a visitor without an account
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(fast_pdf) == 2


def test_a_private_case_makes_no_public_pdf(db, warming_on, fast_pdf, django_capture_on_commit_callbacks):
    case = build_case()
    assert case.visibility != Case.Visibility.PUBLISHED
    write(case, django_capture_on_commit_callbacks)
    assert list(ReportJob.objects.values_list("audience", flat=True)) == [ReportJob.Audience.ACCOUNT]


def test_off_with_the_setting(db, settings, fast_pdf, django_capture_on_commit_callbacks):
    settings.WARM_REPORT_PDFS_AFTER_WRITES = False
    write(build_case(), django_capture_on_commit_callbacks)
    assert not ReportJob.objects.exists() and fast_pdf == []


def test_the_warmed_job_takes_no_readers_share_of_the_queue(db, warming_on, settings, monkeypatch):
    # Even with the public queue full, the warming task's job is made (it is no reader's request).
    settings.REPORT_JOBS_PUBLIC = 0
    monkeypatch.setattr(jobs.ReportJob, "enqueue", lambda job: job)  # queued, not made
    case = build_case()
    job = jobs.request_default_report(case, public=False)
    assert job.status == Status.QUEUED and job.requested_by is None
    assert jobs.request_default_report(case, public=False) == job  # asked again: the same job


def test_a_write_while_warming_is_queued_queues_nothing_more(db, warming_on, monkeypatch, django_assert_num_queries):
    from django.tasks import task_backends

    case = build_case()
    with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
        with django_assert_num_queries(1):
            warming.case_changed([case.pk])
        warming.case_changed([case.pk])
        queued = task_backends["default"].results
        assert [result.args for result in queued] == [[case.pk, case.data_version]]
        # The task releases the claim as it starts: the next write queues again.
        monkeypatch.setattr(jobs.ReportJob, "enqueue", lambda job: job)
        warming.warm_report_pdfs.call(case.pk, case.data_version)
        warming.case_changed([case.pk])
        assert len(task_backends["default"].results) == 2


def test_a_case_gone_meanwhile_is_skipped(db):
    assert warming.warm_report_pdfs.call(10**6, "gone") == []


def test_where_the_queue_can_defer_the_warming_waits_for_the_writes_to_settle(db, warming_on, settings):
    from django.tasks import task_backends

    settings.WARM_REPORT_PDFS_DELAY_SECONDS = 60
    case = build_case()
    with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
        before = timezone.now()
        warming.case_changed([case.pk])
        (result,) = task_backends["default"].results
    assert result.task.func is warming.warm_report_pdfs.func
    assert before + timedelta(seconds=60) <= result.task.run_after <= timezone.now() + timedelta(seconds=60)
    assert not ReportJob.objects.exists()  # nothing made until it runs


def test_a_warming_deletes_the_pdfs_earlier_warmings_made_for_versions_since_replaced(
    db, warming_on, fast_pdf, django_capture_on_commit_callbacks
):
    case = build_case()
    write(case, django_capture_on_commit_callbacks)
    first = ReportJob.objects.get()
    stored = first.file.name
    storage = first.file.storage
    assert storage.exists(stored)
    reader = factories.reader(username="reader")
    fields = {f.name: getattr(first, f.name) for f in ReportJob._meta.concrete_fields if f.name not in ("id", "file")}
    asked = ReportJob.objects.create(**{**fields, "as_of": first.as_of - timedelta(days=1), "requested_by": reader})

    # Replaced within the hour: kept, for a reader sent to it a moment ago.
    write(case, django_capture_on_commit_callbacks)
    assert ReportJob.objects.filter(pk=first.pk).exists()

    # Made over an hour ago and replaced: the next warming deletes it and its file, not the reader's own.
    ReportJob.objects.filter(pk__in=[first.pk, asked.pk]).update(finished_at=timezone.now() - timedelta(hours=2))
    write(case, django_capture_on_commit_callbacks)
    assert not ReportJob.objects.filter(pk=first.pk).exists()
    assert not storage.exists(stored)
    assert ReportJob.objects.filter(pk=asked.pk).exists()
    current = ReportJob.objects.filter(requested_by__isnull=True).values_list("data_version", flat=True)
    assert set(current) <= {case.data_version, case.data_version - 1}
