"""Due dates suggested from the date expressions of a passage, read by `dateparser` relative to the
day its source was published (or the day it reports), in the source's language.

dateparser finds and reads the expressions ("by 26 January 2024", "next week", "within a month",
"by the end of February", "le 26 janvier", "29 جنوری"); this module only turns what it read into a
due window with its precision:

- an expression that names a month but no day ("by the end of February") is due by the month's last day
  (month precision); "next week" is due over that week (Monday to Sunday, a range);
- a relative span ("within a month", "in two weeks") is due by the day it reaches (day precision);
- a range of days written with a dash ("on Jan. 26-27"), which dateparser does not read (its open
  issue #522), is read as the first day by dateparser and extended to the second number (a range).

Nothing of Django's ORM; `suggest_due_dates` takes a string and a date and returns suggestions.
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

DAY = "day"
RANGE = "range"
MONTH = "month"

# Two day numbers joined by a dash ("26-27", "26–27"): the only range form read here (see above).
_DAY_RANGE = re.compile(r"\b(\d{1,2})\s*[-–—]\s*(\d{1,2})\b")
# Matches of dateparser's search that are no date expression: a lone short word it took for a
# weekday or a month in some language ("to", "Die"), without a digit.
_MIN_WORDLESS_LENGTH = 4
SUPPORTED_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class DueSuggestion:
    """A due window read from `text` (the expression as it stands in the passage): `precision` is
    DAY (`start` == `end`), RANGE (`start` < `end`) or MONTH (`start`, `end`: the month's first and last day)."""

    text: str
    precision: str
    start: datetime.date
    end: datetime.date

    @property
    def deadline(self):
        return self.end


@functools.cache
def _parsers():
    # Imported on first use: dateparser loads its language data lazily, then caches it.
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    return search_dates, DateDataParser


def _settings(base):
    return {
        "RELATIVE_BASE": datetime.datetime.combine(base, datetime.time()),
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def _month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def suggest_due_dates(text, *, relative_to, language="en"):
    """[DueSuggestion] for the date expressions of `text` (str), read by dateparser relative to
    `relative_to` (a date: the source's date, or the day the passage speaks of) in `language` (an ISO
    639-1 code dateparser supports, default "en"): those due after `relative_to` first, in the order
    they occur, then the others (an announcement's own date). None found: [].
    Raises ValueError for a language code dateparser does not know."""
    if not text or not text.strip():
        return []
    search_dates, DateDataParser = _parsers()
    language = (language or "en").strip().lower()
    settings = _settings(relative_to)
    try:
        parser = DateDataParser(languages=[language], settings=settings)
        other = DateDataParser(languages=[language], settings=_settings(_half_a_year_away(relative_to)))
    except ValueError as exc:
        raise ValueError(f"“{language}” is not a language the date reader supports ({exc}).") from None
    found = []  # (position, end position, DueSuggestion)
    for match in _DAY_RANGE.finditer(text):
        suggestion = _day_range(text, match, parser)
        if suggestion is not None:
            found.append((text.find(suggestion.text), match.end(), suggestion))
    taken = [(start, end) for start, end, _ in found]
    position = 0
    for expression, when in search_dates(text, languages=[language], settings=settings) or []:
        where = text.find(expression, position)
        if where < 0:
            continue
        position = where + len(expression)
        if any(start <= where < end or where <= start < position for start, end in taken):
            continue
        if len(expression.strip()) < _MIN_WORDLESS_LENGTH and not any(c.isdigit() for c in expression):
            continue
        found.append((where, position, _window(expression, when.date(), parser, other)))
    found.sort(key=lambda item: item[0])
    suggestions = [suggestion for _, _, suggestion in found]
    return [s for s in suggestions if s.end > relative_to] + [s for s in suggestions if s.end <= relative_to]


def _half_a_year_away(day):
    """The same day of the month, six months on: a base in another month, for telling relative
    expressions ("a month") from absolute ones ("February")."""
    month = (day.month + 5) % 12 + 1
    return day.replace(year=day.year + (month < day.month), month=month, day=min(day.day, 28))


def _window(expression, day, parser, other):
    """The DueSuggestion of one expression dateparser read as `day`."""
    data = parser.get_date_data(expression)
    parts = set(data.parts or ())
    if data.period == "week":
        start = day - datetime.timedelta(days=day.weekday())
        return DueSuggestion(expression, RANGE, start, start + datetime.timedelta(days=6))
    if "month" in parts and "day" not in parts:
        elsewhere = other.get_date_data(expression).date_obj
        if elsewhere is not None and elsewhere.month == day.month:  # names a month, whatever the base
            return DueSuggestion(expression, MONTH, day.replace(day=1), _month_end(day))
    return DueSuggestion(expression, DAY, day, day)


def _day_range(text, match, parser):
    """A RANGE from two day numbers joined by a dash ("Jan. 26-27", "26–27 January"): dateparser reads
    the first day with the words before or after it, the second number ends the range."""
    first, last = match.group(1), int(match.group(2))
    before = text[max(0, match.start() - 16) : match.start()]
    after = text[match.end() : match.end() + 16]
    words_before = before.split()
    candidates = [
        (" ".join(words_before[-n:]) + " " + first, match.start() - len(" ".join(words_before[-n:])) - 1, match.end())
        for n in (2, 1)
        if len(words_before) >= n
    ]
    words_after = after.split()
    candidates += [
        (first + " " + " ".join(words_after[:n]), match.start(), match.end() + len(" ".join(words_after[:n])) + 1)
        for n in (2, 1)
        if len(words_after) >= n
    ]
    read = [(parser.get_date_data(candidate), start, end) for candidate, start, end in candidates]
    # A candidate naming the month ("Jan. 26", "26 January") before one that does not ("on 26").
    read.sort(key=lambda item: "month" not in (item[0].parts or ()))
    for data, start, end in read:
        when = data.date_obj
        if when is None or when.day != int(first) or last <= when.day:
            continue
        day = when.date()
        end_day = day.replace(day=min(last, calendar.monthrange(day.year, day.month)[1]))
        return DueSuggestion(text[max(start, 0) : end].strip().rstrip(".,;:"), RANGE, day, end_day)
    return None
