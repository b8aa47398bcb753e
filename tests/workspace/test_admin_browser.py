"""The analyst's journey through the real admin pages, in Debian's Chromium: record an assessment, see it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from measures.models import Assessment
from tests import factories
from tests.helpers import admin_login, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    patrols = factories.CitationFactory(
        case=case, source=source, quote="Border forces increased patrols", locator="para. 3"
    )  # another passage, not yet evidence of the measure
    return {"measure": measure, "citation": citation, "pakistan": pakistan, "patrols": patrols}


def test_analyst_goes_from_the_dashboard_to_one_judgement_for_both_parties_with_new_evidence(
    page, live_server, case_with_evidence, artifacts_dir
):
    factories.analyst(username="analyst")
    measure = case_with_evidence["measure"]
    patrols = case_with_evidence["patrols"]
    violations = watch_csp(page)
    admin_login(page, live_server, "analyst")

    # One click from the dashboard.
    page.goto(f"{live_server.url}/cases/{measure.case.slug}/")
    page.get_by_role("link", name=f"Record an assessment of measure {measure.number}").click()
    expect(page).to_have_url(re.compile(rf"/admin/measures/measure/{measure.pk}/assess/$"))

    page.get_by_label("Level for Pakistan").select_option(label="Reversed")
    page.get_by_label("Confidence for Pakistan").select_option(label="High")
    page.get_by_label("Level for Iran").select_option(label="Minimal (1)")
    page.get_by_label("Confidence for Iran").select_option(label="Low")
    page.locator("textarea[name=rationale]").fill("Both sides reinforced the border instead of talking.")
    # The citations select is enhanced by the admin's select2 search, limited to this case; results
    # show the words searched for, the source (by its label: here its publisher, as it has no label of its
    # own, as readers meet it on the pages and in the report) and the date.
    page.locator(".field-citations .select2-selection").click()
    page.locator(".select2-search__field").fill("patrols")
    option = page.locator(".select2-results__option", has_text="Border forces increased patrols")
    expect(option).to_contain_text("The Daily Record, 20 Jan 2024 (para. 3)")
    option.click()
    page.get_by_label("Newly cited passages show").select_option(label="Shows setback")
    page.screenshot(path=artifacts_dir / "admin-assess-form.png", full_page=True)
    page.get_by_role("button", name="Record", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("Recorded:")
    history = page.locator(f"#party-{case_with_evidence['pakistan'].pk}")
    expect(history).to_contain_text("Reversed")
    expect(history).to_contain_text("awaiting review")  # recorded, not yet counted: four eyes
    expect(history).to_contain_text("Both sides reinforced the border instead of talking.")
    page.screenshot(path=artifacts_dir / "admin-measure-history.png", full_page=True)

    assert {(a.party.code, a.level, a.confidence) for a in Assessment.objects.all()} == {
        ("PAK", "reversed", "high"),
        ("IRN", "minimal", "low"),
    }
    # Left empty, the effective date is the cited passage's.
    assert {a.effective_date for a in Assessment.objects.all()} == {datetime.date(2024, 1, 20)}
    assert all(list(a.citations.all()) == [patrols] for a in Assessment.objects.all())

    # The passage is among the measure's evidence on the reading page.
    page.goto(f"{live_server.url}/cases/{measure.case.slug}/measures/{measure.number}/?as_of=2024-01-31")
    expect(page.locator(".evidence-list").nth(1)).to_contain_text("Border forces increased patrols")
    expect(page.get_by_role("heading", name="Shows setback (1)")).to_be_visible()
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
    expect(page.locator("#id_published_on")).to_have_value(datetime.date.today().isoformat())  # ISO in inputs
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


def test_analyst_finds_passages_and_gives_each_its_own_stance_without_javascript(
    browser, live_server, case_with_evidence, artifacts_dir
):
    factories.analyst(username="analyst")
    measure = case_with_evidence["measure"]
    patrols = case_with_evidence["patrols"]
    talks = factories.CitationFactory(
        case=measure.case, source=patrols.source, quote="The foreign ministers spoke by phone", locator="para. 5"
    )
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_login(page, live_server, "analyst")

    page.goto(f"{live_server.url}/admin/measures/measure/{measure.pk}/assess/")
    page.get_by_label("Level for Pakistan").select_option(label="Reversed")
    page.locator("textarea[name=rationale]").fill("Patrols went up while the ministers talked.")
    # Without JavaScript, the citations box lists the chosen citations only; its search adds those found.
    page.get_by_label("Find citations").fill("para")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("citations found for “para”: select them in the list above")
    page.get_by_label("Citations:", exact=True).select_option([str(patrols.pk), str(talks.pk)])
    page.get_by_role("button", name="Choose a stance for each passage").click()

    rows = page.locator(".passage-stances tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Level for Pakistan")).to_have_value("reversed")  # what was typed is kept
    expect(page.locator("textarea[name=rationale]")).to_have_value("Patrols went up while the ministers talked.")
    page.get_by_label(re.compile("Border forces increased patrols")).select_option(label="Shows setback")
    page.get_by_label(re.compile("The foreign ministers spoke by phone")).select_option(label="Shows progress")
    page.screenshot(path=artifacts_dir / "admin-assess-stance-per-passage-nojs.png", full_page=True)
    page.get_by_role("button", name="Record", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("Recorded:")
    assessment = Assessment.objects.get()
    assert set(assessment.citations.all()) == {patrols, talks}
    assert {(e.citation, e.stance) for e in measure.evidence.all()} == {
        (case_with_evidence["citation"], "progress"),
        (patrols, "setback"),
        (talks, "progress"),
    }
    context.close()


def test_the_stance_rows_pass_axe_with_javascript(page, live_server, case_with_evidence, axe):
    factories.analyst(username="analyst")
    measure = case_with_evidence["measure"]
    admin_login(page, live_server, "analyst")

    page.goto(f"{live_server.url}/admin/measures/measure/{measure.pk}/assess/")
    page.locator(".field-citations .select2-selection").click()
    page.locator(".select2-search__field").fill("patrols")
    page.locator(".select2-results__option", has_text="Border forces increased patrols").click()
    page.get_by_role("button", name="Choose a stance for each passage").click()

    expect(page.locator(".passage-stances tbody tr")).to_have_count(1)
    # The chosen citation is still chosen in the enhanced box.
    expect(page.locator(".field-citations .select2-selection__choice")).to_contain_text("Border forces increased")
    assert axe(page) == []
