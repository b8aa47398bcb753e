"""Read paths shared by the dashboard, the measure pages, the report, the exports and the admin.

Everything derived from assessments and evidence is defined here, once, and nowhere else:

- the **period** (`ReportingPeriod`): `since` and `as_of` both included; "what changed" compares the
  state at the end of the day before `since` (the baseline) with the state at `as_of`;
- the **level in force** per party on a date, optionally **as known on** an earlier date
  (`AssessmentQuerySet.in_force`): corrected assessments are withdrawn;
- the **joint level** of a measure over the parties it applies to, **progress** with its coverage,
  **direction of travel** per party and jointly, the **stale**, **no evidence yet** and **contested**
  flags, the **latest evidence** with its date precision;
- **what changed** in a period (the difference of two states) and the **assessment history** of a
  measure, numbered, with corrections marked and parties recorded together grouped.

Each function runs a fixed number of queries whatever the size of the case (stated in its docstring).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from . import dates
from .models import Assessment, Case, Citation, Event, Evidence, Measure

Level = Assessment.Level
Precision = Event.Precision

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
# Order of the levels for direction of travel: a reversal (the parties undid the step or escalated) is
# worse than a step not yet begun. Levels absent here (not assessed, not applicable) are not on the scale.
LEVEL_RANK = {Level.REVERSED: -1, Level.NOT_INITIATED: 0, Level.MINIMAL: 1, Level.INTERMEDIATE: 2, Level.FULL: 3}
# Levels that already reflect setback evidence: a measure at these levels is not "contested" by it.
SETBACK_LEVELS = (Level.REVERSED, Level.NOT_INITIATED)
CONFIDENCE_RANK = {Assessment.Confidence.LOW: 0, Assessment.Confidence.MEDIUM: 1, Assessment.Confidence.HIGH: 2}
# Two parties' assessments recorded by the same person within this many seconds, with the same level,
# date, rationale and citations, were recorded together (one judgement about both): history shows them once.
RECORDED_TOGETHER_SECONDS = 120


class Direction:
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"  # first assessed in the period, at a level other than reversed
    UNSCORED = "unscored"  # from a level of the scale to not applicable / not assessed
    LABELS = {UP: "Improved", DOWN: "Worsened", SAME: "Unchanged", NEW: "Newly assessed", UNSCORED: "No longer scored"}


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


# Levels, progress, direction -------------------------------------------------------------------


def level_score(level):
    """0..1 progress score of a level, or None for levels left out of progress (not assessed, N/A).

    Peace Accords Matrix scale: not initiated 0, minimal 1, intermediate 2, full 3, divided by 3.
    Reversed scores 0 (the scale has nothing below) and is counted apart (`Progress.reversed`)."""
    score = Assessment.SCORES.get(level)
    return None if score is None else score / 3


def joint_level(levels):
    """The level of a measure across the parties it applies to: the lowest, since a step is full only
    when all did it.

    Reversed by any party shows as reversed, and an unjudged party makes the whole unjudged;
    parties judged "not applicable" are left out. `levels`: the levels of the applicable parties.
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
    return min(scored, key=lambda level: LEVEL_RANK[level])


@dataclass(frozen=True)
class Progress:
    """Mean score of the scored levels, with its coverage: how many of `total` measures are scored,
    how many are not yet assessed or not applicable, and how many of the scored are reversed (they
    score 0 like "not initiated", so they are counted apart lest escalation read as inaction)."""

    value: float | None  # 0..1, None when nothing is scored
    scored: int
    not_assessed: int
    not_applicable: int
    reversed: int = 0
    total: int = 0

    @property
    def percent(self):
        return None if self.value is None else round(self.value * 100)

    @property
    def coverage(self):
        """ "54% over 8 of 10 measures; 2 not yet assessed; 1 reversed" in words, for pages and reports."""
        if self.value is None:
            head = f"No measure scored yet (0 of {self.total})"
        else:
            head = f"{self.percent}% over {self.scored} of {self.total} measure{'s' if self.total != 1 else ''}"
        parts = [head]
        if self.not_assessed:
            parts.append(f"{self.not_assessed} not yet assessed")
        if self.not_applicable:
            parts.append(f"{self.not_applicable} not applicable")
        if self.reversed:
            parts.append(f"{self.reversed} reversed")
        return "; ".join(parts)


def progress(levels):
    """Progress over `levels` (one per measure): see `Progress` and `level_score`."""
    levels = list(levels)
    scores = [level_score(level) for level in levels]
    scores = [score for score in scores if score is not None]
    return Progress(
        value=fmean(scores) if scores else None,
        scored=len(scores),
        not_assessed=sum(1 for level in levels if level == Level.NOT_ASSESSED),
        not_applicable=sum(1 for level in levels if level == Level.NOT_APPLICABLE),
        reversed=sum(1 for level in levels if level == Level.REVERSED),
        total=len(levels),
    )


def direction(old_level, new_level):
    """Direction of travel between two levels of the same measure (one party's, or joint).

    Order: reversed < not initiated < minimal < intermediate < full. Entering reversed is a
    worsening, also from "not yet assessed"; a first assessment at another level is "new"; leaving
    the scale (to not applicable) is "unscored"."""
    if old_level == new_level:
        return Direction.SAME
    if new_level == Level.REVERSED:
        return Direction.DOWN
    old_rank, new_rank = LEVEL_RANK.get(old_level), LEVEL_RANK.get(new_level)
    if old_rank is None:
        return Direction.NEW
    if new_rank is None:
        return Direction.UNSCORED
    return Direction.UP if new_rank > old_rank else Direction.DOWN


# Evidence dates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceDate:
    """When a piece of evidence speaks of, with how precisely that is known (`Event.Precision`, or
    `Source.DatePrecision`), and the last day of an event that lasted several days."""

    date: datetime.date
    precision: str = Precision.DAY
    end: datetime.date | None = None

    @property
    def approximate(self):
        return self.precision != Precision.DAY

    def __str__(self):
        return dates.date_text(self.date, self.precision, self.end)


def evidence_dating(citation):
    """EvidenceDate of a citation: the date of the event it reports, else its source's publication
    date with the source's date precision; None if neither."""
    if citation.event_id is not None:
        event = citation.event
        return EvidenceDate(event.date, event.date_precision, event.end_date)
    source = citation.source
    if source.published_on is None:
        return None
    return EvidenceDate(source.published_on, source.date_precision)


def evidence_date(citation):
    """When a piece of evidence speaks of (a date, or None): `evidence_dating(citation).date`."""
    dating = evidence_dating(citation)
    return dating.date if dating else None


def evidence_counts_from(citation):
    """The first as-of date on which a piece of evidence counts (a date, never None).

    The rule (docs/dashboard.md, "Undated evidence"): evidence counts from the date it speaks of
    (`evidence_date`; a source dated only by month or year is stored on the last day of it); an
    undated source's evidence counts from the day the source was put on record here
    (`Source.recorded_at`, in the site's time zone), the first day we know it existed, so it never
    shows in a view of a date before the source could exist.
    """
    when = evidence_date(citation)
    if when is not None:
        return when
    return timezone.localdate(citation.source.recorded_at)


# The state of a case ---------------------------------------------------------------------------


@dataclass
class PartyCell:
    """One party's level on one measure: the assessment in force at `as_of` and at the baseline."""

    party: object
    assessment: Assessment | None
    previous: Assessment | None = None
    applies: bool = True  # the measure applies to this party (Measure.applicable_parties)
    contested: bool = False

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

    @property
    def direction_label(self):
        return Direction.LABELS[self.direction]

    @property
    def moved(self):
        return self.previous_level != self.level


@dataclass
class MeasureStatus:
    """Where one measure stands on `as_of`.

    `cells`: one PartyCell per assessed party of the case, in the case's party order (`applies`
    says whether the measure concerns that party). `evidence`: Evidence dated up to `as_of` (and
    undated), on record by `known_on`, newest first; None when the state was read without details
    (`case_state(details=False)`), which gives the figures below all the same. `latest_evidence`:
    EvidenceDate of the newest dated piece, or None; `citation_count`: how many pieces count.
    """

    measure: Measure
    cells: list
    evidence: list | None = field(default_factory=list)
    latest_evidence: EvidenceDate | None = None
    citation_count: int = 0
    stale: bool = False
    no_evidence: bool = False
    contested: bool = False
    previous_joint_level: str = Level.NOT_ASSESSED

    @property
    def applicable_cells(self):
        return [cell for cell in self.cells if cell.applies]

    @property
    def joint_level(self):
        return joint_level(cell.level for cell in self.applicable_cells)

    @property
    def joint_level_label(self):
        return Level(self.joint_level).label

    @property
    def direction(self):
        """Joint direction of travel over the period."""
        return direction(self.previous_joint_level, self.joint_level)

    @property
    def direction_label(self):
        return Direction.LABELS[self.direction]

    @property
    def moved_cells(self):
        """The applicable parties whose level changed in the period."""
        return [cell for cell in self.applicable_cells if cell.moved]

    @property
    def moved(self):
        """The joint level or any applicable party's level changed in the period."""
        return self.previous_joint_level != self.joint_level or bool(self.moved_cells)

    @property
    def contested_parties(self):
        return [cell.party for cell in self.applicable_cells if cell.contested]

    @property
    def confidence(self):
        """The lowest confidence among the applicable parties' assessments in force: a joint judgement
        is as weak as its weakest part. None while the measure is not yet assessed."""
        if self.joint_level == Level.NOT_ASSESSED:
            return None
        assessed = [
            cell.assessment
            for cell in self.applicable_cells
            if cell.assessment is not None and cell.level != Level.NOT_ASSESSED
        ]
        if not assessed:
            return None
        return min((a.confidence for a in assessed), key=CONFIDENCE_RANK.__getitem__)

    @property
    def latest_evidence_date(self):
        latest = self.latest_evidence
        return latest.date if latest else None

    def cell_for(self, party):
        return next(cell for cell in self.cells if cell.party.pk == party.pk)


@dataclass(frozen=True)
class Change:
    """An assessment with the level it replaced for its measure and party.

    In history (`assessment_history`): every assessment, `superseded_by` its correction if any.
    In "what changed" (`CaseState.changes`): one per (measure, party) whose level differs between the
    baseline and `as_of`; `assessment` is the one in force at `as_of` (None when a correction withdrew
    the only one), `measure` and `party` are always set.
    """

    assessment: Assessment | None
    old_level: str
    superseded_by: Assessment | None = None
    measure: Measure | None = None
    party: object = None

    @property
    def new_level(self):
        return self.assessment.level if self.assessment is not None else Level.NOT_ASSESSED

    @property
    def direction(self):
        return direction(self.old_level, self.new_level)

    @property
    def direction_label(self):
        return Direction.LABELS[self.direction]

    @property
    def is_correction(self):
        return self.assessment is not None and self.assessment.corrects_id is not None

    @property
    def is_superseded(self):
        return self.superseded_by is not None

    @property
    def changes_level(self):
        return self.old_level != self.new_level


@dataclass
class CaseState:
    """The state of a case on `as_of` (as known on `known_on`), over `period` when one is given."""

    case: Case
    as_of: datetime.date
    since: datetime.date | None
    known_on: datetime.date | None
    parties: list
    rows: list
    active: bool = True  # the case was going on on `as_of` (staleness only applies then)

    @property
    def period(self):
        return reporting_period(since=self.since, as_of=self.as_of) if self.since is not None else None

    @property
    def progress(self):
        return progress(row.joint_level for row in self.rows)

    @property
    def party_progress(self):
        """[(party, Progress)] in party order, each over the measures that apply to the party."""
        return [
            (party, progress(row.cells[i].level for row in self.rows if row.cells[i].applies))
            for i, party in enumerate(self.parties)
        ]

    @property
    def level_counts(self):
        """[(level, label, count)] of joint levels, in LEVEL_ORDER, zero counts included."""
        counts = defaultdict(int)
        for row in self.rows:
            counts[row.joint_level] += 1
        return [(level, Level(level).label, counts[level]) for level in LEVEL_ORDER]

    @property
    def moved(self):
        """Measures whose joint level or an applicable party's level changed in the period."""
        if self.since is None:
            return []
        return [row for row in self.rows if row.moved]

    @property
    def changes(self):
        """What changed in the period: [Change] per (measure, applicable party) whose level at the
        baseline differs from its level at `as_of`, in the order the new assessments took effect. By
        construction the difference of the two states: no "X → X" entry, no superseded assessment."""
        if self.since is None:
            return []
        changes = [
            Change(cell.assessment, cell.previous_level, measure=row.measure, party=cell.party)
            for row in self.rows
            for cell in row.applicable_cells
            if cell.moved
        ]
        return sorted(
            changes,
            key=lambda c: (
                c.assessment.effective_date if c.assessment else self.as_of,
                c.measure.number,
                c.party.name,
            ),
        )

    @property
    def stale_rows(self):
        return [row for row in self.rows if row.stale]

    @property
    def no_evidence_rows(self):
        return [row for row in self.rows if row.no_evidence]

    @property
    def contested_rows(self):
        return [row for row in self.rows if row.contested]


def _in_force(case, as_of, known_on, measure_ids=None):
    """{(measure pk, party pk): Assessment in force}, citations (with source and event) prefetched.
    Sources come without their full text, which no reading of a state shows."""
    assessments = Assessment.objects.filter(measure__case=case)
    if measure_ids is not None:
        assessments = assessments.filter(measure__in=measure_ids)
    cited = Citation.objects.with_source().defer("source__full_text").order_by("pk")
    assessments = (
        assessments.in_force(as_of=as_of, known_on=known_on)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("citations", queryset=cited))
    )
    return {(a.measure_id, a.party_id): a for a in assessments}


def _is_contested(cell, newest_setback):
    """A party's level is contested when setback evidence is newer than every piece of evidence its
    assessment in force cites (or than its effective date, if none is dated), unless the level
    already reflects a setback (reversed, not initiated). `newest_setback`: the date of the newest
    dated setback evidence of the measure, or None."""
    assessment = cell.assessment
    if not cell.applies or assessment is None or assessment.level not in LEVEL_RANK:
        return False
    if assessment.level in SETBACK_LEVELS or newest_setback is None:
        return False
    cited = [evidence_date(c) for c in assessment.citations.all()]
    cited = [d for d in cited if d is not None]
    basis = max(cited) if cited else assessment.effective_date
    return newest_setback > basis


@dataclass(frozen=True)
class _EvidenceFigures:
    count: int = 0
    latest: EvidenceDate | None = None
    newest_setback: datetime.date | None = None


def _figures_of(evidence):
    """_EvidenceFigures of a measure's evidence objects (those that count), for the detailed state."""
    dated = [(evidence_dating(item.citation), item.stance) for item in evidence]
    dated = [(d, stance) for d, stance in dated if d is not None]
    setbacks = [d.date for d, stance in dated if stance == Evidence.Stance.SETBACK]
    return _EvidenceFigures(
        count=len(evidence),
        latest=max((d for d, _ in dated), key=lambda d: d.date) if dated else None,
        newest_setback=max(setbacks, default=None),
    )


def _annotated_figures(measure):
    """_EvidenceFigures of a measure annotated by `MeasureQuerySet.with_evidence_figures`."""
    latest = None
    if measure.latest_evidence_on is not None:
        latest = EvidenceDate(
            measure.latest_evidence_on, measure.latest_evidence_precision, measure.latest_evidence_end
        )
    return _EvidenceFigures(count=measure.evidence_count, latest=latest, newest_setback=measure.newest_setback_on)


def case_state(case, *, as_of=None, since=None, known_on=None, stale_after_days=None, measure=None, details=True):
    """Where every measure of `case` stood on `as_of`, per party and jointly. Returns a CaseState.

    - `as_of` (date; default `case.default_as_of(today)`: today for an active case, its end date
      for a closed one).
    - `since` (date or None): the start of the period (both ends included, see ReportingPeriod);
      each cell then also carries the assessment in force at the baseline, for direction of travel
      and "what changed". ValueError when `since` is after `as_of`.
    - `known_on` (date or None): only what was on record that day counts — assessments and the
      corrections that withdraw them, evidence, citations and sources recorded by then.
    - `stale_after_days` (default settings.STALE_AFTER_DAYS): a measure is stale when the case is
      active on `as_of` and its newest evidence (or, without any, the case's start) is more than
      this many days before `as_of`. "No evidence yet" is its own flag.

    - `measure` (a Measure of the case, or None): the state of that measure only (its page): the
      same figures for its row, without reading the rest of the case.
    - `details` (default True): each row lists its evidence (`MeasureStatus.evidence`). False (the
      dashboard, its exports): the same figures (count, latest evidence, stale, no evidence yet,
      contested) are computed in SQL by `MeasureQuerySet.with_evidence_figures`, from the same
      dating rules, and no evidence row is loaded; `evidence` is then None.

    Seven queries (six without `since`; one less each without details), whatever the number of
    measures, assessments or citations.
    """
    as_of = as_of or case.default_as_of(timezone.localdate())
    if since is not None:
        reporting_period(since=since, as_of=as_of)  # validates the order
    stale_after_days = stale_after_days or settings.STALE_AFTER_DAYS
    parties = list(case.assessed_parties.order_by("name"))
    measures = Measure.objects.for_case(case).prefetch_related("applicable_parties")
    measure_ids = None if measure is None else [measure.pk]
    if measure_ids is not None:
        measures = measures.filter(pk__in=measure_ids)
    if not details:
        measures = measures.with_evidence_figures(as_of=as_of, known_on=known_on)
    measures = list(measures)
    current = _in_force(case, as_of, known_on, measure_ids)
    previous = {}
    if since is not None:
        baseline = reporting_period(since=since, as_of=as_of).baseline
        earlier = Assessment.objects.filter(measure__case=case)
        if measure_ids is not None:
            earlier = earlier.filter(measure__in=measure_ids)
        previous = {(a.measure_id, a.party_id): a for a in earlier.in_force(as_of=baseline, known_on=known_on)}

    evidence_by_measure = defaultdict(list)
    if details:
        evidence_rows = Evidence.objects.filter(measure__case=case)
        if measure_ids is not None:
            evidence_rows = evidence_rows.filter(measure__in=measure_ids)
        evidence_rows = (
            evidence_rows.known_on(known_on)
            .select_related("citation__source", "citation__event")
            .defer("citation__source__full_text")
            .order_by("pk")
        )
        for item in evidence_rows:
            if evidence_counts_from(item.citation) <= as_of:
                evidence_by_measure[item.measure_id].append(item)

    active = case.is_active_on(as_of)
    rows = []
    for measure in measures:
        if details:
            evidence = sorted(
                evidence_by_measure[measure.pk],
                key=lambda item: evidence_date(item.citation) or datetime.date.min,
                reverse=True,
            )
            figures = _figures_of(evidence)
        else:
            evidence = None
            figures = _annotated_figures(measure)
        applying = {party.pk for party in measure.parties_applying(parties)}
        cells = [
            PartyCell(
                party,
                current.get((measure.pk, party.pk)),
                previous.get((measure.pk, party.pk)),
                applies=party.pk in applying,
            )
            for party in parties
        ]
        newest = figures.latest.date if figures.latest else None
        stale = active and (as_of - (newest or case.start_date)).days > stale_after_days
        for cell in cells:
            cell.contested = _is_contested(cell, figures.newest_setback)
        row = MeasureStatus(
            measure=measure,
            cells=cells,
            evidence=evidence,
            latest_evidence=figures.latest,
            citation_count=figures.count,
            stale=stale,
            no_evidence=not figures.count,
            contested=any(cell.contested for cell in cells),
        )
        if since is not None:
            row.previous_joint_level = joint_level(cell.previous_level for cell in row.applicable_cells)
        else:
            row.previous_joint_level = row.joint_level
        rows.append(row)
    return CaseState(case=case, as_of=as_of, since=since, known_on=known_on, parties=parties, rows=rows, active=active)


def cases_overview(cases, *, as_of=None, known_on=None):
    """[(case, Progress, number of measures, as-of date)] for a list of cases, in three queries for all
    of them.

    `cases` must have their assessed parties prefetched. `as_of` None: each case's own default
    (`Case.default_as_of`). The level in force comes from `AssessmentQuerySet.in_force`, and joint
    level and progress from `joint_level()` and `progress()`, so the list agrees with each dashboard.
    """
    today = timezone.localdate()
    measures = defaultdict(list)
    for measure in Measure.objects.filter(case__in=cases).order_by("number").only("pk", "case_id", "number"):
        measures[measure.case_id].append(measure)
    # Pairs of ids rather than a prefetch: a prefetch builds a manager for each of hundreds of measures.
    named = defaultdict(set)
    pairs = Measure.applicable_parties.through.objects.filter(measure__case__in=cases)
    for measure_id, party_id in pairs.values_list("measure_id", "party_id"):
        named[measure_id].add(party_id)
    dates = {case.pk: as_of or case.default_as_of(today) for case in cases}
    in_force = {}
    for day in set(dates.values()):
        case_ids = [pk for pk, d in dates.items() if d == day]
        in_force.update(
            {
                (measure_id, party_id): level
                for measure_id, party_id, level in Assessment.objects.filter(measure__case__in=case_ids)
                .in_force(as_of=day, known_on=known_on)
                .values_list("measure_id", "party_id", "level")
            }
        )
    overview = []
    for case in cases:
        parties = list(case.assessed_parties.all())
        joint = [
            joint_level(
                in_force.get((measure.pk, party.pk), Level.NOT_ASSESSED)
                for party in measure.parties_applying(parties, named[measure.pk])
            )
            for measure in measures[case.pk]
        ]
        overview.append((case, progress(joint), len(joint), dates[case.pk]))
    return overview


# History ---------------------------------------------------------------------------------------


def assessment_history(case, *, as_of=None, measure=None, known_on=None):
    """Every assessment of the case (or of one measure) effective by `as_of` and recorded by
    `known_on`, oldest first (by effective date, then recording), as [Change]: each with the level in
    force before it for its measure and party (superseded assessments never count as in force) and,
    when a correction recorded by `known_on` replaces it, `superseded_by` that correction.
    Two queries plus one for citations, whatever the size."""
    assessments = (
        Assessment.objects.filter(measure__case=case)
        .effective_by(as_of)
        .known_on(known_on)
        .chronological()
        .with_details()
    )
    if measure is not None:
        assessments = assessments.filter(measure=measure)
    assessments = list(assessments)
    corrections = {}
    known = Assessment.objects.filter(measure__case=case, corrects__isnull=False).known_on(known_on)
    if measure is not None:
        known = known.filter(measure=measure)
    for correction in known.select_related("recorded_by").order_by("recorded_at", "pk"):
        corrections.setdefault(correction.corrects_id, correction)
    last_level = {}
    changes = []
    for assessment in assessments:
        key = (assessment.measure_id, assessment.party_id)
        superseded_by = corrections.get(assessment.pk)
        changes.append(
            Change(
                assessment,
                last_level.get(key, Level.NOT_ASSESSED),
                superseded_by=superseded_by,
                measure=assessment.measure,
                party=assessment.party,
            )
        )
        if superseded_by is None:
            last_level[key] = assessment.level
    return changes


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of a measure's history: the assessments of one or more parties recorded together
    (same level, date, rationale, citations, author, within RECORDED_TOGETHER_SECONDS), numbered from
    1 for the oldest."""

    number: int
    changes: list

    @property
    def first(self):
        return self.changes[0]

    @property
    def assessment(self):
        return self.first.assessment

    @property
    def parties(self):
        return [change.party for change in self.changes]

    @property
    def party_names(self):
        names = [party.name for party in self.parties]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _together(a, b):
    x, y = a.assessment, b.assessment
    if x is None or y is None:  # a level withdrawn by a correction is its own entry
        return False
    return (
        x.measure_id == y.measure_id
        and x.party_id != y.party_id
        and (x.level, x.effective_date, x.rationale, x.confidence, x.recorded_by_id, x.corrects_id is None)
        == (y.level, y.effective_date, y.rationale, y.confidence, y.recorded_by_id, y.corrects_id is None)
        and a.old_level == b.old_level
        and (a.superseded_by is None) == (b.superseded_by is None)
        and abs((x.recorded_at - y.recorded_at).total_seconds()) <= RECORDED_TOGETHER_SECONDS
        and {c.pk for c in x.citations.all()} == {c.pk for c in y.citations.all()}
    )


def history_entries(changes):
    """[HistoryEntry] from `assessment_history()` or `CaseState.changes` (oldest first), numbered 1..
    oldest first: the parties' assessments recorded together are one entry naming all of them."""
    entries = []
    for change in changes:
        if (
            entries
            and all(_together(other, change) for other in entries[-1])
            and change.party not in [c.party for c in entries[-1]]
        ):
            entries[-1].append(change)
        else:
            entries.append([change])
    return [HistoryEntry(number, grouped) for number, grouped in enumerate(entries, start=1)]


def changes_in_period(case, *, since, as_of, known_on=None):
    """What changed from `since` to `as_of` (both included): `case_state(...).changes`."""
    return case_state(case, as_of=as_of, since=since, known_on=known_on).changes


# Progress over time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressPoint:
    """Progress on one day: `joint` (Progress over the joint levels) and `parties` [(party, Progress)]."""

    date: datetime.date
    joint: Progress
    parties: list


def progress_series(case, *, start=None, end=None, known_on=None, parties=None, measures=None):
    """[ProgressPoint] from `start` (default the case's start) to `end` (default its default as-of
    date), both included: one point at `start`, one on each day an assessment took effect in between,
    one at `end` (event-driven: a step is never missed, a flat stretch costs nothing). The level in
    force on each day follows `AssessmentQuerySet.in_force` (latest effective date, the later recorded
    first; assessments recorded after `known_on` left out, corrections recorded by then withdrawing
    what they correct), computed over one fetch of the case's assessments, so each point equals
    `case_state(case, as_of=point.date, known_on=known_on).progress` / `.party_progress`.

    `parties` (the case's assessed parties, ordered by name) and `measures` (with
    `applicable_parties` prefetched) may be passed by a caller that already has them, as
    `CaseState.parties` and its rows' measures: then one query, else four, whatever the size of the
    case and the number of points."""
    start = start or case.start_date
    end = end or case.default_as_of(timezone.localdate())
    start = min(start, end)
    if parties is None:
        parties = list(case.assessed_parties.order_by("name"))
    if measures is None:
        measures = list(Measure.objects.for_case(case).prefetch_related("applicable_parties"))
    rows = list(
        Assessment.objects.filter(measure__case=case, effective_date__lte=end)
        .known_on(known_on)
        .not_superseded(known_on)
        .chronological()
        .values_list("measure_id", "party_id", "level", "effective_date")
    )
    days = sorted({start, end} | {day for *_, day in rows if start < day < end})
    applying = {m.pk: [p.pk for p in m.parties_applying(parties)] for m in measures}
    in_force = {}
    points, i = [], 0
    for day in days:
        while i < len(rows) and rows[i][3] <= day:
            measure_id, party_id, level, _ = rows[i]
            in_force[(measure_id, party_id)] = level
            i += 1

        def level_of(measure, party_pk):
            return in_force.get((measure.pk, party_pk), Level.NOT_ASSESSED)

        joint = progress(joint_level(level_of(m, p) for p in applying[m.pk]) for m in measures)
        per_party = [
            (party, progress(level_of(m, party.pk) for m in measures if party.pk in applying[m.pk]))
            for party in parties
        ]
        points.append(ProgressPoint(day, joint, per_party))
    return points
