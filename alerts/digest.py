"""What a weekly digest says about one case, from the state layer only.

For the week from `since` to `until` (both days included, a `ReportingPeriod`):
- what changed, per party: `case_state(as_of=until, since=since).changes`, as known at the week's end;
- new evidence by measure, with its passages: the evidence in the state as known on `until` that the
  state as known on the day before `since` did not hold (two states compared, nothing recounted);
- commitments due in the week and overdue: `commitment_calendar(as_of=until, since=since)`;
- the flags at the week's end (stale, contested), each marked new when the state at the day before
  `since` did not have it;
- links to the dashboard for exactly that period.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from measures.lib import dates
from measures.state import case_state, commitment_calendar, evidence_dating, reporting_period


@dataclass(frozen=True)
class NewPassage:
    evidence: object
    url: str

    @property
    def citation(self):
        return self.evidence.citation

    @property
    def date_text(self):
        dating = evidence_dating(self.citation)
        return str(dating) if dating else "undated"


@dataclass
class Digest:
    case: object
    since: object
    until: object
    state: object
    calendar: object
    changes_by_party: list = field(default_factory=list)  # [(party name, [Change])]
    new_evidence: list = field(default_factory=list)  # [(MeasureStatus, [NewPassage])]
    flags: list = field(default_factory=list)  # [(label, MeasureStatus, is new)]
    dashboard_url: str = ""
    report_url: str = ""
    query: str = ""

    @property
    def week_text(self):
        return dates.date_text(self.since, dates.DAY, self.until)

    @property
    def moved(self):
        return self.state.moved

    @property
    def commitments_due(self):
        return self.calendar.due_in_period

    @property
    def commitments_overdue(self):
        return [entry for entry in self.calendar.overdue if not entry.due_in_period]

    def measure_url(self, measure):
        return absolute(reverse("measures:measure_detail", args=[self.case.slug, measure.number])) + f"?{self.query}"


def absolute(path):
    return settings.SITE_URL + path


def build_digest(case, *, since, until):
    """The Digest of `case` for the week from `since` to `until` (dates, both included). ValueError when
    `since` is after `until`. A fixed number of queries whatever the size of the case."""
    period = reporting_period(since=since, as_of=until)
    state = case_state(case, as_of=until, since=since, known_on=until)
    known_before = case_state(case, as_of=until, known_on=period.baseline)
    at_baseline = case_state(case, as_of=period.baseline, known_on=period.baseline, details=False)
    calendar = commitment_calendar(case, as_of=until, since=since, known_on=until)
    query = urlencode({"since": since.isoformat(), "as_of": until.isoformat()})

    by_party = defaultdict(list)
    for change in state.changes:
        by_party[change.party.name].append(change)

    before = {row.measure.pk: {item.pk for item in row.evidence} for row in known_before.rows}
    new_evidence = []
    for row in state.rows:
        passages = [
            NewPassage(
                item,
                absolute(reverse("measures:source_detail", args=[case.slug, item.citation.source_id]))
                + f"?{query}#{item.citation.anchor}",
            )
            for item in row.evidence
            if item.pk not in before.get(row.measure.pk, set())
        ]
        if passages:
            new_evidence.append((row, passages))

    flagged_before = {
        "contested": {row.measure.pk for row in at_baseline.contested_rows},
        "stale": {row.measure.pk for row in at_baseline.stale_rows},
    }
    flags = [("contested", row, row.measure.pk not in flagged_before["contested"]) for row in state.contested_rows]
    flags += [("stale", row, row.measure.pk not in flagged_before["stale"]) for row in state.stale_rows]
    return Digest(
        case=case,
        since=since,
        until=until,
        state=state,
        calendar=calendar,
        changes_by_party=sorted(by_party.items()),
        new_evidence=new_evidence,
        flags=flags,
        dashboard_url=absolute(reverse("measures:dashboard", args=[case.slug])) + f"?{query}",
        report_url=absolute(reverse("measures:report", args=[case.slug])) + f"?{query}",
        query=query,
    )
