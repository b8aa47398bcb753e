"""The team's review panel counts what awaits a reviewer apart from what was returned to its author, as
the review queue counts the first (a returned assessment awaits its author's correction)."""

from django.urls import reverse
from django.utils import timezone

from measures.models import Review
from tests import factories
from tests.scenarios import build_case


def _returned(assessment, reviewer):
    Review.objects.create(
        assessment=assessment,
        decision=Review.Decision.RETURNED,
        reviewer=reviewer,
        comment="Cite the statement itself.",
        decided_at=timezone.now(),
        **Review.snapshot_of(assessment),
    )


def test_the_panel_counts_pending_and_returned_apart_as_the_queue_does(client, db, analyst_user):
    case = build_case()
    measure = case.measures.order_by("number").first()
    reviewer = factories.reviewer(username="reviewer")
    author = factories.analyst(username="author")
    for _ in range(2):
        factories.AssessmentFactory(measure=measure, recorded_by=author, approved=False)
    _returned(factories.AssessmentFactory(measure=measure, recorded_by=author, approved=False), reviewer)

    client.force_login(analyst_user)
    for url in (
        reverse("measures:dashboard", args=[case.slug]),
        reverse("measures:measure_detail", args=[case.slug, measure.number]),
    ):
        content = client.get(url).content.decode()
        assert "Awaiting review (2) · returned to their authors (1)</h2>" in content, url
        assert content.count("flag-returned") == 1 and content.count("flag-pending") == 2

    client.force_login(reviewer)
    queue = client.get(reverse("admin:measures_assessment_review"))
    assert queue.context["total"] == 2


def test_beyond_the_panel_the_counts_come_from_the_database(client, db, analyst_user, monkeypatch):
    from reading.views import base

    monkeypatch.setattr(base, "PENDING_SHOWN", 1)
    case = build_case()
    measure = case.measures.order_by("number").first()
    author = factories.analyst(username="author")
    for _ in range(3):
        factories.AssessmentFactory(measure=measure, recorded_by=author, approved=False)
    _returned(factories.AssessmentFactory(measure=measure, recorded_by=author, approved=False), analyst_user)
    client.force_login(analyst_user)
    content = client.get(reverse("measures:dashboard", args=[case.slug])).content.decode()
    assert "Awaiting review (3) · returned to their authors (1)</h2>" in content
    assert "4 in all: the review queue lists every one awaiting review." in content
