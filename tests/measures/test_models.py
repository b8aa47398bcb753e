"""Database constraints and model rules: what the database itself refuses, whatever writes to it."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from measures.models import Assessment, Citation, Evidence, Measure, Party, normalise_text
from tests import factories


def refused(match, callable_, *args, **kwargs):
    """Call `callable_` and expect the database itself to refuse it: an IntegrityError whose message
    matches `match` (the constraint's name or the trigger's message), so that another failure, or
    another constraint than the one meant, does not pass for it."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        callable_(*args, **kwargs)


def unique(name, table, *columns):
    """A broken unique constraint as each database reports it: PostgreSQL names the constraint, SQLite
    its columns."""
    if connection.vendor == "postgresql":
        return re.escape(f'violates unique constraint "{name}"')
    return re.escape("UNIQUE constraint failed: " + ", ".join(f"{table}.{column}" for column in columns))


def test_measure_number_is_unique_in_its_case(db):
    measure = factories.MeasureFactory(number=3)
    refused(
        unique("measure_number_unique_in_case", "measures_measure", "case_id", "number"),
        Measure.objects.create,
        case=measure.case,
        number=3,
        title="Again",
        slug="again",
        description="x",
    )
    # The same number in another case is fine.
    assert factories.MeasureFactory(number=3).pk


@pytest.mark.parametrize(
    ("model", "fields", "constraint"),
    [
        ("party", {"kind": "empire"}, "party_kind_valid"),
        ("event", {"direction": "sideways"}, "event_direction_valid"),
        ("event", {"kind": "picnic"}, "event_kind_valid"),
        # Six letters, as the column holds: a longer value would stop at the column's length on PostgreSQL.
        ("event", {"date_precision": "decade"}, "event_precision_valid"),
        ("source", {"kind": "rumour"}, "source_kind_valid"),
        ("evidence", {"stance": "maybe"}, "evidence_stance_valid"),
    ],
)
def test_choices_are_enforced_by_the_database(db, model, fields, constraint):
    factory = {
        "party": factories.PartyFactory,
        "event": factories.EventFactory,
        "source": factories.SourceFactory,
        "evidence": factories.EvidenceFactory,
    }[model]
    obj = factory()
    manager = type(obj)._default_manager
    refused(rf"\b{constraint}\b", manager.filter(pk=obj.pk).update, **fields)


def test_assessment_level_and_rationale_are_enforced(db):
    assessment = factories.AssessmentFactory()
    values = {
        "measure": assessment.measure,
        "party": assessment.party,
        "effective_date": assessment.effective_date,
        "recorded_by": assessment.recorded_by,
    }
    refused(r"\bassessment_level_valid\b", Assessment.objects.create, level="great", rationale="x", **values)
    refused(r"\bassessment_rationale_not_empty\b", Assessment.objects.create, level="full", rationale="", **values)


def test_database_refuses_assessment_for_a_party_outside_the_case(db):
    measure = factories.MeasureFactory()
    outsider = factories.PartyFactory()
    refused(
        "assessment party is not an assessed party of the measure's case",
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
    append_only = "assessments are append-only: record a correction instead"
    refused(append_only, Assessment.objects.filter(pk=assessment.pk).update, level="full")
    assessment.level = "full"
    refused(append_only, assessment.save)
    assessment.refresh_from_db()
    assert assessment.level == "minimal"


def test_protected_rows_cannot_be_deleted(db):
    evidence = factories.EvidenceFactory()
    assessment = factories.AssessmentFactory(measure=evidence.measure, citations=[evidence.citation])
    for obj in (evidence.citation, evidence.citation.source, evidence.measure, assessment.party):
        with pytest.raises(ProtectedError, match="referenced through protected foreign keys"), transaction.atomic():
            obj.delete()
    assert Citation.objects.filter(pk=evidence.citation.pk).exists()


def test_evidence_is_unique_per_citation_and_measure(db):
    evidence = factories.EvidenceFactory()
    refused(
        unique("evidence_unique_per_measure", "measures_evidence", "citation_id", "measure_id"),
        Evidence.objects.create,
        citation=evidence.citation,
        measure=evidence.measure,
        stance="setback",
    )


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
    refused(
        unique("assessment_citation_unique", "measures_assessmentcitation", "assessment_id", "citation_id"),
        type(link).objects.create,
        assessment=link.assessment,
        citation=link.citation,
    )
