"""An uploaded document is read off the request, by the tasks worker, in a child process with a memory
and a time budget (measures.intake.jobs, measures.intake.sandbox): the analyst's page waits (a Refresh
header, no JavaScript), then shows the text for review, or the refusal naming the budget."""

import datetime
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from measures.intake import IntakeError, jobs, sandbox
from measures.models import ExtractionJob, Source
from tests import documents, factories

pytestmark = pytest.mark.usefixtures("media_root")
INTAKE = "admin:measures_source_intake"
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
Status = ExtractionJob.Status


def upload(client, data, name):
    return client.post(reverse(INTAKE), {"file": SimpleUploadedFile(name, data), "text": ""})


@pytest.mark.django_db(transaction=True)
def test_an_upload_waits_for_the_worker_then_shows_the_text_for_review(client):
    # Transactional: the worker commits and closes its connection as it would in its own process.
    client.force_login(factories.analyst(username="analyst"))
    with override_settings(TASKS=DATABASE):
        response = upload(client, documents.news_page(), "envoys.html")
        job = ExtractionJob.objects.get()
        assert response.status_code == 302 and response["Location"].endswith(f"?reading={job.pk}")
        waiting = client.get(response["Location"])
        assert waiting.status_code == 200 and waiting["Refresh"] == str(jobs.REFRESH_SECONDS)
        assert "Waiting for the worker" in waiting.content.decode() and "envoys.html" in waiting.content.decode()
        assert "no-store" in waiting["Cache-Control"]
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        review = client.get(response["Location"])
    assert review.status_code == 200 and "Refresh" not in review
    form = review.context["review"]
    assert form["title"].value() == "Pakistan, Iran agree to return envoys"
    assert documents.ARTICLE[0] in form["full_text"].value()
    assert form["language"].value() == "en"
    job.refresh_from_db()
    assert job.status == Status.DONE and 0 < job.peak_bytes < 280_000_000
    assert Source.objects.count() == 0  # nothing saved before the analyst saves it


def test_a_file_over_the_page_budget_is_refused_on_the_upload_page_naming_it(analyst_client, settings):
    settings.SOURCE_MAX_PAGES = 2
    response = upload(analyst_client, documents.pdf_bytes(3), "long.pdf")  # tasks run in the request here
    content = response.content.decode()
    assert response.status_code == 200 and response.context["review"] is None
    assert "“long.pdf” has more than 2 pages; the budget is 2 pages (SOURCE_MAX_PAGES)" in content
    assert ExtractionJob.objects.get().status == Status.FAILED and Source.objects.count() == 0


def test_a_file_needing_more_memory_than_its_budget_is_refused_naming_it(analyst_client, settings):
    settings.SOURCE_EXTRACT_MAX_MEMORY = 150_000_000
    # A 45 KB PDF whose one stream unpacks to 45 MB (within SOURCE_UNPACKED_MAX_BYTES): the reading needs more.
    response = upload(analyst_client, documents.pdf_bytes(1, padding=45_000_000), "dense.pdf")
    assert "“dense.pdf” needs more memory to read; the budget is 150 MB (SOURCE_EXTRACT_MAX_MEMORY)" in (
        response.content.decode()
    )


def test_a_reading_over_its_time_budget_is_stopped_and_refused_naming_it(settings, monkeypatch):
    settings.SOURCE_EXTRACT_SECONDS = 1
    monkeypatch.setattr(sandbox, "child_command", lambda: [sys.executable, "-c", "import time; time.sleep(30)"])
    with pytest.raises(IntakeError, match=r"“slow.pdf” took more than 1 s to read; the budget is 1 s \(SOURCE_EXTRACT"):
        sandbox.extract_limited(documents.pdf_bytes(1), name="slow.pdf")


def test_the_child_reports_its_own_peak_memory():
    document = sandbox.extract_limited(documents.word_document(), name="statement.docx")
    assert document.doc_type == "docx" and 1_000_000 < document.peak_bytes < 280_000_000


def test_another_analysts_reading_is_not_found(analyst_client, client):
    upload(analyst_client, documents.text_file(), "notes.txt")
    job = ExtractionJob.objects.get()
    client.force_login(factories.analyst(username="other"))
    assert client.get(reverse(INTAKE) + f"?reading={job.pk}").status_code == 404
    assert client.get(reverse(INTAKE) + "?reading=²").status_code == 404


def test_an_analyst_may_have_three_documents_waiting_and_is_told_so_for_a_fourth(analyst_client):
    with override_settings(TASKS=DUMMY):
        for number in range(3):
            assert upload(analyst_client, documents.text_file(), f"notes-{number}.txt").status_code == 302
        refused = upload(analyst_client, documents.text_file(), "notes-3.txt")
    assert refused.status_code == 200
    assert "You already have 3 documents waiting to be read or being read" in refused.content.decode()
    assert ExtractionJob.objects.count() == 3


def test_a_reading_whose_worker_died_is_queued_again_then_failed(analyst_client):
    with override_settings(TASKS=DUMMY):
        upload(analyst_client, documents.text_file(), "notes.txt")
        job = ExtractionJob.objects.get()
        long_ago = timezone.now() - datetime.timedelta(seconds=jobs.lease_seconds() + 1)
        ExtractionJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=1, heartbeat_at=long_ago)
        page = analyst_client.get(reverse(INTAKE) + f"?reading={job.pk}")
        assert "being read again (attempt 2 of 2)" in page.content.decode()
        job.refresh_from_db()
        assert job.status == Status.QUEUED
        ExtractionJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=2, heartbeat_at=long_ago)
        page = analyst_client.get(reverse(INTAKE) + f"?reading={job.pk}")
    assert "The worker stopped while reading “notes.txt”, 2 times in a row" in page.content.decode()
    assert ExtractionJob.objects.get().status == Status.FAILED
