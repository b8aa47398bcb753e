"""The matrix and a type's page in Debian's Chromium, as a reader: they fit the screen at 1280 and 390
px (each type a card of labelled cells on a phone), each party opens on demand, nothing to report for
axe-core, and the matrix prints on paper with every case's column and the levels in words."""

import datetime

import pytest
from playwright.sync_api import expect

from measures.models import Assessment
from tests.helpers import OVERFLOW
from tests.scenarios import compared_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Level = Assessment.Level
PAKISTAN_IRAN = "Pakistan–Iran crisis, January 2024"


@pytest.fixture
def cases(pakistan_iran_committed):
    compared_case("Border war", history=[("AA", Level.MINIMAL, 2), ("BB", Level.NOT_INITIATED, 2)])
    compared_case("Strait crisis", type_slug="crisis-communication-channels", history=[("AA", Level.FULL, 5)])
    return pakistan_iran_committed


@pytest.mark.parametrize("width", [1280, 390])
def test_the_matrix_and_a_types_page_fit_the_screen(page, live_server, login, reader_user, cases, width, artifacts_dir):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "reader")
    too_wide = {}
    for name, path in {
        "matrix": "/matrix/",
        "matrix-days": "/matrix/?view=days",
        "type": "/matrix/types/crisis-communication-channels/",
    }.items():
        page.goto(live_server.url + path)
        page.screenshot(path=artifacts_dir / f"{name}-{width}.png", full_page=True)
        result = page.evaluate(OVERFLOW)
        if result["page"] > width or result["sticking"] or result["scrolling"]:
            too_wide[path] = result
    assert too_wide == {}


def test_a_reader_reads_the_matrix_opens_each_party_and_follows_a_cell(page, live_server, login, reader_user, cases):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "reader")
    page.get_by_role("link", name="Compare cases").click()
    expect(page.get_by_role("heading", name="Compare cases")).to_be_visible()
    for name in (PAKISTAN_IRAN, "Border war", "Strait crisis"):
        expect(page.get_by_role("columnheader", name=name)).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Crisis communication channels"))
    cell = row.locator(f'td[data-label="{PAKISTAN_IRAN}"]')
    parties = cell.locator("details.matrix-parties")
    expect(parties.locator("abbr[title=Iran]")).to_be_hidden()
    parties.locator("summary").click()
    expect(parties.locator("abbr[title=Iran]")).to_be_visible()
    cell.locator("a.matrix-link").click()
    expect(page).to_have_url(f"{live_server.url}/cases/pakistan-iran-2024/measures/9/")
    page.goto(f"{live_server.url}/matrix/?view=days")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Crisis communication channels"))
    days = row.locator(f'td[data-label="{PAKISTAN_IRAN}"]')
    expect(days).to_contain_text("3 d")  # minimal on 19 January, 3 days after the strikes of the 16th
    expect(days).to_contain_text("13 d")  # intermediate on the 29th


def test_the_matrix_on_a_phone_stacks_each_type_with_its_cases_labelled(page, live_server, login, reader_user, cases):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "reader")
    page.goto(f"{live_server.url}/matrix/")
    expect(page.locator("details.filters select[name=theme]")).to_be_hidden()  # folded, as on the dashboard
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Ceasefire"))
    cell = row.locator('td[data-label="Border war"]')
    row.scroll_into_view_if_needed()
    expect(cell).to_be_visible()
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Border war"'
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_axe_finds_nothing_on_the_matrix_and_a_types_page(page, live_server, login, reader_user, cases, axe):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "reader")
    for path in ("/matrix/", "/matrix/?view=days", "/matrix/?view=parties", "/matrix/types/ceasefire/"):
        page.goto(live_server.url + path)
        assert axe(page) == [], path


def test_the_matrix_prints_every_case_and_the_levels_in_words(page, live_server, login, reader_user, cases, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "reader")
    page.goto(f"{live_server.url}/matrix/?as_of={datetime.date(2024, 1, 29).isoformat()}")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("form.controls")).to_be_hidden()
    table = page.locator(".matrix-table")
    assert table.evaluate("t => t.getBoundingClientRect().right") <= page.viewport_size["width"]
    badge = page.locator(".matrix-table .level-full").first
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 255)"  # ink only
    expect(badge).to_contain_text("Full (3)")
    pdf = tmp_path / "matrix.pdf"
    page.pdf(path=pdf, format="A4", landscape=True)
    assert pdf.read_bytes().startswith(b"%PDF")
