"""Cases compared on the catalogue (measures/state/compare): levels per cell, days from the start to
each level and to the first evidence of progress, medians and ranges, who lags and since when, and a
case against the others, each in a fixed number of queries."""

import datetime

import pytest

from measures.models import Assessment, Case, Evidence, MeasureType
from measures.state import (
    STEPS,
    case_state,
    compare_cases,
    evidence_of,
    lags_in,
    step_comparisons,
    summarise,
)
from measures.state.compare.matrix import first_of
from tests import factories
from tests.scenarios import COMPARED_START
from tests.scenarios import compared_case as crisis

Level = Assessment.Level
D = datetime.date
START = COMPARED_START


def day(n):
    return START + datetime.timedelta(days=n)


def item_of(comparison, case, number=1):
    column = next(c for c in comparison.columns if c.case.pk == case.pk)
    return next(item for item in column.measures if item.measure.number == number)


def test_days_to_each_level_on_the_pakistan_iran_case(pakistan_iran):
    comparison = compare_cases([pakistan_iran])
    channels = item_of(comparison, pakistan_iran, 9)  # crisis communication channels
    # Reversed on 17 January, minimal on the 19th, intermediate on the 29th: 3 and 13 days after the 16th.
    assert [(channels.joint_reached[s].on, channels.joint_reached[s].days) for s in STEPS] == [
        (D(2024, 1, 19), 3),
        (D(2024, 1, 29), 13),
        (None, None),
    ]
    assert (channels.first_progress.on, channels.first_progress.days) == (D(2024, 1, 19), 3)
    for standing in channels.parties:
        assert standing.reached[Level.MINIMAL].days == 3 and standing.reached[Level.INTERMEDIATE].days == 13
    engagement = item_of(comparison, pakistan_iran, 1)
    assert [engagement.joint_reached[s].days for s in STEPS] == [3, 6, 13]
    assert engagement.joint_level == Level.FULL
    assert channels.as_of == D(2024, 1, 29)  # closed: as of its end date


def test_a_cell_is_the_dashboards_level(pakistan_iran):
    for as_of in (None, D(2024, 1, 17), D(2024, 1, 22)):
        comparison = compare_cases([pakistan_iran], as_of=as_of)
        state = case_state(pakistan_iran, as_of=as_of)
        for row in state.rows:
            item = item_of(comparison, pakistan_iran, row.measure.number)
            assert item.joint_level == row.joint_level
            assert [s.level for s in item.parties] == [cell.level for cell in row.cells]


def test_a_step_straight_to_full_reaches_every_level_that_day_and_a_lost_level_stays_reached(db):
    case = crisis(
        "Jump",
        history=[("AA", Level.FULL, 4), ("BB", Level.FULL, 6), ("AA", Level.REVERSED, 9), ("BB", Level.REVERSED, 9)],
    )
    item = item_of(compare_cases([case]), case)
    assert [item.joint_reached[s].days for s in STEPS] == [6, 6, 6]  # the joint level is the lower one
    alpha = item.parties[0]
    assert [alpha.reached[s].days for s in STEPS] == [4, 4, 4]
    assert item.joint_level == Level.REVERSED


def test_a_corrected_assessment_never_counts_and_as_known_on_leaves_later_records_out(db):
    case = crisis("Correction", history=[("AA", Level.MINIMAL, 2), ("BB", Level.MINIMAL, 3)])
    measure = case.measures.get()
    wrong = measure.assessments.get(party__code="BB")
    factories.AssessmentFactory(
        measure=measure,
        party=wrong.party,
        level=Level.NOT_INITIATED,
        effective_date=day(3),
        corrects=wrong,
        recorded_at=datetime.datetime.combine(day(20), datetime.time(9), tzinfo=datetime.UTC),
    )
    assert item_of(compare_cases([case]), case).joint_reached[Level.MINIMAL].days is None
    before = item_of(compare_cases([case], known_on=day(10)), case)
    assert before.joint_reached[Level.MINIMAL].days == 3


def test_each_case_as_of_its_own_date_or_all_as_of_one(db):
    closed = crisis(
        "Closed",
        history=[("AA", Level.MINIMAL, 1), ("BB", Level.MINIMAL, 1), ("AA", Level.FULL, 30), ("BB", Level.FULL, 30)],
        status=Case.Status.CLOSED,
        end=day(10),
    )
    active = crisis("Active", history=[("AA", Level.MINIMAL, 1), ("BB", Level.INTERMEDIATE, 40)])
    own = compare_cases([closed, active])
    assert item_of(own, closed).joint_level == Level.MINIMAL  # as of its end date: day 30 is later
    assert item_of(own, closed).joint_reached[Level.FULL].days is None
    assert item_of(own, active).as_of == datetime.date.today()
    one = compare_cases([closed, active], as_of=day(35))
    assert item_of(one, closed).joint_level == Level.FULL
    assert item_of(one, closed).joint_reached[Level.FULL].days == 30
    chosen = compare_cases([closed, active], as_of={active.pk: day(5)})
    assert item_of(chosen, closed).as_of == day(10) and item_of(chosen, active).as_of == day(5)


def test_who_lags_and_since_when(db):
    case = crisis(
        "Lag",
        history=[
            ("AA", Level.MINIMAL, 2),
            ("BB", Level.NOT_INITIATED, 2),
            ("BB", Level.MINIMAL, 5),  # caught up
            ("AA", Level.INTERMEDIATE, 7),  # ahead again
        ],
    )
    item = item_of(compare_cases([case]), case)
    beta = item.lagging
    assert [(s.party.code, s.level, s.behind_since) for s in beta] == [("BB", Level.MINIMAL, day(7))]
    assert [s.party.code for s in item.leaders] == ["AA"]
    earlier = item_of(compare_cases([case], as_of=day(4)), case)
    assert [(s.party.code, s.behind_since) for s in earlier.lagging] == [("BB", day(2))]
    assert item_of(compare_cases([case], as_of=day(6)), case).lagging == []


def test_a_party_not_yet_assessed_is_not_said_to_lag(db):
    case = crisis("Unknown", history=[("AA", Level.MINIMAL, 2)])
    assert item_of(compare_cases([case]), case).lagging == []


def test_across_cases_the_median_and_range_of_days_and_how_many_reached_each_level(db):
    for name, days in (("One", 2), ("Two", 6), ("Three", 10)):
        crisis(name, history=[("AA", Level.MINIMAL, days), ("BB", Level.MINIMAL, days)])
    crisis("Four", history=[("AA", Level.NOT_INITIATED, 1), ("BB", Level.NOT_INITIATED, 1)])
    comparison = compare_cases(Case.objects.all(), types=MeasureType.objects.filter(slug="ceasefire"))
    (row,) = comparison.rows
    minimal, intermediate, _, progress = row.summaries
    assert (minimal.cases, minimal.reached, minimal.median, minimal.shortest, minimal.longest) == (4, 3, 6, 2, 10)
    assert minimal.range_text == "2–10 days, median 6"
    assert (intermediate.cases, intermediate.reached, intermediate.median) == (4, 0, None)
    assert progress.level == "progress" and progress.label == "First evidence of progress"
    assert summarise(Level.FULL, [7]).range_text == "7 days"


def test_the_days_to_first_evidence_of_progress_skip_setbacks_and_undated_evidence(db):
    case = crisis("Evidence", history=[("AA", Level.MINIMAL, 3)])
    measure = case.measures.get()
    undated = factories.SourceFactory(title="Undated", published_on=None, date_precision="unknown")
    factories.EvidenceFactory(measure=measure, citation=factories.CitationFactory(case=case, source=undated))
    setback = factories.EventFactory(case=case, date=day(1), direction="escalatory")
    factories.EvidenceFactory(
        measure=measure, stance=Evidence.Stance.SETBACK, citation=factories.CitationFactory(case=case, event=setback)
    )
    talks = factories.EventFactory(case=case, date=day(4))
    factories.EvidenceFactory(measure=measure, citation=factories.CitationFactory(case=case, event=talks))
    item = item_of(compare_cases([case]), case)
    assert (item.first_progress.on, item.first_progress.days) == (day(4), 4)
    assert item_of(compare_cases([case], as_of=day(3)), case).first_progress.on is None
    shown, total = evidence_of([item], newest=2)[measure.pk]
    assert total == 3 and [e.stance for e in shown] == [Evidence.Stance.PROGRESS, Evidence.Stance.SETBACK]


def test_rows_follow_the_catalogue_and_untyped_measures_are_counted_apart(db):
    case = crisis("Rows", history=[])
    factories.MeasureFactory(case=case, number=2, type=None)
    comparison = compare_cases([case])
    assert [theme.slug for theme, _ in comparison.themes] == [
        "talks",
        "communication",
        "security",
        "humanitarian",
        "commitments",
    ]
    assert len(comparison.rows) == MeasureType.objects.count()
    row = next(row for row in comparison.rows if row.type.slug == "ceasefire")
    assert [len(cell) for cell in row.cells] == [1]
    assert [item.measure.number for item in comparison.untyped] == [2]


def test_who_lags_across_cases_per_party(db):
    crisis("First", history=[("AA", Level.MINIMAL, 2), ("BB", Level.NOT_INITIATED, 2)])
    second = crisis("Second", type_slug="military-hotline", history=[("AA", Level.FULL, 2), ("BB", Level.MINIMAL, 3)])
    factories.MeasureFactory(case=second, number=2, type=MeasureType.objects.get(slug="ceasefire"))
    comparison = compare_cases(Case.objects.order_by("name"))
    assert [(party.code, measures, cases) for party, measures, cases in comparison.party_lags] == [("BB", 2, 2)]


def test_the_summaries_and_who_lags_across_cases_are_those_of_the_measures_built(db):
    """Counted from the columns' values without building a measure: the same as the first of each
    cell's built measures to get there (the cases begun only), and the same lags."""
    crisis("One", history=[("AA", Level.MINIMAL, 2), ("BB", Level.FULL, 4)])
    two = crisis("Two", history=[("AA", Level.INTERMEDIATE, 6), ("BB", Level.MINIMAL, 6), ("BB", Level.FULL, 9)])
    factories.MeasureFactory(case=two, number=2, type=MeasureType.objects.get(slug="ceasefire"))
    crisis("Late", history=[("AA", Level.MINIMAL, 1), ("BB", Level.MINIMAL, 1)], start=day(5))
    crisis("Hotline", type_slug="military-hotline", history=[("AA", Level.FULL, 3), ("BB", Level.NOT_INITIATED, 3)])
    event = factories.EventFactory(case=two, date=day(7))
    citation = factories.CitationFactory(case=two, event=event)
    factories.EvidenceFactory(measure=two.measures.get(number=1), citation=citation)
    for as_of in (None, day(4), day(8)):
        comparison = compare_cases(Case.objects.order_by("name"), as_of=as_of)
        for row in comparison.rows:
            cells = [cell for cell, column in zip(row.cells, comparison.columns, strict=True) if cell and column.begun]
            built = [summarise(s, [first_of(c, lambda i, s=s: i.joint_reached[s].days) for c in cells]) for s in STEPS]
            built.append(summarise("progress", [first_of(c, lambda i: i.first_progress.days) for c in cells]))
            assert row.summaries == built
            assert row.having == sum(1 for cell in row.cells if cell)
        lags = {}
        for row in comparison.rows:
            for item in row.measures:
                for standing in item.lagging:
                    lags.setdefault(standing.party.code, []).append(item.case.name)
        counted = {party.code: (measures, cases) for party, measures, cases in comparison.party_lags}
        assert counted == {code: (len(names), len(set(names))) for code, names in lags.items()}
    assert counted == {"AA": (1, 1), "BB": (2, 2)}  # on day 8: AA in One; BB in Two (not yet full) and Hotline


@pytest.mark.parametrize("size", [1, 6])
def test_comparing_cases_takes_the_same_queries_whatever_their_number(db, django_assert_num_queries, size):
    for n in range(size):
        crisis(f"Case {n}", history=[("AA", Level.MINIMAL, 2), ("BB", Level.NOT_INITIATED, 3)])
    cases = list(Case.objects.all())
    # parties, types, measures, applicable parties, the assessments that count in order (levels and path in
    # one pass), evidence
    with django_assert_num_queries(6):
        compare_cases(cases)
    with django_assert_num_queries(4):  # the parties are prefetched already, and no evidence is asked for
        compare_cases(cases, first_progress=False)


def test_the_dashboards_who_lags_with_since_when_in_one_query(db, django_assert_num_queries):
    case = crisis("Dash", history=[("AA", Level.MINIMAL, 2), ("BB", Level.NOT_INITIATED, 2)])
    state = case_state(case, details=False)
    with django_assert_num_queries(1):
        lags = lags_in(state)
    assert [(lag.party.code, lag.level, lag.since, [p.code for p, _ in lag.ahead]) for lag in lags] == [
        ("BB", Level.NOT_INITIATED, day(2), ["AA"])
    ]
    calm = case_state(crisis("Calm", history=[("AA", Level.MINIMAL, 2), ("BB", Level.MINIMAL, 2)]), details=False)
    with django_assert_num_queries(0):
        assert lags_in(calm) == []


def test_a_case_is_sooner_or_later_than_every_other_case_on_a_step(db):
    quick = crisis("Quick", history=[("AA", Level.MINIMAL, 1), ("BB", Level.MINIMAL, 1)])
    for name, days in (("Mid", 5), ("Late", 9)):
        crisis(name, history=[("AA", Level.MINIMAL, days), ("BB", Level.MINIMAL, days)])
    slow = crisis("Slow", history=[("AA", Level.MINIMAL, 20), ("BB", Level.MINIMAL, 20)])
    stuck = crisis("Stuck", history=[("AA", Level.NOT_INITIATED, 1), ("BB", Level.NOT_INITIATED, 1)])
    unknown = crisis("Unknown", history=[])
    everyone = list(Case.objects.all())

    def verdicts(case, as_of):
        return [(c.level, c.days, c.verdict) for c in step_comparisons(case, everyone, as_of=as_of)]

    assert verdicts(quick, day(30)) == [(Level.MINIMAL, 1, "faster")]
    assert verdicts(slow, day(30)) == [(Level.MINIMAL, 20, "slower")]
    assert verdicts(stuck, day(30)) == [(Level.MINIMAL, None, "slower")]  # the others had all got there by day 20
    assert verdicts(stuck, day(8)) == []  # by day 8, not every other case had
    assert verdicts(unknown, day(30)) == []  # not yet assessed: nothing is known of it
    comparison = step_comparisons(quick, everyone, as_of=day(30))[0]
    assert (comparison.others.reached, comparison.others.shortest, comparison.others.longest) == (3, 5, 20)
    assert comparison.level_name == "minimal"


def test_a_case_is_compared_only_when_enough_other_cases_reached_the_level(db):
    quick = crisis("Quick", history=[("AA", Level.MINIMAL, 1), ("BB", Level.MINIMAL, 1)])
    crisis("Only other", history=[("AA", Level.MINIMAL, 9), ("BB", Level.MINIMAL, 9)])
    assert step_comparisons(quick, Case.objects.all(), as_of=day(30)) == []


def test_a_types_cell_builds_that_types_measures_only_and_the_same_as_every_measure_built(pakistan_iran):
    typed = pakistan_iran.measures.exclude(type=None).order_by("number")
    type_id = typed.first().type_id
    (column,) = compare_cases([pakistan_iran]).columns
    cell = column.of_type(type_id)
    assert "measures" not in column.__dict__  # the case's other measures are not built for one type
    (whole,) = compare_cases([pakistan_iran]).columns
    expected = [item for item in whole.measures if item.measure.type_id == type_id]
    assert [item.measure.number for item in cell] == [item.measure.number for item in expected]
    assert [(item.joint_level, item.joint_reached, item.parties) for item in cell] == [
        (item.joint_level, item.joint_reached, item.parties) for item in expected
    ]
    assert whole.of_type(type_id) == expected
