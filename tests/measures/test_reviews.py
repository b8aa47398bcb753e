"""Four eyes: an assessment counts once a reviewer who is not its author approved it.

The state layer (levels, progress, series, history, the overview) and the querysets count approved
assessments only, unless the team previews the pending ones; the review services refuse what the
rules refuse and write nothing then."""

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import override_settings

from measures import services
from measures.models import Assessment, Case, Measure, Review
from measures.state import assessment_history, case_state, cases_overview, history_entries, progress_series
from tests import factories

Level = Assessment.Level
D = datetime.date
UTC = ZoneInfo("UTC")


def at(day, hour=12):
    return datetime.datetime(2024, 1, day, hour, tzinfo=UTC)


@pytest.fixture
def case(db):
    return factories.CaseFactory(start_date=D(2024, 1, 1))


@pytest.fixture
def pak(case):
    return case.assessed_parties.order_by("name").first()


@pytest.fixture
def measure(case):
    return factories.MeasureFactory(case=case, number=1)


@pytest.fixture
def analyst(db):
    return factories.analyst(username="ana")


@pytest.fixture
def reviewer(db):
    return factories.reviewer(username="rev")


def assess(measure, party, level, day, **kwargs):
    kwargs.setdefault("recorded_at", at(day))
    return factories.AssessmentFactory(
        measure=measure, party=party, level=level, effective_date=D(2024, 1, day), **kwargs
    )


def level_of(case, party, **kwargs):
    return case_state(case, as_of=D(2024, 1, 31), **kwargs).rows[0].cell_for(party).level


# What counts ----------------------------------------------------------------------------------


def test_a_pending_assessment_counts_nowhere_until_approved(case, measure, pak, analyst, reviewer):
    assess(measure, pak, Level.MINIMAL, 10)
    pending = assess(measure, pak, Level.FULL, 20, recorded_by=analyst, approved=False)

    assert level_of(case, pak) == Level.MINIMAL
    assert level_of(case, pak, include_pending=True) == Level.FULL
    assert [c.assessment.pk for c in assessment_history(case, measure=measure)] != [] and pending.pk not in [
        c.assessment.pk for c in assessment_history(case, measure=measure)
    ]
    assert pending.pk in [c.assessment.pk for c in assessment_history(case, measure=measure, include_pending=True)]
    series = progress_series(case, end=D(2024, 1, 31))
    assert [p.date for p in series] == [D(2024, 1, 1), D(2024, 1, 10), D(2024, 1, 31)]
    (_, progress, _, _) = cases_overview([Case.objects.prefetch_related("assessed_parties").get(pk=case.pk)])[0]
    assert progress == case_state(case).progress
    figures = Measure.objects.filter(pk=measure.pk).list_figures(as_of=D(2024, 1, 31))
    assert Level.MINIMAL in figures[measure.pk]["current_levels"]
    assert list(Assessment.objects.in_force(as_of=D(2024, 1, 31))) == [measure.assessments.get(level=Level.MINIMAL)]

    services.approve_assessment(assessment=pending, reviewer=reviewer)

    assert level_of(case, pak) == Level.FULL
    assert [p.date for p in progress_series(case, end=D(2024, 1, 31))][-2] == D(2024, 1, 20)
    assert (
        Level.FULL
        in Measure.objects.filter(pk=measure.pk).list_figures(as_of=D(2024, 1, 31))[measure.pk]["current_levels"]
    )


def test_a_returned_assessment_never_counts_not_even_in_the_preview(case, measure, pak, analyst, reviewer):
    assess(measure, pak, Level.MINIMAL, 10)
    returned = assess(measure, pak, Level.FULL, 20, recorded_by=analyst, approved=False)
    services.return_assessment(assessment=returned, reviewer=reviewer, comment="The passage says talks, not a deal.")

    assert level_of(case, pak) == Level.MINIMAL
    assert level_of(case, pak, include_pending=True) == Level.MINIMAL
    history = assessment_history(case, measure=measure, include_pending=True)
    listed = next(c for c in history if c.assessment.pk == returned.pk)
    assert listed.is_returned and not listed.counts and listed.review.comment.startswith("The passage")


def test_a_correction_withdraws_what_it_corrects_only_once_approved(case, measure, pak, analyst, reviewer):
    original = assess(measure, pak, Level.FULL, 10)
    correction = assess(measure, pak, Level.NOT_INITIATED, 10, recorded_at=at(12), corrects=original, approved=False)

    assert level_of(case, pak) == Level.FULL
    assert level_of(case, pak, include_pending=True) == Level.NOT_INITIATED
    assert not assessment_history(case, measure=measure)[0].is_superseded

    services.approve_assessment(assessment=correction, reviewer=reviewer)
    assert level_of(case, pak) == Level.NOT_INITIATED
    history = assessment_history(case, measure=measure)
    assert history[0].is_superseded and history[1].is_correction


def test_a_returned_correction_leaves_the_corrected_assessment_in_force(case, measure, pak, reviewer):
    original = assess(measure, pak, Level.FULL, 10)
    correction = assess(measure, pak, Level.NOT_INITIATED, 10, recorded_at=at(12), corrects=original, approved=False)
    services.return_assessment(assessment=correction, reviewer=reviewer, comment="Keep the earlier level.")
    assert level_of(case, pak, include_pending=True) == Level.FULL


def test_as_known_on_a_day_only_approvals_made_by_then_count(case, measure, pak, reviewer):
    pending = assess(measure, pak, Level.FULL, 10, approved=False)
    Review.objects.create(
        assessment=pending, decision="approved", reviewer=reviewer, decided_at=at(15), level="full", rationale="x"
    )
    assert level_of(case, pak, known_on=D(2024, 1, 14)) == Level.NOT_ASSESSED
    assert level_of(case, pak, known_on=D(2024, 1, 15)) == Level.FULL
    assert assessment_history(case, measure=measure, known_on=D(2024, 1, 14)) == []
    previewed = assessment_history(case, measure=measure, known_on=D(2024, 1, 14), include_pending=True)
    assert [c.status for c in previewed] == ["pending"]


def test_the_state_costs_the_same_queries_with_reviews(case, measure, pak, django_assert_num_queries):
    for day in range(2, 12):
        assess(measure, pak, Level.MINIMAL, day, approved=day % 2 == 0)
    with django_assert_num_queries(7):
        case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 5))
    with django_assert_num_queries(7):
        case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 5), include_pending=True)


# History that reads right ---------------------------------------------------------------------


def test_a_correction_is_compared_with_the_level_it_replaces(case, measure, pak):
    assess(measure, pak, Level.NOT_INITIATED, 10)
    minimal = assess(measure, pak, Level.MINIMAL, 20)
    lowered = assess(measure, pak, Level.NOT_INITIATED, 20, recorded_at=at(22), corrects=minimal)
    history = assessment_history(case, measure=measure)
    change = next(c for c in history if c.assessment.pk == lowered.pk)
    # Minimal → Not initiated, a correction: not "level confirmed" (the level before the withdrawn one).
    assert (change.old_level, change.new_level, change.changes_level) == (Level.MINIMAL, Level.NOT_INITIATED, True)


def test_a_correction_that_keeps_the_level_is_level_confirmed(case, measure, pak):
    minimal = assess(measure, pak, Level.MINIMAL, 20)
    kept = assess(measure, pak, Level.MINIMAL, 18, recorded_at=at(22), corrects=minimal, rationale="Dated earlier.")
    change = next(c for c in assessment_history(case, measure=measure) if c.assessment.pk == kept.pk)
    assert not change.changes_level


def test_history_entries_keep_approved_and_pending_apart(case, measure, analyst):
    pak, irn = case.assessed_parties.order_by("name")
    common = {"recorded_by": analyst, "rationale": "Together."}
    assess(measure, pak, Level.MINIMAL, 20, **common)
    assess(measure, irn, Level.MINIMAL, 20, approved=False, **common)
    entries = history_entries(assessment_history(case, measure=measure, include_pending=True))
    assert [len(entry.changes) for entry in entries] == [1, 1]


def test_review_decisions_come_with_the_history(case, measure, pak, reviewer):
    approved = assess(measure, pak, Level.MINIMAL, 20, approved=False)
    services.approve_assessment(assessment=approved, reviewer=reviewer, comment="Checked the passage.")
    (change,) = assessment_history(case, measure=measure)
    assert change.review.reviewer == reviewer and change.review.comment == "Checked the passage."
    assert change.status == "approved"


# The services ---------------------------------------------------------------------------------


def test_self_approval_is_refused_and_nothing_written(measure, pak, analyst):
    both = factories.UserFactory(username="both", role="Analyst")
    both.groups.add(factories.role_group("Reviewer"))
    mine = assess(measure, pak, Level.FULL, 20, recorded_by=both, approved=False)
    version = Case.objects.get(pk=measure.case_id).data_version
    with pytest.raises(services.ServiceError, match="you recorded this assessment"):
        services.approve_assessment(assessment=mine, reviewer=both)
    with pytest.raises(services.ServiceError, match="you recorded this assessment"):
        services.return_assessment(assessment=mine, reviewer=both, comment="Mine.")
    assert not Review.objects.exists()
    assert Case.objects.get(pk=measure.case_id).data_version == version


@override_settings(ALLOW_SELF_APPROVAL=True)
def test_self_approval_is_allowed_when_the_setting_says_so(measure, pak, analyst):
    mine = assess(measure, pak, Level.FULL, 20, recorded_by=analyst, approved=False)
    review = services.approve_assessment(assessment=mine, reviewer=analyst)
    assert review.reviewer == analyst


def test_an_approval_keeps_what_was_approved_and_bumps_the_data_version(measure, pak, reviewer):
    assessment = assess(measure, pak, Level.FULL, 20, approved=False)
    version = Case.objects.get(pk=measure.case_id).data_version
    review = services.approve_assessment(assessment=assessment, reviewer=reviewer)
    assert (review.level, review.rationale) == (Level.FULL, assessment.rationale)
    assert review.citation_ids == sorted(c.pk for c in assessment.citations.all()) != []
    assert Case.objects.get(pk=measure.case_id).data_version == version + 1


def test_one_decision_per_assessment(measure, pak, reviewer):
    assessment = assess(measure, pak, Level.FULL, 20, approved=False)
    services.approve_assessment(assessment=assessment, reviewer=reviewer)
    other = factories.reviewer(username="rev2")
    with pytest.raises(services.ServiceError, match="already approved by rev"):
        services.return_assessment(assessment=assessment, reviewer=other, comment="No.")


def test_a_superseded_assessment_cannot_be_reviewed(measure, pak, reviewer):
    original = assess(measure, pak, Level.FULL, 20, approved=False)
    assess(measure, pak, Level.MINIMAL, 20, recorded_at=at(21), corrects=original, approved=False)
    with pytest.raises(services.ServiceError, match="superseded by the correction"):
        services.approve_assessment(assessment=original, reviewer=reviewer)


def test_a_return_needs_a_comment(measure, pak, reviewer):
    assessment = assess(measure, pak, Level.FULL, 20, approved=False)
    with pytest.raises(services.ServiceError, match="say why it is returned"):
        services.return_assessment(assessment=assessment, reviewer=reviewer, comment="  ")
    assert not Review.objects.exists()


def test_a_returned_assessment_is_revised_by_a_correction_that_awaits_its_own_review(measure, pak, analyst, reviewer):
    first = assess(measure, pak, Level.FULL, 20, recorded_by=analyst, approved=False)
    services.return_assessment(assessment=first, reviewer=reviewer, comment="Too high.")
    revised = services.record_assessment(
        measure=measure,
        party=pak,
        level=Level.INTERMEDIATE,
        rationale="Revised down.",
        citations=list(first.citations.all()),
        recorded_by=analyst,
        effective_date=D(2024, 1, 20),
        corrects=first,
        evidence_stance="progress",
    )
    assert revised.is_pending
    services.approve_assessment(assessment=revised, reviewer=reviewer)
    assert level_of(measure.case, pak) == Level.INTERMEDIATE


def test_approve_batch_is_all_or_nothing(measure, pak, analyst, reviewer):
    irn = measure.case.assessed_parties.exclude(pk=pak.pk).get()
    good = assess(measure, pak, Level.FULL, 20, recorded_by=analyst, approved=False)
    own = assess(measure, irn, Level.FULL, 20, recorded_by=reviewer, approved=False)
    with pytest.raises(services.ServiceError) as refused:
        services.approve_batch(assessments=[good, own], reviewer=reviewer)
    assert "you recorded this assessment" in str(refused.value)
    assert not Review.objects.exists()
    other = assess(measure, irn, Level.MINIMAL, 21, recorded_by=analyst, approved=False)
    reviews = services.approve_batch(assessments=[good, other], reviewer=reviewer)
    assert [r.assessment for r in reviews] == [good, other]


def test_reviews_are_append_only_in_the_database(measure, pak):
    review = assess(measure, pak, Level.FULL, 20).review
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(comment="Changed afterwards.")


# The migration --------------------------------------------------------------------------------


def test_the_migration_approves_what_was_recorded_before_reviewing(measure, pak):
    first = assess(measure, pak, Level.FULL, 20, approved=False)
    second = assess(measure, pak, Level.MINIMAL, 22, approved=False)
    migration = importlib.import_module("measures.migrations.0030_review")
    migration.approve_existing(apps, None)
    for assessment in (first, second):
        review = Review.objects.get(assessment=assessment)
        assert review.decision == "approved" and review.reviewer is None
        assert review.decided_at == assessment.recorded_at  # it counted from then: "as known on" keeps its figures
        assert "migration 0025" in review.comment and "No reviewer is named" in review.comment
        assert review.citation_ids == sorted(c.pk for c in assessment.citations.all())


def test_the_reviewer_role_may_review_and_nothing_else(db):
    user = factories.reviewer(username="only-reviews")
    assert user.has_perm("measures.add_review") and user.has_perm("measures.view_case")
    assert not user.has_perm("measures.add_assessment") and not user.has_perm("measures.change_source")
    assert not factories.analyst(username="only-analyses").has_perm("measures.add_review")
    assert not factories.reader(username="only-reads").has_perm("measures.view_review")


def test_a_reviews_comment_is_bounded_with_a_message_that_says_so(case, measure, pak, analyst, reviewer):
    from measures.services.reviews import COMMENT_MAX_CHARACTERS

    pending = assess(measure, pak, Level.FULL, 5, recorded_by=analyst, approved=False)
    too_long = "Cite the second source. " * 100  # 2,400 characters
    with pytest.raises(services.ServiceError) as refused:
        services.return_assessment(assessment=pending, reviewer=reviewer, comment=too_long)
    assert "the comment is 2,399 characters long; a review's comment holds at most 2,000" in str(refused.value)
    with pytest.raises(services.ServiceError):
        services.approve_assessment(assessment=pending, reviewer=reviewer, comment=too_long)
    assert not Review.objects.filter(assessment=pending).exists()
    # A line break counts once, as the browser's maxlength counts it.
    at_most = "a\r\n" * (COMMENT_MAX_CHARACTERS // 2)
    review = services.return_assessment(assessment=pending, reviewer=reviewer, comment=at_most)
    assert review.decision == "returned"


def test_the_review_queue_bounds_its_comments_and_says_why_one_is_refused(
    client, case, measure, pak, analyst, reviewer
):
    from django.urls import reverse

    pending = assess(measure, pak, Level.FULL, 5, recorded_by=analyst, approved=False)
    client.force_login(reviewer)
    url = reverse("admin:measures_assessment_review")
    page = client.get(url).content.decode()
    assert 'maxlength="2000"' in page and "at most 2,000 characters" in page
    answer = client.post(url, {"assessment": pending.pk, "decision": "return", "comment": "x" * 2001}, follow=True)
    text = answer.content.decode()
    assert "Nothing was recorded:" in text and "the comment is 2,001 characters long" in text
    assert not Review.objects.filter(assessment=pending).exists()
