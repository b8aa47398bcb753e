"""The analyst's journey through the real admin pages, in Debian's Chromium: record an assessment, see it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from measures.models import Assessment
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def case_with_evidence():
    pakistan = factories.PartyFactory(name="Pakistan", code="PAK")
    iran = factories.PartyFactory(name="Iran", code="IRN")
    case = factories.CaseFactory(
        name="Pakistan–Iran crisis", assessed_parties=[pakistan, iran], start_date=datetime.date(2024, 1, 16)
    )
    measure = factories.MeasureFactory(case=case, number=1, title="Restore diplomatic contact")
    source = factories.SourceFactory(title="Ministers' call")
    citation = factories.CitationFactory(case=case, source=source, quote="agreed to de-escalate")
    factories.EvidenceFactory(measure=measure, citation=citation, stance="progress")
    factories.CitationFactory(
        case=case, source=source, quote="Border forces increased patrols", locator="para. 3"
    )  # another passage, to choose between
    return {"measure": measure, "citation": citation, "pakistan": pakistan}


def admin_login(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Cases, measures and evidence")).to_be_visible()


def watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def test_analyst_records_an_assessment_with_a_citation_and_sees_it_in_the_history(
    page, live_server, case_with_evidence, artifacts_dir
):
    factories.analyst(username="analyst")
    measure = case_with_evidence["measure"]
    violations = watch_csp(page)
    admin_login(page, live_server, "analyst")

    page.goto(f"{live_server.url}/admin/measures/measure/{measure.pk}/change/")
    page.get_by_role("link", name="Record an assessment").click()
    expect(page).to_have_url(re.compile(rf"/admin/measures/measure/{measure.pk}/assess/$"))

    page.get_by_label("Party").select_option(label="Pakistan")
    page.get_by_label("Level").select_option(label="Minimal (1)")
    page.get_by_label("Confidence").select_option(label="High")
    page.get_by_label("Effective date").fill("20/01/2024")
    page.get_by_label("Rationale").fill("The foreign ministers spoke and agreed to de-escalate.")
    # The citations select is enhanced by the admin's select2 search, limited to this case.
    page.locator(".field-citations .select2-selection").click()
    page.locator(".select2-search__field").fill("de-escalate")
    page.locator(".select2-results__option", has_text="agreed to de-escalate").click()
    page.screenshot(path=artifacts_dir / "admin-assess-form.png", full_page=True)
    page.get_by_role("button", name="Record assessment").click()

    expect(page.locator(".messagelist")).to_contain_text("Recorded:")
    history = page.locator(f"#party-{case_with_evidence['pakistan'].pk}")
    expect(history).to_contain_text("Minimal (1)")
    expect(history).to_contain_text("The foreign ministers spoke and agreed to de-escalate.")
    expect(history).to_contain_text("agreed to de-escalate")
    expect(history).to_contain_text("analyst")
    page.screenshot(path=artifacts_dir / "admin-measure-history.png", full_page=True)

    assessment = Assessment.objects.get()
    assert list(assessment.citations.all()) == [case_with_evidence["citation"]]
    assert assessment.recorded_by.username == "analyst"
    assert violations == []


def test_date_picker_and_inline_add_another_work_under_the_csp(page, live_server, case_with_evidence, artifacts_dir):
    factories.analyst(username="analyst")
    violations = watch_csp(page)
    admin_login(page, live_server, "analyst")
    source = case_with_evidence["citation"].source

    page.goto(f"{live_server.url}/admin/measures/source/{source.pk}/change/")
    page.locator(".add-row a").click()
    added = page.locator("#citations-2")
    expect(added).to_be_visible()
    added.locator(".field-event .select2-selection").click()
    expect(page.locator(".select2-search__field")).to_be_visible()
    page.keyboard.press("Escape")
    page.locator(".field-published_on .datetimeshortcuts a", has_text="Today").click()
    expect(page.locator("#id_published_on")).to_have_value(datetime.date.today().strftime("%d/%m/%Y"))
    page.screenshot(path=artifacts_dir / "admin-source-change.png", full_page=True)
    assert violations == []


def test_reader_sees_the_history_but_cannot_record(page, live_server, case_with_evidence, artifacts_dir):
    factories.reader(username="reader")
    measure = case_with_evidence["measure"]
    admin_login(page, live_server, "reader")

    page.goto(f"{live_server.url}/admin/measures/measure/{measure.pk}/change/")
    expect(page.get_by_role("heading", name="Assessments")).to_be_visible()
    expect(page.get_by_role("link", name="Record an assessment")).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "admin-measure-reader.png", full_page=True)

    response = page.goto(f"{live_server.url}/admin/measures/measure/{measure.pk}/assess/")
    assert response.status == 403
    assert not Assessment.objects.exists()
