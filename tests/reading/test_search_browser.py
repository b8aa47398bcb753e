"""A reader searches from the box every page has, and follows a result to the passage in its source."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_searches_from_a_case_page_and_lands_on_the_highlighted_passage(
    page, live_server, login, reader_user, pakistan_iran_committed, width, artifacts_dir
):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "reader")
    page.goto(f"{live_server.url}/cases/pakistan-iran-2024/?as_of=2024-01-31")
    box = page.get_by_role("searchbox", name="Search Pakistan–Iran crisis, January 2024")
    box.fill("liaison officers")
    box.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("results for “liaison officers”")
    expect(page.locator(".search-hit mark").first).to_have_text("liaison officers")
    page.screenshot(path=artifacts_dir / f"search-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".search-hit-passage .search-hit-head a").first.click()
    page.wait_for_load_state()
    target = page.locator("mark:target")
    expect(target).to_have_count(1)
    expect(target).to_contain_text("liaison officers")
