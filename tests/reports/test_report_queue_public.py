"""Readers without an account (a published case's visitors) share the PDF queue fairly: as many
reports waiting at once per client address as a reader with an account, the address read by the login
throttle's rule (measures.lib.addresses), and at most settings.REPORT_JOBS_PUBLIC of them in all."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from measures.models import Case, ReportJob
from reports import jobs
from tests.scenarios import build_case

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def published(db):
    case = build_case()
    Case.objects.filter(pk=case.pk).update(visibility=Case.Visibility.PUBLISHED)
    case.refresh_from_db()
    return case


def ask(case, day, address, **headers):
    """A visitor without an account at `address` asks for the PDF of a period ending on 2024-01-31."""
    url = reverse("measures:report_pdf", args=[case.slug]) + f"?as_of=2024-01-31&since=2024-01-{day:02d}"
    return Client(REMOTE_ADDR=address, **headers).get(url)


@override_settings(TASKS=DUMMY, REPORT_JOBS_PER_USER=3, REPORT_JOBS_PUBLIC=5, TRUSTED_PROXY_NETWORKS=[])
def test_one_address_cannot_fill_the_queue_without_an_account(published):
    for day in (1, 2, 3):
        assert ask(published, day, "203.0.113.7").status_code == 302
    refused = ask(published, 4, "203.0.113.7")
    assert refused.status_code == 429 and refused["Retry-After"]
    page = refused.content.decode()
    assert "Your address already has 3 PDF reports waiting or being made" in page
    assert page.count("/report/pdf/") == 3  # its own waiting reports, to follow
    # A forged X-Forwarded-For is not believed without a trusted proxy in front.
    assert ask(published, 4, "203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert ReportJob.objects.count() == 3
    # A report already asked for is served whoever asks; another address has its own share.
    assert ask(published, 1, "203.0.113.7").status_code == 302
    assert ask(published, 4, "203.0.113.8").status_code == 302
    assert set(ReportJob.objects.values_list("requested_from", flat=True)) == {"203.0.113.7", "203.0.113.8"}


@override_settings(TASKS=DUMMY, REPORT_JOBS_PER_USER=3, REPORT_JOBS_PUBLIC=4, TRUSTED_PROXY_NETWORKS=[])
def test_readers_without_an_account_have_a_cap_in_all(published, reader_client):
    for day, address in enumerate(("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"), start=1):
        assert ask(published, day, address).status_code == 302
    refused = ask(published, 9, "203.0.113.5")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "4 PDF reports asked for without an account are waiting or being made" in page
    assert "Your reports being made" not in page  # others' requests are not listed
    assert ReportJob.objects.count() == 4
    # Readers with an account keep their own share.
    url = reverse("measures:report_pdf", args=[published.slug]) + "?as_of=2024-01-31&since=2024-01-09"
    assert reader_client.get(url).status_code == 302


@override_settings(TASKS=DUMMY, TRUSTED_PROXY_NETWORKS=[])
def test_the_address_is_kept_only_while_the_report_waits(published, monkeypatch):
    monkeypatch.setattr(jobs, "render_report_pdf", lambda report, *, site_url=None: b"%PDF-1.7 stand-in")
    assert ask(published, 1, "203.0.113.7").status_code == 302
    job = ReportJob.objects.get()
    assert job.requested_from == "203.0.113.7" and job.requested_by is None
    jobs.render_report_job.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.requested_from) == (ReportJob.Status.DONE, None)
