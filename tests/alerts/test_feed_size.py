"""The case feed carries the newest MAX_ITEMS changes only, and costs the same number of queries
whatever the length of the case's history or the number of its commitments (alerts/feeds.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.feeds import MAX_ITEMS
from measures import services
from measures.models import Assessment
from tests import factories
from tests.scenarios import build_case

D = datetime.date
LEVELS = [Assessment.Level.MINIMAL, Assessment.Level.INTERMEDIATE]


def judge(case, count):
    """`count` assessments of measure 1 for Pakistan, effective and recorded one day after another."""
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    recorded = timezone.now() - datetime.timedelta(days=count)
    return [
        factories.AssessmentFactory(
            measure=measure,
            party=pak,
            level=LEVELS[day % 2],
            effective_date=D(2024, 2, 1) + datetime.timedelta(days=day),
            recorded_at=recorded + datetime.timedelta(days=day),
            rationale=f"Judgement {day + 1}.",
        )
        for day in range(count)
    ]


def test_the_feed_carries_the_newest_changes_only(reader_client, db):
    case = build_case()
    judged = judge(case, MAX_ITEMS + 10)
    body = reader_client.get(reverse("alerts:case_feed", args=[case.slug])).content.decode()
    assert body.count("<entry>") == MAX_ITEMS
    newest, oldest = judged[-1], judged[0]
    assert f"assessment-{newest.pk}<" in body and f"Judgement {MAX_ITEMS + 10}." in body
    assert f"assessment-{oldest.pk}<" not in body
    # Each change still says what it replaced: the levels alternate, so each one is a move.
    assert body.count(" → ") == MAX_ITEMS and "(level confirmed)" not in body


@pytest.mark.parametrize("count", [1, 80])
def test_the_feed_query_count_does_not_grow_with_the_history(
    reader_client, django_assert_num_queries, pakistan_iran, count
):
    judge(pakistan_iran, count)
    url = reverse("alerts:case_feed", args=[pakistan_iran.slug])
    reader_client.get(url)  # the session and the user, then kept
    # The case, the history's values and its corrections', the newest changes loaded, the commitments'
    # and their outcomes' values, then the shown commitments with their parties, passages and outcomes.
    with django_assert_num_queries(FEED_QUERIES):
        assert reader_client.get(url).status_code == 200


FEED_QUERIES = 11


def commit(case, count):
    """`count` commitments of measure 1, due and recorded one day after another, each kept on its day."""
    measure = case.measures.get(number=1)
    citation = factories.CitationFactory(case=case)
    analyst = factories.analyst(username="feed-analyst")
    recorded = timezone.now() - datetime.timedelta(days=2 * count)
    commitments = []
    for day in range(count):
        commitment = services.record_commitment(
            case=case,
            measure=measure,
            parties=list(case.assessed_parties.all()),
            what=f"Step {day + 1}",
            due_precision="day",
            due_on=D(2024, 1, 17) + datetime.timedelta(days=day),
            citations=[citation],
            announced_on=D(2024, 1, 16),
            recorded_by=analyst,
            recorded_at=recorded + datetime.timedelta(days=2 * day),
        )
        services.judge_commitment(
            commitment=commitment,
            outcome="kept",
            occurred_on=commitment.due_on,
            rationale=f"Step {day + 1} done.",
            citations=[citation],
            recorded_by=analyst,
            recorded_at=recorded + datetime.timedelta(days=2 * day + 1),
        )
        commitments.append(commitment)
    return commitments


def test_the_feed_carries_the_newest_commitments_and_outcomes_only(reader_client, db):
    case = build_case()
    committed = commit(case, MAX_ITEMS // 2 + 5)
    body = reader_client.get(reverse("alerts:case_feed", args=[case.slug])).content.decode()
    assert body.count("<entry>") == MAX_ITEMS
    newest, oldest = committed[-1], committed[0]
    assert f"commitment-{newest.pk}<" in body and f"commitment-outcome-{newest.outcomes.get().pk}<" in body
    assert f"commitment-{oldest.pk}<" not in body and f"commitment-outcome-{oldest.outcomes.get().pk}<" not in body
    assert "Kept: Step" in body and f"Step {MAX_ITEMS // 2 + 5} done." in body


@pytest.mark.parametrize("count", [3, 12])
def test_the_feed_query_count_does_not_grow_with_the_commitments(reader_client, django_assert_num_queries, db, count):
    case = build_case()
    commit(case, count)
    url = reverse("alerts:case_feed", args=[case.slug])
    reader_client.get(url)
    with django_assert_num_queries(FEED_QUERIES):
        assert reader_client.get(url).status_code == 200
