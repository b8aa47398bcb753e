"""Property-based tests (Hypothesis) of the comparison of cases, on random histories of assessments:
a matrix cell is what the case's dashboard shows on the same dates, and the days to each level, and
who lags since when, are what the dashboard's levels give day by day (the level in force of
`AssessmentQuerySet.in_force`, through `case_state`)."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from measures.models import Case, MeasureType
from measures.state import LEVEL_RANK, STEPS, case_state, compare_cases, joint_level
from tests.helpers import PROPERTIES, START, build, days, histories, in_savepoint


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
