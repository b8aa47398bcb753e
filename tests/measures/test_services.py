import datetime

import pytest
from django.utils import timezone

from measures import services
from measures.models import Assessment, Evidence
from tests import factories

Level = Assessment.Level


@pytest.fixture
def measure(db):
    return factories.MeasureFactory(case__start_date=datetime.date(2024, 1, 1))


@pytest.fixture
def party(measure):
    return measure.case.assessed_parties.order_by("pk").first()


@pytest.fixture
def citation(measure):
    return factories.CitationFactory(case=measure.case)


@pytest.fixture
def user(db):
    return factories.analyst()


def record(measure, party, user, **overrides):
    arguments = {
        "measure": measure,
        "party": party,
        "level": Level.MINIMAL,
        "rationale": "Talks were held.",
        "citations": [],
        "recorded_by": user,
        "effective_date": datetime.date(2024, 1, 20),
        "evidence_stance": Evidence.Stance.PROGRESS,
    }
    arguments.update(overrides)
    return services.record_assessment(**arguments)


def test_record_assessment_writes_it_with_its_citations(measure, party, citation, user):
    assessment = record(measure, party, user, citations=[citation], confidence="high")

    assessment.refresh_from_db()
    assert assessment.level == Level.MINIMAL
    assert assessment.confidence == "high"
    assert assessment.recorded_by == user
    assert list(assessment.citations.all()) == [citation]
    assert abs((timezone.now() - assessment.recorded_at).total_seconds()) < 60


def test_not_assessed_needs_no_citation(measure, party, user):
    assessment = record(measure, party, user, level=Level.NOT_ASSESSED, rationale="No evidence in the sources.")
    assert assessment.citations.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rationale": "   "}, "rationale", "rationale is required"),
        ({"citations": []}, "citations", "Cite at least one passage"),
        ({"level": "excellent"}, "level", "not a level"),
        ({"confidence": "certain"}, "confidence", "not a confidence"),
        ({"effective_date": datetime.date(2023, 12, 31)}, "effective_date", "before the case began"),
        ({"effective_date": None}, "effective_date", "Give the date"),
    ],
)
def test_bad_assessment_is_refused_and_nothing_is_written(measure, party, user, overrides, field, message):
    with pytest.raises(services.ServiceError) as excinfo:
        record(measure, party, user, **overrides)

    assert message in " ".join(excinfo.value.message_dict[field])
    assert Assessment.objects.count() == 0


def test_future_effective_date_is_refused(measure, party, citation, user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(services.ServiceError) as excinfo:
        record(measure, party, user, citations=[citation], effective_date=tomorrow)
    assert "in the future" in excinfo.value.message_dict["effective_date"][0]
    assert Assessment.objects.count() == 0


def test_party_outside_the_case_is_refused(measure, citation, user):
    outsider = factories.PartyFactory(name="Bystander", code="BYS")
    with pytest.raises(services.ServiceError) as excinfo:
        record(measure, outsider, user, citations=[citation])
    assert "not one of the assessed parties" in excinfo.value.message_dict["party"][0]
    assert Assessment.objects.count() == 0


def test_citation_from_another_case_is_refused(measure, party, user):
    foreign = factories.CitationFactory()
    with pytest.raises(services.ServiceError) as excinfo:
        record(measure, party, user, citations=[foreign])
    assert "belong to another case" in excinfo.value.message_dict["citations"][0]
    assert Assessment.objects.count() == 0


def test_correction_names_the_assessment_it_corrects(measure, party, citation, user):
    first = record(measure, party, user, citations=[citation])
    correction = record(measure, party, user, citations=[citation], level=Level.INTERMEDIATE, corrects=first)
    assert correction.corrects == first
    assert list(first.corrections.all()) == [correction]


def test_correction_of_another_party_is_refused(measure, party, citation, user):
    other_party = measure.case.assessed_parties.exclude(pk=party.pk).get()
    first = record(measure, other_party, user, citations=[citation])
    with pytest.raises(services.ServiceError) as excinfo:
        record(measure, party, user, citations=[citation], corrects=first)
    assert "same measure and party" in excinfo.value.message_dict["corrects"][0]
    assert Assessment.objects.count() == 1


def test_concurrent_assessment_is_refused_and_shown(measure, party, citation, user):
    seen = record(measure, party, user, citations=[citation])
    colleague = factories.analyst(username="colleague")
    newer = record(measure, party, colleague, citations=[citation], level=Level.INTERMEDIATE)

    with pytest.raises(services.ConcurrentAssessmentError) as excinfo:
        record(measure, party, user, citations=[citation], level=Level.FULL, expected_latest=seen)

    assert excinfo.value.newer == [newer]
    assert "colleague" in excinfo.value.messages[0]
    assert Assessment.objects.count() == 2


def test_first_assessment_race_is_detected_too(measure, party, citation, user):
    other = record(measure, party, factories.analyst(username="quick"), citations=[citation])
    with pytest.raises(services.ConcurrentAssessmentError) as excinfo:
        record(measure, party, user, citations=[citation], expected_latest=None)
    assert excinfo.value.newer == [other]


def test_expected_latest_that_is_current_passes(measure, party, citation, user):
    seen = record(measure, party, user, citations=[citation])
    assert record(measure, party, user, citations=[citation], expected_latest=seen).pk != seen.pk


def test_create_citation_checks_the_quote_against_the_source(db):
    case = factories.CaseFactory()
    source = factories.SourceFactory(full_text="The ministers “agreed to   de-escalate” on Friday.")

    citation = services.create_citation(case=case, source=source, quote='"agreed to de-escalate"', locator="p. 1")
    assert citation.pk is not None

    with pytest.raises(services.ServiceError) as excinfo:
        services.create_citation(case=case, source=source, quote="agreed to escalate")
    assert "does not occur in the full text" in excinfo.value.message_dict["quote"][0]
    assert case.citations.count() == 1


def test_citation_of_source_without_text_is_accepted(db):
    case = factories.CaseFactory()
    source = factories.SourceFactory(full_text="")
    assert services.create_citation(case=case, source=source, quote="anything at all").pk


def test_citation_event_of_another_case_is_refused(db):
    case = factories.CaseFactory()
    event = factories.EventFactory()
    source = factories.SourceFactory()
    with pytest.raises(services.ServiceError) as excinfo:
        services.create_citation(case=case, source=source, quote="agreed to de-escalate", event=event)
    assert "another case" in excinfo.value.message_dict["event"][0]


def test_attach_evidence(measure, citation):
    evidence = services.attach_evidence(citation=citation, measure=measure, stance="setback", note=" n ")
    assert (evidence.stance, evidence.note) == ("setback", "n")


@pytest.mark.parametrize(
    ("make_citation", "stance", "message"),
    [
        (lambda m: factories.CitationFactory(), "progress", "another case"),
        (lambda m: factories.CitationFactory(case=m.case), "maybe", "not a stance"),
    ],
)
def test_bad_evidence_is_refused(measure, make_citation, stance, message):
    citation = make_citation(measure)
    with pytest.raises(services.ServiceError) as excinfo:
        services.attach_evidence(citation=citation, measure=measure, stance=stance)
    assert message in " ".join(excinfo.value.messages)
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("bell\x07here", "control character (U+0007)"),
        ("next\x85line", "control character (U+0085)"),
        ("x" * 301, "at most 300 characters"),
    ],
)
def test_an_evidence_note_the_form_would_refuse_is_refused_by_the_service(measure, citation, note, message):
    # The suggested-passages page writes evidence through the service, without a model form.
    with pytest.raises(services.ServiceError) as excinfo:
        services.attach_evidence(citation=citation, measure=measure, stance="progress", note=note)
    assert message in " ".join(excinfo.value.message_dict["note"])
    assert Evidence.objects.count() == 0


def test_a_rationale_with_control_characters_is_refused_and_nothing_recorded(measure, party, user):
    with pytest.raises(services.ServiceError) as excinfo:
        record(measure, party, user, rationale="Talks\x07 were held.")
    assert "control character (U+0007)" in " ".join(excinfo.value.message_dict["rationale"])
    assert not measure.assessments.exists()
    # Tab and line breaks are text.
    record(measure, party, user, level=Level.NOT_ASSESSED, rationale="No evidence yet.\r\n\tBoth sides silent.")


def test_evidence_cannot_be_attached_twice(measure, citation):
    services.attach_evidence(citation=citation, measure=measure, stance="progress")
    with pytest.raises(services.ServiceError) as excinfo:
        services.attach_evidence(citation=citation, measure=measure, stance="setback")
    assert "already evidence" in excinfo.value.messages[0]
    assert Evidence.objects.get().stance == "progress"


def test_one_partys_level_on_several_measures_is_recorded_for_all_or_none(measure, party, citation, user):
    other = factories.MeasureFactory(case=measure.case)
    shared = {
        "citations": [citation],
        "effective_date": datetime.date(2024, 1, 20),
        "evidence_stance": Evidence.Stance.PROGRESS,
        "recorded_by": user,
    }
    entries = [{"measure": measure, "rationale": "Talks were held."}, {"measure": other, "rationale": " "}]
    with pytest.raises(services.ServiceError) as refused:
        services.record_assessments_on_measures(
            party=party, level=Level.MINIMAL, confidence="high", entries=entries, **shared
        )
    # The measure's own rationale is said under its own name; nothing was written for either measure.
    assert refused.value.message_dict == {f"rationale_{other.pk}": ["Explain the judgement: a rationale is required."]}
    assert not Assessment.objects.exists() and not Evidence.objects.exists()

    entries[1]["rationale"] = "Talks were held here too."
    recorded = services.record_assessments_on_measures(
        party=party, level=Level.MINIMAL, confidence="high", entries=entries, **shared
    )
    assert [(a.measure, a.party, a.level, a.confidence) for a in recorded] == [
        (measure, party, Level.MINIMAL, "high"),
        (other, party, Level.MINIMAL, "high"),
    ]
    assert Evidence.objects.filter(citation=citation).count() == 2


def test_a_citation_is_created_with_its_key_in_one_write(measure):
    source = factories.SourceFactory()
    citation = services.create_citation(
        case=measure.case, source=source, quote="Ambassadors will return", key="citation-ambassadors"
    )
    citation.refresh_from_db()
    assert citation.key == "citation-ambassadors"
    assert [record.history_type for record in citation.history.all()] == ["+"]  # one write, one history row
