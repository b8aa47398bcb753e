"""Dates as precisely as they are known: the one way pages, exports and reports write them.

A date comes with its precision (the ACLED practice of coding how exact an event date is):
exact day, month only, year only, approximate (a best estimate of the day), or unknown; an event
may also last several days (an end date). `date_text()` writes all of them; templates use the
`date_text` properties of Event and Source, which call it.

It also holds the one rule of plausible dates (`date_problem`, `plausible_date`): every date a person
or a file gives (model fields, hence every admin form; the period of the reading pages; case files;
event imports) lies between 1900 and a year after today. A year that reads as a Buddhist-era year
(Thai sources date by it: 2568 is 2025) is named in the message with its Gregorian year.
"""

import calendar
import datetime
import functools

from django.core.exceptions import ValidationError
from django.utils import dateformat, formats, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language

DAY = "day"
MONTH = "month"
YEAR = "year"
APPROXIMATE = "approx"
UNKNOWN = "unknown"

UNDATED = "undated"


def date_format(value, format=None):
    """django.utils.formats.date_format, remembered for a date (a day: no time, so no time zone) by the
    format it resolves to and the active language, which are all its text depends on: a list of a
    hundred events or sources writes each date once rather than formatting it a character at a time
    each time (see docs/performance.md, "Figures behind the code")."""
    if type(value) is not datetime.date:
        return formats.date_format(value, format)
    return _formatted(value, get_format(format or "DATE_FORMAT"), get_language())


@functools.lru_cache(maxsize=4096)
def _formatted(value, pattern, language):
    return dateformat.format(value, pattern)


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


# Plausible dates ---------------------------------------------------------------------------------

EARLIEST_YEAR = 1900
# Nothing is assessed or reported ahead of time: a date more than a year ahead is a typing mistake
# (or a year of another era).
LATEST_DAYS_AHEAD = 366
# The Thai solar calendar counts years from the Buddha's death: Buddhist era = Gregorian + 543.
BUDDHIST_ERA_OFFSET = 543


def latest_plausible(today=None):
    """The last plausible date: a year (366 days) after `today` (default: today in the site's time zone)."""
    return (today or timezone.localdate()) + datetime.timedelta(days=LATEST_DAYS_AHEAD)


def date_problem(value, *, today=None, label="The date"):
    """Why `value` (a date, or None) is not a plausible date, in a sentence naming it by `label`; None
    when it is (or when there is no date). Plausible: from 1 January 1900 to a year after `today`.

    A date too far ahead whose year, less 543, is plausible is said to read as a Buddhist-era year,
    with the Gregorian date to enter instead (2568-07-28 is 2025-07-28)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    latest = latest_plausible(today)
    if value.year < EARLIEST_YEAR:
        return f"{label} cannot be before {EARLIEST_YEAR}; {value.isoformat()} was given."
    if value <= latest:
        return None
    message = f"{label} cannot be more than a year after today; {value.isoformat()} was given."
    gregorian = value.year - BUDDHIST_ERA_OFFSET
    if EARLIEST_YEAR <= gregorian <= latest.year:
        try:
            converted = value.replace(year=gregorian)
        except ValueError:  # 29 February of a year that is not leap once converted
            converted = None
        if converted is None or converted <= latest:
            instead = f"enter {converted.isoformat()}" if converted else f"enter the year {gregorian}"
            message += (
                f" The year {value.year} reads as a Buddhist-era year (as Thai dates are written): "
                f"in the Gregorian calendar it is {gregorian}, so {instead}."
            )
    return message


def plausible_date(value):
    """Model and form field validator: ValidationError (code "implausible_date") with `date_problem`'s
    message when `value` is not a plausible date."""
    message = date_problem(value)
    if message is not None:
        raise ValidationError(message, code="implausible_date")
