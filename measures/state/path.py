"""The path of a measure over a period: every level in force from `since` to `as_of`, per party and
jointly, not only the two end points; and the reading of the assessments in force for a state.

A measure at Full on 1 December, Reversed on 10 December and Full again on 20 December has the same
level at both ends of a period from 2 to 31 December; comparing end points alone would call it
unchanged. The path keeps every level in force on some day of the period, so that direction of
travel, "what changed", the dashboard's "changed" filter and the report's key judgements can say
"reversed on 10 Dec, restored on 20 Dec" and name the lowest level reached.

The rule (docs/dashboard.md, "What changed"):

- the level in force on a day is the one of `AssessmentQuerySet.in_force` at the end of that day:
  assessments recorded after `known_on` are left out and corrections recorded by then withdraw what
  they correct, wholly; of two assessments effective the same day, the later recorded one holds, so
  a level held for part of a day only is not a level of the path;
- the **baseline** is the level at the end of the day before `since` (`ReportingPeriod.baseline`);
- a **change** is a day of the period on which the level in force differs from the day before's;
- the **joint** path is the joint level (`joint_level`) of the parties the measure applies to, day by
  day, so a joint change happens on a day on which some party's level changed.
"""

import datetime
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.formats import date_format

from measures.models import Assessment, Citation, Measure
from measures.state.levels import LEVEL_RANK, Direction, joint_level
from measures.state.period import reporting_period

Level = Assessment.Level


@dataclass(frozen=True)
class Step:
    """A change of the level in force: `level` from `date` on, replacing `old_level`.

    `assessment`: for one party, the assessment that put `level` in force (its effective date is
    `date`); None on a joint path. `parties`: the parties whose level changed that day (one for a
    party's path)."""

    date: datetime.date
    level: str
    old_level: str
    assessment: Assessment | None = None
    parties: tuple = ()

    @property
    def direction(self):
        return path_direction([self.old_level, self.level])


@dataclass(frozen=True)
class Reversal:
    """A stretch of the period during which the level was Reversed.

    `reversed_on`: the day it became reversed (before `since` when `before_period`); `restored_on`:
    the first day it was no longer reversed, if within the period, else None (still reversed on
    `as_of`), with `restored_to` the level it then had. `first_day`..`last_day`: the stretch's days
    within the period. `parties`: on a measure's joint path (`MeasurePath.reversals`), the parties
    whose own level was reversed during the stretch."""

    reversed_on: datetime.date | None
    restored_on: datetime.date | None = None
    restored_to: str | None = None
    before_period: bool = False
    first_day: datetime.date | None = None  # the stretch within the period
    last_day: datetime.date | None = None
    parties: tuple = ()
    party_days: tuple = ()  # ((party, the day its own level became reversed), …), with `parties`

    @property
    def text(self):
        """ "reversed on 10 Dec 2024 (Iran), restored on 20 Dec 2024 to Full (3)", for pages and reports."""
        days = {day for _, day in self.party_days}
        if len(days) > 1:  # "(Iran on 16 Jan, Pakistan on 18 Jan)": each party's own day
            who = " (" + ", ".join(f"{party.name} on {date_format(day, 'j M')}" for party, day in self.party_days) + ")"
        else:
            who = f" ({', '.join(party.name for party in self.parties)})" if self.parties else ""
        if self.reversed_on is None:
            head = f"reversed{who}"
        elif self.before_period:
            head = f"reversed since {date_format(self.reversed_on)}{who}, before the period"
        else:
            head = f"reversed on {date_format(self.reversed_on)}{who}"
        if self.restored_on is None:
            return f"{head}, still reversed at the end of the period"
        return f"{head}, restored on {date_format(self.restored_on)} to {Level(self.restored_to).label}"


def path_direction(levels):
    """Direction of travel along `levels`: the baseline level, then each level in force after it, in order.

    Moves are read on the scale reversed < not initiated < minimal < intermediate < full (`LEVEL_RANK`),
    skipping levels off it (not assessed, not applicable) in between:

    - a first assessment (from off the scale) at a level other than Reversed is not a move; entering
      Reversed from off the scale is a worsening (as `direction` has it);
    - no move: "same" when the path ends where it began, "new" when it ends on the scale after
      starting off it (first assessed), "unscored" when it leaves the scale;
    - every move one way: "up" or "down"; moves both ways: "down_up" (worsened then improved) when
      the last move is up, "up_down" (improved then worsened) when it is down.

    With two levels it agrees with `direction(old, new)`.
    """
    levels = list(levels)
    start, end = levels[0], levels[-1]
    moves = []
    rank = LEVEL_RANK.get(start)
    reached_scale = rank is not None
    for level in levels[1:]:
        new_rank = LEVEL_RANK.get(level)
        if new_rank is None:
            continue
        reached_scale = True
        if rank is None:
            if level == Level.REVERSED:
                moves.append(Direction.DOWN)
        elif new_rank != rank:
            moves.append(Direction.UP if new_rank > rank else Direction.DOWN)
        rank = new_rank
    if start != end and LEVEL_RANK.get(end) is None:
        return Direction.UNSCORED if reached_scale else Direction.NEW
    if not moves:
        if start == end:
            return Direction.SAME
        return Direction.NEW if LEVEL_RANK.get(start) is None else Direction.SAME
    if all(move == moves[0] for move in moves):
        return moves[0]
    return Direction.DOWN_UP if moves[-1] == Direction.UP else Direction.UP_DOWN


@dataclass(frozen=True)
class LevelPath:
    """The levels in force over a period, for one party of a measure or jointly.

    `baseline`: the level at the end of the day before `since`, in force since `baseline_since`
    (None when never assessed); `changes`: [Step] every change of the level in force from `since`
    to `as_of`, both included, oldest first.
    """

    since: datetime.date
    as_of: datetime.date
    baseline: str = Level.NOT_ASSESSED
    baseline_since: datetime.date | None = None
    changes: tuple = ()
    baseline_assessment: Assessment | None = None  # for one party: the assessment in force at the baseline

    @property
    def end(self):
        """The level in force on `as_of`."""
        return self.changes[-1].level if self.changes else self.baseline

    @property
    def changed(self):
        """Some level other than the baseline's was in force during the period (even if it ends there)."""
        return bool(self.changes)

    @property
    def stretches(self):
        """[(level, first day, last day)] covering the period day by day, oldest first."""
        stretches = []
        level, start = self.baseline, self.since
        for step in self.changes:
            if step.date > start:
                stretches.append((level, start, step.date - datetime.timedelta(days=1)))
            level, start = step.level, step.date
        stretches.append((level, start, self.as_of))
        return stretches

    @property
    def levels(self):
        """Every level in force on some day of the period, in the order they were first in force."""
        seen = []
        for level, _, _ in self.stretches:
            if level not in seen:
                seen.append(level)
        return seen

    def level_on(self, day):
        """The level in force on `day` (a date of the period)."""
        return next(level for level, first, last in self.stretches if first <= day <= last)

    @property
    def direction(self):
        """Direction of travel along the path (`path_direction`): the baseline, then each change."""
        return path_direction([self.baseline, *(step.level for step in self.changes)])

    @property
    def direction_label(self):
        return Direction.LABELS[self.direction]

    @property
    def net_direction(self):
        """Direction between the two end points only (the baseline and `as_of`)."""
        return path_direction([self.baseline, self.end])

    @property
    def lowest(self):
        """The lowest level on the scale in force during the period, or None if none was on it."""
        scored = [level for level in self.levels if level in LEVEL_RANK]
        return min(scored, key=LEVEL_RANK.__getitem__) if scored else None

    @property
    def lowest_label(self):
        return Level(self.lowest).label if self.lowest else None

    @property
    def dipped(self):
        """The lowest level reached is below both end points' (a worsening the ends do not show)."""
        lowest = self.lowest
        if lowest is None:
            return False
        ends = [level for level in (self.baseline, self.end) if level in LEVEL_RANK]
        return bool(ends) and all(LEVEL_RANK[lowest] < LEVEL_RANK[level] for level in ends)

    @property
    def reversals(self):
        """[Reversal] every stretch of the period during which the level was Reversed, oldest first."""
        result = []
        stretches = self.stretches
        for i, (level, first, last) in enumerate(stretches):
            if level != Level.REVERSED:
                continue
            before = i == 0 and self.baseline == Level.REVERSED
            reversed_on = self.baseline_since if before else first
            following = stretches[i + 1] if i + 1 < len(stretches) else None
            result.append(
                Reversal(
                    reversed_on=reversed_on,
                    restored_on=following[1] if following else None,
                    restored_to=following[0] if following else None,
                    before_period=before and reversed_on is not None and reversed_on < self.since,
                    first_day=first,
                    last_day=last,
                )
            )
        return result

    @property
    def reversal_text(self):
        """ "reversed on 10 Dec 2024, restored on 20 Dec 2024 to Full (3)"; several joined by "; ";
        empty when none."""
        return "; ".join(reversal.text for reversal in self.reversals)


@dataclass
class MeasurePath:
    """A measure's paths over a period: `parties` [(party, LevelPath, applies)] in the case's party
    order, and `joint`, the path of its joint level over the parties it applies to."""

    measure: Measure
    parties: list = field(default_factory=list)
    joint: LevelPath | None = None

    def of(self, party):
        return next(path for other, path, _ in self.parties if other.pk == party.pk)

    @property
    def reversals(self):
        """[Reversal] of the joint path, each naming the applicable parties whose own level was
        reversed on some day of it."""
        result = []
        for reversal in self.joint.reversals:
            party_days = []
            for party, path, applies in self.parties:
                if not applies:
                    continue
                days = [
                    path.baseline_since if first == path.since and path.baseline == Level.REVERSED else first
                    for level, first, last in path.stretches
                    if level == Level.REVERSED and first <= reversal.last_day and reversal.first_day <= last
                ]
                if days:
                    party_days.append((party, days[0]))
            party_days.sort(key=lambda item: (item[1], item[0].name))
            result.append(
                replace(reversal, parties=tuple(party for party, _ in party_days), party_days=tuple(party_days))
            )
        return result

    @property
    def reversal_text(self):
        """ "reversed on 17 Jan 2024 (Iran, Pakistan), restored on 19 Jan 2024 to Minimal (1)"; several
        joined by "; "; empty when the joint level was never reversed in the period."""
        return "; ".join(reversal.text for reversal in self.reversals)


class Levelled(NamedTuple):
    """What a path reads of an assessment when no model object is wanted (`levelled_candidates`)."""

    pk: int
    measure_id: int
    party_id: int
    effective_date: datetime.date
    level: str


def levelled_candidates(case, *, as_of, known_on=None, measure=None, include_pending=False):
    """[Levelled] the assessments of `case` (or of `measure` alone) that may be in force on `as_of` or
    on a day before it, as known on `known_on` (`AssessmentQuerySet.in_force_candidates`), oldest first
    (`chronological`: of two on the same day, the later recorded last), as values: one query.

    The last of each (measure, party) is the one in force on `as_of`, by the rule of
    `AssessmentQuerySet.in_force` (latest effective, later recorded first, then the higher id)."""
    candidates = Assessment.objects.filter(measure__case=case)
    if measure is not None:
        candidates = candidates.filter(measure=measure)
    candidates = candidates.in_force_candidates(
        as_of=as_of, known_on=known_on, include_pending=include_pending
    ).chronological()
    return [Levelled(*values) for values in candidates.values_list(*Levelled._fields)]


def _timeline(rows):
    """[(date, level, assessment)] from the chronological candidates of one (measure, party): the
    level at the end of each day it changed, same-level days dropped."""
    by_day = {}
    for assessment in rows:  # chronological: the last of a day is the one in force at its end
        by_day[assessment.effective_date] = assessment
    timeline = []
    for day in sorted(by_day):
        assessment = by_day[day]
        if (timeline[-1][1] if timeline else Level.NOT_ASSESSED) != assessment.level:
            timeline.append((day, assessment.level, assessment))
    return timeline


def _cut(timeline, since, as_of, baseline_assessment=None):
    """The LevelPath of a [(date, level, assessment or None, parties)] timeline over since..as_of."""
    baseline, baseline_since = Level.NOT_ASSESSED, None
    changes = []
    for day, level, assessment, parties in timeline:
        if day < since:
            baseline, baseline_since = level, day
        elif day <= as_of:
            old = changes[-1].level if changes else baseline
            changes.append(Step(day, level, old, assessment, parties))
    return LevelPath(
        since=since,
        as_of=as_of,
        baseline=baseline,
        baseline_since=baseline_since,
        changes=tuple(changes),
        baseline_assessment=baseline_assessment,
    )


def _joint_timeline(timelines):
    """The timeline of the joint level of several parties' timelines [(party, timeline)]."""
    days = sorted({day for _, timeline in timelines for day, *_ in timeline})
    position = [0] * len(timelines)
    current = [Level.NOT_ASSESSED] * len(timelines)
    joint = []
    last = Level.NOT_ASSESSED
    for day in days:
        moved = []
        for i, (party, timeline) in enumerate(timelines):
            while position[i] < len(timeline) and timeline[position[i]][0] <= day:
                current[i] = timeline[position[i]][1]
                position[i] += 1
                moved.append(party)
        level = joint_level(current) if timelines else Level.NOT_ASSESSED
        if level != last:
            joint.append((day, level, None, tuple(moved)))
            last = level
    return joint


def level_paths(
    case,
    *,
    since,
    as_of,
    known_on=None,
    measure=None,
    parties=None,
    measures=None,
    loaded=None,
    include_pending=False,
    assessments=True,
    candidates=None,
    load=None,
):
    """{measure pk: MeasurePath} for the measures of `case` (or `measure` alone) over the period from
    `since` to `as_of` (dates, both included), as known on `known_on` (a date, or None for no limit).

    Every level in force on some day of the period, per party (every assessed party of the case, each
    with whether the measure applies to it) and jointly over the parties it applies to, by the rule of
    the module docstring. ValueError when `since` is after `as_of`.

    `parties` (the case's assessed parties, in the order pages show them) and `measures` (with their
    `applicable_parties` prefetched) may be passed by a caller that has them, as `case_state` does:
    then one query, else three, whatever the size of the case. Each Step's assessment comes with its
    author (`recorded_by`); its citations are not loaded, unless it is one of `loaded` ({pk:
    Assessment} the caller has already read, e.g. those in force on `as_of`), which are used as they are.
    Only approved assessments count (`AssessmentQuerySet.counting`); awaiting review too with
    `include_pending` (the team's preview).

    `assessments` False reads the same candidates as values (`levelled_candidates`; or takes them
    from `candidates`, when the caller has read them for `as_of`): the same levels, changes and
    directions, but every Step's `assessment` and every party path's `baseline_assessment` are None.
    For a caller that shows levels and directions and never lists the changes (the API's measure
    list: loading some 450 assessments with their authors and reviews to read their levels was most
    of its time over a period, at 100× the data).

    `assessments` True with `candidates` (the values the caller read, `levelled_candidates`): the paths
    are read from the values, and only the assessments they name (each Step's, each baseline's) are
    loaded, by `load(pks)` ({pk: Assessment} of the pks given), e.g. with those in force in the same
    query (`case_state`): a report over a week no longer loads the whole history of a long crisis.
    """
    loaded = loaded or {}
    reporting_period(since=since, as_of=as_of)  # validates the order
    if parties is None:
        parties = list(case.assessed_parties.order_by("name"))
    if measures is None:
        measures = Measure.objects.for_case(case).prefetch_related("applicable_parties")
        if measure is not None:
            measures = measures.filter(pk=measure.pk)
        measures = list(measures)
    if assessments and candidates is not None:
        return _paths_from_values(measures, parties, candidates, since, as_of, load)
    if not assessments:
        read = candidates
        if read is None:
            read = levelled_candidates(
                case, as_of=as_of, known_on=known_on, measure=measure, include_pending=include_pending
            )
    else:
        read = Assessment.objects.filter(measure__case=case)
        if measure is not None:
            read = read.filter(measure=measure)
        read = (
            read.in_force_candidates(as_of=as_of, known_on=known_on, include_pending=include_pending)
            .chronological()
            .select_related("recorded_by", "review")
        )
        read = (loaded.get(a.pk, a) for a in read)
    return _paths(measures, parties, read, since, as_of, (lambda a: a) if assessments else (lambda a: None))


def _paths_from_values(measures, parties, candidates, since, as_of, load):
    """level_paths' answer from `candidates` (Levelled values, chronological), with the assessments
    the paths name (each Step's, each baseline's) loaded by `load(pks)` (default: by id, with their
    author and review, as level_paths reads them)."""
    by_pair = {}
    for row in candidates:
        by_pair.setdefault((row.measure_id, row.party_id), []).append(row)
    named = set()
    for rows in by_pair.values():
        earlier = [row for row in rows if row.effective_date < since]
        if earlier:
            named.add(earlier[-1].pk)
        named.update(row.pk for day, _, row in _timeline(rows) if since <= day <= as_of)
    if load is None:
        load = _load_by_id
    objects = load(named)
    return _paths(measures, parties, candidates, since, as_of, lambda row: objects[row.pk])


def _load_by_id(pks):
    if not pks:
        return {}
    return {a.pk: a for a in Assessment.objects.filter(pk__in=pks).select_related("recorded_by", "review")}


def _paths(measures, parties, read, since, as_of, assessment_of):
    """level_paths' answer from `read` (the candidates, chronological, objects or values), each Step's
    and baseline's assessment being `assessment_of(candidate)` (the candidate itself, or its loaded
    object, or None)."""
    rows = {}
    for assessment in read:
        rows.setdefault((assessment.measure_id, assessment.party_id), []).append(assessment)
    paths = {}
    for each in measures:
        applying = {party.pk for party in each.parties_applying(parties)}
        timelines = [(party, _timeline(rows.get((each.pk, party.pk), []))) for party in parties]
        party_paths = []
        for party, timeline in timelines:
            earlier = [a for a in rows.get((each.pk, party.pk), []) if a.effective_date < since]
            path = _cut(
                [
                    (day, level, assessment_of(a) if since <= day <= as_of else None, (party,))
                    for day, level, a in timeline
                ],
                since,
                as_of,
                baseline_assessment=assessment_of(earlier[-1]) if earlier else None,
            )
            party_paths.append((party, path, party.pk in applying))
        joint = _cut(
            _joint_timeline([(party, timeline) for party, timeline in timelines if party.pk in applying]),
            since,
            as_of,
        )
        paths[each.pk] = MeasurePath(measure=each, parties=party_paths, joint=joint)
    return paths


# The assessments in force, for a state (`state.case_state`) -----------------------------------------


def in_force_assessments(case, as_of, known_on, measure_ids=None, include_pending=False, citations=True):
    """{(measure pk, party pk): Assessment in force on `as_of`} (`AssessmentQuerySet.in_force`), its
    review (if any) joined, annotated with the newest date its citations speak of (`newest_cited_on`,
    for "contested"); with `citations`, its citations prefetched (`prefetch_citations`)."""
    assessments = Assessment.objects.filter(measure__case=case)
    if measure_ids is not None:
        assessments = assessments.filter(measure__in=measure_ids)
    assessments = (
        assessments.in_force(as_of=as_of, known_on=known_on, include_pending=include_pending)
        .with_newest_cited_date()
        .select_related("recorded_by", "review")
    )
    found = {(a.measure_id, a.party_id): a for a in assessments}
    if citations:
        prefetch_citations(found.values())
    return found


def in_force_from_candidates(levelled, citations):
    """`in_force_assessments`'s answer from the candidates already read as values
    (`levelled_candidates`): the last of each (measure, party), loaded by id in one query (none when
    nothing was assessed), annotated, joined and prefetched alike."""
    last = {(row.measure_id, row.party_id): row.pk for row in levelled}
    if not last:
        return {}
    assessments = Assessment.objects.filter(pk__in=last.values()).with_newest_cited_date()
    found = {(a.measure_id, a.party_id): a for a in assessments.select_related("recorded_by", "review")}
    if citations:
        prefetch_citations(found.values())
    return found


def loader_with_in_force(levelled, current):
    """A `load` for `level_paths` (from the candidates `levelled`, `levelled_candidates`' values): it
    loads the assessments the paths name with those in force on the as-of date (the last of each
    measure and party), in one query, annotated and joined as `in_force_assessments` reads them,
    with their citations (one more), and puts those in force in `current` {(measure pk, party pk):
    Assessment}."""
    last = {(row.measure_id, row.party_id): row.pk for row in levelled}  # chronological: the last holds

    def load(named):
        pks = set(named) | set(last.values())
        found = {}
        if pks:
            read = Assessment.objects.filter(pk__in=pks).with_newest_cited_date()
            found = {a.pk: a for a in read.select_related("recorded_by", "review")}
            prefetch_citations(found.values())
        current.update((pair, found[pk]) for pair, pk in last.items())
        return found

    return load


def prefetch_citations(assessments):
    """Load the citations (with source and event, without the source's text) of `assessments` in one
    query: the changes of a period are grouped by what they cite (`history_entries`)."""
    assessments = [a for a in assessments if a is not None]
    if assessments:
        cited = Citation.objects.with_source().defer("source__full_text").order_by("pk")
        prefetch_related_objects(assessments, Prefetch("citations", queryset=cited))
