"""Report PDFs are made by a background task: the request never waits for WeasyPrint, the reader
follows the job's progress, and a PDF for an unchanged case version and period is served from storage."""

import sys
from datetime import date

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from measures import services
from measures.models import ReportJob
from reports import jobs, render
from reports.jobs import REFRESH_SECONDS, render_report_job
from reports.management.commands import report_worker, status_report
from reports.render import warm_up_pdf
from tests import factories
from tests.scenarios import build_case

Status = ReportJob.Status
PERIOD = "?as_of=2024-01-31&since=2024-01-20"
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def case(db):
    return build_case()


def pdf_url(case, query=PERIOD):
    return reverse("measures:report_pdf", args=[case.slug]) + query


@pytest.fixture
def fast_pdf(monkeypatch):
    """WeasyPrint replaced by a stand-in that counts its calls: these tests are about the job, not the layout."""
    calls = []

    def fake(report, *, site_url=None):
        calls.append(report.case.slug)
        return b"%PDF-1.7 stand-in for " + report.case.slug.encode()

    monkeypatch.setattr(jobs, "render_report_pdf", fake)
    return calls


def test_the_request_queues_a_job_and_shows_its_progress(reader_client, case, fast_pdf):
    with override_settings(TASKS=DUMMY):
        response = reader_client.get(pdf_url(case))
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("measures:report_job", args=[case.slug, job.pk])
    assert (job.status, job.case, job.data_version, str(job.as_of), str(job.since)) == (
        Status.QUEUED,
        case,
        case.data_version,
        "2024-01-31",
        "2024-01-20",
    )
    assert fast_pdf == []  # nothing rendered in the request

    page = reader_client.get(response.url)
    assert page["Refresh"] == str(REFRESH_SECONDS)
    assert "Waiting for the report worker" in page.content.decode()
    assert "no-store" in page["Cache-Control"]

    render_report_job.call(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.progress) == (Status.DONE, 100)
    page = reader_client.get(response.url)
    assert not page.has_header("Refresh")
    download = reverse("measures:report_job_download", args=[case.slug, job.pk])
    assert download in page.content.decode()
    pdf = reader_client.get(download)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == b"%PDF-1.7 stand-in for " + case.slug.encode()
    assert 'filename="crisis-x1-status-2024-01-31.pdf"' in pdf["Content-Disposition"]


def test_an_unchanged_report_is_served_from_storage_at_once(reader_client, case, fast_pdf):
    first = reader_client.get(pdf_url(case))  # immediate backend: made in the request, as in the tests' settings
    assert first.status_code == 200
    second = reader_client.get(pdf_url(case))
    assert second.status_code == 200
    assert second.content == first.content
    assert fast_pdf == [case.slug]  # made once
    assert ReportJob.objects.count() == 1
    assert reader_client.get(pdf_url(case), HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304


def test_another_reader_gets_the_stored_report_too(client, case, fast_pdf):
    for name in ("first", "second"):
        client.force_login(factories.reader(username=name))
        assert client.get(pdf_url(case)).status_code == 200
    assert fast_pdf == [case.slug]


def test_new_data_or_another_period_makes_a_new_report(reader_client, case, fast_pdf):
    reader_client.get(pdf_url(case))
    reader_client.get(pdf_url(case, "?as_of=2024-01-31&since=2024-01-16"))
    services.touch_cases({case.pk})
    reader_client.get(pdf_url(case))
    assert len(fast_pdf) == 3
    assert ReportJob.objects.count() == 3


def test_a_failed_report_says_why_and_can_be_tried_again(reader_client, case, monkeypatch):
    def broken(report, *, site_url=None):
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "render_report_pdf", broken)
    response = reader_client.get(pdf_url(case))
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert job.status == Status.FAILED
    page = reader_client.get(job.get_absolute_url()).content.decode()
    assert "could not be made" in page and "disk full" in page

    monkeypatch.setattr(jobs, "render_report_pdf", lambda report, *, site_url=None: b"%PDF-1.7 ok")
    response = reader_client.post(reverse("measures:report_job_retry", args=[case.slug, job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_and_its_worker_make_the_report(client, fast_pdf):
    # Transactional: the worker commits and closes its connection as it would in its own process.
    case = build_case()
    reader_client = client
    reader_client.force_login(factories.reader(username="reader"))
    with override_settings(TASKS=DATABASE):
        response = reader_client.get(pdf_url(case))
        assert response.status_code == 302
        job = ReportJob.objects.get()
        assert job.task_id
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert reader_client.get(pdf_url(case)).content.startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_the_report_worker_loads_weasyprint_before_its_first_job(client, fast_pdf, monkeypatch):
    # `make run` starts report_worker: db_worker after warm_up_pdf(), so that the first PDF
    # after a start does not also pay for importing WeasyPrint and loading the fonts.
    order = []
    monkeypatch.setattr(report_worker, "warm_up_pdf", lambda: order.append("warm up") or 0.1)
    monkeypatch.setattr(jobs, "render_report_pdf", lambda report, *, site_url=None: order.append("job") or b"%PDF")
    case = build_case()
    client.force_login(factories.reader(username="reader"))
    with override_settings(TASKS=DATABASE):
        assert client.get(pdf_url(case)).status_code == 302
        call_command("report_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert order == ["warm up", "job"]
    assert ReportJob.objects.get().status == Status.DONE


@pytest.mark.pdf
def test_the_warm_up_lays_out_the_report_faces_with_the_report_stylesheet(caplog):
    # The stylesheet is parsed once per process: parse it here, or its warnings went to an earlier test.
    render._parse_stylesheet.cache_clear()
    with caplog.at_level("WARNING"):
        seconds = warm_up_pdf()
    assert seconds > 0
    assert caplog.records == []


def test_a_worker_without_pango_still_starts_and_says_why_pdfs_will_fail(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # what a failed import of WeasyPrint looks like
    with caplog.at_level("WARNING", logger="reports.render"):
        assert warm_up_pdf() is None
    assert "PDF reports will fail" in caplog.text


def test_a_job_is_only_shown_under_its_own_case(reader_client, case, fast_pdf):
    reader_client.get(pdf_url(case))
    job = ReportJob.objects.get()
    other = build_case(slug="other")
    assert reader_client.get(reverse("measures:report_job", args=[other.slug, job.pk])).status_code == 404


def test_reports_of_a_private_case_need_a_reading_role(client, case, fast_pdf):
    client.force_login(factories.UserFactory(username="no-role"))
    assert client.get(pdf_url(case)).status_code == 404
    assert ReportJob.objects.count() == 0


def test_bad_dates_are_refused_before_any_job(reader_client, case, fast_pdf):
    response = reader_client.get(pdf_url(case, "?as_of=31/01/2024"))
    assert response.status_code == 400
    assert ReportJob.objects.count() == 0


def test_the_command_line_report_stays_synchronous(case, tmp_path, fast_pdf, monkeypatch):
    monkeypatch.setattr(status_report, "render_report_pdf", lambda report, *, site_url=None: b"%PDF-1.7 command")
    out = tmp_path / "r.pdf"
    call_command("status_report", case.slug, "--as-of", "2024-01-31", "-o", str(out))
    assert out.read_bytes() == b"%PDF-1.7 command"
    assert ReportJob.objects.count() == 0


@pytest.fixture
def made_reports(monkeypatch):
    """The reports the worker lays out, kept whole, so a test can read what the PDF would say."""
    made = []

    def fake(report, *, site_url=None):
        made.append(report)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(jobs, "render_report_pdf", fake)
    return made


def test_the_pdf_is_as_known_on_the_day_asked(reader_client, pakistan_iran, made_reports):
    """The PDF link of a report page "as known on" a day gave a PDF of everything on record."""
    everything = reader_client.get(pdf_url(pakistan_iran, "?as_of=2024-01-29"))
    known = reader_client.get(pdf_url(pakistan_iran, "?as_of=2024-01-29&known_on=2024-01-20"))
    assert (everything.status_code, known.status_code) == (200, 200)
    assert [report.known_on for report in made_reports] == [None, date(2024, 1, 20)]
    assert made_reports[1].state.progress.value < made_reports[0].state.progress.value
    assert ReportJob.objects.filter(known_on=date(2024, 1, 20)).count() == 1
    assert reader_client.get(pdf_url(pakistan_iran, "?as_of=2024-01-29&known_on=2024-01-20")).status_code == 200
    assert len(made_reports) == 2  # the same known-on report is served from storage


def test_the_pdf_of_a_closed_case_defaults_to_its_end_date(reader_client, pakistan_iran, made_reports):
    """The report page of a closed case is dated its end date; its PDF link was dated today."""
    assert reader_client.get(pdf_url(pakistan_iran, "")).status_code == 200
    (report,) = made_reports
    assert report.as_of == pakistan_iran.end_date
    assert report.as_of_rule != "given"  # the PDF says which default gave its date


def test_a_report_as_known_before_the_end_shows_no_summary_written_after_it(reader_client, pakistan_iran):
    """The case's own summary (written about the whole crisis) is hindsight for a report as known on
    an earlier day: such a report gets the summary built from the events on record then."""
    page = reader_client.get(reverse("measures:report", args=[pakistan_iran.slug]) + "?known_on=2024-01-20")
    text = page.content.decode()
    assert page.status_code == 200
    assert pakistan_iran.summary[:60] not in text
    assert "liaison officers" not in text.split("Key judgements")[0]
    whole = reader_client.get(reverse("measures:report", args=[pakistan_iran.slug]))
    assert pakistan_iran.summary[:60] in whole.content.decode()
