"""`state.history_outline` (the API's assessment list reads it) is `state.assessment_history` as values:
the same entries in the same order, each with the same level replaced, review status and withdrawing
correction, for every as-of and known-on date, approved only or with the team's preview."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from measures import services
from measures.models import Assessment, Review
from measures.state import assessment_history, history_outline, history_row, with_assessments
from tests import factories

Level = Assessment.Level
D = datetime.date
UTC = ZoneInfo("UTC")


def at(day, hour=12):
    return datetime.datetime(2024, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def case(db):
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    pak, irn = case.assessed_parties.order_by("name")[:2]
    first = factories.MeasureFactory(case=case, number=1)
    second = factories.MeasureFactory(case=case, number=2)
    reviewer = factories.reviewer(username="rev")

    def assess(measure, party, level, day, **kwargs):
        kwargs.setdefault("recorded_at", at(day))
        return factories.AssessmentFactory(
            measure=measure, party=party, level=level, effective_date=D(2024, 1, day), **kwargs
        )

    assess(first, pak, Level.NOT_INITIATED, 3)
    # Two citations, listed in the citations' own order (by their sources' titles).
    cited = [
        factories.CitationFactory(case=case, source=factories.SourceFactory(title=title)) for title in ("Zulu", "Alpha")
    ]
    minimal = assess(first, pak, Level.MINIMAL, 5, citations=cited)
    assess(first, pak, Level.NOT_INITIATED, 5, recorded_at=at(7), corrects=minimal)  # approved correction
    kept = assess(first, irn, Level.FULL, 6)
    refused = assess(first, irn, Level.REVERSED, 6, recorded_at=at(8), corrects=kept, approved=False)
    services.return_assessment(assessment=refused, reviewer=reviewer, comment="Keep the earlier level.")
    waiting = assess(first, irn, Level.MINIMAL, 9, approved=False)
    assess(second, pak, Level.INTERMEDIATE, 4, approved=False)
    late = assess(second, pak, Level.FULL, 10, approved=False)
    Review.objects.create(
        assessment=late, decision="approved", reviewer=reviewer, decided_at=at(20), level="full", rationale="x"
    )
    assess(second, irn, Level.MINIMAL, 2)
    pending_fix = assess(second, irn, Level.NOT_INITIATED, 2, recorded_at=at(11), corrects=waiting, approved=False)
    assert pending_fix.corrects_id == waiting.pk
    return case


def summary(changes):
    return [
        (
            change.assessment.pk,
            change.old_level,
            change.status,
            change.superseded_by.pk if change.superseded_by else None,
            change.superseded_by.recorded_at if change.superseded_by else None,
        )
        for change in changes
    ]


DATES = [(None, None), (D(2024, 1, 6), None), (None, D(2024, 1, 8)), (D(2024, 1, 9), D(2024, 1, 15))]


@pytest.mark.parametrize("include_pending", [False, True])
@pytest.mark.parametrize(("as_of", "known_on"), DATES)
def test_the_outline_is_the_history_as_values(case, as_of, known_on, include_pending):
    full = assessment_history(case, as_of=as_of, known_on=known_on, include_pending=include_pending)
    outline = history_outline(case, as_of=as_of, known_on=known_on, include_pending=include_pending)
    assert full, "the case has a history on these dates"
    assert summary(outline) == summary(full)
    assert [(c.assessment.measure_number, c.assessment.party_code) for c in outline] == [
        (c.measure.number, c.party.code) for c in full
    ]


def test_a_page_of_the_outline_gives_the_rows_of_the_history(case, django_assert_num_queries):
    full = assessment_history(case)
    outline = history_outline(case)
    with django_assert_num_queries(2):
        page, citations = with_assessments(outline[1:4])
    assert [history_row(change, citations=citations) for change in page] == [
        history_row(change) for change in full[1:4]
    ]
    assert [history_row(change, authors=False, citations=citations)["recorded_by"] for change in page] == [None] * 3


def test_the_outline_is_two_queries_whatever_the_size(case, django_assert_num_queries):
    # The history, and the corrections that count (never a subquery per assessment).
    with django_assert_num_queries(2):
        small = history_outline(case)
    measure = case.measures.get(number=2)
    party = case.assessed_parties.order_by("name").first()
    for day in range(12, 28):
        factories.AssessmentFactory(measure=measure, party=party, level=Level.MINIMAL, effective_date=D(2024, 1, day))
    with django_assert_num_queries(2):
        large = history_outline(case)
    assert len(large) == len(small) + 16
