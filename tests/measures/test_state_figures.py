"""The dashboard's figures, computed in SQL (`case_state(details=False)`), are those of the detailed
state (the measure page, the report): same count, latest evidence, stale, no evidence yet and contested,
on random evidence (events and sources, every date precision, undated sources, late records).

Hypothesis runs a bounded, derandomised number of examples, each in a savepoint rolled back after it.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.models import Assessment, Event, Evidence, Measure, Source
from measures.state import EvidenceDate, case_state
from tests import factories
from tests.helpers import examples
from tests.scenarios import build_case

D = datetime.date
START = D(2024, 1, 1)
UTC = ZoneInfo("UTC")
Level = Assessment.Level

PROPERTIES = settings(
    max_examples=examples(30),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# How a piece of evidence is dated: by an event (precision, lasting some days or not), by its
# source's publication (precision), or not at all (it counts from the day its source was recorded).
datings = st.one_of(
    st.tuples(st.just("event"), st.sampled_from(Event.Precision.values), st.integers(0, 3)),
    st.tuples(st.just("source"), st.sampled_from(["day", "month", "year"]), st.just(0)),
    st.tuples(st.just("undated"), st.just("unknown"), st.just(0)),
)
# One piece of evidence: measure (0–1), stance, dating, day of the date, days until it was recorded.
evidence_specs = st.tuples(
    st.integers(0, 1), st.sampled_from(Evidence.Stance.values), datings, st.integers(0, 40), st.integers(0, 10)
)
# One assessment: measure, party, level, effective day, which pieces of evidence it cites (indexes).
assessment_specs = st.tuples(
    st.integers(0, 1),
    st.integers(0, 1),
    # Mostly levels that setback evidence can contest.
    st.sampled_from([Level.MINIMAL, Level.FULL, Level.INTERMEDIATE, Level.REVERSED, Level.NOT_APPLICABLE]),
    st.integers(0, 15),
    st.lists(st.integers(0, 11), max_size=3),
)


@pytest.fixture
def world(db):
    case = factories.CaseFactory(start_date=START)
    parties = list(case.assessed_parties.order_by("name"))
    measures = [factories.MeasureFactory(case=case, number=n) for n in (1, 2)]
    user = factories.analyst(username="figures")
    return case, parties, measures, user


def at(day, hour=12):
    return datetime.datetime.combine(START + datetime.timedelta(days=day), datetime.time(hour), tzinfo=UTC)


def build(world, evidence, assessments):
    case, parties, measures, user = world
    citations = []
    for m, stance, (kind, precision, length), day, delay in evidence:
        date = START + datetime.timedelta(days=day)
        source = factories.SourceFactory(
            published_on=date if kind == "source" else None,
            date_precision=precision if kind == "source" else Source.DatePrecision.UNKNOWN,
            # Late in the evening: an undated source's day is the site's local day of this moment.
            recorded_at=at(day + delay, hour=23),
        )
        event = None
        if kind == "event":
            event = factories.EventFactory(
                case=case,
                date=date,
                date_precision=precision,
                end_date=date + datetime.timedelta(days=length) if length else None,
                recorded_at=at(day + delay),
            )
        citation = factories.CitationFactory(case=case, source=source, event=event, recorded_at=at(day + delay))
        factories.EvidenceFactory(measure=measures[m], citation=citation, stance=stance, recorded_at=at(day + delay))
        citations.append(citation)
    for m, p, level, day, cited in assessments:
        chosen = [citations[i] for i in sorted(set(cited)) if i < len(citations)]
        factories.AssessmentFactory(
            measure=measures[m],
            party=parties[p],
            level=level,
            effective_date=START + datetime.timedelta(days=day),
            recorded_at=at(day),
            recorded_by=user,
            rationale="Not applicable here." if level == Level.NOT_APPLICABLE else "Because.",
            citations=chosen,
        )


def figures(state):
    return [
        (
            row.measure.number,
            row.citation_count,
            row.latest_evidence,
            row.stale,
            row.no_evidence,
            row.contested,
            [cell.contested for cell in row.cells],
        )
        for row in state.rows
    ]


@PROPERTIES
@given(
    evidence=st.lists(evidence_specs, min_size=2, max_size=12),
    assessments=st.lists(assessment_specs, min_size=2, max_size=5),
    as_of=st.integers(10, 60),
    known=st.one_of(st.none(), st.integers(0, 60)),
)
def test_the_dashboards_figures_from_sql_are_the_detailed_states(world, evidence, assessments, as_of, known):
    sid = transaction.savepoint_create()
    try:
        build(world, evidence, assessments)
        kwargs = {
            "as_of": START + datetime.timedelta(days=as_of),
            "known_on": None if known is None else START + datetime.timedelta(days=known),
            "stale_after_days": 10,
        }
        detailed = case_state(world[0], **kwargs)
        summary = case_state(world[0], details=False, **kwargs)
        assert figures(summary) == figures(detailed)
        assert all(row.evidence is None for row in summary.rows)
        assert [row.citation_count for row in detailed.rows] == [len(row.evidence) for row in detailed.rows]
    finally:
        transaction.savepoint_rollback(sid)


def test_latest_evidence_from_sql_keeps_the_events_precision_and_end(world):
    case, parties, measures, user = world
    event = factories.EventFactory(
        case=case, date=D(2024, 1, 10), date_precision=Event.Precision.APPROXIMATE, end_date=D(2024, 1, 12)
    )
    factories.EvidenceFactory(measure=measures[0], citation=factories.CitationFactory(case=case, event=event))
    row = case_state(case, as_of=D(2024, 1, 31), details=False).rows[0]
    assert row.latest_evidence == EvidenceDate(D(2024, 1, 10), "approx", D(2024, 1, 12))
    assert row.citation_count == 1


@pytest.mark.parametrize("size", [3, 12])
def test_the_figures_only_state_runs_fewer_queries_whatever_the_size(db, django_assert_max_num_queries, size):
    case = build_case(size)
    # 6, and one for the citations of the period's changes to levels no longer in force (17 Jan).
    with django_assert_max_num_queries(7):
        state = case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 10), details=False)
        [(row.confidence, row.latest_evidence_date, row.citation_count, row.stale, row.contested) for row in state.rows]
        figures_shown = (state.progress, state.party_progress, state.level_counts, state.moved, state.changes)
    assert len(state.rows) == 3 * size
    assert figures_shown[0].total == 3 * size


def test_the_figures_are_read_in_one_grouped_query_over_the_cases_evidence(db):
    # Not in correlated subqueries of the measures' query, planned and run once per measure (issue 25).
    case = build_case(3)
    with CaptureQueriesContext(connection) as queries:
        case_state(case, as_of=D(2024, 1, 31), details=False)
    evidence_table = f'"{Evidence._meta.db_table}"'
    reading = [query["sql"] for query in queries.captured_queries if evidence_table in query["sql"]]
    assert len(reading) == 1
    assert f"FROM {evidence_table}" in reading[0]
    assert f'FROM "{Measure._meta.db_table}"' not in reading[0]
    assert "GROUP BY" in reading[0]
