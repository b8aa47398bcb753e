"""Long lists come a page at a time, counts come from SQL, and a crowded timeline groups its markers."""

import datetime
import importlib
import re

import pytest
from django.urls import reverse

from measures.models import Event
from reading import charts
from tests import factories
from tests.scenarios import build_case, compared_case

D = datetime.date


@pytest.fixture
def crowded(db):
    case = build_case()  # 2 events and 1 source per measure, 3 measures
    for i in range(120):
        factories.EventFactory(
            case=case,
            date=D(2024, 1, 16) + datetime.timedelta(days=i % 15),
            title=f"Patrol {i}",
            direction=Event.Direction.values[i % 3],
        )
    return case


def test_the_event_list_shows_a_page_at_a_time(reader_client, crowded):
    url = reverse("measures:event_list", args=[crowded.slug])
    first = reader_client.get(url, {"as_of": "2024-02-29"})
    assert len(first.context["events"]) == 100
    page = first.content.decode()
    assert "Events 1–100 of 126" in page
    assert 'rel="next"' in page and "page=2" in page
    second = reader_client.get(url, {"as_of": "2024-02-29", "page": 2})
    assert len(second.context["events"]) == 26
    assert "Events 101–126 of 126" in second.content.decode()


def test_a_bad_page_number_shows_the_first_page_and_says_why(reader_client, crowded):
    url = reverse("measures:event_list", args=[crowded.slug])
    response = reader_client.get(url, {"page": "x"})
    assert response.status_code == 200
    assert "is not a page number" in response.content.decode()
    response = reader_client.get(url, {"page": "99"})
    assert "There is no page 99" in response.content.decode()


def test_a_crowded_timeline_groups_markers_and_still_counts_every_event(reader_client, crowded):
    response = reader_client.get(reverse("measures:event_list", args=[crowded.slug]), {"as_of": "2024-02-29"})
    timeline = response.context["timeline"]
    assert len(timeline.markers) < 126
    assert sum(marker.count for marker in timeline.markers) == 126
    assert timeline.grouped
    assert "events, the latest" in response.content.decode()


def test_group_crowded_keeps_few_events_apart_and_groups_many_by_direction():
    case = factories.CaseFactory.build(slug="x")
    events = [
        Event(
            pk=i,
            case=case,
            date=D(2024, 1, 1) + datetime.timedelta(days=i % 30),
            title=f"E{i}",
            direction=Event.Direction.values[i % 3],
        )
        for i in range(300)
    ]
    assert charts.group_crowded(events[:10], start=D(2024, 1, 1), end=D(2024, 1, 31), max_markers=90) == [
        (event, 1) for event in events[:10]
    ]
    grouped = charts.group_crowded(events, start=D(2024, 1, 1), end=D(2024, 1, 31), max_markers=90)
    assert len(grouped) <= 90
    assert sum(count for _, count in grouped) == 300
    for latest, _ in grouped:
        same = [e for e in events if e.direction == latest.direction]
        assert latest in same


def test_the_source_list_counts_citations_in_sql_as_the_reader_could_see_them(reader_client, db):
    case = build_case()
    source = case.citations.first().source
    late = factories.EventFactory(case=case, date=D(2024, 3, 1), title="Later")
    factories.CitationFactory(case=case, source=source, event=late, quote="Border forces increased patrols (1).")
    url = reverse("measures:source_list", args=[case.slug])
    response = reader_client.get(url, {"as_of": "2024-01-31"})
    rows = dict(response.context["rows"])
    assert rows[source] == 2  # the citation of an event after the as-of date is not counted
    assert all("full_text" in s.get_deferred_fields() for s in rows)
    assert response.context["citation_total"] == 6
    assert reader_client.get(url, {"as_of": "2024-03-31"}).context["citation_total"] == 7


def _next_link(response):
    return re.search(r'<a href="([^"]*)" rel="next">', response.content.decode())[1]


def test_the_pager_links_carry_only_the_parameters_the_page_accepted(reader_client, crowded):
    """A refused value (a bad kind, a bad date, an `_export` that is no format) or an unknown parameter
    is not carried to the next page; an accepted one is, with the value the page read (the last)."""
    url = reverse("measures:event_list", args=[crowded.slug])
    query = "as_of=2024-01-20&as_of=2024-02-29&kind=bogus&since=2024-13-01&_export=bogus&utm_source=x"
    response = reader_client.get(f"{url}?{query}")
    page = response.content.decode()
    assert "is not a kind of event" in page and "Events 1–100 of 126" in page
    assert _next_link(response) == "?as_of=2024-02-29&amp;page=2"


def test_the_matrix_pager_leaves_out_a_refused_theme_and_export(reader_client, monkeypatch):
    monkeypatch.setattr(importlib.import_module("reading.views.matrix"), "CASES_PER_PAGE", 1)
    compared_case("Border war")
    compared_case("Strait crisis")
    response = reader_client.get("/matrix/?theme=Talks&_export=bogus&view=days&as_of=2024-03-20")
    page = response.content.decode()
    assert "is not a theme of the catalogue" in page and "is not an export format" in page
    assert _next_link(response) == "?as_of=2024-03-20&amp;page=2"  # the filters are refused together
    response = reader_client.get("/matrix/?theme=talks&view=days&_export=bogus&as_of=2024-03-20")
    assert _next_link(response) == "?as_of=2024-03-20&amp;theme=talks&amp;view=days&amp;page=2"
