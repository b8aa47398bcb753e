"""generate_demo_data: deterministic invented crises, into an empty database only."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from measures.importing.demo_data import MAX_SCALE, Plan, generate
from measures.models import (
    Assessment,
    AssessmentCitation,
    Case,
    Citation,
    Event,
    Evidence,
    Measure,
    Party,
    Review,
    Source,
)
from tests import factories


def counts():
    return {
        "cases": Case.objects.count(),
        "measures": Measure.objects.count(),
        "events": Event.objects.count(),
        "sources": Source.objects.count(),
        "citations": Citation.objects.count(),
        "assessments": Assessment.objects.count(),
    }


def test_scale_100_plans_the_sizes_of_the_issue():
    assert Plan(100).totals() == {
        "cases": 50,
        "measures": 500,
        "events": 20_000,
        "sources": 2_000,
        "citations": 100_000,
        "assessments": 20_000,
    }
    assert (Plan(100).events_per_case, Plan(100).citations_per_case) == (400, 2_000)


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


def test_is_deterministic(db):
    generate(scale=2)
    first = list(Citation.objects.order_by("pk").values_list("quote", "locator", "event__title"))
    first_levels = list(Assessment.objects.order_by("pk").values_list("level", "effective_date", "confidence"))
    for model in (Review, AssessmentCitation, Assessment, Evidence, Citation, Event, Source, Measure, Case, Party):
        model.objects.all().delete()
    generate(scale=2)
    assert list(Citation.objects.order_by("pk").values_list("quote", "locator", "event__title")) == first
    assert list(Assessment.objects.order_by("pk").values_list("level", "effective_date", "confidence")) == first_levels


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
    for url in (case.get_absolute_url(), f"/cases/{case.slug}/events/", f"/cases/{case.slug}/sources/"):
        assert client.get(url).status_code == 200
