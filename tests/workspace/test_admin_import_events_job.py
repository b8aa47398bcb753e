"""The admin events import runs off the request (measures.intake.event_imports): confirming a previewed
file answers at once with a page that waits for the tasks worker (a Refresh header, no JavaScript), then
says which lines were written and which were not. An 8,000-row import ran for minutes inside one request,
longer than gunicorn's timeout allows. A worker that dies mid-import is replaced (the lease), a
failed import has a retry button, and the preview lists a bounded number of rows."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from measures import services
from measures.importing import events_write
from measures.intake import event_imports
from measures.models import Event, EventImportJob
from tests import factories
from tests.helpers import ROWS, csv_bytes

Status = EventImportJob.Status
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch):
    monkeypatch.setattr(events_write, "pause", lambda seconds: None)


def url(case):
    return f"/admin/measures/case/{case.pk}/import-events/"


def previewed(client, case, content):
    upload = SimpleUploadedFile("events.csv", content, "text/csv")
    response = client.post(url(case), {"csv_file": upload, "_preview": "1"})
    assert response.status_code == 200 and response.context["preview"] is not None
    return response


def words(response):
    return " ".join(response.content.decode().split())


def test_confirming_queues_the_import_and_the_page_waits_for_the_worker(analyst_client, pakistan_iran):
    previewed(analyst_client, pakistan_iran, csv_bytes(ROWS))
    count = Event.objects.count()
    with override_settings(TASKS=DUMMY):  # no worker takes it yet
        response = analyst_client.post(url(pakistan_iran), {"_import": "1"})
    job = EventImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{url(pakistan_iran)}?job={job.pk}"
    assert Event.objects.count() == count  # nothing written inside the request
    assert (job.status, job.name, job.requested_by.username) == (Status.QUEUED, "events.csv", "analyst")

    waiting = analyst_client.get(response["Location"])
    assert waiting.status_code == 200 and waiting["Refresh"] == str(event_imports.REFRESH_SECONDS)
    assert "no-store" in waiting["Cache-Control"]
    assert "Waiting for the worker" in words(waiting) and "updates itself every 2 seconds" in words(waiting)

    event_imports.import_events_job.call(job.pk)  # the worker's turn
    done = analyst_client.get(response["Location"])
    assert done.status_code == 200 and not done.has_header("Refresh")
    page = words(done)
    assert "added 4 events, updated 0, removed 0; 0 were already there." in page
    assert "Lines written: 2–5 (in 1 batch)." in page and "Lines not written: none." in page
    assert Event.objects.count() == count + 4
    job.refresh_from_db()
    assert job.status == Status.DONE and bytes(job.content) == b"" and (job.written, job.total) == (4, 4)


def test_a_batch_refused_by_the_worker_names_the_lines_not_written_and_offers_to_try_again(
    analyst_client, pakistan_iran, monkeypatch
):
    previewed(analyst_client, pakistan_iran, csv_bytes(ROWS))
    monkeypatch.setattr(events_write, "FIRST_BATCH", 2)
    monkeypatch.setattr(events_write, "next_batch_size", lambda size, seconds: 2)
    save, calls = services.save_imported_events, []

    def refusing_the_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise services.ServiceError("an event was cited meanwhile")
        return save(**kwargs)

    monkeypatch.setattr(events_write.services, "save_imported_events", refusing_the_second)
    response = analyst_client.post(url(pakistan_iran), {"_import": "1"}, follow=True)
    page = words(response)
    assert "was not imported, or not all of it" in page
    assert "Written before that, in 1 batches: 2 added, 0 updated, 0 removed (lines 2–3)." in page
    assert "Not written: lines 4–5." in page and "Try again" in page
    job = EventImportJob.objects.get()
    assert job.status == Status.FAILED and (job.written, job.total) == (2, 4)

    monkeypatch.setattr(events_write.services, "save_imported_events", save)
    again = analyst_client.post(url(pakistan_iran), {"_retry": str(job.pk)}, follow=True)
    assert "added 2 events, updated 0, removed 0; 2 were already there." in words(again)
    assert pakistan_iran.events.filter(key__startswith="acled-PAK").count() == 4


def test_an_import_whose_worker_died_is_taken_back_then_failed_after_its_last_attempt(analyst_client, pakistan_iran):
    previewed(analyst_client, pakistan_iran, csv_bytes(ROWS))
    with override_settings(TASKS=DUMMY):
        analyst_client.post(url(pakistan_iran), {"_import": "1"})
        job = EventImportJob.objects.get()
        long_ago = timezone.now() - timedelta(seconds=EventImportJob.LEASE_SECONDS + 1)
        EventImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=1, heartbeat_at=long_ago)
        page = words(analyst_client.get(f"{url(pakistan_iran)}?job={job.pk}"))
        job.refresh_from_db()
        assert job.status == Status.QUEUED and "attempt 2 of 2" in page

        EventImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=2, heartbeat_at=long_ago)
        page = words(analyst_client.get(f"{url(pakistan_iran)}?job={job.pk}"))
    job.refresh_from_db()
    assert job.status == Status.FAILED and "The worker stopped while importing “events.csv”, 2 times" in page
    assert "Try again" in page


def test_an_import_is_its_analysts_alone(analyst_client, pakistan_iran, client):
    previewed(analyst_client, pakistan_iran, csv_bytes(ROWS))
    analyst_client.post(url(pakistan_iran), {"_import": "1"})
    job = EventImportJob.objects.get()
    client.force_login(factories.analyst(username="colleague"))
    assert client.get(f"{url(pakistan_iran)}?job={job.pk}").status_code == 404
    assert client.post(url(pakistan_iran), {"_retry": str(job.pk)}).status_code == 404
    assert analyst_client.get(f"{url(pakistan_iran)}?job=²").status_code == 404


@override_settings(TASKS=DUMMY, IMPORTS_PER_USER=1)
def test_a_queued_import_counts_against_the_analysts_share(analyst_client, pakistan_iran):
    previewed(analyst_client, pakistan_iran, csv_bytes(ROWS))
    analyst_client.post(url(pakistan_iran), {"_import": "1"})
    upload = SimpleUploadedFile("events.csv", csv_bytes(ROWS), "text/csv")
    refused = analyst_client.post(url(pakistan_iran), {"csv_file": upload, "_preview": "1"})
    assert refused.status_code == 429 and "IMPORTS_PER_USER" in refused.content.decode()
    assert EventImportJob.objects.count() == 1


def test_the_preview_of_a_large_file_lists_a_bounded_number_of_rows(analyst_client, pakistan_iran):
    rows = [
        [f"B{i}", "2024-02-01", "1", "Protests", "Government of Pakistan", "", f"Town {i}", "", "", ""]
        for i in range(250)
    ]
    response = previewed(analyst_client, pakistan_iran, csv_bytes(rows))
    page = words(response)
    assert "Preview: 250 events to add" in page
    assert "The first 200 rows are shown; 250 will be added in all." in page
    assert page.count("Protests: Government of Pakistan, Town") == 200
