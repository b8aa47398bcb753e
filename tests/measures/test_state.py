import datetime
from zoneinfo import ZoneInfo

import pytest

from measures.models import Assessment
from measures.state import assessment_history, case_state, changes_in_period, direction, joint_level, progress
from tests import factories

Level = Assessment.Level
D = datetime.date
UTC = ZoneInfo("UTC")


def at(day, hour=12):
    return datetime.datetime(2024, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def case(db):
    return factories.CaseFactory(start_date=D(2024, 1, 1))


@pytest.fixture
def parties(case):
    return list(case.assessed_parties.order_by("name"))


@pytest.fixture
def measure(case):
    return factories.MeasureFactory(case=case, number=1)


def assess(measure, party, level, effective, recorded, **kwargs):
    return factories.AssessmentFactory(
        measure=measure, party=party, level=level, effective_date=effective, recorded_at=recorded, **kwargs
    )


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([Level.FULL, Level.MINIMAL], Level.MINIMAL),
        ([Level.FULL, Level.FULL], Level.FULL),
        ([Level.FULL, Level.REVERSED], Level.REVERSED),
        ([Level.FULL, Level.NOT_ASSESSED], Level.NOT_ASSESSED),
        ([Level.REVERSED, Level.NOT_ASSESSED], Level.REVERSED),
        ([Level.INTERMEDIATE, Level.NOT_APPLICABLE], Level.INTERMEDIATE),
        ([Level.NOT_APPLICABLE, Level.NOT_APPLICABLE], Level.NOT_APPLICABLE),
        ([Level.NOT_INITIATED, Level.FULL], Level.NOT_INITIATED),
        ([], Level.NOT_ASSESSED),
    ],
)
def test_joint_level_is_the_lowest_with_reversed_and_unjudged_shown(levels, expected):
    assert joint_level(levels) == expected


def test_progress_scores_levels_and_counts_the_left_out_ones():
    result = progress(
        [Level.FULL, Level.INTERMEDIATE, Level.MINIMAL, Level.NOT_INITIATED, Level.REVERSED]
        + [Level.NOT_ASSESSED, Level.NOT_ASSESSED, Level.NOT_APPLICABLE]
    )
    assert result.value == pytest.approx((1 + 2 / 3 + 1 / 3 + 0 + 0) / 5)
    assert result.percent == 40
    assert (result.scored, result.not_assessed, result.not_applicable) == (5, 2, 1)


def test_progress_of_nothing_scored_is_none():
    assert progress([Level.NOT_ASSESSED]).value is None
    assert progress([Level.NOT_ASSESSED]).percent is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (Level.MINIMAL, Level.FULL, "up"),
        (Level.FULL, Level.MINIMAL, "down"),
        (Level.FULL, Level.REVERSED, "down"),
        (Level.REVERSED, Level.MINIMAL, "up"),
        (Level.NOT_ASSESSED, Level.MINIMAL, "new"),
        (Level.MINIMAL, Level.MINIMAL, "same"),
        (Level.MINIMAL, Level.NOT_APPLICABLE, "unscored"),
        (Level.NOT_ASSESSED, Level.REVERSED, "down"),  # newly assessed at reversed: a worsening
        (Level.NOT_INITIATED, Level.REVERSED, "down"),  # reversed is worse than not initiated
        (Level.REVERSED, Level.NOT_INITIATED, "up"),
    ],
)
def test_direction_of_travel(old, new, expected):
    assert direction(old, new) == expected


def test_level_as_of_a_date_is_the_latest_effective_by_then(measure, parties):
    pak = parties[0]
    assess(measure, pak, Level.NOT_INITIATED, D(2024, 1, 10), at(11))
    assess(measure, pak, Level.MINIMAL, D(2024, 1, 20), at(21))
    assess(measure, pak, Level.FULL, D(2024, 1, 30), at(30, 18))

    def level_on(day):
        return case_state(measure.case, as_of=D(2024, 1, day)).rows[0].cell_for(pak).level

    assert level_on(9) == Level.NOT_ASSESSED
    assert level_on(10) == Level.NOT_INITIATED
    assert level_on(25) == Level.MINIMAL
    assert level_on(31) == Level.FULL


def test_a_later_recorded_correction_for_the_same_date_wins(measure, parties):
    first = assess(measure, parties[0], Level.FULL, D(2024, 1, 20), at(21))
    assess(measure, parties[0], Level.MINIMAL, D(2024, 1, 20), at(22), corrects=first)
    state = case_state(measure.case, as_of=D(2024, 1, 31))
    assert state.rows[0].cell_for(parties[0]).level == Level.MINIMAL


def test_as_known_on_ignores_what_was_recorded_later(measure, parties):
    """What did we believe on 25 January about 20 January?"""
    assess(measure, parties[0], Level.MINIMAL, D(2024, 1, 18), at(19))
    assess(measure, parties[0], Level.INTERMEDIATE, D(2024, 1, 19), at(28))  # learnt late

    believed = case_state(measure.case, as_of=D(2024, 1, 20), known_on=D(2024, 1, 25))
    now_known = case_state(measure.case, as_of=D(2024, 1, 20))

    assert believed.rows[0].cell_for(parties[0]).level == Level.MINIMAL
    assert now_known.rows[0].cell_for(parties[0]).level == Level.INTERMEDIATE


def test_case_state_joint_levels_progress_and_counts(case, parties):
    pak, irn = parties
    measures = [factories.MeasureFactory(case=case, number=n) for n in (1, 2, 3, 4)]
    assess(measures[0], pak, Level.FULL, D(2024, 1, 20), at(21))
    assess(measures[0], irn, Level.INTERMEDIATE, D(2024, 1, 20), at(21))
    assess(measures[1], pak, Level.FULL, D(2024, 1, 20), at(21))
    assess(measures[1], irn, Level.FULL, D(2024, 1, 20), at(21))
    assess(measures[2], pak, Level.REVERSED, D(2024, 1, 20), at(21))
    assess(measures[2], irn, Level.MINIMAL, D(2024, 1, 20), at(21))
    # measure 4: not assessed for either party

    state = case_state(case, as_of=D(2024, 1, 31))

    assert [row.joint_level for row in state.rows] == [
        Level.INTERMEDIATE,
        Level.FULL,
        Level.REVERSED,
        Level.NOT_ASSESSED,
    ]
    assert state.progress.value == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert state.progress.not_assessed == 1
    counts = {level: count for level, _, count in state.level_counts}
    assert counts[Level.FULL] == 1 and counts[Level.REVERSED] == 1 and counts[Level.NOT_ASSESSED] == 1
    party_progress = dict((party.code, p.value) for party, p in state.party_progress)
    assert party_progress[pak.code] == pytest.approx((1 + 1 + 0) / 3)
    assert party_progress[irn.code] == pytest.approx((2 / 3 + 1 + 1 / 3) / 3)


def test_confidence_of_a_measure_is_the_weakest(measure, parties):
    assess(measure, parties[0], Level.FULL, D(2024, 1, 20), at(21), confidence="high")
    assess(measure, parties[1], Level.FULL, D(2024, 1, 20), at(21), confidence="low")
    assert case_state(measure.case, as_of=D(2024, 1, 31)).rows[0].confidence == "low"


def test_direction_and_moved_over_a_period(measure, parties):
    for party in parties:
        assess(measure, party, Level.MINIMAL, D(2024, 1, 10), at(11))
    assess(measure, parties[0], Level.FULL, D(2024, 1, 25), at(26))
    assess(measure, parties[1], Level.INTERMEDIATE, D(2024, 1, 25), at(26))

    state = case_state(measure.case, as_of=D(2024, 1, 31), since=D(2024, 1, 15))

    row = state.rows[0]
    assert (row.previous_joint_level, row.joint_level, row.direction) == (Level.MINIMAL, Level.INTERMEDIATE, "up")
    assert state.moved == [row]
    unchanged = case_state(measure.case, as_of=D(2024, 1, 20), since=D(2024, 1, 15))
    assert unchanged.rows[0].direction == "same" and unchanged.moved == []


def test_stale_and_contested_flags(case, parties):
    measure = factories.MeasureFactory(case=case)
    old_event = factories.EventFactory(case=case, date=D(2024, 1, 2))
    new_event = factories.EventFactory(case=case, date=D(2024, 1, 20))
    progress = factories.EvidenceFactory(measure=measure, citation__event=old_event, stance="progress")
    factories.EvidenceFactory(measure=measure, citation__event=new_event, stance="setback")
    for party in parties:
        assess(measure, party, Level.MINIMAL, D(2024, 1, 3), at(3), citations=[progress.citation])

    early = case_state(case, as_of=D(2024, 1, 10), stale_after_days=30).rows[0]
    later = case_state(case, as_of=D(2024, 3, 31), stale_after_days=30).rows[0]

    assert early.evidence and len(early.evidence) == 1  # the 20 January evidence is not yet known
    assert (early.stale, early.contested) == (False, False)
    # The setback of 20 January is newer than the evidence the minimal levels cite (2 January).
    assert (later.stale, later.contested) == (True, True)
    assert later.contested_parties == parties
    assert later.latest_evidence_date == D(2024, 1, 20)
    assert later.citation_count == 2


def test_measure_without_evidence_has_its_own_flag_and_is_stale_only_after_the_case_start(measure):
    case = measure.case  # began 1 January
    early = case_state(case, as_of=D(2024, 1, 5), stale_after_days=30).rows[0]
    assert (early.no_evidence, early.stale) == (True, False)
    later = case_state(case, as_of=D(2024, 2, 5), stale_after_days=30).rows[0]
    assert (later.no_evidence, later.stale) == (True, True)


def test_changes_in_period_carry_the_old_level(measure, parties):
    assess(measure, parties[0], Level.NOT_INITIATED, D(2024, 1, 10), at(11))
    assess(measure, parties[0], Level.MINIMAL, D(2024, 1, 19), at(20))
    assess(measure, parties[0], Level.FULL, D(2024, 2, 5), datetime.datetime(2024, 2, 6, tzinfo=UTC))

    changes = changes_in_period(measure.case, since=D(2024, 1, 15), as_of=D(2024, 1, 31))

    assert [(c.old_level, c.new_level, c.direction) for c in changes] == [(Level.NOT_INITIATED, Level.MINIMAL, "up")]


def build_case(size):
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    parties = list(case.assessed_parties.all())
    for number in range(1, size + 1):
        measure = factories.MeasureFactory(case=case, number=number)
        evidence = factories.EvidenceFactory(measure=measure)
        for party in parties:
            assess(measure, party, Level.MINIMAL, D(2024, 1, 5), at(6), citations=[evidence.citation])
            assess(measure, party, Level.FULL, D(2024, 1, 15), at(16), citations=[evidence.citation])
    return case


@pytest.mark.parametrize("size", [3, 30])
def test_case_state_queries_do_not_grow_with_the_case(db, django_assert_max_num_queries, size):
    case = build_case(size)
    with django_assert_max_num_queries(7):
        state = case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 10))
        figures = (state.progress, state.party_progress, state.level_counts, state.moved)
        [(row.confidence, row.latest_evidence_date, row.stale, row.contested) for row in state.rows]
    assert figures[0].value == 1
    assert len(state.rows) == size


@pytest.mark.parametrize("size", [3, 30])
def test_assessment_history_queries_do_not_grow(db, django_assert_max_num_queries, size):
    case = build_case(size)
    with django_assert_max_num_queries(3):
        history = assessment_history(case, as_of=D(2024, 1, 31))
        [(c.assessment.recorded_by.username, list(c.assessment.citations.all())) for c in history]
    assert len(history) == size * 4
