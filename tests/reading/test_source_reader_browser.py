"""Select-to-cite and citation links in Debian's Chromium: an analyst selects an Urdu passage on the
source's page, cites it with a measure and stance, and a reader following the citation's link lands on
the highlighted passage."""

import re

import pytest
from playwright.sync_api import expect

from measures.models import Citation, Evidence
from tests import factories
from tests.helpers import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "\n".join(
    [
        "The foreign ministers spoke by telephone and agreed to de-escalate.",
        "ISPR \U0001f1f5\U0001f1f0 وزیر خارجہ نے کہا کہ امن و آشتی ضروری ہے۔",
        "विदेश मंत्री ने ज़ोर देकर कहा कि शांति आवश्यक है।",
    ]
)


@pytest.fixture
def source_case():
    case = factories.CaseFactory(slug="india-pakistan-2025", name="India–Pakistan crisis, 2025")
    measure = factories.MeasureFactory(case=case, number=9, title="Crisis communication channels")
    source = factories.SourceFactory(title="Jang", full_text=TEXT)
    factories.CitationFactory(case=case, source=source, quote="agreed to de-escalate", locator="")
    return {"case": case, "measure": measure, "source": source}


def test_analyst_selects_an_urdu_passage_cites_it_and_lands_on_it_from_the_measure_page(
    page, live_server, login, source_case, artifacts_dir
):
    factories.analyst(username="analyst")
    violations = watch_csp(page)
    login(page, "analyst")
    case, source, measure = source_case["case"], source_case["source"], source_case["measure"]
    page.goto(f"{live_server.url}/cases/{case.slug}/sources/{source.pk}/")
    expect(page.locator("#para-2 .para-no")).to_have_text("2")
    cite_bar = page.locator("#cite-form")
    expect(cite_bar).to_be_hidden()

    # Select "امن و آشتی ضروری" in paragraph 2, as a mouse or keyboard selection would.
    page.evaluate(
        """() => {
            const text = document.querySelector('#para-2 .para-text').firstChild;
            const start = text.textContent.indexOf('امن');
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + 'امن و آشتی ضروری'.length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }"""
    )
    expect(cite_bar).to_be_visible()
    expect(cite_bar).to_contain_text("امن و آشتی ضروری")
    cite_bar.get_by_label("Attach to measure").select_option(label="9. Crisis communication channels")
    cite_bar.get_by_label("Stance").select_option("progress")
    page.screenshot(path=artifacts_dir / "source-reader-select.png")
    cite_bar.get_by_role("button", name="Cite this passage").click()

    expect(page.locator("#id_quote")).to_have_value("امن و آشتی ضروری")
    expect(page.locator("#id_locator")).to_have_attribute("placeholder", re.compile("para. 2"))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    citation = Citation.objects.get(quote="امن و آشتی ضروری")
    assert citation.place == "para. 2"
    assert Evidence.objects.get(citation=citation, measure=measure).stance == "progress"

    # From the measure page, the citation's link lands on the highlighted passage.
    page.goto(f"{live_server.url}/cases/{case.slug}/measures/9/")
    page.locator(f"a[href$='#citation-{citation.pk}']").first.click()
    expect(page).to_have_url(re.compile(rf"#citation-{citation.pk}$"))
    target = page.locator(f"mark#citation-{citation.pk}")
    expect(target).to_have_text("امن و آشتی ضروری")
    expect(target).to_be_in_viewport()
    assert page.evaluate("() => document.querySelector(':target').tagName") == "MARK"
    page.screenshot(path=artifacts_dir / "source-reader-landed.png")
    assert violations == []
