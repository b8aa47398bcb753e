"""Each case's column of the matrix as plain values, computed in one pass over the assessments that
count, and kept per case's data version so that a write to one case recomputes one column.

A column's values (`ColumnValues`) are what `compare_cases` turns into `MeasureComparison`s: per
measure, the joint level and the first day of each step jointly, each party's level in force, whether
the measure applies to it, the first day of each step, whether it lags and since when, and the date of
the first evidence of progress. Dates only (no days, no model instances): the days are counted from
the case's start when the comparison is built.

The rules are those of the package's docstring; `paths.first_reached_days` and `paths.behind_since`
state them over a path of levels, and this module's single pass gives the same days (a property test
compares both, tests/measures/test_compare_properties.py).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Min

from measures.models import Assessment, Evidence, Measure
from measures.state.compare.figures import STEPS
from measures.state.compare.paths import as_of_expression, chronology
from measures.state.levels import LEVEL_RANK, joint_level

Level = Assessment.Level
NOT_ASSESSED = Level.NOT_ASSESSED
# The rank a level must reach for each step (minimal 1, intermediate 2, full 3).
STEP_RANKS = tuple((step, LEVEL_RANK[step]) for step in STEPS)
# Kept columns: change this when the values' shape or rules change, so that none of the old is read.
COLUMN_FORMAT = "column-v1"


@dataclass(frozen=True)
class PartyValues:
    """One party on one measure: `level` in force, `applies`, `reached` {step: first date},
    `behind` (lags on the as-of date) and `since` (first day of its unbroken stretch behind, or None)."""

    level: str
    applies: bool
    reached: dict
    behind: bool = False
    since: object = None


@dataclass(frozen=True)
class MeasureValues:
    """One measure: `joint_level`, `joint_reached` {step: first date}, `parties` {party pk:
    PartyValues} and `progress_on` (date of the first evidence of progress, or None)."""

    joint_level: str
    joint_reached: dict
    parties: dict
    progress_on: object = None


def column_key(case, as_of, known_on, first_progress):
    """The cache key of `case`'s column as of `as_of` (a date), as known on `known_on`: its data
    version (bumped by every write, `services.touch_cases`) and its assessed parties name its data."""
    parties = ",".join(str(party.pk) for party in case.assessed_parties.all())
    changed = case.data_changed_at.timestamp() if case.data_changed_at else ""
    return (
        f"{COLUMN_FORMAT}:{case.pk}:{case.data_version}:{changed}:{parties}:"
        f"{as_of.isoformat()}:{known_on.isoformat() if known_on else ''}:{int(bool(first_progress))}"
    )


def column_values(columns, measures, *, as_of, known_on, first_progress, today):
    """{case pk: {measure pk: MeasureValues}} for the cases of `columns` ({case pk: CaseColumn}, with
    their as-of dates and assessed parties), of `measures` (theirs: rows beginning with the measure's pk
    and its case's, as `compare_cases` reads them). `as_of` as
    `compare_cases` takes it. Three queries (two without `first_progress`), whatever the number of
    cases, measures and assessments: the applicable parties, the assessments that count in order
    (whose last level per party is the level in force: `AssessmentQuerySet.in_force`'s rule), the
    first evidence of progress."""
    case_ids = list(columns)
    named = defaultdict(set)
    pairs = Measure.applicable_parties.through.objects.filter(measure__case__in=case_ids)
    for measure_id, party_id in pairs.values_list("measure_id", "party_id"):
        named[measure_id].add(party_id)
    as_of_sql = as_of_expression(as_of, today=today)
    rows = defaultdict(list)
    for measure_id, party_id, level, day in chronology(case_ids, as_of_sql, known_on):
        rows[measure_id].append((party_id, level, day))
    progress_on = {}
    if first_progress:
        progress_on = dict(
            Evidence.objects.filter(measure__case__in=case_ids, stance=Evidence.Stance.PROGRESS)
            .counting_by(as_of_sql, known_on)
            .exclude(when__isnull=True)
            .order_by()
            .values("measure")
            .annotate(first=Min("when"))
            .values_list("measure", "first")
        )
    values = {pk: {} for pk in case_ids}
    for measure_id, case_id, *_ in measures:
        parties = columns[case_id].parties
        applying = [party.pk for party in Measure.applying_among(parties, named[measure_id])]
        values[case_id][measure_id] = measure_values(
            rows.get(measure_id, []), [party.pk for party in parties], applying, progress_on.get(measure_id)
        )
    return values


def _ranks(levels, applying):
    """(joint rank or None, [pks behind]) of the parties `applying` at `levels` ({party pk: level}).

    The joint rank is that of `levels.joint_level` (None when some party is unjudged or none is
    scored: no step is reached); behind are those ranking below another (`paths.parties_behind`).
    Inlined, for it runs once per day of every measure's path."""
    ranked = []
    unjudged = False
    for pk in applying:
        level = levels.get(pk, NOT_ASSESSED)
        rank = LEVEL_RANK.get(level)
        if rank is None:
            unjudged = unjudged or level == NOT_ASSESSED
        else:
            ranked.append((pk, rank))
    if not ranked:
        return None, ()
    lowest = min(rank for _, rank in ranked)
    top = max(rank for _, rank in ranked)
    behind = [pk for pk, rank in ranked if rank < top] if len(ranked) > 1 else ()
    return (None if unjudged else lowest), behind


def measure_values(rows, party_ids, applying, progress_on=None):
    """MeasureValues of one measure from its chronological (party pk, level, effective date) rows of
    assessments that count, for the case's parties `party_ids` and the applicable ones `applying`.
    Each day's levels are those at its end (of two on one day, the later recorded): the path of
    `paths.paths_of`, walked once. It runs for every day of every measure's path (twenty thousand
    at 100× the data), so each step is reached when the highest rank so far passes it, and the ranks
    of a day are read once."""
    rank_of = LEVEL_RANK.get
    levels = {}
    best = dict.fromkeys(applying, BELOW_STEPS)  # the highest rank each applicable party has had
    reached = {pk: {} for pk in applying}
    joint, joint_best = {}, BELOW_STEPS
    since = {}
    index, count = 0, len(rows)
    while index < count:
        day = rows[index][2]
        changed = []
        while index < count and rows[index][2] == day:
            party_id, level, _ = rows[index]
            levels[party_id] = level
            changed.append(party_id)
            index += 1
        for pk in changed:
            rank = rank_of(levels[pk])
            if rank is not None and pk in best and rank > best[pk]:
                _passed(reached[pk], best[pk], rank, day)
                best[pk] = rank
        ranks, lowest, top, unjudged = _day_ranks(levels, applying, rank_of)
        if lowest is not None and not unjudged and lowest > joint_best:
            _passed(joint, joint_best, lowest, day)
            joint_best = lowest
        if lowest is not None and lowest < top:
            since = {pk: since.get(pk, day) for pk, rank in ranks if rank < top}
        elif since:
            since = {}
    applies = set(applying)
    in_force = {pk: levels.get(pk, Level.NOT_ASSESSED) for pk in party_ids}
    behind = set(_ranks(in_force, applying)[1])
    parties = {
        pk: PartyValues(
            in_force[pk],
            pk in applies,
            reached.get(pk, {}),
            behind=pk in behind,
            since=since.get(pk) if pk in behind else None,
        )
        for pk in party_ids
    }
    return MeasureValues(joint_level(in_force[pk] for pk in applying), joint, parties, progress_on)


# Below every step's rank: nothing reached yet.
BELOW_STEPS = min(needed for _, needed in STEP_RANKS) - 1


def _passed(found, before, rank, day):
    """Record `day` in `found` ({step: first day}) for each step between rank `before` and `rank`."""
    for step, needed in STEP_RANKS:
        if before < needed <= rank:
            found[step] = day


def _day_ranks(levels, applying, rank_of):
    """([(pk, rank)] of the applying parties ranked, their lowest and highest rank (None, None when
    none is), whether one is unjudged): `_ranks`' reading of a day, once."""
    ranks = []
    lowest = top = None
    unjudged = False
    for pk in applying:
        level = levels.get(pk, NOT_ASSESSED)
        rank = rank_of(level)
        if rank is None:
            unjudged = unjudged or level == NOT_ASSESSED
            continue
        ranks.append((pk, rank))
        if lowest is None or rank < lowest:
            lowest = rank
        if top is None or rank > top:
            top = rank
    return ranks, lowest, top, unjudged
