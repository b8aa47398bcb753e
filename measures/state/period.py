"""The reporting period: `since` and `as_of` both included; the baseline is the day before `since`."""

import datetime
from dataclasses import dataclass

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


def reporting_period(*, since, as_of):
    """The ReportingPeriod from `since` to `as_of` (dates); ValueError when `since` is after `as_of`."""
    return ReportingPeriod(since=since, as_of=as_of)
