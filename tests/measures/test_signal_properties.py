"""Property-based tests of the query layer (Hypothesis) on random histories of assessments.

Each example builds a history inside a savepoint and rolls it back, so one database serves all of
them. The number of examples is bounded and derandomised: the suite stays fast and repeatable.
"""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from measures.models import Assessment, Event
from measures.state import LEVEL_RANK, assessment_history, case_state, reporting_period
from tests import factories
from tests.helpers import PROPERTIES, START, build, days, histories, in_savepoint

Level = Assessment.Level


def oracle(assessments, as_of, known_on=None):
    """The level in force per (measure pk, party pk), by the stated rule, in plain Python."""
    known = [a for a in assessments if known_on is None or a.recorded_at.date() <= known_on]
    withdrawn = {a.corrects_id for a in known if a.corrects_id is not None}
    candidates = [a for a in known if a.effective_date <= as_of and a.pk not in withdrawn]
    in_force = {}
    for a in sorted(candidates, key=lambda a: (a.effective_date, a.recorded_at, a.pk)):
        in_force[(a.measure_id, a.party_id)] = a
    return {key: a.level for key, a in in_force.items()}


def levels_of(state):
    return {(row.measure.pk, cell.party.pk): cell.level for row in state.rows for cell in row.cells if cell.assessment}


@PROPERTIES
@given(history=histories, as_of=days, known=st.one_of(st.none(), days))
def test_level_in_force_follows_the_stated_rule(history_world, history, as_of, known):
    def check():
        made = build(history_world, history)
        as_of_date = START + datetime.timedelta(days=as_of)
        known_on = None if known is None else START + datetime.timedelta(days=known)
        state = case_state(history_world[0], as_of=as_of_date, known_on=known_on)
        assert levels_of(state) == oracle(made, as_of_date, known_on)

    in_savepoint(check)


@PROPERTIES
@given(history=histories, as_of=days)
def test_joint_level_is_never_above_any_party(history_world, history, as_of):
    def check():
        build(history_world, history)
        state = case_state(history_world[0], as_of=START + datetime.timedelta(days=as_of))
        for row in state.rows:
            joint = row.joint_level
            for cell in row.applicable_cells:
                if joint in LEVEL_RANK and cell.level in LEVEL_RANK:
                    assert LEVEL_RANK[joint] <= LEVEL_RANK[cell.level]
                if cell.level == Level.REVERSED:
                    assert joint == Level.REVERSED
                if cell.level == Level.NOT_ASSESSED and joint != Level.REVERSED:
                    assert joint == Level.NOT_ASSESSED

    in_savepoint(check)


@PROPERTIES
@given(history=histories, first=days, later=days)
def test_moving_as_of_never_changes_assessments_effective_earlier(history_world, history, first, later):
    first, later = sorted((first, later))

    def check():
        build(history_world, history)
        early_date = START + datetime.timedelta(days=first)
        early = case_state(history_world[0], as_of=early_date)
        late = case_state(history_world[0], as_of=START + datetime.timedelta(days=later))
        for early_row, late_row in zip(early.rows, late.rows, strict=True):
            for early_cell, late_cell in zip(early_row.cells, late_row.cells, strict=True):
                if late_cell.assessment is not None and late_cell.assessment.effective_date <= early_date:
                    assert early_cell.assessment == late_cell.assessment

    in_savepoint(check)


@PROPERTIES
@given(history=histories, as_of=days, known=days)
def test_known_on_never_shows_anything_recorded_later(history_world, history, as_of, known):
    def check():
        build(history_world, history)
        known_on = START + datetime.timedelta(days=known)
        state = case_state(history_world[0], as_of=START + datetime.timedelta(days=as_of), known_on=known_on)
        for row in state.rows:
            for cell in row.cells:
                if cell.assessment is not None:
                    assert cell.assessment.recorded_at.date() <= known_on
            for item in row.evidence:
                assert item.recorded_at.date() <= known_on and item.citation.recorded_at.date() <= known_on
        for change in assessment_history(history_world[0], known_on=known_on):
            assert change.assessment.recorded_at.date() <= known_on
            if change.superseded_by is not None:
                assert change.superseded_by.recorded_at.date() <= known_on

    in_savepoint(check)


@PROPERTIES
@given(history=histories, since=days, length=st.integers(0, 10))
def test_what_changed_is_the_difference_of_the_two_states(history_world, history, since, length):
    def check():
        build(history_world, history)
        since_date = START + datetime.timedelta(days=since)
        as_of_date = since_date + datetime.timedelta(days=length)
        state = case_state(history_world[0], as_of=as_of_date, since=since_date)
        before = levels_of(case_state(history_world[0], as_of=since_date - datetime.timedelta(days=1)))
        after = levels_of(case_state(history_world[0], as_of=as_of_date))
        keys = set(before) | set(after)
        expected = {
            key: (before.get(key, Level.NOT_ASSESSED), after.get(key, Level.NOT_ASSESSED))
            for key in keys
            if before.get(key, Level.NOT_ASSESSED) != after.get(key, Level.NOT_ASSESSED)
        }
        changes = {(c.measure.pk, c.party.pk): (c.old_level, c.new_level) for c in state.net_changes}
        assert changes == expected
        assert all(old != new for old, new in changes.values())  # no "X → X"
        assert all(c.assessment is None or c.assessment.effective_date <= as_of_date for c in state.net_changes)
        # Every change of the period, in order, adds up to the difference of the two states.
        for key, (old, new) in expected.items():
            steps = [(c.old_level, c.new_level) for c in state.changes if (c.measure.pk, c.party.pk) == key]
            assert steps[0][0] == old and steps[-1][1] == new
            assert all(a[1] == b[0] for a, b in zip(steps[:-1], steps[1:], strict=True))
        assert all(c.old_level != c.new_level for c in state.changes)

    in_savepoint(check)


@PROPERTIES
@given(since=days, length=st.integers(0, 10))
def test_the_period_includes_both_ends(history_world, since, length):
    def check():
        case = history_world[0]
        since_date = START + datetime.timedelta(days=since)
        as_of_date = since_date + datetime.timedelta(days=length)
        period = reporting_period(since=since_date, as_of=as_of_date)
        dates = [since_date - datetime.timedelta(days=1), since_date, as_of_date, as_of_date + datetime.timedelta(1)]
        events = [factories.EventFactory(case=case, date=day, date_precision=Event.Precision.DAY) for day in dates]
        inside = set(Event.objects.filter(case=case).in_period(period))
        assert inside == set(events[1:3])
        assert period.contains(since_date) and period.contains(as_of_date)
        assert period.days == length + 1
        assert period.baseline == since_date - datetime.timedelta(days=1)

    in_savepoint(check)
