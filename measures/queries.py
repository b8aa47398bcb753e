"""Read paths shared by the dashboard, the measure pages, the report and the admin.

Everything derived from assessments lives here and nowhere else: the level in force per party on a
date (optionally as known on an earlier date), the joint level of a measure, progress figures,
direction of travel, the stale and contested flags, and the changes in a period. Each function
runs a fixed number of queries whatever the size of the case.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from django.conf import settings
from django.utils import timezone

from .models import Assessment, Case, Evidence, Measure

Level = Assessment.Level

SCORED_LEVELS = (Level.NOT_INITIATED, Level.MINIMAL, Level.INTERMEDIATE, Level.FULL)
# The order in which levels are listed in counts and legends.
LEVEL_ORDER = (
    Level.FULL,
    Level.INTERMEDIATE,
    Level.MINIMAL,
    Level.NOT_INITIATED,
    Level.REVERSED,
    Level.NOT_APPLICABLE,
    Level.NOT_ASSESSED,
)
CONFIDENCE_RANK = {Assessment.Confidence.LOW: 0, Assessment.Confidence.MEDIUM: 1, Assessment.Confidence.HIGH: 2}


class Direction:
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"  # first judged in the period
    LABELS = {UP: "Improved", DOWN: "Worsened", SAME: "Unchanged", NEW: "Newly assessed"}


def level_score(level):
    """0..1 progress score of a level, or None for levels left out of progress (not assessed, N/A)."""
    score = Assessment.SCORES.get(level)
    return None if score is None else score / 3


def joint_level(levels):
    """The level of a measure across parties: the lowest, since a step is full only when all did it.

    Reversed by any party shows as reversed, and an unjudged party makes the whole unjudged;
    parties for whom the step does not apply are left out.
    """
    levels = list(levels)
    if not levels:
        return Level.NOT_ASSESSED
    if Level.REVERSED in levels:
        return Level.REVERSED
    if Level.NOT_ASSESSED in levels:
        return Level.NOT_ASSESSED
    scored = [level for level in levels if level != Level.NOT_APPLICABLE]
    if not scored:
        return Level.NOT_APPLICABLE
    return min(scored, key=lambda level: Assessment.SCORES[level])


@dataclass(frozen=True)
class Progress:
    """Mean score of the scored levels, with the left-out ones counted separately."""

    value: float | None  # 0..1, None when nothing is scored
    scored: int
    not_assessed: int
    not_applicable: int

    @property
    def percent(self):
        return None if self.value is None else round(self.value * 100)


def progress(levels):
    levels = list(levels)
    scores = [level_score(level) for level in levels]
    scores = [score for score in scores if score is not None]
    return Progress(
        value=fmean(scores) if scores else None,
        scored=len(scores),
        not_assessed=sum(1 for level in levels if level == Level.NOT_ASSESSED),
        not_applicable=sum(1 for level in levels if level == Level.NOT_APPLICABLE),
    )


def direction(old_level, new_level):
    """Direction of travel between two levels of the same measure."""
    old_score, new_score = Assessment.SCORES.get(old_level), Assessment.SCORES.get(new_level)
    if old_level == new_level:
        return Direction.SAME
    if old_score is None and new_score is not None:
        return Direction.NEW
    if old_score is None or new_score is None:
        return Direction.SAME
    if new_level == Level.REVERSED:
        return Direction.DOWN
    if old_level == Level.REVERSED:
        return Direction.UP if new_score > 0 else Direction.SAME
    if new_score > old_score:
        return Direction.UP
    if new_score < old_score:
        return Direction.DOWN
    return Direction.SAME


def evidence_date(citation):
    """When a piece of evidence speaks of: the date of the event it reports, else its source's date."""
    if citation.event_id is not None:
        return citation.event.date
    return citation.source.published_on


@dataclass
class PartyCell:
    party: object
    assessment: Assessment | None
    previous: Assessment | None = None

    @property
    def level(self):
        return self.assessment.level if self.assessment else Level.NOT_ASSESSED

    @property
    def level_label(self):
        return Level(self.level).label

    @property
    def previous_level(self):
        return self.previous.level if self.previous else Level.NOT_ASSESSED

    @property
    def direction(self):
        return direction(self.previous_level, self.level)


@dataclass
class MeasureStatus:
    measure: Measure
    cells: list
    evidence: list = field(default_factory=list)  # Evidence rows dated up to the as-of date, newest first
    stale: bool = False
    contested: bool = False
    previous_joint_level: str = Level.NOT_ASSESSED

    @property
    def joint_level(self):
        return joint_level(cell.level for cell in self.cells)

    @property
    def joint_level_label(self):
        return Level(self.joint_level).label

    @property
    def direction(self):
        return direction(self.previous_joint_level, self.joint_level)

    @property
    def direction_label(self):
        return Direction.LABELS[self.direction]

    @property
    def confidence(self):
        """The lowest confidence among the assessments in force: a joint judgement is as weak as its weakest part."""
        assessed = [cell.assessment for cell in self.cells if cell.assessment is not None]
        if not assessed:
            return None
        return min((a.confidence for a in assessed), key=CONFIDENCE_RANK.__getitem__)

    @property
    def latest_evidence_date(self):
        dates = [evidence_date(item.citation) for item in self.evidence]
        dates = [d for d in dates if d is not None]
        return max(dates) if dates else None

    @property
    def citation_count(self):
        return len(self.evidence)

    def cell_for(self, party):
        return next(cell for cell in self.cells if cell.party.pk == party.pk)


@dataclass
class CaseState:
    case: Case
    as_of: datetime.date
    since: datetime.date | None
    known_on: datetime.date | None
    parties: list
    rows: list

    @property
    def progress(self):
        return progress(row.joint_level for row in self.rows)

    @property
    def party_progress(self):
        """[(party, Progress)] in party order: one party doing more than the other shows here."""
        return [(party, progress(row.cells[i].level for row in self.rows)) for i, party in enumerate(self.parties)]

    @property
    def level_counts(self):
        """[(level, label, count)] of joint levels, in LEVEL_ORDER, zero counts included."""
        counts = defaultdict(int)
        for row in self.rows:
            counts[row.joint_level] += 1
        return [(level, Level(level).label, counts[level]) for level in LEVEL_ORDER]

    @property
    def moved(self):
        """Measures whose joint level changed between `since` and `as_of`."""
        if self.since is None:
            return []
        return [row for row in self.rows if row.direction != Direction.SAME]

    @property
    def stale_rows(self):
        return [row for row in self.rows if row.stale]

    @property
    def contested_rows(self):
        return [row for row in self.rows if row.contested]


def _latest_by_pair(case, as_of, known_on):
    assessments = (
        Assessment.objects.filter(measure__case=case)
        .effective_by(as_of)
        .known_on(known_on)
        .latest_per_pair()
        .select_related("recorded_by")
    )
    return {(a.measure_id, a.party_id): a for a in assessments}


def _flags(evidence, as_of, stale_after_days):
    dates = [(evidence_date(item.citation), item.stance) for item in evidence]
    dated = [(d, stance) for d, stance in dates if d is not None]
    newest = max((d for d, _ in dated), default=None)
    stale = newest is None or (as_of - newest).days > stale_after_days
    last_progress = max((d for d, s in dated if s == Evidence.Stance.PROGRESS), default=None)
    last_setback = max((d for d, s in dated if s == Evidence.Stance.SETBACK), default=None)
    contested = last_setback is not None and (last_progress is None or last_setback > last_progress)
    return stale, contested


def case_state(case, *, as_of=None, since=None, known_on=None, stale_after_days=None):
    """Where every measure of `case` stood on `as_of` (default today), per party and jointly.

    With `since`, each measure also carries its level on that date, for direction of travel.
    With `known_on`, only assessments recorded by that date count: what we believed then.
    Five queries, whatever the number of measures, assessments or citations.
    """
    as_of = as_of or timezone.localdate()
    stale_after_days = stale_after_days or settings.STALE_AFTER_DAYS
    parties = list(case.assessed_parties.order_by("name"))
    measures = list(Measure.objects.for_case(case))
    current = _latest_by_pair(case, as_of, known_on)
    previous = _latest_by_pair(case, since, known_on) if since is not None else {}

    evidence_by_measure = defaultdict(list)
    evidence_rows = (
        Evidence.objects.filter(measure__case=case).select_related("citation__source", "citation__event").order_by("pk")
    )
    for item in evidence_rows:
        when = evidence_date(item.citation)
        if when is None or when <= as_of:
            evidence_by_measure[item.measure_id].append(item)

    rows = []
    for measure in measures:
        evidence = sorted(
            evidence_by_measure[measure.pk],
            key=lambda item: evidence_date(item.citation) or datetime.date.min,
            reverse=True,
        )
        stale, contested = _flags(evidence, as_of, stale_after_days)
        cells = [
            PartyCell(party, current.get((measure.pk, party.pk)), previous.get((measure.pk, party.pk)))
            for party in parties
        ]
        row = MeasureStatus(measure=measure, cells=cells, evidence=evidence, stale=stale, contested=contested)
        if since is not None:
            row.previous_joint_level = joint_level(cell.previous_level for cell in cells)
        else:
            row.previous_joint_level = row.joint_level
        rows.append(row)
    return CaseState(case=case, as_of=as_of, since=since, known_on=known_on, parties=parties, rows=rows)


def cases_overview(cases, *, as_of):
    """[(case, Progress, number of measures)] for a list of cases, in two queries for all of them.

    `cases` must have their assessed parties prefetched. The level in force comes from the same
    queryset methods `case_state()` uses, and joint level and progress from `joint_level()` and
    `progress()`, so the list agrees with each dashboard without a `case_state()` per case.
    """
    measures = defaultdict(list)
    for pk, case_id in Measure.objects.filter(case__in=cases).order_by("number").values_list("pk", "case_id"):
        measures[case_id].append(pk)
    in_force = {
        (measure_id, party_id): level
        for measure_id, party_id, level in Assessment.objects.filter(measure__case__in=cases)
        .effective_by(as_of)
        .latest_per_pair()
        .values_list("measure_id", "party_id", "level")
    }
    overview = []
    for case in cases:
        parties = list(case.assessed_parties.all())
        joint = [
            joint_level(in_force.get((measure_id, party.pk), Level.NOT_ASSESSED) for party in parties)
            for measure_id in measures[case.pk]
        ]
        overview.append((case, progress(joint), len(joint)))
    return overview


@dataclass(frozen=True)
class Change:
    assessment: Assessment
    old_level: str

    @property
    def new_level(self):
        return self.assessment.level

    @property
    def direction(self):
        return direction(self.old_level, self.new_level)


def assessment_history(case, *, as_of=None, measure=None):
    """Every assessment of the case (or of one measure) effective by `as_of`, oldest first, each with
    the level it replaced for its measure and party. Two queries plus one for citations."""
    assessments = Assessment.objects.filter(measure__case=case).effective_by(as_of).chronological().with_details()
    if measure is not None:
        assessments = assessments.filter(measure=measure)
    last_level = {}
    changes = []
    for assessment in assessments:
        key = (assessment.measure_id, assessment.party_id)
        changes.append(Change(assessment, last_level.get(key, Level.NOT_ASSESSED)))
        last_level[key] = assessment.level
    return changes


def changes_in_period(case, *, since, as_of):
    """The assessments that took effect after `since` and by `as_of`, with old → new level."""
    return [change for change in assessment_history(case, as_of=as_of) if change.assessment.effective_date > since]
