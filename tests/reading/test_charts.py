import datetime
from types import SimpleNamespace

from django.template.loader import render_to_string

from measures.models import Assessment, Event
from measures.state import Change
from reading import charts
from reading.charts import scale

Level = Assessment.Level
D = datetime.date


def event(pk, date, direction=Event.Direction.DEESCALATORY, precision=Event.Precision.DAY, title=None):
    """An unsaved event: chart geometry needs no database."""
    return Event(
        pk=pk, date=date, date_precision=precision, direction=direction, title=title or f"Event {pk}", kind="other"
    )


def change(party_id, level, date, old=Level.NOT_ASSESSED, pk=1):
    assessment = Assessment(pk=pk, party_id=party_id, level=level, effective_date=date)
    return Change(assessment, old)


def test_timeline_puts_escalation_above_and_de_escalation_below_in_date_order():
    timeline = charts.events_timeline(
        [event(2, D(2024, 1, 20)), event(1, D(2024, 1, 16), Event.Direction.ESCALATORY)],
        start=D(2024, 1, 16),
        end=D(2024, 1, 31),
    )
    strike, talks = timeline.markers
    assert strike.event.pk == 1 and strike.x < talks.x
    assert strike.label_y < timeline.axis_y < talks.label_y
    assert timeline.left <= strike.x and talks.x <= timeline.right
    assert (timeline.escalatory_count, timeline.deescalatory_count) == (1, 1)
    assert "1 escalatory (above the line), 1 de-escalatory" in timeline.description


def test_timeline_labels_never_overlap_in_a_lane_and_stems_do_not_cross_labels():
    events = [event(i, D(2024, 1, 16 + i // 3), title="A long title of an event " + str(i)) for i in range(30)]
    timeline = charts.events_timeline(events, start=D(2024, 1, 16), end=D(2024, 1, 31), max_lanes=6)
    labelled = [m for m in timeline.markers if m.lane is not None]
    assert labelled and timeline.unlabelled
    assert len(labelled) + len(timeline.unlabelled) == 30
    assert timeline.hidden_labels == len(timeline.unlabelled)

    def extent(marker):
        width = len(marker.label) * charts.CHAR_WIDTH + 6
        return (
            (marker.label_x, marker.label_x + width)
            if marker.anchor == "start"
            else (marker.label_x - width, marker.label_x)
        )

    for a in labelled:
        for b in labelled:
            if a is b:
                continue
            if a.lane == b.lane:
                assert extent(a)[1] <= extent(b)[0] or extent(b)[1] <= extent(a)[0]
            if b.lane > a.lane:  # b's stem passes a's lane
                low, high = extent(a)
                assert not (low < b.x < high)


def test_approximate_and_month_dates_are_drawn_as_such():
    timeline = charts.events_timeline(
        [
            event(1, D(2024, 1, 20), precision=Event.Precision.APPROXIMATE),
            event(2, D(2024, 2, 15), precision=Event.Precision.MONTH),
            event(3, D(2024, 1, 25)),
        ],
        start=D(2024, 1, 1),
        end=D(2024, 3, 31),
    )
    approx, exact, month = timeline.markers
    assert approx.approximate and approx.label.startswith("c. ") and approx.date_text == "c. 20 Jan 2024"
    assert not exact.approximate and exact.date_text == "25 Jan 2024"
    assert month.month_only and month.date_text == "February 2024"
    assert month.range_x1 < month.x < month.range_x2


def test_date_label_is_as_precise_as_the_date():
    assert charts.date_label(D(2024, 1, 26)) == "26 Jan 2024"
    assert charts.date_label(D(2024, 1, 26), Event.Precision.APPROXIMATE) == "c. 26 Jan 2024"
    assert charts.date_label(D(2024, 1, 26), Event.Precision.MONTH) == "January 2024"


def test_ticks_follow_the_span():
    days = scale._Scale(D(2024, 1, 16), D(2024, 1, 31), 0, 100).ticks(max_ticks=10, origin=D(2024, 1, 16))
    assert days[0].label == "16 Jan" and len(days) <= 11
    months = scale._Scale(D(2024, 1, 16), D(2024, 9, 30), 0, 100).ticks()
    assert [t.label for t in months][:2] == ["Mar 2024", "May 2024"]  # every second month
    years = scale._Scale(D(2010, 1, 1), D(2024, 1, 1), 0, 100).ticks()
    assert all(t.label.isdigit() for t in years) and len(years) <= 8


def test_timeline_before_the_case_began_does_not_break():
    timeline = charts.events_timeline([], start=D(2024, 1, 16), end=D(2000, 1, 1))
    assert timeline.markers == [] and timeline.end == D(2024, 1, 16)


def test_level_chart_steps_follow_the_history_of_one_party():
    party = SimpleNamespace(pk=1, name="Pakistan")
    history = [
        change(1, Level.NOT_INITIATED, D(2024, 1, 17), pk=1),
        change(2, Level.FULL, D(2024, 1, 18), pk=2),  # another party: ignored
        change(1, Level.MINIMAL, D(2024, 1, 22), Level.NOT_INITIATED, pk=3),
        change(1, Level.INTERMEDIATE, D(2024, 1, 22), Level.MINIMAL, pk=4),  # same day, recorded later: wins
        change(1, Level.REVERSED, D(2024, 1, 28), Level.INTERMEDIATE, pk=5),
    ]
    chart = charts.level_chart(history, party, start=D(2024, 1, 16), end=D(2024, 1, 31))
    assert [step.level for step in chart.steps] == [
        Level.NOT_ASSESSED,
        Level.NOT_INITIATED,
        Level.INTERMEDIATE,
        Level.REVERSED,
    ]
    assert chart.current.level == Level.REVERSED
    rows = {row.level: row.y for row in chart.rows}
    assert [step.y for step in chart.steps] == [rows[step.level] for step in chart.steps]
    assert rows[Level.FULL] < rows[Level.INTERMEDIATE] < rows[Level.NOT_INITIATED]  # higher level, higher up
    assert chart.steps[0].x1 == chart.left and chart.steps[-1].x2 == chart.right
    assert all(a.x2 == b.x1 for a, b in zip(chart.steps, chart.steps[1:], strict=False))
    assert len(chart.risers) == 3
    assert "Reversed" in chart.description


def test_level_chart_ignores_assessments_after_the_end():
    party = SimpleNamespace(pk=1, name="Iran")
    chart = charts.level_chart([change(1, Level.FULL, D(2024, 2, 5))], party, start=D(2024, 1, 16), end=D(2024, 1, 31))
    assert [step.level for step in chart.steps] == [Level.NOT_ASSESSED]


def test_partials_draw_the_charts_with_text_labels_and_no_inline_style():
    party = SimpleNamespace(pk=1, name="Iran")
    chart = charts.level_chart(
        [change(1, Level.MINIMAL, D(2024, 1, 20))], party, start=D(2024, 1, 16), end=D(2024, 1, 31)
    )
    html = render_to_string("measures/partials/level_chart.html", {"chart": chart})
    assert "<svg" in html and "Minimal (1)" in html and "Not yet assessed" in html
    assert ' style="' not in html
    badge = render_to_string("measures/partials/level.html", {"level": "full", "label": "Full (3)"})
    assert badge.strip() == '<span class="level level-full">Full (3)</span>'
