"""A name without spaces as long as the model allows (a case's 200 characters, a party's, a measure
type's and its theme's, a source's label, an event's title) never makes a page wider than a phone's
screen: it wraps, and a table too wide for its names scrolls in its own frame (the report's tables, which
have no frame, wrap the name within its column)."""

import pytest

from measures.models import Case, Commitment, Measure, MeasureType, Party, Source, Subscription, Theme
from tests.scenarios import build_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_CASE = "W" * 200
LONG_PARTY = "P" * Party._meta.get_field("name").max_length
LONG_TYPE = "M" * MeasureType._meta.get_field("name").max_length
LONG_THEME = "H" * Theme._meta.get_field("name").max_length

# The document's width against the screen's: what scrolls the whole page sideways.
PAGE_WIDTH = "() => ({page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth})"
# The report's tables are not in scrolling frames: the text of each of their cells, the long measure title and
# party name as the headings, fits the cell (no cell's text runs over its neighbour's or past the page).
CELLS_OVERRUN = """() => [...document.querySelectorAll('main table th, main table td')]
  .filter(cell => cell.getClientRects().length && cell.scrollWidth > cell.clientWidth + 1)
  .map(cell => cell.textContent.trim().slice(0, 30))"""
# At 1,280 px a table's long name wraps within its column, so no table (the commitments, the per-party counts,
# the progress chart's figures, opened) is wider than the frame it would scroll in.
FRAMES_OVERRUN = """() => { document.querySelectorAll('details').forEach(d => { d.open = true; });
  return [...document.querySelectorAll('.table-scroll')].filter(f => f.scrollWidth > f.clientWidth + 1)
    .map(f => [(f.querySelector('table') || f).className, f.scrollWidth]); }"""


@pytest.fixture
def long_names(reader_user):
    case = build_case(slug="long")
    case.name = LONG_CASE
    case.visibility = Case.Visibility.PUBLISHED
    case.save()
    Party.objects.filter(code="IRN").update(name=LONG_PARTY)
    measure_type = MeasureType.objects.select_related("theme").get(slug="ceasefire")
    MeasureType.objects.filter(pk=measure_type.pk).update(name=LONG_TYPE)
    Theme.objects.filter(pk=measure_type.theme_id).update(name=LONG_THEME)
    Measure.objects.filter(case=case, number=1).update(title="T" * 200, type=measure_type)
    source = Source.objects.filter(citations__case=case).first()
    Source.objects.filter(pk=source.pk).update(label="L" * Source._meta.get_field("label").max_length)
    case.events.filter(pk=case.events.first().pk).update(title="E" * 200)
    commitment = Commitment.objects.create(
        case=case,
        measure=case.measures.get(number=1),
        what="Both sides withdraw their forces to the positions held before the strikes.",
        announced_on=case.start_date,
        due_on=case.start_date,
        recorded_by=reader_user,
    )
    commitment.parties.set(case.assessed_parties.all())
    Subscription.objects.create(user=reader_user, case=case)
    return case


PAGES = (
    "/",
    "/cases/long/?as_of=2024-01-31",
    "/cases/long/measures/1/?as_of=2024-01-31",
    "/cases/long/events/?as_of=2024-01-31",
    "/cases/long/sources/?as_of=2024-01-31",
    "/cases/long/report/?as_of=2024-01-31",
    "/matrix/",
    "/matrix/types/ceasefire/",
    "/alerts/",
    "/search/?q=strike",
)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_long_name_without_spaces_never_widens_the_page(page, live_server, login, long_names, width, artifacts_dir):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "reader")
    too_wide = {}
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.screenshot(
            path=artifacts_dir / f"long-names-{path.strip('/').split('?')[0].replace('/', '-')}-{width}.png"
        )
        found = page.evaluate(PAGE_WIDTH)
        if found["page"] > found["screen"]:
            too_wide[path] = found["page"]
        if "/report/" in path and page.evaluate(CELLS_OVERRUN):
            too_wide[path] = page.evaluate(CELLS_OVERRUN)
        if width == 1280 and page.evaluate(FRAMES_OVERRUN):
            too_wide[path] = page.evaluate(FRAMES_OVERRUN)
    assert too_wide == {}


@pytest.mark.parametrize("width", [390, 1280])
def test_a_long_case_name_never_widens_the_admins_pages(page, live_server, login, admin_user, long_names, width):
    """The page title and breadcrumbs of the case's admin pages (its form, the events import) wrap, and so
    does the long party's heading on a measure's page, its Record button staying on the screen."""
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "administrator")
    too_wide = {}
    for path in (
        f"/admin/measures/case/{long_names.pk}/change/",
        f"/admin/measures/case/{long_names.pk}/import-events/",
        # the per-party headings of a measure (the long party's name) and their Record buttons
        f"/admin/measures/measure/{long_names.measures.get(number=2).pk}/change/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        found = page.evaluate(PAGE_WIDTH)
        if found["page"] > found["screen"]:
            too_wide[path] = found["page"]
    assert too_wide == {}
    buttons = page.locator("a.assess-party")
    assert buttons.count() == 2
    for i in range(2):
        box = buttons.nth(i).bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= width
