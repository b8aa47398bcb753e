"""A reader opens the status report in a browser, prints it, and downloads its PDF."""

import io

import pytest
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.pdf
def test_reader_reads_prints_and_downloads_the_report(
    page, live_server, login, reader_user, pakistan_iran_committed, artifacts_dir
):
    login(page, "reader")
    page.goto(f"{live_server.url}/cases/{pakistan_iran_committed.slug}/report/?as_of=2024-01-31&since=2024-01-15")

    assert page.title() == "Pakistan–Iran crisis, January 2024: status report as of 31 Jan 2024"
    assert page.get_by_role("heading", name="1. Summary").is_visible()
    assert page.get_by_role("heading", name="6. Sources").count() == 1
    assert page.locator(".report-toolbar").is_visible()
    assert page.locator(".quote").count() >= pakistan_iran_committed.measures.count()
    page.screenshot(path=artifacts_dir / "report-screen.png", full_page=False)

    page.emulate_media(media="print")
    assert not page.locator(".report-toolbar").is_visible()
    assert page.locator("h1").is_visible()
    page.screenshot(path=artifacts_dir / "report-print.png", full_page=False)
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Lay out for US Letter").click()
    page.wait_for_load_state()
    assert "paper=letter" in page.url
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF (US Letter)").click()
    download = download_info.value
    assert download.suggested_filename == "pakistan-iran-2024-status-2024-01-31.pdf"
    pdf = PdfReader(io.BytesIO(open(download.path(), "rb").read()))
    assert [round(float(v)) for v in pdf.pages[0].mediabox[2:]] == [612, 792]


def test_bad_date_in_the_form_gives_a_message(
    page, live_server, login, reader_user, pakistan_iran_committed, artifacts_dir
):
    login(page, "reader")
    page.goto(f"{live_server.url}/cases/{pakistan_iran_committed.slug}/report/?as_of=2024-01-31&since=2024-02-05")

    alert = page.get_by_role("alert")
    assert "cannot be after the as-of date" in alert.inner_text()
    page.screenshot(path=artifacts_dir / "report-bad-dates.png", full_page=False)
    page.get_by_label("Changes since").fill("2024-01-24")
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="1. Summary").is_visible()
    assert "24–31 Jan 2024, both days included" in page.locator(".title-facts").inner_text()
