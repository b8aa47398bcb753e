"""Dates as precisely as they are known: the one way pages, exports and reports write them.

A date comes with its precision (the ACLED practice of coding how exact an event date is):
exact day, month only, year only, approximate (a best estimate of the day), or unknown; an event
may also last several days (an end date). `date_text()` writes all of them; templates use the
`date_text` properties of Event and Source, which call it.
"""

import calendar
import datetime

from django.utils.formats import date_format, get_format

DAY = "day"
MONTH = "month"
YEAR = "year"
APPROXIMATE = "approx"
UNKNOWN = "unknown"

UNDATED = "undated"


def _day(date):
    return date_format(date)  # the site locale's format (SITE_LOCALE), as every date


def _day_first():
    return get_format("DATE_FORMAT").lstrip()[:1] in ("j", "d")


def _day_range(start, end):
    if start.year != end.year or not _day_first() and start.month != end.month:
        return f"{_day(start)} – {_day(end)}"
    if not _day_first():  # "Jan 26–27, 2024"
        return f"{date_format(start, 'M j')}–{end.day}, {end.year}"
    if start.month != end.month:
        return f"{date_format(start, 'j M')} – {_day(end)}"
    return f"{start.day}–{_day(end)}"


def date_text(date, precision=DAY, end=None):
    """A date written as it is known: "17 Jan 2024", "26–27 Jan 2024", "31 Jan – 2 Feb 2024",
    "c. 17 Jan 2024", "June 2024", "January–February 2024", "2024", or "undated".

    `date` is a datetime.date or None (written "undated", as is the precision UNKNOWN); `end` is the
    last day of a span (None, or equal to `date`, for one day). Month and year precision write only
    the month or year of `date` (and of `end`). Raises nothing; an unknown precision counts as DAY.
    """
    if date is None or precision == UNKNOWN:
        return UNDATED
    if end is not None and end <= date:
        end = None
    if precision == YEAR:
        return f"{date.year}–{end.year}" if end is not None and end.year != date.year else str(date.year)
    if precision == MONTH:
        if end is None or (end.year, end.month) == (date.year, date.month):
            return date_format(date, "YEAR_MONTH_FORMAT")
        if end.year == date.year:
            return f"{date_format(date, 'F')}–{date_format(end, 'YEAR_MONTH_FORMAT')}"
        return f"{date_format(date, 'YEAR_MONTH_FORMAT')} – {date_format(end, 'YEAR_MONTH_FORMAT')}"
    text = _day(date) if end is None else _day_range(date, end)
    return f"c. {text}" if precision == APPROXIMATE else text


def period_bounds(date, precision):
    """(first, last) day that a date of this precision may mean: the whole month for MONTH, the whole
    year for YEAR, the day itself otherwise. None for no date."""
    if date is None or precision == UNKNOWN:
        return None
    if precision == MONTH:
        return date.replace(day=1), date.replace(day=calendar.monthrange(date.year, date.month)[1])
    if precision == YEAR:
        return datetime.date(date.year, 1, 1), datetime.date(date.year, 12, 31)
    return date, date


def last_possible_day(date, precision):
    """The last day a date of this precision may mean (the month's or year's last day): where a source
    dated only by month or year is placed, so that its evidence never counts before it could exist."""
    bounds = period_bounds(date, precision)
    return None if bounds is None else bounds[1]
