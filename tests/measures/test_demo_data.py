"""generate_demo_data: deterministic invented crises, into an empty database only."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F

from measures.importing.demo_data import MAX_SCALE, Plan, generate
from measures.models import (
    Assessment,
    AssessmentCitation,
    Case,
    Citation,
    Commitment,
    CommitmentOutcome,
    Event,
    Evidence,
    Measure,
    Source,
)
from tests import factories
from tests.helpers import kept_until_the_end


def counts():
    return {
        "cases": Case.objects.count(),
        "measures": Measure.objects.count(),
        "events": Event.objects.count(),
        "sources": Source.objects.count(),
        "citations": Citation.objects.count(),
        "evidence": Evidence.objects.count(),
        "assessments": Assessment.objects.count(),
        "commitments": Commitment.objects.count(),
        "commitment outcomes": CommitmentOutcome.objects.count(),
    }


def test_scale_100_plans_the_sizes_of_the_issue():
    assert Plan(100).totals() == {
        "cases": 50,
        "measures": 500,
        "events": 20_000,
        "sources": 2_000,
        "citations": 100_000,
        # Every citation but the ten requirements is evidence, every third for a second measure too.
        "evidence": 50 * (1_990 + 663),
        # 20 per (measure, party), and one in eight corrected.
        "assessments": 50 * (400 + 50),
        "commitments": 5_000,
        "commitment outcomes": 50 * (67 + 13),
    }
    assert (Plan(100).events_per_case, Plan(100).citations_per_case) == (400, 2_000)
    # Evidence links in the thousands for a large case, as a real one of its size has.
    assert Plan(100).evidence_per_case > 2_500


def test_generates_the_planned_rows_consistently(db):
    totals = generate(scale=4)
    assert counts() == totals == Plan(4).totals()
    # Every quote occurs in its source's text, and everything stays within its case.
    for citation in Citation.objects.select_related("source", "event"):
        assert citation.source.find_quote(citation.quote) >= 0
        assert citation.event is None or citation.event.case_id == citation.case_id
    assert not Evidence.objects.exclude(measure__case=F("citation__case")).exists()
    for link in AssessmentCitation.objects.select_related("assessment__measure", "citation"):
        assert link.citation.case_id == link.assessment.measure.case_id
    for case in Case.objects.prefetch_related("assessed_parties"):
        parties = set(case.assessed_parties.all())
        assert len(parties) == 2
        assert {a.party for a in Assessment.objects.filter(measure__case=case).select_related("party")} <= parties
    assert "not a real crisis" in Case.objects.first().summary


def test_leaves_the_newest_assessments_of_each_first_measure_awaiting_review(db):
    generate(scale=2)
    pending = Assessment.objects.pending()
    cases = Case.objects.count()
    assert pending.count() == 2 * cases
    assert set(pending.values_list("measure__number", flat=True)) == {1}
    assert Assessment.objects.approved().count() == Assessment.objects.count() - 2 * cases


class _Undo(Exception):
    pass


def _generated_snapshot(scale):
    """What generate(scale) writes, compared by value (the primary keys differ between runs), undone after."""
    try:
        with transaction.atomic():
            generate(scale=scale)
            snapshot = (
                list(Citation.objects.order_by("pk").values_list("quote", "locator", "event__title")),
                list(
                    Assessment.objects.order_by("pk").values_list("level", "effective_date", "confidence", "corrects")
                ),
                list(Evidence.objects.order_by("pk").values_list("measure__number", "stance", "citation__quote")),
                list(Commitment.objects.order_by("pk").values_list("what", "due_precision", "due_on", "due_until")),
                list(CommitmentOutcome.objects.order_by("pk").values_list("outcome", "occurred_on", "recorded_at")),
            )
            raise _Undo
    except _Undo:
        pass
    return snapshot


def test_is_deterministic(db):
    first = _generated_snapshot(2)
    assert Case.objects.count() == 0
    second = _generated_snapshot(2)
    # Corrections name their originals by key: compare where they point, not the keys themselves.
    strip = lambda rows: [row[:3] + (row[3] is not None,) for row in rows]  # noqa: E731
    assert strip(second[1]) == strip(first[1])
    assert (second[0], second[2:]) == (first[0], first[2:])


@pytest.fixture(scope="class")
def demo_data_at_10(django_db_setup, django_db_blocker):
    """generate(scale=10), for the tests of a class that only read it, rolled back after them
    (tests.helpers.kept_until_the_end)."""
    with kept_until_the_end(django_db_blocker, lambda: generate(scale=10)) as totals:
        yield totals


class TestTheDataAtTenTimes:
    def test_cases_are_shaped_like_real_ones(self, db, demo_data_at_10):
        plan = Plan(10)
        for case in Case.objects.all():
            assessments = Assessment.objects.filter(measure__case=case)
            # Spread over the case's year, not bunched on a few days.
            assert assessments.values("effective_date").distinct().count() >= 30
            # Several assessments for each measure and party.
            pairs = assessments.filter(corrects=None).values("measure", "party").annotate(n=Count("pk"))
            assert len(pairs) == 20 and {p["n"] for p in pairs} == {plan.assessments_per_pair} == {2}
            # Evidence for every measure, in the hundreds for the case.
            evidence = Evidence.objects.filter(measure__case=case)
            assert evidence.count() == plan.evidence_per_case > 250
            assert evidence.values("measure").distinct().count() == 10
            assert evidence.values("citation").annotate(n=Count("pk")).filter(n=2).exists()
            # Commitments of every due precision, outcomes of every kind.
            commitments = Commitment.objects.filter(case=case)
            assert set(commitments.values_list("due_precision", flat=True)) == set(Commitment.Precision.values)
            outcomes = CommitmentOutcome.objects.filter(commitment__case=case)
            assert set(outcomes.values_list("outcome", flat=True)) == set(CommitmentOutcome.Outcome.values)

    def test_corrections_and_requirements_follow_the_rules(self, db, demo_data_at_10):
        corrections = Assessment.objects.exclude(corrects=None).select_related("corrects")
        assert corrections.count() == Plan(10).cases * Plan(10).corrections_per_case > 0
        for correction in corrections:
            original = correction.corrects
            assert (correction.measure_id, correction.party_id) == (original.measure_id, original.party_id)
            assert correction.effective_date == original.effective_date
            assert correction.recorded_at > original.recorded_at
        # The corrected assessments no longer count: one rule, AssessmentQuerySet.counting.
        assert (
            Assessment.objects.counting(include_pending=True).count()
            == Assessment.objects.count() - corrections.count()
        )
        for correction in CommitmentOutcome.objects.exclude(corrects=None).select_related("corrects"):
            assert correction.commitment_id == correction.corrects.commitment_id
            assert correction.recorded_at > correction.corrects.recorded_at
        for measure in Measure.objects.select_related("requirement"):
            assert measure.requirement.case_id == measure.case_id
            assert not measure.evidence.filter(citation=measure.requirement).exists()
        # Commitments and their judgements cite passages of their own case, stated by their measure's evidence.
        for commitment in Commitment.objects.prefetch_related("stated_by", "parties"):
            assert commitment.stated_by.exists() and commitment.parties.exists()
            assert {c.case_id for c in commitment.stated_by.all()} == {commitment.case_id}
            assert not commitment.stated_by.exclude(evidence__measure=commitment.measure_id).exists()
            commitment.full_clean(exclude=["recorded_by"])


def test_refuses_a_database_that_holds_data_and_writes_nothing(db):
    factories.SourceFactory()
    before = counts()
    with pytest.raises(CommandError, match="already holds sources"):
        call_command("generate_demo_data", "--scale", "2")
    assert counts() == before


@pytest.mark.parametrize("scale", ["0", str(MAX_SCALE + 1), "-3"])
def test_refuses_a_scale_out_of_range(db, scale):
    with pytest.raises(CommandError, match=f"from 1 to {MAX_SCALE}"):
        call_command("generate_demo_data", "--scale", scale)
    assert Case.objects.count() == 0


def test_the_generated_case_pages_answer(db, client):
    generate(scale=2)
    client.force_login(factories.reader(username="reader"))
    case = Case.objects.first()
    pages = ("", "events/", "sources/", "measures/1/", "report/", "feed.atom")
    for url in [case.get_absolute_url()] + [f"/cases/{case.slug}/{page}" for page in pages]:
        assert client.get(url).status_code == 200
