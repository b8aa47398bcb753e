"""Every reading page, the report, the login page and the main admin pages in Debian's Chromium:
nothing wider than the screen at 1280 and 390 px, and no accessibility violation found by axe-core."""

import pytest
from playwright.sync_api import expect

from measures.models import Citation, Event, Measure, Source
from tests.helpers import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE = "/cases/pakistan-iran-2024"


def reading_pages(case_objects):
    measure, event, source = case_objects
    return {
        "dashboard": f"{CASE}/?as_of=2024-01-31",
        "measure": f"{CASE}/measures/{measure.number}/?as_of=2024-01-31",
        "events": f"{CASE}/events/?as_of=2024-01-31",
        "event": f"{CASE}/events/{event.pk}/?as_of=2024-01-31",
        "sources": f"{CASE}/sources/?as_of=2024-01-31",
        "source": f"{CASE}/sources/{source.pk}/?as_of=2024-01-31",
        "report": f"{CASE}/report/?as_of=2024-01-31",
        "cases": "/",
        # The read API's pages: its documentation and the API tokens page.
        "api docs": "/api/v1/docs/",
        "api tokens": "/account/api-tokens/",
        "search": "/search/?q=liaison+officers",
    }


@pytest.fixture
def case_objects(pakistan_iran_committed):
    measure = Measure.objects.get(case=pakistan_iran_committed, number=9)
    event = Event.objects.filter(case=pakistan_iran_committed).first()
    source = Source.objects.filter(citations__case=pakistan_iran_committed).distinct().first()
    return measure, event, source


@pytest.mark.parametrize("width", [1280, 390])
def test_reading_pages_and_report_fit_the_screen(
    page, live_server, login, analyst_user, case_objects, width, artifacts_dir
):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "analyst")  # an analyst sees the most: record links, the workspace link
    too_wide = {}
    for name, path in reading_pages(case_objects).items():
        page.goto(live_server.url + path)
        page.screenshot(path=artifacts_dir / f"fit-{name}-{width}.png", full_page=True)
        result = page.evaluate(OVERFLOW)
        if result["page"] > width or result["sticking"] or result["scrolling"]:
            too_wide[path] = result
    assert too_wide == {}


def test_dashboard_at_390_shows_each_measure_with_its_parties_levels_and_folds_the_filters(
    page, live_server, login, reader_user, pakistan_iran_committed, artifacts_dir
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "reader")
    page.goto(f"{live_server.url}{CASE}/?as_of=2024-01-31")
    filters = page.locator("details.filters")
    expect(filters.locator("select[name=level]")).to_be_hidden()  # folded
    page.screenshot(path=artifacts_dir / "dashboard-cards-390.png", full_page=True)
    first = page.locator(".measures-table tbody tr").first
    expect(first.get_by_role("link", name="Diplomatic engagement")).to_be_visible()
    for party in ("IRN", "PAK"):
        cell = first.locator(f'td[data-label="{party}"]')
        expect(cell).to_be_visible()
        expect(cell.locator(".level")).to_be_visible()
    # Opened, the filters work as on a wide screen.
    filters.locator("summary").click()
    expect(filters.locator("select[name=level]")).to_be_visible()


@pytest.mark.parametrize(
    ("path", "title", "labels"),
    [
        ("events", "Iran's missile and drone strike", ["Date", "Direction", "Kind", "Actors", "Location"]),
        ("sources", "Pakistan and Iran Collaborate", ["Publisher", "Kind", "Published", "Citations"]),
    ],
)
def test_events_and_sources_lists_at_390_stack_each_row_as_a_labelled_card(
    page, live_server, login, reader_user, pakistan_iran_committed, path, title, labels
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "reader")
    page.goto(f"{live_server.url}{CASE}/{path}/?as_of=2024-01-31")
    first = page.locator(".data-table tbody tr").first
    link = first.get_by_role("link", name=title)
    first.scroll_into_view_if_needed()
    expect(link).to_be_in_viewport()
    card = first.bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    assert link.bounding_box()["y"] < first.locator("td").first.bounding_box()["y"]  # the title comes first
    for label in labels:
        cell = first.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
    expect(page.locator(".data-table thead")).not_to_be_in_viewport()


def test_dashboard_at_1280_shows_every_column_and_the_filters(
    page, live_server, login, analyst_user, pakistan_iran_committed, artifacts_dir
):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "analyst")
    page.goto(f"{live_server.url}{CASE}/?as_of=2024-01-31")
    expect(page.locator("details.filters select[name=level]")).to_be_visible()
    scroll = page.locator(".measures-table-scroll")
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth")  # Flags included, no sideways scroll
    flags = page.get_by_role("columnheader", name="Flags")
    flags.scroll_into_view_if_needed()  # the table sits below the figures; what matters is its width
    expect(flags).to_be_in_viewport()
    page.screenshot(path=artifacts_dir / "dashboard-analyst-1280.png", full_page=True)


def test_axe_finds_nothing_on_the_reading_pages_and_the_report(
    page, live_server, login, analyst_user, case_objects, axe
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe(page) == [], "login"
    login(page, "analyst")
    for path in reading_pages(case_objects).values():
        page.goto(live_server.url + path)
        assert axe(page) == [], path


def test_axe_finds_nothing_on_the_main_admin_pages(page, live_server, login, analyst_user, case_objects, axe):
    measure, event, source = case_objects
    citation = Citation.objects.filter(evidence__measure=measure).first()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "analyst")
    pages = [
        "/admin/",
        "/admin/measures/measure/",
        f"/admin/measures/measure/{measure.pk}/change/",
        f"/admin/measures/measure/{measure.pk}/assess/",
        f"/admin/measures/measure/{measure.pk}/history/",
        "/admin/measures/assessment/",
        "/admin/measures/assessment/add/",
        "/admin/measures/citation/",
        f"/admin/measures/citation/{citation.pk}/change/",
        "/admin/measures/source/",
        f"/admin/measures/source/{source.pk}/change/",
        "/admin/measures/event/",
        f"/admin/measures/event/{event.pk}/change/",
        f"/admin/measures/case/{measure.case_id}/change/",
        "/admin/measures/evidence/",
    ]
    for path in pages:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert axe(page) == [], path


def test_the_assessment_form_and_the_alerts_page_fit_a_phone(
    page, live_server, login, analyst_user, case_objects, artifacts_dir
):
    """At 390 px the assessment form was 866 px wide (the levels table, the citations box) and the
    alerts page 663 px (the private feed address, one long word)."""
    measure = case_objects[0]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "analyst")
    for name, path in (("assess", f"/admin/measures/measure/{measure.pk}/assess/"), ("alerts", "/alerts/")):
        page.goto(live_server.url + path)
        page.screenshot(path=artifacts_dir / f"phone-{name}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        result = page.evaluate(OVERFLOW)
        assert (result["sticking"], result["scrolling"]) == ([], []), name
    # The levels table's fields keep their labels once its column headers are folded away.
    page.goto(live_server.url + f"/admin/measures/measure/{measure.pk}/assess/")
    expect(page.locator(".party-levels tbody label").first).to_be_visible()
    expect(page.locator(".party-levels thead")).to_be_hidden()
