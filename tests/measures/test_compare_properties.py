"""Property-based tests (Hypothesis) of the comparison of cases, on random histories of assessments:
a matrix cell is what the case's dashboard shows on the same dates, and the days to each level, and
who lags since when, are what the dashboard's levels give day by day (the level in force of
`AssessmentQuerySet.in_force`, through `case_state`)."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from measures.models import Assessment, Case, MeasureType
from measures.state import LEVEL_RANK, STEPS, case_state, compare_cases, joint_level
from measures.state.compare.columns import measure_values
from measures.state.compare.paths import behind_since, first_reached_days, parties_behind, paths_of
from tests.helpers import PROPERTIES, START, build, days, histories, in_savepoint

Level = Assessment.Level


def typed(world):
    """The world's case, as stored (an earlier example may have changed the object and been rolled
    back), with its two measures typed."""
    case, parties, measures, citation, user = world
    case.refresh_from_db()
    for measure, slug in zip(measures, ("ceasefire", "military-hotline"), strict=True):
        measure.type = MeasureType.objects.get(slug=slug)
        measure.save()
    return case


def items_by_measure(comparison):
    (column,) = comparison.columns
    return {item.measure.pk: item for item in column.measures}


@PROPERTIES
@given(history=histories, as_of=st.one_of(st.none(), days), known=st.one_of(st.none(), days), closed=st.booleans())
def test_a_matrix_cell_is_the_dashboards_level_on_the_same_dates(history_world, history, as_of, known, closed):
    def check():
        case = typed(history_world)
        if closed:  # a closed case is shown as of its end date by default
            Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, end_date=START + datetime.timedelta(10))
            case.refresh_from_db()
        build(history_world, history)
        as_of_date = None if as_of is None else START + datetime.timedelta(days=as_of)
        known_on = None if known is None else START + datetime.timedelta(days=known)
        items = items_by_measure(compare_cases([case], as_of=as_of_date, known_on=known_on))
        state = case_state(case, as_of=as_of_date, known_on=known_on)
        for row in state.rows:
            item = items[row.measure.pk]
            assert item.as_of == state.as_of
            assert item.joint_level == row.joint_level
            assert [(s.party.pk, s.level, s.applies) for s in item.parties] == [
                (cell.party.pk, cell.level, cell.applies) for cell in row.cells
            ]
        rows = {row.type.slug: row for row in compare_cases([case], as_of=as_of_date, known_on=known_on).rows}
        assert [item.measure.number for item in rows["ceasefire"].measures] == [1]
        assert [item.measure.number for item in rows["military-hotline"].measures] == [2]

    in_savepoint(check)


@PROPERTIES
@given(history=histories, as_of=days, known=st.one_of(st.none(), days))
def test_days_to_each_level_and_lags_follow_the_dashboards_levels_day_by_day(history_world, history, as_of, known):
    def check():
        case = typed(history_world)
        made = build(history_world, history)
        as_of_date = START + datetime.timedelta(days=as_of)
        known_on = None if known is None else START + datetime.timedelta(days=known)
        items = items_by_measure(compare_cases([case], as_of=as_of_date, known_on=known_on))
        # The level can only change on a day an assessment took effect: the dashboard on each of them.
        changes = sorted({a.effective_date for a in made if a.effective_date <= as_of_date})
        states = [(d, case_state(case, as_of=d, known_on=known_on)) for d in changes]
        for index, measure in enumerate(history_world[2]):
            item = items[measure.pk]
            rows = [(d, state.rows[index]) for d, state in states]
            for step in STEPS:
                expected = next((d for d, row in rows if LEVEL_RANK.get(row.joint_level, -9) >= LEVEL_RANK[step]), None)
                assert item.joint_reached[step].on == expected
                assert item.joint_reached[step].days == (None if expected is None else (expected - START).days)
                for standing in item.parties:
                    expected = next(
                        (
                            d
                            for d, row in rows
                            if LEVEL_RANK.get(row.cell_for(standing.party).level, -9) >= LEVEL_RANK[step]
                        ),
                        None,
                    )
                    assert standing.reached[step].on == expected
            for standing in item.parties:
                since = None
                for d, row in rows:
                    ranked = [c for c in row.applicable_cells if c.level in LEVEL_RANK]
                    top = max((LEVEL_RANK[c.level] for c in ranked), default=None)
                    cell = row.cell_for(standing.party)
                    behind = len(ranked) > 1 and cell in ranked and LEVEL_RANK[cell.level] < top
                    since = (since or d) if behind else None
                assert (standing.behind, standing.behind_since) == (since is not None, since)
            assert item.joint_level == joint_level(s.level for s in item.parties if s.applies)

    in_savepoint(check)


@PROPERTIES
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(list(Level.values)), st.integers(0, 15)), max_size=25
    ),
    applying=st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=3, unique=True),
)
def test_the_matrixs_one_pass_gives_the_days_and_lags_of_the_path_of_levels(rows, applying):
    """`columns.measure_values` (the matrix's column, walked once) against the rules as stated over a
    path of levels (`paths.first_reached_days`, `paths.behind_since`, `parties_behind`, `joint_level`)."""
    rows = sorted(rows, key=lambda row: row[2])  # chronological; of one day, in the order recorded
    dated = [(party, level, START + datetime.timedelta(days=n)) for party, level, n in rows]
    path = paths_of([(1, party, level, on) for party, level, on in dated]).get(1, [])
    per_party, joint = first_reached_days(path, applying)
    since = behind_since(path, applying)
    values = measure_values(dated, [1, 2, 3], applying)
    in_force = {pk: (path[-1][1] if path else {}).get(pk, Level.NOT_ASSESSED) for pk in (1, 2, 3)}
    behind = parties_behind(in_force, applying)
    assert values.joint_reached == joint
    assert values.joint_level == joint_level(in_force[pk] for pk in applying)
    for pk in (1, 2, 3):
        own = values.parties[pk]
        assert (own.level, own.applies, own.behind) == (in_force[pk], pk in applying, pk in behind)
        assert own.reached == per_party.get(pk, {})
        assert own.since == (since.get(pk) if pk in behind else None)
