"""Dates at the edge of what Python can hold (date.min, date.max) never take a page down.

A stored date outside the plausible range (an approximate event of 0001-01-01, kept from before the
range was enforced, or one the check missed) must still be shown: every computation on dates
(the span of an approximate or month date, the padding of the timeline, its ticks) stays within
date.min..date.max.
"""

import datetime

import pytest
from django.urls import reverse

from measures.models import Event
from reading import charts
from reading.charts import scale
from tests import factories
from tests.scenarios import build_case

D = datetime.date


def event(pk, date, precision=Event.Precision.DAY, direction=Event.Direction.DEESCALATORY):
    return Event(pk=pk, date=date, date_precision=precision, direction=direction, title=f"Event {pk}", kind="other")


@pytest.mark.parametrize("precision", Event.Precision.values)
@pytest.mark.parametrize("date", [datetime.date.min, datetime.date.max])
def test_the_span_of_a_date_at_either_bound_stays_within_the_calendar(date, precision):
    low, high = scale.date_range(date, precision)
    assert datetime.date.min <= low <= date <= high <= datetime.date.max


@pytest.mark.parametrize(
    ("events", "start", "end"),
    [
        ([event(1, datetime.date.min, Event.Precision.APPROXIMATE)], D(2024, 1, 16), D(2024, 1, 31)),
        ([event(1, datetime.date.max, Event.Precision.APPROXIMATE)], D(2024, 1, 16), D(2024, 1, 31)),
        ([event(1, D(2024, 1, 20))], datetime.date.min, datetime.date.max),
        ([event(1, D(2024, 1, 20))], datetime.date.min, datetime.date.min),
        ([event(1, D(2024, 1, 20))], datetime.date.max, datetime.date.max),
    ],
)
def test_the_timeline_draws_dates_at_the_bounds(events, start, end):
    timeline = charts.events_timeline(events, start=start, end=end)
    assert [m.event.pk for m in timeline.markers] == [1]
    assert all(timeline.left <= m.x <= timeline.right for m in timeline.markers)
    assert timeline.ticks


@pytest.mark.parametrize("date", [D(1, 1, 1), D(9999, 12, 31)])
@pytest.mark.parametrize("page", ["measures:dashboard", "measures:event_list"])
def test_an_event_dated_at_a_bound_leaves_the_case_pages_readable(reader_client, db, date, page):
    case = build_case()
    factories.EventFactory(case=case, date=date, date_precision=Event.Precision.APPROXIMATE, title="Far off")
    for query in ("", "?as_of=2024-01-20"):
        response = reader_client.get(reverse(page, args=[case.slug]) + query)
        assert response.status_code == 200, query
    if date.year == 1:  # an event after the as-of date is not listed, rightly
        assert b"Far off" in reader_client.get(reverse("measures:event_list", args=[case.slug])).content
