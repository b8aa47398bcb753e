"""The dashboard, the measure page, the event list and the source pages cost what they show: queries that
do not grow with the case (on demo data shaped like real cases: assessments over many days, corrections,
commitments), the measures table written without a template per cell, links reversed once per table and
timeline, and what a page draws from the case's data alone kept per data version."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils.html import conditional_escape

from measures import roles, services
from measures.importing import demo_data
from measures.models import Case
from reading import charts, converters
from reading.tables import MeasureTable
from tests import factories
from tests.helpers import without_csrf_tokens
from tests.scenarios import build_case


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Measure 2: the generator leaves the newest assessments of measure 1 awaiting review, which at scale 2
# are all of them (an empty history skips its prefetches, and the counts would differ for that alone).
# The event list and the source pages: their first rendering of a period (nothing kept yet), and the next
# rendering of the same period (another page address, so not the page cache: the parts kept).
QUERIES_AT_MOST = {"": 20, "measures/2/": 22, "events/": 6, "sources/": 4, "sources/{source}/": 6}


@pytest.mark.parametrize("page", list(QUERIES_AT_MOST))
def test_a_case_page_takes_the_same_queries_whatever_the_size_of_the_demo_data(db, client, page):
    """Scale 2 (20 assessments a case over 20 days) and scale 10 (225 over ~40 days, corrections,
    commitments of every due precision and their outcomes): the same number of queries."""
    client.force_login(factories.analyst(username="analyst") if "sources/" in page else factories.reader())
    counts = []
    for scale in (2, 10):
        with pytest.raises(_Undo), transaction.atomic():
            demo_data.generate(scale=scale)
            case = Case.objects.order_by("pk").first()
            source = case.citations.order_by("pk").first().source_id
            url = f"/cases/{case.slug}/{page.format(source=source)}"
            _queries(client, url)  # the first request fills the per-process caches
            counts.append(_queries(client, f"{url}?as_of=2021-12-31"))
            if "events/" in page or "sources/" in page:
                counts.append(_queries(client, f"{url}?as_of=2021-12-31&page=1"))
            raise _Undo
        # The rolled-back case comes back with the same id and slug: no other connection could have
        # read it, but this one cached its row (measures.roles, "Cached access").
        roles.forget_cases()
    half = len(counts) // 2
    assert counts[:half] == counts[half:]
    assert counts[0] <= QUERIES_AT_MOST[page]
    if half == 2:
        assert counts[1] <= 2  # kept: the events' count (the sources' counts are kept too)


class _Undo(Exception):
    pass


def _table(client, case):
    response = client.get(f"/cases/{case.slug}/")
    assert response.status_code == 200
    return response.context["table"]


@pytest.mark.parametrize("can_assess", [False, True])
def test_the_measures_table_body_is_written_without_templates_or_queries(db, client, can_assess):
    user = factories.analyst(username="analyst") if can_assess else factories.reader(username="reader")
    client.force_login(user)
    case = build_case(4)
    table = _table(client, case)
    assert isinstance(table, MeasureTable) and table.can_assess == can_assess
    rendered = []
    template_rendered.connect(lambda sender, template, **kwargs: rendered.append(template.name), weak=False)
    try:
        with CaptureQueriesContext(connection) as queries:
            body = table.body_html()
    finally:
        template_rendered.receivers.clear()
    assert rendered == [] and len(queries) == 0
    # Each cell holds what django-tables2 would have written in it, in the table's order.
    rows = list(table.paginated_rows)
    assert body.count("<tr ") == len(rows) == 12
    position = 0
    for row in rows:
        for _, cell in row.items():
            position = body.index(str(conditional_escape(cell)), position)
    if can_assess:
        assert 'class="record-link"' in body


def test_the_empty_table_says_so(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(1)
    response = client.get(f"/cases/{case.slug}/?level=full")
    assert "No measure matches these filters." in response.content.decode()


def test_a_timeline_reverses_its_event_address_once(db, monkeypatch):
    case = build_case(5)
    events = list(case.events.all())
    calls = []
    reverse = converters.reverse
    monkeypatch.setattr(converters, "reverse", lambda *args, **kwargs: calls.append(args) or reverse(*args, **kwargs))
    timeline = charts.events_timeline(events, start=case.start_date, end=max(e.date for e in events))
    assert len(timeline.markers) == len(events) == 30
    assert [marker.url for marker in timeline.markers] == [
        marker.event.get_absolute_url() for marker in timeline.markers
    ]
    assert len(calls) == 1


def _svg(html, css_class):
    start = html.index(f'<svg class="{css_class}"')
    return html[start : html.index("</svg>", start)]


def test_the_event_lists_timeline_is_drawn_once_per_data_version_period_and_filter(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(2)
    url = f"/cases/{case.slug}/events/?as_of=2024-01-31"
    timeline = "measures/partials/events_timeline.html"

    first = client.get(url)
    assert timeline in {t.name for t in first.templates}
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url + "&page=1")  # another page of the same list: no page cache
    assert timeline not in {t.name for t in again.templates}
    assert not [q for q in queries if "commitment" in q["sql"]]  # the calendar's markers come with it
    assert _svg(again.content.decode(), "timeline-svg") == _svg(first.content.decode(), "timeline-svg")
    # Another filter, another period, or a write (the data version) draws it again.
    assert timeline in {t.name for t in client.get(url + "&direction=escalation").templates}
    assert timeline in {t.name for t in client.get(url.replace("2024-01-31", "2024-01-30")).templates}
    services.touch_cases([case.pk])  # what every write through the services does
    assert timeline in {t.name for t in client.get(url + "&page=1").templates}


def test_the_dashboards_charts_and_commitments_are_drawn_once_per_data_version_and_period(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(2)
    url = f"/cases/{case.slug}/?as_of=2024-01-31&since=2024-01-20"
    drawn = [
        "measures/partials/events_timeline.html",
        "measures/partials/progress_chart.html",
        "measures/partials/commitment_calendar.html",
    ]

    first = client.get(url)
    assert [name for name in drawn if name in {t.name for t in first.templates}] == drawn
    with CaptureQueriesContext(connection) as queries:
        sorted_ = client.get(url + "&sort=-title")  # another rendering of the same period: no page cache
    assert not {t.name for t in sorted_.templates} & set(drawn)
    # Neither the events nor the commitments, their outcomes, parties and passages are read again.
    assert not [q for q in queries if "measures_event" in q["sql"].split("FROM")[1][:40]]
    assert not [q for q in queries if "commitment" in q["sql"]]
    content = sorted_.content.decode()
    assert content.count('class="commitment commitment-') == first.content.decode().count(
        'class="commitment commitment-'
    )
    for css_class in ("timeline-svg", "progress-chart-svg"):
        assert _svg(sorted_.content.decode(), css_class) == _svg(first.content.decode(), css_class)
    # Another period, or a write (the data version), draws them again.
    assert set(drawn) <= {t.name for t in client.get(url.replace("2024-01-31", "2024-01-30")).templates}
    services.touch_cases([case.pk])  # what every write through the services does
    assert set(drawn) <= {t.name for t in client.get(url + "&sort=-title").templates}


def _rendered(response):
    return {t.name for t in response.templates}


def test_the_event_lists_rows_are_drawn_once_per_data_version_period_filter_and_page(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(2)
    url = f"/cases/{case.slug}/events/?as_of=2024-01-31"
    rows = "measures/partials/event_rows.html"

    first = client.get(url)
    assert rows in _rendered(first)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url + "&page=1")  # the same page of the list at another address: no page cache
    assert rows not in _rendered(again)
    # The page's events and their actors are not read again: the pager counts them, nothing more.
    events = [q["sql"] for q in queries if "measures_event" in q["sql"]]
    assert len(events) == 1 and "COUNT(" in events[0]
    assert not [q for q in queries if "measures_party" in q["sql"]]
    assert without_csrf_tokens(again.content) == without_csrf_tokens(first.content)
    # Another filter, another period, or a write (the data version) draws them again.
    assert rows in _rendered(client.get(url + "&direction=escalation"))
    assert rows in _rendered(client.get(url.replace("2024-01-31", "2024-01-30")))
    services.touch_cases([case.pk])  # what every write through the services does
    assert rows in _rendered(client.get(url + "&page=1"))


def test_the_source_lists_counts_and_rows_are_read_once_per_data_version_and_period(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(2)
    url = f"/cases/{case.slug}/sources/?as_of=2024-01-31"
    rows = "measures/partials/source_rows.html"

    first = client.get(url)
    assert rows in _rendered(first)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url + "&page=1")
    assert rows not in _rendered(again)
    assert not [q for q in queries if "measures_citation" in q["sql"] or "measures_source" in q["sql"]]
    assert without_csrf_tokens(again.content) == without_csrf_tokens(first.content)
    assert rows in _rendered(client.get(url.replace("2024-01-31", "2024-01-30")))
    services.touch_cases([case.pk])
    assert rows in _rendered(client.get(url + "&page=1"))


def test_a_source_pages_passages_and_text_are_drawn_once_per_data_version_period_and_permissions(db, client):
    case = build_case(2)
    source = case.citations.order_by("pk").first().source
    url = f"/cases/{case.slug}/sources/{source.pk}/?as_of=2024-01-31"
    drawn = ["measures/partials/source_passages.html", "measures/partials/source_text.html"]
    client.force_login(factories.reader(username="reader"))

    first = client.get(url)
    assert set(drawn) <= _rendered(first)
    assert "Cite this passage" not in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url + "&page=1")  # another address of the same page: no page cache
    assert not set(drawn) & _rendered(again)
    # Neither the source's full text, the evidence, nor the measures are read again: the citations only.
    assert not [q for q in queries if "full_text" in q["sql"] or "measures_evidence" in q["sql"]]
    assert not [q for q in queries if 'FROM "measures_measure"' in q["sql"]]
    assert without_csrf_tokens(again.content) == without_csrf_tokens(first.content)
    # An analyst's page offers citing: their own text, never the reader's kept one (nor the other way).
    client.force_login(factories.analyst(username="analyst"))
    analyst_page = client.get(url + "&page=1")
    assert "measures/partials/source_text.html" in _rendered(analyst_page)
    assert "Cite this passage" in analyst_page.content.decode()
    assert _between(analyst_page, "Cited in this case", "</section>") == _between(
        first, "Cited in this case", "</section>"
    )
    client.force_login(factories.reader(username="reader2"))
    assert "Cite this passage" not in client.get(url + "&page=1").content.decode()
    # Another period, or a write (the data version), draws them again.
    assert set(drawn) <= _rendered(client.get(url.replace("2024-01-31", "2024-01-30")))
    services.touch_cases([case.pk])
    assert set(drawn) <= _rendered(client.get(url + "&page=1"))


def _between(response, start, end):
    html = response.content.decode()
    at = html.index(start)
    return html[at : html.index(end, at)]


def test_the_measure_pages_commitments_are_drawn_once_per_data_version_and_period(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(2)
    measure = case.measures.get(number=1)
    services.record_commitment(
        case=case,
        measure=measure,
        parties=list(case.assessed_parties.all()),
        what="Return the envoys",
        citations=[measure.evidence.first().citation],
        announced_on=datetime.date(2024, 1, 20),
        recorded_by=factories.analyst(username="analyst"),
        due_precision="day",
        due_on=datetime.date(2024, 1, 26),
    )
    url = f"/cases/{case.slug}/measures/1/?as_of=2024-01-31"
    calendar = "measures/partials/commitment_calendar.html"

    first = client.get(url)
    assert calendar in {t.name for t in first.templates}
    assert 'class="commitment commitment-' in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url + "&history=1")  # another rendering of the same period: no page cache
    assert calendar not in {t.name for t in again.templates}
    assert not [q for q in queries if "commitment" in q["sql"]]  # nor its outcomes, parties and passages
    section = '<section aria-labelledby="commitments-heading">'
    assert (
        again.content.decode().split(section)[1].split("</section>")[0]
        == (first.content.decode().split(section)[1].split("</section>")[0])
    )
    # Another period, or a write (the data version), draws it again.
    assert calendar in {t.name for t in client.get(url.replace("2024-01-31", "2024-01-30")).templates}
    services.touch_cases([case.pk])  # what every write through the services does
    assert calendar in {t.name for t in client.get(url + "&history=1").templates}


def test_the_measure_pages_state_and_history_are_read_once_per_data_version_and_period(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(2)
    url = f"/cases/{case.slug}/measures/1/?as_of=2024-01-31"

    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url + "&history=1")  # another rendering of the same period: no page cache
    # Neither the measure's assessments (its state, its whole history) nor its evidence counts are read
    # again; the page of history shown has its passages loaded (through the assessments' citations).
    froms = [q["sql"].split(" FROM ")[1].split()[0] for q in queries if " FROM " in q["sql"]]
    assert '"measures_assessment"' not in froms
    assert (
        again.content.decode().split('id="status-heading"')[1] == first.content.decode().split('id="status-heading"')[1]
    )
    # A write (the data version) reads them again: a new assessment is in the history at once.
    assert "Judged again on 30 January." not in first.content.decode()
    factories.AssessmentFactory(
        measure=case.measures.get(number=1),
        effective_date=datetime.date(2024, 1, 30),
        rationale="Judged again on 30 January.",
    )
    services.touch_cases([case.pk])  # what every write through the services does
    assert "Judged again on 30 January." in client.get(url + "&history=1").content.decode()
