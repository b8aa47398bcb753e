"""Database constraints and model rules: what the database itself refuses, whatever writes to it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from measures.models import Assessment, Citation, Evidence, Measure, Party, normalise_text
from tests import factories


def refused(callable_, *args, **kwargs):
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        callable_(*args, **kwargs)


def test_measure_number_is_unique_in_its_case(db):
    measure = factories.MeasureFactory(number=3)
    refused(Measure.objects.create, case=measure.case, number=3, title="Again", slug="again", description="x")
    # The same number in another case is fine.
    assert factories.MeasureFactory(number=3).pk


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("party", {"kind": "empire"}),
        ("event", {"direction": "sideways"}),
        ("event", {"kind": "picnic"}),
        ("event", {"date_precision": "century"}),
        ("source", {"kind": "rumour"}),
        ("evidence", {"stance": "maybe"}),
    ],
)
def test_choices_are_enforced_by_the_database(db, model, fields):
    factory = {
        "party": factories.PartyFactory,
        "event": factories.EventFactory,
        "source": factories.SourceFactory,
        "evidence": factories.EvidenceFactory,
    }[model]
    obj = factory()
    manager = type(obj)._default_manager
    refused(manager.filter(pk=obj.pk).update, **fields)


def test_assessment_level_and_rationale_are_enforced(db):
    assessment = factories.AssessmentFactory()
    values = {
        "measure": assessment.measure,
        "party": assessment.party,
        "effective_date": assessment.effective_date,
        "recorded_by": assessment.recorded_by,
    }
    refused(Assessment.objects.create, level="great", rationale="x", **values)
    refused(Assessment.objects.create, level="full", rationale="", **values)


def test_database_refuses_assessment_for_a_party_outside_the_case(db):
    measure = factories.MeasureFactory()
    outsider = factories.PartyFactory()
    refused(
        Assessment.objects.create,
        measure=measure,
        party=outsider,
        level="minimal",
        rationale="x",
        effective_date=datetime.date(2024, 1, 5),
        recorded_by=factories.UserFactory(),
    )
    assert Assessment.objects.count() == 0


def test_database_refuses_to_update_an_assessment(db):
    assessment = factories.AssessmentFactory(level="minimal")
    refused(Assessment.objects.filter(pk=assessment.pk).update, level="full")
    assessment.level = "full"
    refused(assessment.save)
    assessment.refresh_from_db()
    assert assessment.level == "minimal"


def test_protected_rows_cannot_be_deleted(db):
    evidence = factories.EvidenceFactory()
    assessment = factories.AssessmentFactory(measure=evidence.measure, citations=[evidence.citation])
    for obj in (evidence.citation, evidence.citation.source, evidence.measure, assessment.party):
        with pytest.raises(Exception, match="protected"), transaction.atomic():
            obj.delete()
    assert Citation.objects.filter(pk=evidence.citation.pk).exists()


def test_evidence_is_unique_per_citation_and_measure(db):
    evidence = factories.EvidenceFactory()
    refused(Evidence.objects.create, citation=evidence.citation, measure=evidence.measure, stance="setback")


def test_normalise_text_folds_whitespace_ignores_quote_marks_and_keeps_apostrophes():
    assert normalise_text("  “Hello”\n\t  it’s  me ") == "Hello it's me"


def test_citation_clean_explains_a_missing_quote(db):
    source = factories.SourceFactory(title="Daily", full_text="Ambassadors will return.")
    citation = Citation(case=factories.CaseFactory(), source=source, quote="Ambassadors left.")
    with pytest.raises(ValidationError) as excinfo:
        citation.full_clean()
    assert "does not occur in the full text of “Daily”" in excinfo.value.message_dict["quote"][0]


def test_party_code_is_validated(db):
    party = Party(name="Somewhere", code="lower case", kind="state")
    with pytest.raises(ValidationError) as excinfo:
        party.full_clean()
    assert "capital letters" in excinfo.value.message_dict["code"][0]


def test_evidence_clean_refuses_cross_case(db):
    evidence = Evidence(citation=factories.CitationFactory(), measure=factories.MeasureFactory(), stance="progress")
    with pytest.raises(ValidationError):
        evidence.full_clean()


def test_models_have_readable_names(db):
    assessment = factories.AssessmentFactory(level="full")
    assert "Full (3)" in str(assessment)
    assert str(assessment.measure).startswith(f"{assessment.measure.number}. ")
    assert "“agreed to de-escalate”" in str(assessment.citations.get())


def test_assessment_citation_is_unique(db):
    link = factories.AssessmentCitationFactory()
    assert link.citation.case == link.assessment.measure.case
    refused(type(link).objects.create, assessment=link.assessment, citation=link.citation)
