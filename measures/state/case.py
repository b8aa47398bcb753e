"""The state of a case on a date, as known on a date: every measure's levels in force per party, joint
level, progress, direction, the stale, no-evidence-yet and contested flags, and what changed."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from measures.models import Assessment, Case, Event, Evidence, Measure
from measures.state.evidence import (
    EvidenceDate,
    evidence_counts_from,
    evidence_date,
    evidence_figures_of,
    grouped_evidence_figures,
)
from measures.state.levels import (
    CONFIDENCE_RANK,
    LEVEL_ORDER,
    LEVEL_RANK,
    SETBACK_LEVELS,
    Direction,
    direction,
    joint_level,
    progress,
)
from measures.state.path import (
    LevelPath,
    MeasurePath,
    in_force_assessments,
    in_force_from_candidates,
    level_paths,
    levelled_candidates,
    loader_with_in_force,
)
from measures.state.period import reporting_period

Level = Assessment.Level
Precision = Event.Precision

# The state of a case ---------------------------------------------------------------------------


DOES_NOT_APPLY = "Does not apply"


@dataclass
class PartyCell:
    """One party's level on one measure: the assessment in force at `as_of` and at the baseline, and
    with a period, `path` (state.path.LevelPath): every level in force during it. `previous` (the
    baseline's assessment) is None when the state was read without the changes' assessments
    (`case_state(changes=False)`); `previous_level` is read from the path then."""

    party: object
    assessment: Assessment | None
    previous: Assessment | None = None
    applies: bool = True  # the measure applies to this party (Measure.applicable_parties)
    contested: bool = False
    path: LevelPath | None = None

    @property
    def level(self):
        return self.assessment.level if self.assessment else Level.NOT_ASSESSED

    @property
    def level_label(self):
        return Level(self.level).label

    @property
    def shown_label(self):
        """What a page prints for this party's level: "Does not apply" when the measure asks nothing
        of the party (every page, table, export and report says so alike), else the level's label."""
        return self.level_label if self.applies else DOES_NOT_APPLY

    @property
    def shown_level(self):
        """The level's key for styling, "does_not_apply" when the measure does not apply to the party."""
        return self.level if self.applies else "does_not_apply"

    @property
    def previous_level(self):
        """The level at the baseline (the end of the day before the period): its path's, when there is one."""
        if self.path is not None:
            return self.path.baseline
        return self.previous.level if self.previous else Level.NOT_ASSESSED

    @property
    def direction(self):
        """Direction of travel over the period, along every level in force (`path`) when there is one."""
        if self.path is not None:
            return self.path.direction
        return direction(self.previous_level, self.level)

    @property
    def direction_label(self):
        return Direction.LABELS[self.direction]

    @property
    def moved(self):
        """Some level other than the baseline's was in force during the period, even if it came back."""
        if self.path is not None:
            return self.path.changed
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
    path: MeasurePath | None = None  # with a period: every level in force during it, per party and jointly

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
        """Joint direction of travel over the period, along every joint level in force in it (`path`)."""
        if self.path is not None:
            return self.path.joint.direction
        return direction(self.previous_joint_level, self.joint_level)

    @property
    def direction_label(self):
        return Direction.LABELS[self.direction]

    @property
    def previous_joint_level_label(self):
        return Level(self.previous_joint_level).label

    @property
    def joint_moved(self):
        """Some joint level other than the baseline's was in force during the period."""
        if self.path is not None:
            return self.path.joint.changed
        return self.previous_joint_level != self.joint_level

    @property
    def moved_cells(self):
        """The applicable parties whose level changed in the period (even if it came back)."""
        return [cell for cell in self.applicable_cells if cell.moved]

    @property
    def moved(self):
        """The joint level or any applicable party's level changed in the period, even if it came back."""
        return self.joint_moved or bool(self.moved_cells)

    @property
    def reversals(self):
        """[state.path.Reversal] every stretch of the period during which the joint level was Reversed."""
        return self.path.reversals if self.path is not None else []

    @property
    def reversal_text(self):
        """ "reversed on 17 Jan 2024 (Pakistan), restored on 19 Jan 2024 to Minimal (1)", or empty."""
        return self.path.reversal_text if self.path is not None else ""

    @property
    def lowest_level(self):
        """The lowest joint level in force during the period (None without a period or off the scale)."""
        return self.path.joint.lowest if self.path is not None else None

    @property
    def lowest_level_label(self):
        return Level(self.lowest_level).label if self.lowest_level else None

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

    In history (`assessment_history`): every assessment listed, `superseded_by` its correction if any,
    `review` its Review decided by the history's `known_on` (None while awaiting review) and `status`
    "approved", "pending" or "returned" as of then.
    In "what changed" (`CaseState.changes`): one per (measure, party) whose level differs between the
    baseline and `as_of`; `assessment` is the one in force at `as_of` (None when a correction withdrew
    the only one), `measure` and `party` are always set.
    """

    assessment: Assessment | None
    old_level: str
    superseded_by: Assessment | None = None
    measure: Measure | None = None
    party: object = None
    review: object = None
    status: str = "approved"

    @property
    def is_pending(self):
        return self.status == "pending"

    @property
    def is_returned(self):
        return self.status == "returned"

    @property
    def counts(self):
        """Whether the assessment was ever the level in force: not withdrawn by a correction, not returned."""
        return self.superseded_by is None and not self.is_returned

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
    include_pending: bool = False  # assessments awaiting review counted too (the team's preview)
    with_changes: bool = True  # False: read for levels and directions only (`case_state(changes=False)`)

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
        """What changed in the period: [Change] every change of an applicable party's level in force
        on some day of the period (state.path), each with the level it replaced, in the order they
        took effect. A level reversed on 10 Dec and restored on 20 Dec is two changes; no "X → X"
        entry, no superseded assessment. `net_changes` compares the two ends only. ValueError when the
        state was read without them (`case_state(changes=False)`)."""
        if self.since is None:
            return []
        if not self.with_changes:
            raise ValueError("This state was read for levels and directions only (case_state(changes=False)).")
        changes = [
            Change(
                step.assessment,
                step.old_level,
                measure=row.measure,
                party=cell.party,
                status=step.assessment.review_status if step.assessment is not None else "approved",
            )
            for row in self.rows
            for cell in row.applicable_cells
            if cell.path is not None
            for step in cell.path.changes
        ]
        return sorted(changes, key=_change_order(self.as_of))

    @property
    def net_changes(self):
        """[Change] per (measure, applicable party) whose level at the baseline differs from its level
        at `as_of`: the difference of the two states, what the period's changes add up to. ValueError
        when the state was read without the changes' assessments (`case_state(changes=False)`)."""
        if self.since is None:
            return []
        if not self.with_changes:
            raise ValueError("This state was read for levels and directions only (case_state(changes=False)).")
        changes = [
            Change(
                cell.assessment,
                cell.previous_level,
                measure=row.measure,
                party=cell.party,
                status=cell.assessment.review_status if cell.assessment is not None else "approved",
            )
            for row in self.rows
            for cell in row.applicable_cells
            if cell.previous_level != cell.level
        ]
        return sorted(changes, key=_change_order(self.as_of))

    @property
    def reversed_in_period(self):
        """[(MeasureStatus, [Reversal])] the measures whose joint level was Reversed on some day of the
        period, with every such stretch, in measure order."""
        return [(row, row.reversals) for row in self.rows if row.reversals]

    @property
    def stale_rows(self):
        return [row for row in self.rows if row.stale]

    @property
    def no_evidence_rows(self):
        return [row for row in self.rows if row.no_evidence]

    @property
    def contested_rows(self):
        return [row for row in self.rows if row.contested]


def _change_order(as_of):
    def key(change):
        return (
            change.assessment.effective_date if change.assessment else as_of,
            change.measure.number,
            change.party.name,
        )

    return key


def _is_contested(cell, newest_setback):
    """A party's level is contested when setback evidence is newer than every piece of evidence its
    assessment in force cites (or than its effective date, if none is dated), unless the level
    already reflects a setback (reversed, not initiated). `newest_setback`: the date of the newest
    dated setback evidence of the measure, or None. The assessment comes annotated with the newest
    date its citations speak of (`AssessmentQuerySet.with_newest_cited_date`)."""
    assessment = cell.assessment
    if not cell.applies or assessment is None or assessment.level not in LEVEL_RANK:
        return False
    if assessment.level in SETBACK_LEVELS or newest_setback is None:
        return False
    basis = assessment.newest_cited_on or assessment.effective_date
    return newest_setback > basis


def case_state(
    case,
    *,
    as_of=None,
    since=None,
    known_on=None,
    stale_after_days=None,
    measure=None,
    details=True,
    include_pending=False,
    changes=True,
):
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
      contested) are computed in SQL by `EvidenceQuerySet.figures_by_measure` (one query for the
      case), from the same dating rules, and no evidence row is loaded; `evidence` is then None.
    - `include_pending` (default False): only approved assessments count (`AssessmentQuerySet.counting`,
      four eyes); True previews the state that the assessments awaiting review would make (the
      team's "include pending"), returned ones still left out. Readers' pages never pass it.

    - `changes` (default True): with `since`, the assessments of the period's changes come as model
      objects with their citations (one query), which `history_entries` groups them by. False, for a
      caller that shows levels, flags and directions but never lists what changed (the API's
      measure list): the paths are read from values (`level_paths(assessments=False)`: the same
      levels and directions, no assessment object), the levels in force come without their
      citations unless `details`, and `CaseState.changes` / `net_changes` refuse (ValueError). At
      100× the data, loading those objects was most of the API's measure list's time.

    With `since`, each cell and row also carries its path over the period (`state.path.level_paths`:
    every level in force during it), from which direction of travel, `moved` and `changes` are read.
    "Contested" compares the measure's newest setback evidence with the newest date the level in
    force's citations speak of, read in SQL (`AssessmentQuerySet.with_newest_cited_date`).

    Seven queries (six without `since`; one less without details), whatever the number of measures,
    assessments or citations. With `since` (and `changes`), the assessments that count are read as
    values, the paths from them, and only the assessments the state shows are loaded as objects, with
    their citations: those in force on `as_of`, each change of the period and each baseline. Without
    details and without listed changes (no `since`, or `changes` False), the levels in force's
    citations are not read: one query less again. With
    `changes` False the assessments that count are read once, as values, for both the levels in
    force (then loaded by id) and the paths: five queries with or without `since` without details
    (seven with), one less when no assessment counts.
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
    measures = list(measures)
    grouped_figures = None
    if not details:  # one query grouped by measure, not subqueries run once per measure
        of_case = Evidence.objects.filter(measure__case=case, **({} if measure is None else {"measure": measure}))
        grouped_figures = of_case.figures_by_measure(as_of=as_of, known_on=known_on)
    listed_changes = since is not None and changes
    levelled = None
    load = None
    if listed_changes:
        # The assessments that count, as values (one query): the paths are read from them, and only
        # the assessments the page shows are loaded, in one query with their citations (one more):
        # those in force on `as_of` and those the paths name (each change of the period, each baseline).
        levelled = levelled_candidates(
            case, as_of=as_of, known_on=known_on, measure=measure, include_pending=include_pending
        )
        current = {}
        load = loader_with_in_force(levelled, current)
    elif changes:
        current = in_force_assessments(
            case, as_of, known_on, measure_ids, include_pending, citations=details or listed_changes
        )
    else:
        # The assessments that count, as values (one query): those in force are the last of each pair,
        # and the paths of a period are read from the same rows.
        levelled = levelled_candidates(
            case, as_of=as_of, known_on=known_on, measure=measure, include_pending=include_pending
        )
        current = in_force_from_candidates(levelled, citations=details)
    paths = {}
    if since is not None:
        loaded = {assessment.pk: assessment for assessment in current.values()}
        paths = level_paths(
            case,
            since=since,
            as_of=as_of,
            known_on=known_on,
            measure=measure,
            parties=parties,
            measures=measures,
            loaded=loaded,
            include_pending=include_pending,
            assessments=changes,
            candidates=levelled,
            load=load,
        )

    evidence_by_measure = defaultdict(list)
    if details:
        evidence_rows = Evidence.objects.filter(measure__case=case)
        if measure_ids is not None:
            evidence_rows = evidence_rows.filter(measure__in=measure_ids)
        evidence_rows = evidence_rows.known_on(known_on).with_passage().order_by("pk")
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
            figures = evidence_figures_of(evidence)
        else:
            evidence = None
            figures = grouped_evidence_figures(grouped_figures, measure.pk)
        applying = {party.pk for party in measure.parties_applying(parties)}
        path = paths.get(measure.pk)
        cells = []
        for party in parties:
            party_path = path.of(party) if path is not None else None
            cells.append(
                PartyCell(
                    party,
                    current.get((measure.pk, party.pk)),
                    party_path.baseline_assessment if party_path is not None else None,
                    applies=party.pk in applying,
                    path=party_path,
                )
            )
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
            path=path,
        )
        if since is not None:
            row.previous_joint_level = joint_level(cell.previous_level for cell in row.applicable_cells)
        else:
            row.previous_joint_level = row.joint_level
        rows.append(row)
    return CaseState(
        case=case,
        as_of=as_of,
        since=since,
        known_on=known_on,
        parties=parties,
        rows=rows,
        active=active,
        include_pending=include_pending,
        with_changes=changes,
    )
