"""The reporting period: `since` and `as_of` both included; the baseline is the day before `since`.

Also the rules every page, export, report and the API share about it: its default (the whole crisis
for a closed case, the last seven days for an active one: `default_since`), the words that name it
(`ReportingPeriod.text`), and the one message for an as-of date before the case began
(`before_start_message`).
"""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format

from measures.lib import dates
from measures.models import Assessment, Event

Level = Assessment.Level
Precision = Event.Precision


# The period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportingPeriod:
    """The period a page, export or report covers: from `since` to `as_of`, **both days included**.

    - An event belongs to the period when its date lies in it. Events dated to the month or
      approximately are stored with the best estimate of their day (the case file's rule); that day
      decides, and pages mark such dates "c." or by month so that the reader sees the uncertainty.
    - "What changed" compares the state at `baseline` (the end of the day before `since`) with the
      state at `as_of`, so an assessment effective on `since` counts as a change of the period.
    """

    since: datetime.date
    as_of: datetime.date

    def __post_init__(self):
        if self.since > self.as_of:
            raise ValueError(f"the period cannot start ({self.since}) after its as-of date ({self.as_of})")

    @property
    def baseline(self):
        """The date whose state (at the end of the day) the period's changes are measured from."""
        return self.since - datetime.timedelta(days=1)

    @property
    def days(self):
        """The number of days covered, both ends included (a one-day period has 1)."""
        return (self.as_of - self.since).days + 1

    def contains(self, day):
        return day is not None and self.since <= day <= self.as_of

    @property
    def text(self):
        """The period in words, the one way every page, export and report names it: "23–29 Jan 2024"
        ("29 Jan 2024" for one day). Direction of travel, what changed and the change in progress
        are all "over" it: from the state at its baseline to the state on `as_of`."""
        return dates.date_text(self.since, dates.DAY, self.as_of if self.as_of > self.since else None)


def reporting_period(*, since, as_of):
    """The ReportingPeriod from `since` to `as_of` (dates); ValueError when `since` is after `as_of`."""
    return ReportingPeriod(since=since, as_of=as_of)


# Defaults and the date rule --------------------------------------------------------------------

RECENT_DAYS = 7
WHOLE_CRISIS = "whole_crisis"
RECENT = "recent"


@dataclass(frozen=True)
class PeriodDefault:
    """Where a period starts when no start is asked for: `since`, and which rule gave it (`kind`:
    WHOLE_CRISIS or RECENT), with the other rule's start (`other_since`, `other_kind`) so that a
    page can offer it."""

    since: datetime.date
    kind: str
    other_since: datetime.date
    other_kind: str

    LABELS = {WHOLE_CRISIS: "the whole crisis", RECENT: f"the last {RECENT_DAYS} days"}

    @property
    def label(self):
        return self.LABELS[self.kind]

    @property
    def other_label(self):
        return self.LABELS[self.other_kind]

    @property
    def rule_text(self):
        """Which rule gave `since`, in words: "the whole crisis, since the case is closed"."""
        reason = {WHOLE_CRISIS: "since the case is closed", RECENT: "since the case is active"}[self.kind]
        return f"{self.label}, {reason}"

    @property
    def whole_crisis_since(self):
        """Where the whole crisis starts (the case's start), or None without a case."""
        if self.kind == WHOLE_CRISIS:
            return self.since
        return self.other_since if self.other_kind == WHOLE_CRISIS else None


def default_since(case, as_of, *, recent_days=RECENT_DAYS):
    """PeriodDefault for a period ending on `as_of` (a date) of `case` (or None: no case).

    A closed case defaults to the whole crisis: from its start (a reader of a finished crisis needs
    the strikes that began it, not only its last week). An active case, or no case, defaults to the
    last `recent_days` days, both ends included, never starting before the case did.
    """
    recent = as_of - datetime.timedelta(days=max(recent_days - 1, 0))
    if case is None:
        return PeriodDefault(recent, RECENT, recent, RECENT)
    start = min(case.start_date, as_of)
    recent = max(recent, start) if case.start_date <= as_of else recent
    if case.is_closed:
        return PeriodDefault(start, WHOLE_CRISIS, recent, RECENT)
    return PeriodDefault(recent, RECENT, start, WHOLE_CRISIS)


def before_start_message(case, as_of):
    """The message for an as-of date before `case` began, or None when `as_of` is from its start on.

    One message for every page, export, report, command and the API: before its start a case has
    nothing to show, and a period "from its start to" an earlier date reads backwards."""
    if as_of is None or as_of >= case.start_date:
        return None
    return (
        f"The as-of date ({date_format(as_of)}) is before the case began ({date_format(case.start_date)}): "
        f"choose a date from {date_format(case.start_date)} on."
    )
