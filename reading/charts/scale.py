"""What the charts share: type sizes, level colours, date labels and ranges, a time scale with ticks."""

import calendar
import datetime
import math
from dataclasses import dataclass

from measures.lib import dates
from measures.models import Assessment, Event
from measures.state import LEVEL_ORDER

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


def date_label(date, precision=Event.Precision.DAY, end=None):
    """A date written as precisely as it is known: see `dates.date_text`, the one helper for this."""
    return dates.date_text(date, precision, end)


def shift(date, days):
    """`date` moved by `days` (an int, negative for earlier), held within date.min..date.max.

    Stored dates are bounded (measures.lib.dates), but a chart must still draw one kept from before
    the bounds, or the bounds themselves: date arithmetic near year 1 or 9999 would raise
    OverflowError and take the page down with it."""
    try:
        return date + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.min if days < 0 else datetime.date.max


def date_range(date, precision):
    """The span of days a date of the given precision may mean, as (first, last) dates, within
    date.min..date.max."""
    if precision == Event.Precision.MONTH:
        last = calendar.monthrange(date.year, date.month)[1]
        return date.replace(day=1), date.replace(day=last)
    if precision == Event.Precision.APPROXIMATE:
        return shift(date, -APPROXIMATE_DAYS), shift(date, APPROXIMATE_DAYS)
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
        else:  # centuries and more (a date kept from before the bounds): whole decades apart
            months = 120 * math.ceil(span / (30.44 * 120 * max_ticks))
        first = self.start.year * 12 + self.start.month - 1 + (self.start.day != 1)  # first 1st of a month
        first += -first % months
        last = self.end.year * 12 + self.end.month - 1  # the 1st of the end's month: never past year 9999
        dates = [datetime.date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1, months)]
        label = "%b %Y" if months < 12 else "%Y"
        return [Tick(self.x(d), d.strftime(label)) for d in dates]
