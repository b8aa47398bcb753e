"""Evidence changes appear in the History of the citation and of the measure, which lists its assessments too."""

import pytest
from django.urls import reverse

from measures import services
from measures.models import Evidence
from tests import factories


@pytest.fixture
def measure(db):
    return factories.MeasureFactory(title="Restore diplomatic contact")


@pytest.fixture
def citation(measure):
    return factories.CitationFactory(case=measure.case, quote="Ambassadors will return to their posts")


def test_attaching_changing_and_removing_evidence_shows_on_the_citation_history(analyst_client, measure, citation):
    evidence = services.attach_evidence(citation=citation, measure=measure, stance="progress", note="First read.")
    evidence.stance = Evidence.Stance.SETBACK
    evidence.save()
    evidence.delete()

    page = analyst_client.get(reverse("admin:measures_citation_history", args=[citation.pk])).content.decode()

    section = page[page.index('id="evidence-changes"') :]
    rows = [section.index(f"<td>{action}</td>") for action in ("Removed", "Changed", "Attached")]
    assert rows == sorted(rows)  # newest first
    assert f"measure {measure}" in section
    assert "Stance: Shows progress" in section and "Note: First read." in section
    assert "Stance: Shows progress → Shows setback" in section
    assert "Stance was: Shows setback" in section


def test_the_measure_history_lists_evidence_changes_and_assessments(analyst_client, measure, citation):
    party = measure.case.assessed_parties.order_by("pk").first()
    services.record_assessment(
        measure=measure,
        party=party,
        level="minimal",
        rationale="Ambassadors are coming back.",
        citations=[citation],
        recorded_by=factories.analyst(username="ana"),
        effective_date=None,
        evidence_stance="progress",
    )

    response = analyst_client.get(reverse("admin:measures_measure_history", args=[measure.pk]))
    page = response.content.decode()

    evidence = page[page.index('id="evidence-changes"') : page.index('id="measure-assessments"')]
    assert "Attached" in evidence and "Ambassadors will return to their posts" in evidence
    assert f"Why: Attached by an assessment of {party.code}" in evidence
    assessments = page[page.index('id="measure-assessments"') :]
    assert "Ambassadors are coming back." in assessments and party.name in assessments


def test_other_history_pages_have_no_evidence_section(analyst_client, citation):
    page = analyst_client.get(reverse("admin:measures_source_history", args=[citation.source.pk])).content.decode()
    assert 'id="evidence-changes"' not in page


def test_measure_history_queries_do_not_grow_with_its_evidence(analyst_client, measure, django_assert_max_num_queries):
    for _ in range(12):
        citation = factories.CitationFactory(case=measure.case, source=factories.SourceFactory())
        factories.AssessmentFactory(measure=measure, citations=[citation])
        services.attach_evidence(citation=citation, measure=measure, stance="context")
    with django_assert_max_num_queries(25):
        response = analyst_client.get(reverse("admin:measures_measure_history", args=[measure.pk]))
    assert response.content.decode().count("<td>Attached</td>") == 12
