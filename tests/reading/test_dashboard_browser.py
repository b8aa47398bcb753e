"""The reader's journey through the dashboard, in Debian's Chromium: open, filter, follow a measure,
change the date, export. Screenshots land in test-artifacts/ for people to look at."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DASHBOARD = "/cases/pakistan-iran-2024/"


@pytest.fixture
def reader_page(page, pakistan_iran_committed, reader_user, login):
    page.set_viewport_size({"width": 1280, "height": 900})
    return login(page, "reader")


def test_reader_opens_filters_follows_a_measure_changes_the_date_and_exports(reader_page, live_server, artifacts_dir):
    page = reader_page
    # With a single case, logging in lands straight on its dashboard.
    expect(page).to_have_url(f"{live_server.url}{DASHBOARD}")
    page.goto(f"{live_server.url}{DASHBOARD}?as_of=2024-01-31")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pakistan–Iran crisis, January 2024")
    expect(page.locator(".measures-table tbody tr")).to_have_count(11)
    page.screenshot(path=artifacts_dir / "dashboard-1280.png", full_page=True)

    # Filter: measures whose joint level is intermediate.
    page.get_by_label("Level", exact=True).select_option("intermediate")
    page.get_by_role("button", name="Show").click()
    rows = page.locator(".measures-table tbody tr")
    expect(rows).to_have_count(4)  # measures 2, 9, 10 and 11
    expect(rows.first).to_contain_text("Confidence-building measures")

    # Export exactly the filtered rows.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "pakistan-iran-2024-measures-2024-01-31.csv"
    raw = download.path().read_bytes()
    assert raw.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark, for spreadsheet programs
    exported = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(exported) == 5 and exported[0][0] == "No."

    # Follow a measure, keeping the date.
    rows.first.get_by_role("link", name="Confidence-building measures").click()
    expect(page).to_have_url(f"{live_server.url}{DASHBOARD}measures/2/?as_of=2024-01-31")
    expect(page.get_by_role("heading", level=1)).to_have_text("2. Confidence-building measures")
    expect(page.locator(".level-chart")).to_have_count(2)
    page.screenshot(path=artifacts_dir / "measure-1280.png", full_page=True)

    # Change the as-of date: on 17 January the measure had been reversed, not advanced.
    page.get_by_label("As of").fill("2024-01-17")
    page.get_by_role("button", name="Show").click()
    # The date form also carries "as known on", empty: no limit.
    expect(page).to_have_url(
        re.compile(re.escape(f"{live_server.url}{DASHBOARD}measures/2/?as_of=2024-01-17") + "(&known_on=)?$")
    )
    expect(page.locator(".status-summary")).not_to_contain_text("Intermediate (2)")

    # Back to the dashboard on 17 January: escalation, nothing in place.
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link").first.click()
    expect(page.locator(".big-number")).to_have_text("0%")
    page.screenshot(path=artifacts_dir / "dashboard-17-january-1280.png", full_page=True)


def test_bad_date_shows_a_message_in_the_page(reader_page, live_server):
    page = reader_page
    page.goto(f"{live_server.url}{DASHBOARD}?as_of=2024-99-01")
    expect(page.get_by_role("alert")).to_contain_text("“As of” must be a date written YYYY-MM-DD")
    expect(page.locator(".measures-table")).to_be_visible()


def test_dashboard_is_readable_at_390_pixels_and_keyboard_usable(reader_page, live_server, artifacts_dir):
    page = reader_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{DASHBOARD}?as_of=2024-01-31")
    # Nothing but the table and the chart (each in its own scrolling frame) is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "dashboard-390.png", full_page=True)
    # The table can be reached and its first measure followed with the keyboard alone.
    link = page.locator(".measures-table tbody th a").first
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Diplomatic engagement")
    page.screenshot(path=artifacts_dir / "measure-390.png", full_page=True)


def test_events_and_sources_pages_open_from_the_navigation(reader_page, live_server, artifacts_dir):
    page = reader_page
    page.goto(f"{live_server.url}{DASHBOARD}?as_of=2024-01-31")
    case_nav = page.get_by_role("navigation", name="Pakistan–Iran crisis, January 2024")
    case_nav.get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events of Pakistan–Iran crisis, January 2024")
    page.screenshot(path=artifacts_dir / "events-1280.png", full_page=True)
    page.locator(".data-table tbody th a").first.click()
    expect(page.locator(".period-line")).to_contain_text("16 Jan 2024")
    case_nav.get_by_role("link", name="Sources").click()
    page.locator(".data-table tbody th a").first.click()
    expect(page.locator(".source-text mark").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "source-1280.png", full_page=True)


def test_reader_opening_the_site_lands_on_the_closed_case_as_of_its_end_date(reader_page, live_server, artifacts_dir):
    page = reader_page
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}{DASHBOARD}")
    expect(page.locator(".period-line")).to_contain_text("As of 29 Jan 2024")
    expect(page.locator(".period-line")).to_contain_text("the end of the case (29 Jan 2024), since it is closed")
    expect(page.locator(".flag-stale")).to_have_count(0)
    expect(page.locator(".headline")).to_contain_text("0 stale")
    page.screenshot(path=artifacts_dir / "dashboard-default-end-date-1280.png", full_page=True)


def test_reader_sees_progress_over_time_per_party_and_joint(reader_page, live_server, artifacts_dir):
    page = reader_page
    page.goto(f"{live_server.url}{DASHBOARD}")
    chart = page.locator(".progress-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("svg.progress-chart-svg path.progress-line")).to_have_count(3)
    expect(chart.locator(".chart-legend li")).to_have_text(["Joint: 56%", "Iran: 56%", "Pakistan: 56%"])
    box = chart.locator("svg.progress-chart-svg").bounding_box()
    assert box["width"] > 500 and box["height"] > 100  # drawn at a readable size, not squeezed
    chart.get_by_text("The chart’s figures as a table").click()
    expect(chart.locator("table tbody tr").first).to_contain_text("16 Jan 2024")
    chart.screenshot(path=artifacts_dir / "progress-chart-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # On a phone the chart keeps labels a person can read (its 9-unit tick labels at least 8 px tall,
    # 40rem of its 720 units) and scrolls sideways in its own region; the page does not overflow.
    svg = page.locator(".progress-chart svg.progress-chart-svg")
    box = svg.bounding_box()
    assert box["width"] >= 640
    tick_label = svg.locator("text[font-size='9']").first.bounding_box()
    assert tick_label["height"] >= 8
    region = page.get_by_role("region", name="Progress chart (scrolls sideways on a narrow screen)")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth && el.clientWidth <= 390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".progress-chart").screenshot(path=artifacts_dir / "progress-chart-390.png")
