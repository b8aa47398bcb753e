"""The path of a measure over a period (measures.state.path): every level in force, not the two ends.

The property test compares what a period reports (levels, changes, direction, reversals, lowest
level) with the level in force on each of its days, read one day at a time through `case_state`
(the one definition of the level in force).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.models import Assessment
from measures.state import LEVEL_RANK, Direction, case_state, joint_level, level_paths, path_direction
from tests import factories
from tests.helpers import PROPERTIES, START, build, days, histories, in_savepoint

Level = Assessment.Level
D = datetime.date
UTC = ZoneInfo("UTC")


def at(day, month=12, hour=12):
    return datetime.datetime(2024, month, day, hour, tzinfo=UTC)


def daily_levels(case, since, as_of):
    """{(measure pk, party pk): [level on each day from the baseline to as_of]} and the joint levels,
    each day read on its own through case_state."""
    per_party, joint = {}, {}
    day = since - datetime.timedelta(days=1)
    while day <= as_of:
        state = case_state(case, as_of=day)
        for row in state.rows:
            for cell in row.cells:
                per_party.setdefault((row.measure.pk, cell.party.pk), []).append(cell.level)
            joint.setdefault(row.measure.pk, []).append(row.joint_level)
        day += datetime.timedelta(days=1)
    return per_party, joint


@PROPERTIES
@given(history=histories, since=days, length=st.integers(0, 10))
def test_every_level_reached_inside_the_period_is_reported(history_world, history, since, length):
    def check():
        build(history_world, history)
        case = history_world[0]
        since_date = START + datetime.timedelta(days=since)
        as_of_date = since_date + datetime.timedelta(days=length)
        state = case_state(case, as_of=as_of_date, since=since_date)
        per_party, joint = daily_levels(case, since_date, as_of_date)
        changes = [
            (c.measure.pk, c.party.pk, c.old_level, c.new_level, c.assessment.effective_date) for c in state.changes
        ]
        for row in state.rows:
            for cell in row.cells:
                baseline, *inside = per_party[(row.measure.pk, cell.party.pk)]
                path = cell.path
                # Every level in force on a day of the period is a level of its path, and only those.
                assert set(path.levels) == set(inside)
                assert path.baseline == baseline == cell.previous_level
                assert path.end == inside[-1] == cell.level
                # Each day on which the level changed is a change of "what changed", with both levels.
                expected = [
                    (row.measure.pk, cell.party.pk, old, new, since_date + datetime.timedelta(days=i))
                    for i, (old, new) in enumerate(zip([baseline, *inside[:-1]], inside, strict=True))
                    if old != new
                ]
                reported = [c for c in changes if c[:2] == (row.measure.pk, cell.party.pk)]
                assert reported == (expected if cell.applies else [])
                assert cell.moved == any(level != baseline for level in inside)
                if cell.moved:
                    assert cell.direction != Direction.SAME
                scored = [level for level in inside if level in LEVEL_RANK]
                assert path.lowest == (min(scored, key=LEVEL_RANK.__getitem__) if scored else None)
            joint_baseline, *joint_inside = joint[row.measure.pk]
            assert set(row.path.joint.levels) == set(joint_inside)
            assert row.joint_level == joint_inside[-1] and row.previous_joint_level == joint_baseline
            reversed_days = [
                since_date + datetime.timedelta(days=i)
                for i, level in enumerate(joint_inside)
                if level == Level.REVERSED
            ]
            for day in reversed_days:
                assert any(r.first_day <= day <= r.last_day for r in row.reversals)
            assert bool(row.reversals) == bool(reversed_days)
            if any(level != joint_baseline for level in joint_inside):
                assert row.moved and row.direction != Direction.SAME

    in_savepoint(check)


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([Level.FULL, Level.REVERSED, Level.FULL], Direction.DOWN_UP),
        ([Level.MINIMAL, Level.REVERSED, Level.FULL], Direction.DOWN_UP),
        ([Level.FULL, Level.REVERSED, Level.MINIMAL], Direction.DOWN_UP),
        ([Level.MINIMAL, Level.FULL, Level.MINIMAL], Direction.UP_DOWN),
        ([Level.MINIMAL, Level.INTERMEDIATE, Level.FULL], Direction.UP),
        ([Level.FULL, Level.INTERMEDIATE, Level.REVERSED], Direction.DOWN),
        ([Level.NOT_ASSESSED, Level.REVERSED, Level.MINIMAL], Direction.DOWN_UP),
        ([Level.NOT_ASSESSED, Level.NOT_INITIATED], Direction.NEW),  # first assessed: not an improvement
        ([Level.NOT_ASSESSED, Level.NOT_INITIATED, Level.MINIMAL], Direction.UP),
        ([Level.FULL, Level.NOT_APPLICABLE, Level.FULL], Direction.SAME),
        ([Level.FULL, Level.NOT_APPLICABLE], Direction.UNSCORED),
        ([Level.FULL], Direction.SAME),
    ],
)
def test_direction_along_a_path(levels, expected):
    assert path_direction(levels) == expected


@pytest.fixture
def reversal_case(db):
    """Full on 1 December, Reversed on 10 December, Full again on 20 December (both parties)."""
    case = factories.CaseFactory(start_date=D(2024, 11, 1))
    measure = factories.MeasureFactory(case=case, number=1, title="Ceasefire")
    parties = list(case.assessed_parties.order_by("name"))
    for party in parties:
        for level, day in ((Level.FULL, 1), (Level.REVERSED, 10), (Level.FULL, 20)):
            factories.AssessmentFactory(
                measure=measure, party=party, level=level, effective_date=D(2024, 12, day), recorded_at=at(day)
            )
    return case, measure, parties


def test_a_reversal_restored_inside_the_period_is_not_unchanged(reversal_case):
    case, measure, parties = reversal_case
    state = case_state(case, as_of=D(2024, 12, 31), since=D(2024, 12, 2))
    row = state.rows[0]
    assert row.joint_level == row.previous_joint_level == Level.FULL
    assert row.direction == Direction.DOWN_UP
    assert row.direction_label == "Worsened then improved"
    assert row.moved and row.lowest_level == Level.REVERSED
    names = " and ".join(sorted(p.name for p in parties)).replace(" and ", ", ")
    assert row.reversal_text == f"reversed on 10 Dec 2024 ({names}), restored on 20 Dec 2024 to Full (3)"
    assert [(c.old_level, c.new_level, c.assessment.effective_date.day) for c in state.changes] == [
        (Level.FULL, Level.REVERSED, 10),
        (Level.FULL, Level.REVERSED, 10),
        (Level.REVERSED, Level.FULL, 20),
        (Level.REVERSED, Level.FULL, 20),
    ]
    assert state.net_changes == []
    assert [r for r, _ in state.reversed_in_period] == [row]


def test_a_reversal_before_the_period_is_dated_from_when_it_began(reversal_case):
    case, _, _ = reversal_case
    row = case_state(case, as_of=D(2024, 12, 25), since=D(2024, 12, 15)).rows[0]
    (reversal,) = row.reversals
    assert reversal.before_period and reversal.reversed_on == D(2024, 12, 10)
    assert reversal.restored_on == D(2024, 12, 20) and reversal.restored_to == Level.FULL
    assert "reversed since 10 Dec 2024" in row.reversal_text and "before the period" in row.reversal_text


def test_a_reversal_still_in_force_says_so(reversal_case):
    case, _, _ = reversal_case
    row = case_state(case, as_of=D(2024, 12, 15), since=D(2024, 12, 2)).rows[0]
    assert row.direction == Direction.DOWN
    assert row.reversal_text.endswith("still reversed at the end of the period")


def test_one_party_reversed_shows_on_the_joint_path_and_names_the_party(db):
    case = factories.CaseFactory(start_date=D(2024, 11, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    first, second = case.assessed_parties.order_by("name")
    for party in (first, second):
        factories.AssessmentFactory(measure=measure, party=party, level=Level.MINIMAL, effective_date=D(2024, 12, 1))
    factories.AssessmentFactory(measure=measure, party=first, level=Level.REVERSED, effective_date=D(2024, 12, 5))
    factories.AssessmentFactory(measure=measure, party=first, level=Level.MINIMAL, effective_date=D(2024, 12, 7))
    row = case_state(case, as_of=D(2024, 12, 31), since=D(2024, 12, 2)).rows[0]
    assert row.direction == Direction.DOWN_UP
    assert row.cell_for(first).direction == Direction.DOWN_UP
    assert row.cell_for(second).direction == Direction.SAME and not row.cell_for(second).moved
    (reversal,) = row.reversals
    assert reversal.parties == (first,)


def test_a_level_held_for_part_of_a_day_is_not_on_the_path(db):
    """Two assessments effective the same day: the later recorded one is in force at the end of it."""
    case = factories.CaseFactory(start_date=D(2024, 11, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    party = case.assessed_parties.order_by("name").first()
    factories.AssessmentFactory(measure=measure, party=party, level=Level.FULL, effective_date=D(2024, 12, 1))
    factories.AssessmentFactory(
        measure=measure, party=party, level=Level.REVERSED, effective_date=D(2024, 12, 5), recorded_at=at(5, hour=9)
    )
    factories.AssessmentFactory(
        measure=measure, party=party, level=Level.FULL, effective_date=D(2024, 12, 5), recorded_at=at(5, hour=10)
    )
    paths = level_paths(case, since=D(2024, 12, 2), as_of=D(2024, 12, 31))
    path = paths[measure.pk].of(party)
    assert path.levels == [Level.FULL] and not path.changed


def test_a_corrected_assessment_never_counts_on_the_path(db):
    case = factories.CaseFactory(start_date=D(2024, 11, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    party = case.assessed_parties.order_by("name").first()
    factories.AssessmentFactory(
        measure=measure, party=party, level=Level.FULL, effective_date=D(2024, 12, 1), recorded_at=at(1)
    )
    wrong = factories.AssessmentFactory(
        measure=measure, party=party, level=Level.REVERSED, effective_date=D(2024, 12, 5), recorded_at=at(5)
    )
    factories.AssessmentFactory(
        measure=measure, party=party, level=Level.FULL, effective_date=D(2024, 12, 5), recorded_at=at(6), corrects=wrong
    )
    path = level_paths(case, since=D(2024, 12, 2), as_of=D(2024, 12, 31))[measure.pk].of(party)
    assert path.levels == [Level.FULL]
    # As known before the correction, the reversal was on the path.
    known = level_paths(case, since=D(2024, 12, 2), as_of=D(2024, 12, 31), known_on=D(2024, 12, 5))
    assert known[measure.pk].of(party).levels == [Level.FULL, Level.REVERSED]


@pytest.mark.parametrize("size", [3, 30])
def test_level_paths_run_one_query_whatever_the_size(db, django_assert_num_queries, size):
    case = factories.CaseFactory(start_date=D(2024, 11, 1))
    parties = list(case.assessed_parties.order_by("name"))
    measures = []
    for number in range(1, size + 1):
        measure = factories.MeasureFactory(case=case, number=number)
        measures.append(measure)
        for party in parties:
            for level, day in ((Level.FULL, 1), (Level.REVERSED, 10), (Level.FULL, 20)):
                factories.AssessmentFactory(
                    measure=measure, party=party, level=level, effective_date=D(2024, 12, day), citations=[]
                )
    from measures.models import Measure

    measures = list(Measure.objects.for_case(case).prefetch_related("applicable_parties"))
    with django_assert_num_queries(1):
        paths = level_paths(case, since=D(2024, 12, 2), as_of=D(2024, 12, 31), parties=parties, measures=measures)
        texts = [path.reversal_text for path in paths.values()]
        steps = [step for path in paths.values() for _, party_path, _ in path.parties for step in party_path.changes]
        [step.assessment.recorded_by.username for step in steps]
    assert len(texts) == size and all("restored on 20 Dec 2024" in text for text in texts)
    assert all(joint_level([Level.FULL]) == path.joint.end for path in paths.values())
