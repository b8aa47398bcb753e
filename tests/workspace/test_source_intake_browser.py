"""The analyst's journey in Debian's Chromium: upload a saved news page and a PDF statement, review
their text, save them, and accept a suggested passage as evidence."""

import datetime

import pytest
from playwright.sync_api import expect

from measures.models import Evidence, Source
from tests import documents, factories
from tests.helpers import admin_login, watch_csp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root"),
]


@pytest.mark.pdf
def test_analyst_uploads_a_page_and_a_pdf_reviews_them_and_accepts_a_suggestion(
    page, live_server, tmp_path, artifacts_dir
):
    pakistan = factories.PartyFactory(name="Pakistan", code="PAK")
    iran = factories.PartyFactory(name="Iran", code="IRN")
    case = factories.CaseFactory(name="Pakistan–Iran crisis", assessed_parties=[pakistan, iran])
    factories.MeasureFactory(
        case=case,
        number=1,
        title="Restore ambassadors",
        description="Both countries should return their ambassadors to their posts.",
    )
    factories.analyst(username="analyst")
    (tmp_path / "envoys.html").write_bytes(documents.news_page())
    (tmp_path / "statement.pdf").write_bytes(documents.pdf_statement())
    violations = watch_csp(page)
    admin_login(page, live_server, "analyst")

    for name in ("envoys.html", "statement.pdf"):
        page.goto(f"{live_server.url}/admin/measures/source/")
        page.get_by_role("link", name="Add from a document or pasted text").click()
        page.get_by_label("Document").set_input_files(tmp_path / name)
        page.get_by_role("button", name="Extract the text").click()
        expect(page.get_by_role("heading", name="Review the text of a new source")).to_be_visible()
        expect(page.get_by_label("Text")).to_contain_text("ambassadors would return")
        page.get_by_label("Kind").select_option("news" if name.endswith(".html") else "official")
        if name == "envoys.html":
            page.screenshot(path=artifacts_dir / "source-intake-review.png", full_page=True)
        page.get_by_role("button", name="Save the source").click()
        expect(page.locator(".messagelist")).to_contain_text("Added the source")

    page_source = Source.objects.get(original_type="html")
    assert page_source.published_on == datetime.date(2024, 1, 22)
    assert Source.objects.filter(original_type="pdf").exists()

    page.get_by_role("link", name="See the passages suggested for each measure").click()
    expect(page.get_by_role("heading", name="1. Restore ambassadors")).to_be_visible()
    first = page.locator(".suggestion").first
    expect(first.locator("blockquote")).to_contain_text("ambassadors would return")
    first.locator("summary").click()
    first.get_by_label("Stance").select_option("progress")
    first.get_by_role("button", name="Accept as evidence").click()
    expect(page.locator(".messagelist")).to_contain_text("for measure 1")
    page.screenshot(path=artifacts_dir / "source-suggestions.png", full_page=True)
    evidence = Evidence.objects.select_related("citation").get()
    assert evidence.stance == "progress" and "ambassadors would return" in evidence.citation.quote
    assert violations == []
