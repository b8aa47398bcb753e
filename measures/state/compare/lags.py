"""Who lags on one case's measures (the dashboard), and how soon a case reached each level against the
other cases (the report's key judgements)."""

import datetime
from dataclasses import dataclass

from measures.models import Assessment, Measure, MeasureType, Party
from measures.state.compare.figures import MIN_OTHER_CASES, STEPS, StepSummary, summarise
from measures.state.compare.matrix import compare_cases
from measures.state.compare.paths import behind_since, days_after, parties_behind, paths_of
from measures.state.levels import LEVEL_RANK

Level = Assessment.Level
STEP_NAMES = {Level.MINIMAL: "minimal", Level.INTERMEDIATE: "intermediate", Level.FULL: "full"}


# Who lags, on one case's dashboard -------------------------------------------------------------------


@dataclass(frozen=True)
class Lag:
    """A party lagging on a measure: its `level`, the `ahead` parties [(party, level)] at the highest
    level ranked, and `since` (the first day of its unbroken stretch behind; None if not known)."""

    measure: Measure
    party: Party
    level: str
    ahead: list
    since: datetime.date | None

    @property
    def level_label(self):
        return Level(self.level).label


def lags_in(state):
    """Who lags in `state` (a `case_state()` CaseState): [Lag] in measure then party order, from the
    levels the state shows, with since when from the assessments that count up to its as-of date.
    One query (the case's assessments in order), whatever the size of the case."""
    found = []
    for row in state.rows:
        applying = [cell.party.pk for cell in row.applicable_cells]
        behind = parties_behind({cell.party.pk: cell.level for cell in row.cells}, applying)
        if behind:
            found.append((row, behind))
    if not found:
        return []
    rows = (
        Assessment.objects.filter(measure__in=[row.measure.pk for row, _ in found])
        .effective_by(state.as_of)
        .counting(state.known_on)
        .chronological()
        .values_list("measure_id", "party_id", "level", "effective_date")
    )
    paths = paths_of(rows)
    lags = []
    for row, behind in found:
        applying = [cell.party.pk for cell in row.applicable_cells]
        since = behind_since(paths.get(row.measure.pk, []), applying)
        ranked = [cell for cell in row.applicable_cells if cell.level in LEVEL_RANK]
        top = max(LEVEL_RANK[cell.level] for cell in ranked)
        ahead = [(cell.party, cell.level) for cell in ranked if LEVEL_RANK[cell.level] == top]
        for cell in row.applicable_cells:
            if cell.party.pk in behind:
                lags.append(Lag(row.measure, cell.party, cell.level, ahead, since.get(cell.party.pk)))
    return lags


# A case against the others, for the report ---------------------------------------------------------


@dataclass(frozen=True)
class StepComparison:
    """How soon a measure of the case reached a level against the other cases with a measure of its
    type: `days` (None: not reached by `as_of`, `elapsed` days after the start), `others` (the other
    cases' StepSummary), and `verdict`: "faster" (sooner than every other case that reached it),
    "slower" (later than all of them, or not yet although all of them had by then), or None. A
    measure not yet assessed is not said to be slower: nothing is known of it."""

    measure: Measure
    type: MeasureType
    level: str
    days: int | None
    elapsed: int
    others: StepSummary
    verdict: str | None

    @property
    def level_label(self):
        return Level(self.level).label

    @property
    def level_name(self):
        """The level in words, without its score: "minimal"."""
        return STEP_NAMES[self.level]


def step_comparisons(case, others, *, as_of, known_on=None, today=None, column_cache=None):
    """[StepComparison] with a verdict, for each typed measure of `case` (as of `as_of`, as known on
    `known_on`) and each level, against `others` (cases, each as of its own default date, as known on
    `known_on`). A comparison needs at least MIN_OTHER_CASES other cases that reached the level.
    The queries of one `compare_cases` (without evidence), whatever the number of cases; with
    `column_cache` (as `compare_cases` takes it), the columns kept there are not computed again."""
    others = [other for other in others if other.pk != case.pk]
    comparison = compare_cases(
        [case, *others],
        as_of={case.pk: as_of},
        known_on=known_on,
        # The rows of the case's own types only: the others' summaries are never read here.
        types=MeasureType.objects.filter(pk__in=Measure.objects.filter(case=case).values("type_id")),
        first_progress=False,
        today=today,
        column_cache=column_cache,
    )
    own, rest = comparison.columns[0], comparison.columns[1:]
    types = {row.type.pk: row.type for row in comparison.rows}
    found = []
    elapsed = (as_of - case.start_date).days
    for item in own.measures:  # the case's own measures are built; the other cases' are read as values
        type_id = item.measure.type_id
        if type_id is None or type_id not in types:
            continue
        having = [column for column in rest if column.values_of_type(type_id)]
        for step in STEPS:
            # The first of a case's measures of the type to reach the step (CaseColumn.first_day), in days.
            summary = summarise(step, [days_after(c.case.start_date, c.first_day(type_id, step)) for c in having])
            days = item.joint_reached[step].days
            if days is None and item.joint_level not in LEVEL_RANK:
                continue  # not yet assessed (or not applicable): not known to lag behind anything
            verdict = None
            if summary.reached >= MIN_OTHER_CASES:
                if days is not None and days < summary.shortest:
                    verdict = "faster"
                elif (days is not None and days > summary.longest) or (days is None and elapsed > summary.longest):
                    verdict = "slower"
            if verdict is not None:
                found.append(StepComparison(item.measure, types[type_id], step, days, elapsed, summary, verdict))
    return found
