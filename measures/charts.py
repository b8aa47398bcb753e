"""Chart geometry: pure functions from data to coordinates. Templates only draw what these return.

The charts are SVG drawn by `templates/measures/partials/events_timeline.html` and `level_chart.html`,
so they work without JavaScript, print, and go into the PDF unchanged. Colours are never the only
carrier of meaning: shapes, dash patterns and text labels say the same thing in greyscale.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format

from . import dates
from .models import Assessment, Event
from .queries import LEVEL_ORDER, progress_series

Level = Assessment.Level

FONT_SIZE = 11
CHAR_WIDTH = 6.1  # average advance of an 11px sans-serif character, to keep labels from colliding
MAX_LABEL_CHARS = 30
APPROXIMATE_DAYS = 3  # an "approximate" date is drawn as this many days either side

# Presentation attributes rather than CSS classes, so the charts look the same on screen, on paper
# and in the PDF whatever stylesheet the page has. Dark enough to stay apart in greyscale.
DIRECTION_STYLE = {
    Event.Direction.ESCALATORY: {"colour": "#a4161a", "shape": "triangle-up", "label": "Escalatory"},
    Event.Direction.DEESCALATORY: {"colour": "#1d5c96", "shape": "circle", "label": "De-escalatory"},
    Event.Direction.NEUTRAL: {"colour": "#5f6368", "shape": "square", "label": "Neutral"},
}
LEVEL_COLOURS = {
    Level.FULL: "#1e6b34",
    Level.INTERMEDIATE: "#4d8b31",
    Level.MINIMAL: "#a86b00",
    Level.NOT_INITIATED: "#8a4b08",
    Level.REVERSED: "#a4161a",
    Level.NOT_APPLICABLE: "#5f6368",
    Level.NOT_ASSESSED: "#80868b",
}
# Rows of the step chart, top to bottom: the order of levels everywhere else.
LEVEL_ROWS = LEVEL_ORDER


def shorten(text, limit=MAX_LABEL_CHARS):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def date_label(date, precision=Event.Precision.DAY, end=None):
    """A date written as precisely as it is known: see `dates.date_text`, the one helper for this."""
    return dates.date_text(date, precision, end)


def date_range(date, precision):
    """The span of days a date of the given precision may mean."""
    if precision == Event.Precision.MONTH:
        last = calendar.monthrange(date.year, date.month)[1]
        return date.replace(day=1), date.replace(day=last)
    if precision == Event.Precision.APPROXIMATE:
        delta = datetime.timedelta(days=APPROXIMATE_DAYS)
        return date - delta, date + delta
    return date, date


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


class _Scale:
    """Maps dates in [start, end] linearly onto [left, right]."""

    def __init__(self, start, end, left, right):
        end = max(start, end)  # an as-of date before the case began shows its first day
        self.start, self.end, self.left, self.right = start, end, left, right
        self.days = max((end - start).days, 1)

    def x(self, date):
        date = min(max(date, self.start), self.end)
        return round(self.left + (self.right - self.left) * (date - self.start).days / self.days, 1)

    def ticks(self, max_ticks=8, origin=None):
        """Dates to label on the axis: days, weeks (from `origin`), months or years depending on the span."""
        span = self.days
        origin = origin or self.start
        for step in (1, 2, 7, 14):
            if span / step <= max_ticks:
                dates = [origin + datetime.timedelta(days=i) for i in range(0, (self.end - origin).days + 1, step)]
                return [Tick(self.x(d), f"{d.day} {d:%b}") for d in dates]
        for months in (1, 2, 3, 6, 12, 24, 60, 120):
            if span / (30.44 * months) <= max_ticks:
                break
        index = self.start.year * 12 + self.start.month - 1 + (self.start.day != 1)  # first 1st of a month
        dates = []
        while (current := datetime.date(index // 12, index % 12 + 1, 1)) <= self.end:
            if index % months == 0:
                dates.append(current)
            index += 1
        label = "%b %Y" if months < 12 else "%Y"
        return [Tick(self.x(d), d.strftime(label)) for d in dates]


@dataclass
class EventMarker:
    event: Event
    x: float
    side: int  # -1 above the axis (escalatory), +1 below (de-escalatory and neutral)
    lane: int | None  # None: no room for a label
    label: str
    date_text: str
    colour: str
    shape: str
    approximate: bool
    month_only: bool
    range_x1: float
    range_x2: float
    stem_y: float = 0
    label_y: float = 0
    label_x: float = 0
    anchor: str = "start"
    direction_label: str = ""
    axis_y: float = 0
    range_y: float = 0
    count: int = 1  # more than one: the marker stands for a group of events (a crowded timeline)

    @property
    def summary(self):
        """The marker's tooltip text after its date: the event's title, or what its group holds."""
        if self.count == 1:
            return self.event.title
        return f"{self.count} {self.direction_label.lower()} events, the latest “{self.event.title}”"

    @property
    def label_parts(self):
        """(prefix, title, cut): the label's date prefix, its title without the ellipsis that shortening
        added, and whether it was shortened. The template isolates the title (a right-to-left title keeps
        its ellipsis at its own end) and draws the ellipsis in the Latin font, not the title's script's.
        A group's label ("12 events") is all title."""
        if self.count > 1:
            return "", self.label, False
        title = shorten(self.event.title)
        cut = title != self.event.title
        return self.label[: len(self.label) - len(title)], title[:-1] if cut else title, cut

    @property
    def url(self):
        return self.event.get_absolute_url()

    @property
    def square_x(self):
        return self.x - 4

    @property
    def square_y(self):
        return self.axis_y - 4

    @property
    def needs_shaping(self):
        """Whether the title is in a script that needs shaping or right-to-left layout (Hebrew, Arabic,
        Indic, South-East Asian…), which WeasyPrint's SVG text cannot do: it lays text out letter by
        letter (weasyprint/svg/text.py), so the PDF draws such a label in HTML over the chart."""
        return any(
            0x0590 <= ord(c) <= 0x1CFF or 0xA800 <= ord(c) <= 0xABFF or 0xFB1D <= ord(c) <= 0xFEFF
            for c in self.event.title
        )

    @property
    def marker_points(self):
        """The polygon of a triangle marker, centred on the axis."""
        return f"{self.x - 6},{self.axis_y + 5} {self.x + 6},{self.axis_y + 5} {self.x},{self.axis_y - 6}"


@dataclass
class Timeline:
    width: int
    height: int
    axis_y: float
    left: float
    right: float
    start: datetime.date
    end: datetime.date
    ticks: list
    markers: list
    tick_label_y: float = 0

    @property
    def overlay_labels(self):
        """For the PDF, the labels that `EventMarker.needs_shaping`: (marker, side, horizontal %, top %),
        where side is "left" or "right" (the edge the label is anchored to) and the percentages place the
        label's box in the chart, so that it scales with it."""
        result = []
        for marker in self.markers:
            if marker.lane is None or not marker.needs_shaping:
                continue
            top = round((marker.label_y - 9) / self.height * 100, 3)  # baseline to the top of 11-unit text
            if marker.anchor == "end":
                result.append((marker, "right", round((self.width - marker.label_x) / self.width * 100, 3), top))
            else:
                result.append((marker, "left", round(marker.label_x / self.width * 100, 3), top))
        return result

    @property
    def unlabelled(self):
        """The markers that got no label for lack of room: the template lists them under the chart."""
        return [marker for marker in self.markers if marker.lane is None]

    @property
    def hidden_labels(self):
        return len(self.unlabelled)

    @property
    def legend_bottom_y(self):
        return self.height - 8

    @property
    def escalatory_count(self):
        return sum(m.count for m in self.markers if m.event.direction == Event.Direction.ESCALATORY)

    @property
    def deescalatory_count(self):
        return sum(m.count for m in self.markers if m.event.direction == Event.Direction.DEESCALATORY)

    @property
    def grouped(self):
        return any(m.count > 1 for m in self.markers)

    @property
    def description(self):
        grouped = " Where events crowd, one marker stands for several." if self.grouped else ""
        return (
            f"{sum(m.count for m in self.markers)} events from {date_format(self.start)} to {date_format(self.end)}: "
            f"{self.escalatory_count} escalatory (above the line), {self.deescalatory_count} de-escalatory "
            "(below the line)." + grouped
        )


def _fits(placed, lane, x, extent, gap=6):
    """Whether a label spanning `extent` in `lane`, with its stem at `x`, touches nothing placed.

    A stem runs from the axis to its label's lane, so a label must not cover the stem of an event
    labelled further out, and this event's stem must not cross a label nearer the axis.
    """
    for other_lane, other_x, (low, high) in placed:
        if other_lane == lane and extent[0] < high + gap and low < extent[1] + gap:
            return False
        if other_lane > lane and extent[0] - 2 < other_x < extent[1] + 2:
            return False
        if other_lane < lane and low - 2 < x < high + 2:
            return False
    return True


def group_crowded(events, *, start, end, max_markers):
    """[(latest event, number of events)]: each event alone, or, when there are more than
    `max_markers`, the events of one direction within the same stretch of days as one group, the
    stretches being as long as needed for at most `max_markers` groups per direction."""
    if len(events) <= max_markers:
        return [(event, 1) for event in events]
    span = max((max(start, end) - start).days, 1)
    days = -(-span * len(Event.Direction.values) // max_markers)  # ceiling division
    groups = {}
    for event in events:
        key = (event.direction, (event.date - start).days // max(days, 1))
        latest, count = groups.get(key, (None, 0))
        if latest is None or (event.date, event.pk or 0) > (latest.date, latest.pk or 0):
            latest = event
        groups[key] = (latest, count + 1)
    return list(groups.values())


def events_timeline(events, *, start, end, width=1200, max_lanes=10, lane_height=20, max_markers=90):
    """Geometry of the events timeline: escalatory events above the axis, the others below.

    Events need their case loaded (fetch them through `case.events` or with `select_related("case")`)
    since each marker links to its event page. Labels are stacked in lanes so they do not overlap;
    when more than `max_lanes` would be needed on a side, the extra events keep their marker and
    tooltip but lose their label (`hidden_labels` counts them). More than `max_markers` events are
    grouped (group_crowded): one marker per direction and stretch of days, labelled with its count.
    """
    grouped = group_crowded(list(events), start=start, end=end, max_markers=max_markers)
    counts = {id(event): count for event, count in grouped}
    # Latest first: labels run rightwards, so earlier events stack outwards and stems never cross labels.
    events = sorted((event for event, _ in grouped), key=lambda e: (e.date, e.pk or 0), reverse=True)
    left, right = 24, width - 24
    pad = datetime.timedelta(days=max(1, round(max((end - start).days, 1) * 0.03)))
    scale = _Scale(start - pad, max(start, end) + pad, left, right)
    placed = {-1: [], 1: []}  # per side: (lane, x, label extent) of the labels placed so far
    markers = []
    for event in events:
        style = DIRECTION_STYLE.get(event.direction, DIRECTION_STYLE[Event.Direction.NEUTRAL])
        side = -1 if event.direction == Event.Direction.ESCALATORY else 1
        x = scale.x(event.date)
        low, high = date_range(event.date, event.date_precision)
        if event.end_date is not None:
            high = max(high, event.end_date)
        count = counts[id(event)]
        prefix = "c. " if event.date_precision != Event.Precision.DAY else ""
        label = prefix + shorten(event.title) if count == 1 else f"{count} events"
        label_width = len(label) * CHAR_WIDTH + 6
        # A label runs rightwards from its stem, leftwards near the right edge.
        anchor, label_x, extent = "start", x + 4, (x + 4, x + 4 + label_width)
        if extent[1] > width - 2:
            anchor, label_x, extent = "end", x - 4, (x - 4 - label_width, x - 4)
        lane = next((n for n in range(max_lanes) if _fits(placed[side], n, x, extent)), None)
        if lane is not None:
            placed[side].append((lane, x, extent))
        markers.append(
            EventMarker(
                event=event,
                x=x,
                side=side,
                lane=lane,
                label=label,
                date_text=event.date_text,
                colour=style["colour"],
                shape=style["shape"],
                approximate=event.date_precision != Event.Precision.DAY,
                range_x1=scale.x(low),
                range_x2=scale.x(high),
                month_only=event.date_precision == Event.Precision.MONTH or event.end_date is not None,
                label_x=label_x,
                anchor=anchor,
                direction_label=style["label"],
                count=count,
            )
        )
    markers.reverse()
    above = max((lane + 1 for lane, _, _ in placed[-1]), default=1)
    below = max((lane + 1 for lane, _, _ in placed[1]), default=1)
    axis_y = 22 + above * lane_height + 8
    tick_label_y = axis_y + 15
    height = axis_y + 36 + (below - 1) * lane_height + 30
    for marker in markers:
        marker.axis_y = axis_y
        lane = marker.lane if marker.lane is not None else 0
        if marker.side < 0:
            marker.label_y = axis_y - 14 - lane * lane_height
            marker.stem_y = marker.label_y + 3
        else:
            marker.label_y = axis_y + 36 + lane * lane_height
            marker.stem_y = marker.label_y - FONT_SIZE + 1
        if marker.lane is None:
            marker.stem_y = axis_y + marker.side * 10
        marker.range_y = axis_y + marker.side * 9
    return Timeline(
        width=width,
        height=height,
        axis_y=axis_y,
        tick_label_y=tick_label_y,
        left=left,
        right=right,
        start=start,
        end=max(start, end),
        ticks=scale.ticks(max_ticks=10, origin=start),
        markers=markers,
    )


@dataclass(frozen=True)
class Step:
    level: str
    label: str
    colour: str
    x1: float
    x2: float
    y: float
    start: datetime.date
    assessment: Assessment | None


@dataclass(frozen=True)
class Riser:
    x: float
    y1: float
    y2: float


@dataclass(frozen=True)
class Row:
    level: str
    label: str
    y: float
    scored: bool


@dataclass
class LevelChart:
    party: object
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    rows: list
    steps: list
    risers: list
    ticks: list
    start: datetime.date
    end: datetime.date

    @property
    def current(self):
        return self.steps[-1]

    @property
    def description(self):
        parts = [f"{date_format(step.start)}: {step.label}" for step in self.steps]
        return f"Level of {self.party} over time. " + "; ".join(parts) + "."


def level_chart(history, party, *, start, end, width=560, row_height=18):
    """Geometry of the step chart of one party's level of one measure from `start` to `end`.

    `history` is what `queries.assessment_history(case, as_of=end, measure=…)` returns (oldest first,
    corrections after what they correct); entries of other parties and superseded ones are ignored. Before the first
    assessment the level is "not yet assessed"; of several assessments effective the same day, the
    last recorded one holds, as in the queries.
    """
    left, right = 118, width - 12
    top = 10
    rows = [
        Row(level, Level(level).label, top + i * row_height + row_height / 2, level in Assessment.SCORES)
        for i, level in enumerate(LEVEL_ROWS)
    ]
    row_y = {row.level: row.y for row in rows}
    bottom = top + len(rows) * row_height
    scale = _Scale(start, end, left, right)

    points = [(scale.start, Level.NOT_ASSESSED, None)]
    for change in history:
        assessment = change.assessment
        if getattr(change, "superseded_by", None) is not None:
            continue  # withdrawn by its correction: never the level in force
        if assessment.party_id != party.pk or assessment.effective_date > scale.end:
            continue
        when = max(assessment.effective_date, scale.start)
        if points and points[-1][0] == when:
            points.pop()
        points.append((when, assessment.level, assessment))

    steps, risers = [], []
    for i, (when, level, assessment) in enumerate(points):
        until = points[i + 1][0] if i + 1 < len(points) else scale.end
        step = Step(
            level=level,
            label=Level(level).label,
            colour=LEVEL_COLOURS[level],
            x1=scale.x(when),
            x2=scale.x(until),
            y=row_y[level],
            start=when,
            assessment=assessment,
        )
        if steps and steps[-1].y != step.y:
            risers.append(Riser(x=step.x1, y1=steps[-1].y, y2=step.y))
        steps.append(step)
    return LevelChart(
        party=party,
        width=width,
        height=int(bottom + 26),
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        rows=rows,
        steps=steps,
        risers=risers,
        ticks=scale.ticks(max_ticks=6),
        start=scale.start,
        end=scale.end,
    )


def level_charts(history, parties, *, start, end, width=560):
    """One step chart per party, in the order of `parties`."""
    return [level_chart(history, party, start=start, end=end, width=width) for party in parties]


# Progress over time ----------------------------------------------------------------------------

# Lines by party position; the joint line is black and thicker. Each party line has its own dash
# pattern too, so the lines stay apart on a grey printout.
PARTY_LINE_COLOURS = ["#1a73e8", "#c5221f", "#188038", "#9334e6", "#e8710a"]
PARTY_DASHES = ["6 3", "2 3", "8 3 2 3", "1 2", "10 4"]


@dataclass(frozen=True)
class ProgressLine:
    name: str
    colour: str
    dash: str  # SVG stroke-dasharray, "" for a solid line
    width: float
    path: str  # SVG path data: steps, broken where nothing is scored
    last: object  # queries.Progress at the last point
    dots: list = field(default_factory=list)  # [(x, y)] of each point where the value changed


@dataclass(frozen=True)
class ProgressChart:
    """Geometry of the progress-over-time chart, in SVG user units. `lines` joint first, then one per
    party; `gridlines` [(y, label)] at 0, 25, 50, 75, 100 %; `ticks` [Tick] on the date axis; `points`
    the series itself (for the table under the chart); `description` the chart in one sentence."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list
    gridlines: list
    ticks: list
    points: list
    description: str


def progress_chart(series, *, width=720, height=190):
    """The progress-over-time chart (SVG drawn by the template, so it prints and goes into the PDF) of
    `queries.progress_series()`: one step line for the joint progress and one per party, 0–100 %, from
    the series' first day to its last. None for an empty series."""
    if not series:
        return None
    left, right, top, bottom = 44, width - 12, 10, height - 26
    scale = _Scale(series[0].date, series[-1].date, left, right)
    last_day = series[-1].date

    def y(value):
        return round(bottom - (bottom - top) * value, 1)

    def draw(values):
        """A step line: flat until the next point, a riser where it changes, a gap where nothing is scored."""
        parts, dots, drawing, previous = [], [], False, None
        for i, (day, value) in enumerate(values):
            if value is None:
                drawing, previous = False, None
                continue
            until = values[i + 1][0] if i + 1 < len(values) else last_day
            level = y(value)
            parts.append(f"{'L' if drawing else 'M'}{scale.x(day)} {level}")
            parts.append(f"L{scale.x(until)} {level}")
            if value != previous:
                dots.append((scale.x(day), level))
            drawing, previous = True, value
        return " ".join(parts), dots

    path, dots = draw([(p.date, p.joint.value) for p in series])
    lines = [ProgressLine("Joint", "#202124", "", 3, path, series[-1].joint, dots)]
    for i, (party, _) in enumerate(series[0].parties):
        path, dots = draw([(p.date, p.parties[i][1].value) for p in series])
        lines.append(
            ProgressLine(
                party.name,
                PARTY_LINE_COLOURS[i % len(PARTY_LINE_COLOURS)],
                PARTY_DASHES[i % len(PARTY_DASHES)],
                1.75,
                path,
                series[-1].parties[i][1],
                dots,
            )
        )
    first, last = series[0], series[-1]

    def percent(progress):
        return "not scored" if progress.percent is None else f"{progress.percent}%"

    description = (
        f"Progress from {date_label(first.date)} to {date_label(last.date)}: joint {percent(first.joint)} "
        f"to {percent(last.joint)}"
        + "".join(
            f"; {party.name} {percent(first.parties[i][1])} to {percent(progress)}"
            for i, (party, progress) in enumerate(last.parties)
        )
        + "."
    )
    return ProgressChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        lines=lines,
        gridlines=[(y(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100)],
        ticks=scale.ticks(max_ticks=8),
        points=series,
        description=description,
    )


def case_progress_chart(state):
    """The progress-over-time chart of a case state: from the case's start to its as-of date (None
    before the case began), as known on the state's `known_on`, reusing its parties and measures: one
    query more."""
    case, as_of = state.case, state.as_of
    if as_of < case.start_date:
        return None
    series = progress_series(
        case,
        start=case.start_date,
        end=as_of,
        known_on=state.known_on,
        parties=state.parties,
        measures=[row.measure for row in state.rows],
    )
    return progress_chart(series)
