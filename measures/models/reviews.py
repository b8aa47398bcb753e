"""Review: the second analyst's decision on an assessment (four eyes), append-only.

An assessment is *pending review* until a Review approves it; only approved assessments count for
levels, progress, flags, direction, "what changed", exports and the report
(`AssessmentQuerySet.counted`). A returned assessment never counts: its author revises it by recording
a new assessment that corrects it. Each assessment gets at most one decision, kept with a snapshot of
what was decided on (level, rationale, cited citation ids), so the record stays evidence of what the
reviewer saw even though the assessment itself cannot change either.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from measures.lib import text
from measures.models.assessments import Assessment, AssessmentLevel


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for revision"


class Review(models.Model):
    """One reviewer's decision on one assessment: approved (it counts from `decided_at`) or returned
    with a comment (it never counts; a correction revises it). Never edited or deleted."""

    Decision = ReviewDecision

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="review")
    decision = models.CharField(max_length=8, choices=Decision)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="Empty only for approvals that name no reviewer (migration 0017, a case file).",
    )
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    comment = models.TextField(validators=[text.multi_line], blank=True)
    # What was approved or returned, as it stood (the assessment is append-only too, but the snapshot
    # makes each review readable on its own, in exports and case files).
    level = models.CharField(max_length=16, choices=AssessmentLevel)
    rationale = models.TextField()
    citation_ids = models.JSONField(default=list, help_text="The ids of the citations the assessment cited.")

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=ReviewDecision.values), name="review_decision_valid"),
            models.CheckConstraint(
                condition=Q(decision=ReviewDecision.APPROVED) | ~Q(comment=""), name="review_return_has_comment"
            ),
            models.CheckConstraint(
                condition=Q(decision=ReviewDecision.APPROVED) | Q(reviewer__isnull=False),
                name="review_return_has_reviewer",
            ),
        ]

    def __str__(self):
        who = self.reviewer or "no reviewer named"
        return f"{self.get_decision_display()} by {who}: {self.assessment}"

    @property
    def approved(self):
        return self.decision == ReviewDecision.APPROVED

    @staticmethod
    def snapshot_of(assessment):
        """{"level", "rationale", "citation_ids"} of `assessment` as it stands (citations by id, sorted)."""
        return {
            "level": assessment.level,
            "rationale": assessment.rationale,
            "citation_ids": sorted(c.pk for c in assessment.citations.all()),
        }
