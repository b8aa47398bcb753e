"""One report PDF is made within a memory budget (settings.REPORT_MAX_MEMORY_MIB, reports.render.memory_budget):
a report that needs more fails with a message naming the budget, and the worker goes on."""

import resource
import sys

import pytest
from django.urls import reverse

from measures.models import ReportJob
from reports import jobs, render
from reports.render import ReportTooLarge, memory_budget
from tests.scenarios import build_case

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the budget reads /proc/self/statm")
MIB = 1024 * 1024


def test_an_allocation_over_the_budget_is_refused_and_the_limit_restored():
    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(ReportTooLarge, match="more than 64 MiB.*REPORT_MAX_MEMORY_MIB"):
        with memory_budget(64):
            bytearray(256 * MIB)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    with memory_budget(64):
        assert len(bytearray(8 * MIB)) == 8 * MIB  # within it: allowed
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_no_budget_when_it_is_zero():
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_budget(0):
        assert resource.getrlimit(resource.RLIMIT_AS) == before
        assert len(bytearray(256 * MIB)) == 256 * MIB


def test_a_report_over_the_budget_fails_with_a_message_and_the_next_one_is_made(
    reader_client, db, settings, monkeypatch
):
    settings.REPORT_MAX_MEMORY_MIB = 64
    case = build_case()
    sizes = [256 * MIB, MIB]  # the first report needs more than the budget, the second does not

    def hungry(report, *, site_url=None):
        return b"%PDF-1.7 " + bytes(len(bytearray(sizes.pop(0))) % 7)

    monkeypatch.setattr(jobs, "render_report_pdf", hungry)
    url = reverse("measures:report_pdf", args=[case.slug])
    response = reader_client.get(url + "?as_of=2024-01-31&since=2024-01-20")
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ReportJob.Status.FAILED
    assert "ReportTooLarge" not in job.error and job.error.startswith("Making this PDF needed more than 64 MiB")
    page = reader_client.get(job.get_absolute_url()).content.decode()
    assert "REPORT_MAX_MEMORY_MIB" in page

    response = reader_client.get(url + "?as_of=2024-01-31&since=2024-01-16")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.mark.pdf
def test_a_real_report_fits_the_default_budget(pakistan_iran, settings):
    from reports.build import build_report, parse_request

    params = parse_request({}, case=pakistan_iran)
    report = build_report(pakistan_iran, **params.build_kwargs())
    with memory_budget(settings.REPORT_MAX_MEMORY_MIB):
        pdf = render.render_report_pdf(report)
    assert pdf.startswith(b"%PDF-")
