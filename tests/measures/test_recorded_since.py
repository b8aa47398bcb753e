"""Recorded since a date (measures.state.recorded): what was put on record, and what moved the headline."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures import services
from measures.models import Assessment
from measures.state import case_state, recorded_since
from tests import factories
from tests.helpers import PROPERTIES, START, approve, build, days, histories, in_savepoint

Level = Assessment.Level
D = datetime.date
UTC = ZoneInfo("UTC")


@PROPERTIES
@given(history=histories, since=days, until=st.one_of(st.none(), st.integers(0, 10)), as_of=days)
def test_recorded_since_lists_every_record_and_reads_the_headline_as_the_pages_do(
    history_world, history, since, until, as_of
):
    def check():
        made = build(history_world, history)
        case = history_world[0]
        since_date = START + datetime.timedelta(days=since)
        until_date = None if until is None else since_date + datetime.timedelta(days=until)
        as_of_date = START + datetime.timedelta(days=as_of)
        recorded = recorded_since(case, since=since_date, until=until_date, as_of=as_of_date)
        # The headline before and after is the one every page shows as known then.
        before = case_state(case, as_of=as_of_date, known_on=since_date - datetime.timedelta(days=1)).progress
        after = case_state(case, as_of=as_of_date, known_on=until_date).progress
        assert recorded.headline_before == before and recorded.headline_after == after
        # Every assessment put on record in the window, about a day by as_of, is listed once.
        last_day = until_date or datetime.date.max
        expected = {
            a.pk for a in made if since_date <= a.recorded_at.date() <= last_day and a.effective_date <= as_of_date
        }
        listed = [r.assessment.pk for r in recorded.assessments + recorded.corrections]
        assert sorted(listed) == sorted(expected)
        for record in recorded.corrections:
            assert record.assessment.corrects_id == record.replaces.pk
            assert record.old_level == record.replaces.level
        for record in recorded.assessments:
            assert record.assessment.corrects_id is None
        # A record that moves the headline on its own is said to; none does when the headline stayed.
        if recorded.headline_before.percent == recorded.headline_after.percent and len(listed) == 1:
            assert not any(r.changes_headline for r in recorded.assessments + recorded.corrections)

    in_savepoint(check)


def test_a_correction_that_moves_the_headline_is_listed_as_such(pakistan_iran):
    """Correcting a 19 January assessment moved overall progress: "recorded since" says so."""
    analyst = factories.analyst(username="corrector")
    measure = pakistan_iran.measures.get(number=3)
    pak = pakistan_iran.assessed_parties.get(code="PAK")
    wrong = measure.assessments.get(party=pak, effective_date=D(2024, 1, 19))
    as_of = D(2024, 1, 29)
    before = case_state(pakistan_iran, as_of=as_of).progress.percent
    correction = services.record_assessment(
        measure=measure,
        party=pak,
        level=Level.NOT_INITIATED,
        confidence="medium",
        effective_date=wrong.effective_date,
        rationale="The mediation offers were not taken up: a correction.",
        citations=list(wrong.citations.all()),
        recorded_by=analyst,
        corrects=wrong,
    )
    approve(correction)
    after = case_state(pakistan_iran, as_of=as_of).progress.percent
    assert after < before
    today = datetime.date.today()
    recorded = recorded_since(pakistan_iran, since=today, as_of=as_of)
    (correction,) = recorded.corrections
    assert correction.old_level == Level.MINIMAL and correction.assessment.level == Level.NOT_INITIATED
    assert correction.changes_headline
    assert (correction.headline_without.percent, correction.headline_with.percent) == (before, after)
    assert recorded.headline_corrections == [correction]
    assert recorded.assessments == [] and recorded.evidence == []


def test_new_records_name_the_level_they_replace(db):
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    party = case.assessed_parties.order_by("name").first()
    measure.applicable_parties.set([party])  # its joint level is this party's
    factories.AssessmentFactory(
        measure=measure,
        party=party,
        level=Level.MINIMAL,
        effective_date=D(2024, 1, 5),
        recorded_at=datetime.datetime(2024, 1, 5, 12, tzinfo=UTC),
    )
    factories.AssessmentFactory(
        measure=measure,
        party=party,
        level=Level.FULL,
        effective_date=D(2024, 1, 10),
        recorded_at=datetime.datetime(2024, 1, 11, 12, tzinfo=UTC),
    )
    factories.EvidenceFactory(measure=measure)
    recorded = recorded_since(case, since=D(2024, 1, 8), as_of=D(2024, 1, 31), until=D(2024, 1, 20))
    (record,) = recorded.assessments
    assert (record.old_level, record.assessment.level) == (Level.MINIMAL, Level.FULL)
    assert record.changes_headline  # minimal → full moves the only measure's score
    assert recorded.evidence == []  # recorded today, after `until`
    assert recorded_since(case, since=D(2024, 1, 8), as_of=D(2024, 1, 31)).evidence != []


def test_recorded_since_refuses_a_window_that_ends_before_it_starts(db):
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    with pytest.raises(ValueError, match="cannot be after"):
        recorded_since(case, since=D(2024, 1, 8), until=D(2024, 1, 7))


@pytest.mark.parametrize("size", [3, 30])
def test_recorded_since_queries_do_not_grow(db, django_assert_max_num_queries, size):
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    parties = list(case.assessed_parties.all())
    for number in range(1, size + 1):
        measure = factories.MeasureFactory(case=case, number=number)
        factories.EvidenceFactory(measure=measure)
        for party in parties:
            factories.AssessmentFactory(measure=measure, party=party, effective_date=D(2024, 1, 5))
    with django_assert_max_num_queries(6):
        recorded = recorded_since(case, since=D(2024, 1, 1), as_of=D(2024, 1, 31))
        [(r.assessment.measure.number, r.assessment.party.code, r.assessment.recorded_by) for r in recorded.assessments]
        [(e.measure.number, e.citation.source.short_label) for e in recorded.evidence]
    assert len(recorded.assessments) == 2 * size
