"""The case file says who approved what and when; the loader holds the four-eyes rule."""

import copy

import pytest

from measures.importing import CaseFileError, import_case
from measures.importing.export import export_case
from measures.models import Assessment, Review
from measures.state import case_state
from tests import factories
from tests.helpers import small_case

# The loader's rules on reviews hold whatever the size of the file: the tests of them load small_case()
# (its one assessment, recorded 3 January at 10:00, and a second one recorded an hour later).
RECORDED_AT = "2024-01-03T10:00:00Z"


def _small_case_of_two():
    data = small_case()
    second = copy.deepcopy(data["assessments"][0])
    second.update(party="BB", recorded_at="2024-01-03T11:00:00Z")
    data["assessments"].append(second)
    return data


def test_the_pakistan_iran_assessments_are_approved_and_keep_their_figures(pakistan_iran):
    assert Assessment.objects.filter(measure__case=pakistan_iran).pending().count() == 0
    reviews = Review.objects.filter(assessment__measure__case=pakistan_iran)
    assert reviews.count() == 52 and not reviews.exclude(decision="approved").exists()
    assert all(r.decided_at == r.assessment.recorded_at and r.reviewer is None for r in reviews)
    assert case_state(pakistan_iran).progress.coverage == "56% over 9 of 11 measures; 2 not yet assessed"


def test_an_assessment_without_a_review_is_loaded_awaiting_review(db):
    data = _small_case_of_two()
    assert not any("review" in item for item in data["assessments"])
    case = import_case(data).case
    assert Assessment.objects.filter(measure__case=case).pending().count() == 2
    assert case_state(case).progress.scored == 0


def test_a_file_may_name_the_reviewer_and_the_export_says_it(db):
    reviewer = factories.reviewer(username="second-pair")
    data = _small_case_of_two()
    data["assessments"][0]["review"] = {
        "decision": "approved",
        "by": "second-pair",
        "at": "2024-01-23T08:00:00Z",
        "comment": "Checked against TDI.",
    }
    data["assessments"][1]["review"] = {"decision": "returned", "by": "second-pair", "comment": "Which side recalled?"}
    data["assessments"][1]["review"]["at"] = "2024-01-23T08:05:00Z"
    case = import_case(data).case
    first = Review.objects.get(decision="approved", reviewer=reviewer)
    assert (first.reviewer, first.comment) == (reviewer, "Checked against TDI.")
    exported = export_case(case)["assessments"]
    assert {
        "decision": "approved",
        "by": "second-pair",
        "at": "2024-01-23T08:00:00Z",
        "comment": "Checked against TDI.",
    } in [a.get("review") for a in exported]
    assert any(a.get("review", {}).get("decision") == "returned" for a in exported)


def test_the_loader_refuses_an_approval_by_the_assessments_author(db):
    author = factories.analyst(username="author")
    data = _small_case_of_two()
    data["assessments"][1]["review"] = {"decision": "approved", "by": "author", "at": "2024-01-23T08:00:00Z"}
    with pytest.raises(CaseFileError) as refused:
        import_case(data, recorded_by=author)
    assert "assessments[1].review" in str(refused.value) and "you recorded this assessment" in str(refused.value)
    assert not Assessment.objects.exists() and not Review.objects.exists()


def test_the_loader_refuses_an_unknown_reviewer_and_a_decision_before_the_recording(db):
    data = small_case()
    data["assessments"][0]["review"] = {"decision": "approved", "by": "nobody-here", "at": RECORDED_AT}
    with pytest.raises(CaseFileError, match=r"assessments\[0\]\.review\.by: there is no account “nobody-here”"):
        import_case(data)
    data = small_case()
    data["assessments"][0]["review"] = {"decision": "approved", "by": None, "at": "2024-01-01T00:00:00Z"}
    with pytest.raises(CaseFileError, match="cannot come before the assessment was recorded"):
        import_case(data)
    assert not Review.objects.exists()


def test_the_schema_refuses_a_return_without_comment_or_reviewer(db, case_data):
    data = copy.deepcopy(case_data)
    data["assessments"][0]["review"] = {"decision": "returned", "by": None}
    with pytest.raises(CaseFileError) as refused:
        import_case(data)
    assert "assessments[0].review.comment" in str(refused.value)
    assert "assessments[0].review.by: a return names its reviewer" in str(refused.value)
