"""The events timeline: markers in lanes, crowded days grouped."""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format

from measures.lib.text import shorten
from measures.models import Assessment, Event
from reading.charts.scale import CHAR_WIDTH, DIRECTION_STYLE, FONT_SIZE, MAX_LABEL_CHARS, _Scale, date_range, shift
from reading.converters import url_maker

Level = Assessment.Level


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
    # Gives an event's page address: one per timeline, which reverses the address once per case.
    event_url: object = field(default=None, repr=False, compare=False)

    @property
    def url(self):
        return self.event_url(self.event) if self.event_url else self.event.get_absolute_url()

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
        title = shorten(self.event.title, MAX_LABEL_CHARS)
        cut = title != self.event.title
        return self.label[: len(self.label) - len(title)], title[:-1] if cut else title, cut

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


DUE_COLOURS = {"kept": "#1e7b34", "late": "#b26a00", "not_kept": "#a4161a", "withdrawn": "#5f6368"}


@dataclass
class DueMarker:
    """A commitment's due date on the timeline: a diamond at its deadline, a bar over a range of days."""

    entry: object  # state.CommitmentStatus
    x: float
    x1: float
    colour: str
    axis_y: float = 0

    @property
    def title(self):
        commitment = self.entry.commitment
        return f"Due {commitment.due_label}: {commitment.what} ({self.entry.status_label})"

    @property
    def points(self):
        y = self.axis_y
        return f"{self.x},{y - 6} {self.x + 5},{y} {self.x},{y + 6} {self.x - 5},{y}"

    @property
    def filled(self):
        return self.entry.judged


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
    due_markers: list = None
    # Events dated before the case began are drawn before a line marking its start (case_start_x).
    case_start: datetime.date | None = None
    case_start_x: float | None = None
    before_start: int = 0

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
        before = ""
        if self.before_start:
            before = (
                f" {self.before_start} {'is' if self.before_start == 1 else 'are'} dated before the case began "
                f"on {date_format(self.case_start)}, left of the line marking its start."
            )
        return (
            f"{sum(m.count for m in self.markers)} events from {date_format(self.start)} to {date_format(self.end)}: "
            f"{self.escalatory_count} escalatory (above the line), {self.deescalatory_count} de-escalatory "
            "(below the line)." + before + grouped
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


def events_timeline(
    events, *, start, end, width=1200, max_lanes=10, lane_height=20, max_markers=90, commitments=(), case_start=None
):
    """Geometry of the events timeline: escalatory events above the axis, the others below.

    `case_start` (the case's start date): events dated before it are drawn before a line marking
    it, the axis starting at the earliest of them, and the description counts them, so that an
    event before the crisis is shown as such rather than on the chart's left edge.

    Events need their case loaded (fetch them through `case.events` or with `select_related("case")`)
    since each marker links to its event page. Labels are stacked in lanes so they do not overlap;
    when more than `max_lanes` would be needed on a side, the extra events keep their marker and
    tooltip but lose their label (`hidden_labels` counts them). More than `max_markers` events are
    grouped (group_crowded): one marker per direction and stretch of days, labelled with its count.
    `commitments` (state.CommitmentStatus entries) are marked at their due dates within the chart's span.
    """
    events = list(events)
    urls = {}  # per case: its event page's address, reversed once

    def event_url(event):
        if event.case_id not in urls:
            urls[event.case_id] = url_maker("measures:event_detail", event.case.slug)
        return urls[event.case_id](event.pk)

    before_start = [event for event in events if case_start is not None and event.date < case_start]
    if before_start:
        start = min(start, min(event.date for event in before_start))
    grouped = group_crowded(events, start=start, end=end, max_markers=max_markers)
    counts = {id(event): count for event, count in grouped}
    # Latest first: labels run rightwards, so earlier events stack outwards and stems never cross labels.
    events = sorted((event for event, _ in grouped), key=lambda e: (e.date, e.pk or 0), reverse=True)
    left, right = 24, width - 24
    pad = max(1, round(max((end - start).days, 1) * 0.03))
    scale = _Scale(shift(start, -pad), shift(max(start, end), pad), left, right)
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
        label = prefix + shorten(event.title, MAX_LABEL_CHARS) if count == 1 else f"{count} events"
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
                event_url=event_url,
            )
        )
    markers.reverse()
    above = max((lane + 1 for lane, _, _ in placed[-1]), default=1)
    below = max((lane + 1 for lane, _, _ in placed[1]), default=1)
    axis_y = 22 + above * lane_height + 8
    tick_label_y = axis_y + 15
    height = axis_y + 36 + (below - 1) * lane_height + 30
    due_markers = []
    for entry in commitments:
        window = entry.commitment.window()
        if window is None or window[1] < start or window[0] > max(start, end):
            continue
        due_markers.append(
            DueMarker(entry, scale.x(window[1]), scale.x(window[0]), DUE_COLOURS.get(entry.status, "#6f42c1"), axis_y)
        )
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
        due_markers=due_markers,
        case_start=case_start,
        case_start_x=scale.x(case_start) if before_start else None,
        before_start=len(before_start),
    )
