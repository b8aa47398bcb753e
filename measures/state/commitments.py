"""The commitments of a case on a date: where each stands (upcoming, due, overdue and not judged,
kept, late, not kept, withdrawn), which fall due in the period, counted per party and in a sentence.

The outcome in force of a commitment on `as_of`, as known on `known_on`, is the latest judgement
recorded by `known_on` (and counting: the review hook of `CommitmentOutcomeQuerySet.counting`), not
corrected by one recorded by then, whose outcome holds by `as_of` (`CommitmentOutcome.effective_on`):
"kept on 27 January" is not yet kept as of 26 January, as an assessment is not in force before its date.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from measures.lib import dates
from measures.models import Citation, Commitment, CommitmentOutcome
from measures.models.commitments import due_window, outcome_effective_on

Outcome = CommitmentOutcome.Outcome

UPCOMING = "upcoming"
DUE = "due"
OVERDUE = "overdue"
UNDATED = "undated"
STATUS_LABELS = {
    UPCOMING: "Upcoming",
    DUE: "Due, not judged",
    OVERDUE: "Overdue, not judged",
    UNDATED: "No date stated, not judged",
    Outcome.KEPT: "Kept",
    Outcome.LATE: "Kept late",
    Outcome.NOT_KEPT: "Not kept",
    Outcome.WITHDRAWN: "Withdrawn",
}
STATUS_ORDER = [OVERDUE, DUE, UPCOMING, UNDATED, Outcome.KEPT, Outcome.LATE, Outcome.NOT_KEPT, Outcome.WITHDRAWN]


@dataclass
class CommitmentStatus:
    """One commitment on `as_of`: its outcome in force (CommitmentOutcome or None) and its status."""

    commitment: Commitment
    outcome: CommitmentOutcome | None
    status: str
    due_in_period: bool = False

    @property
    def status_label(self):
        label = STATUS_LABELS[self.status]
        if self.status == Outcome.LATE and self.days_late:
            return f"{label}, by {self.days_late} day{'s' if self.days_late != 1 else ''}"
        return label

    @property
    def days_late(self):
        return self.outcome.days_late if self.outcome is not None else 0

    @property
    def judged(self):
        return self.outcome is not None

    @property
    def deadline(self):
        return self.commitment.deadline

    @property
    def occurred_text(self):
        if self.outcome is None or self.outcome.occurred_on is None:
            return ""
        return dates.date_text(self.outcome.occurred_on)


@dataclass
class CommitmentCalendar:
    """The commitments of a case on `as_of` (as known on `known_on`), with the period's when given."""

    as_of: datetime.date
    since: datetime.date | None
    entries: list = field(default_factory=list)
    parties: list = field(default_factory=list)

    def with_status(self, *statuses):
        return [entry for entry in self.entries if entry.status in statuses]

    @property
    def due_in_period(self):
        return [entry for entry in self.entries if entry.due_in_period]

    @property
    def overdue(self):
        return self.with_status(OVERDUE)

    @property
    def judged(self):
        return [entry for entry in self.entries if entry.judged]

    @property
    def per_party(self):
        """[(party, {status: count})] for the parties that undertook any of them, in name order."""
        counts = defaultdict(lambda: defaultdict(int))
        for entry in self.entries:
            for party in entry.commitment.parties.all():
                counts[party.pk][entry.status] += 1
        return [(party, dict(counts[party.pk])) for party in self.parties if party.pk in counts]

    @property
    def per_party_rows(self):
        """[(party, [(status label, count) per status in STATUS_ORDER])] for a table (the label names each
        cell where a narrow screen shows a party's counts as a card)."""
        return [
            (party, [(STATUS_LABELS[status], counts.get(status, 0)) for status in STATUS_ORDER])
            for party, counts in self.per_party
        ]

    @property
    def status_headings(self):
        return [STATUS_LABELS[status] for status in STATUS_ORDER]

    @property
    def sentence(self):
        """ "3 of 4 commitments due kept, 1 late by a day; 1 overdue and not judged." — the key judgement,
        over the commitments due by `as_of` (those with no stated date are counted apart)."""
        due = [
            entry
            for entry in self.entries
            if entry.deadline is not None and entry.deadline < self.as_of or entry.judged
        ]
        if not self.entries:
            return "No commitment on record."
        if not due:
            return f"{_count(len(self.entries), 'commitment')} on record, none due by {dates.date_text(self.as_of)}."
        kept = [e for e in due if e.status in (Outcome.KEPT, Outcome.LATE)]
        late = [e for e in due if e.status == Outcome.LATE]
        parts = [f"{len(kept)} of {_count(len(due), 'commitment')} due kept"]
        if late:
            worst = max(e.days_late for e in late)
            by = "a day" if worst == 1 else f"up to {worst} days"
            parts[0] += f", {len(late)} late by {by}"
        for status, words in (
            (Outcome.NOT_KEPT, "not kept"),
            (Outcome.WITHDRAWN, "withdrawn"),
            (OVERDUE, "overdue and not judged"),
        ):
            n = len([e for e in due if e.status == status])
            if n:
                parts.append(f"{n} {words}")
        rest = len(self.entries) - len(due)
        if rest:
            parts.append(f"{rest} still to come or with no date stated")
        return "; ".join(parts) + "."


def _count(n, word):
    return f"{n} {word}{'s' if n != 1 else ''}"


def _status(commitment, outcome, as_of):
    if outcome is not None:
        return outcome.outcome
    window = commitment.window()
    if window is None:
        return UNDATED
    start, end = window
    if as_of > end:
        return OVERDUE
    if as_of >= start:
        return DUE
    return UPCOMING


def _commitments(case, as_of, known_on, measure=None):
    """The commitments of `case` that the calendar lists on `as_of`, as known on `known_on` (a queryset)."""
    commitments = Commitment.objects.filter(case=case, announced_on__lte=as_of).known_on(known_on)
    return commitments if measure is None else commitments.filter(measure=measure)


def _judgements(commitments, known_on):
    """The judgements of `commitments` (ids or a queryset) that count, as known on `known_on`, oldest
    recorded first (a queryset)."""
    return (
        CommitmentOutcome.objects.filter(commitment__in=commitments)
        .counting()
        .known_on(known_on)
        .not_superseded(known_on)
        .order_by("recorded_at", "pk")
    )


def _in_force(judgements, as_of, effective_on):
    """{commitment id: the judgement in force on `as_of`} from `judgements` in recording order (objects
    or values rows) with `effective_on(judgement)` (a date): the later recorded wins among those in
    force by `as_of` (the module docstring's rule)."""
    in_force = {}
    for judgement in judgements:
        if effective_on(judgement) <= as_of:
            commitment_id = judgement["commitment_id"] if isinstance(judgement, dict) else judgement.commitment_id
            in_force[commitment_id] = judgement
    return in_force


def _calendar_order(window, pk):
    """The calendar's order: by the first day due, no stated date last, then as recorded."""
    return (window is None, (window or (datetime.date.max,))[0], pk)


@dataclass(frozen=True)
class CommitmentOutline:
    """One commitment of the calendar read as values: its id and when it was put on record, and the id
    and recording time of its outcome in force (None, None when not judged by `as_of`)."""

    commitment_id: int
    recorded_at: datetime.datetime
    outcome_id: int | None
    outcome_recorded_at: datetime.datetime | None


def commitment_outline(case, *, as_of=None, known_on=None):
    """[CommitmentOutline] of the commitments `commitment_calendar(case, as_of=…, known_on=…)` lists,
    in its order, with the same outcome in force: read as values (two queries whatever the number of
    commitments), with the date rules of `due_window` and `outcome_effective_on` (measures.models).
    For a page that shows some of them (the case's feed): then `commitment_calendar(…, only=ids)`."""
    as_of = as_of or case.default_as_of(timezone.localdate())
    commitments = _commitments(case, as_of, known_on)
    rows = list(
        commitments.values_list(
            "pk",
            "recorded_at",
            "due_precision",
            "due_on",
            "due_until",
            "anchor_event__end_date",
            "anchor_event__date",
            "within_days",
        ).order_by()
    )
    windows = {
        pk: due_window(precision, due_on, due_until, anchor_end or anchor_day, within_days)
        for pk, _, precision, due_on, due_until, anchor_end, anchor_day, within_days in rows
    }
    judgements = _judgements(commitments.values("pk"), known_on).values(
        "pk", "commitment_id", "occurred_on", "recorded_at"
    )
    in_force = _in_force(
        judgements,
        as_of,
        lambda row: outcome_effective_on(
            row["occurred_on"], (windows[row["commitment_id"]] or (None, None))[1], row["recorded_at"]
        ),
    )
    outline = []
    for pk, recorded_at, *_ in sorted(rows, key=lambda row: _calendar_order(windows[row[0]], row[0])):
        judgement = in_force.get(pk)
        outline.append(
            CommitmentOutline(
                pk,
                recorded_at,
                judgement and judgement["pk"],
                judgement and judgement["recorded_at"],
            )
        )
    return outline


def commitment_calendar(case, *, as_of=None, since=None, known_on=None, measure=None, only=None, details=True):
    """Where each commitment of `case` (or of one `measure`) stands on `as_of`, as known on `known_on`.

    - `as_of` (date; default `case.default_as_of(today)`); `since` (date or None): with it, each entry
      says whether its due window meets the period from `since` to `as_of` (both days included).
    - Commitments recorded by `known_on` and announced by `as_of` count (a step announced later did
      not exist yet on that day: the page "as it stood that day" does not list it); their outcome in
      force is the module docstring's.
    - `only` (ids or None): the entries of these commitments only (those a page shows, picked with
      `commitment_outline`); the parties are then theirs.
    - `details=False`: only what the statuses, the sentence and the due dates need (each commitment
      with its anchor event, each outcome in force without its citations or who recorded it, and no
      `parties`), for a page that shows the table from a kept rendering (the report): two queries.
    Returns a CommitmentCalendar, entries in due order (no stated date last). Three queries, plus one
    for the parties, whatever the number of commitments.
    """
    as_of = as_of or case.default_as_of(timezone.localdate())
    commitments = _commitments(case, as_of, known_on, measure)
    if only is not None:
        commitments = commitments.filter(pk__in=only)
    if details:
        commitments = commitments.select_related("measure", "anchor_event", "case").prefetch_related(
            "parties", Prefetch("stated_by", queryset=Citation.objects.with_source().defer("source__full_text"))
        )
    else:
        commitments = commitments.select_related("anchor_event")
    commitments = list(commitments)
    outcomes = _judgements(commitments, known_on)
    if details:
        outcomes = outcomes.select_related("recorded_by").prefetch_related(
            Prefetch("citations", queryset=Citation.objects.with_source().defer("source__full_text"))
        )
    by_commitment = {c.pk: c for c in commitments}
    for outcome in outcomes:
        outcome.commitment = by_commitment[outcome.commitment_id]
    in_force = _in_force(outcomes, as_of, lambda outcome: outcome.effective_on)
    entries = []
    for commitment in commitments:
        outcome = in_force.get(commitment.pk)
        window = commitment.window()
        meets = since is not None and window is not None and window[0] <= as_of and window[1] >= since
        entries.append(CommitmentStatus(commitment, outcome, _status(commitment, outcome, as_of), meets))
    entries.sort(key=lambda e: _calendar_order(e.commitment.window(), e.commitment.pk))
    parties = sorted({p for c in commitments for p in c.parties.all()}, key=lambda p: p.name) if details else []
    return CommitmentCalendar(as_of=as_of, since=since, entries=entries, parties=parties)
