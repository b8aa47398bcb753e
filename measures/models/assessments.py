"""Evidence (a citation attached to a measure with a stance), Assessments (append-only levels per
measure and party, with the citations that justify them) and their Reviews.

Review: the second analyst's decision on an assessment (four eyes), append-only.

An assessment is *pending review* until a Review approves it; only approved assessments count for
levels, progress, flags, direction, "what changed", exports and the report
(`AssessmentQuerySet.counting`). A returned assessment never counts: its author revises it by recording
a new assessment that corrects it. Each assessment gets at most one decision, kept with a snapshot of
what was decided on (level, rationale, cited citation ids), so the record stays evidence of what the
reviewer saw even though the assessment itself cannot change either.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from simple_history.models import HistoricalRecords

from measures.lib import dates, languages, text
from measures.models.cases import Measure, Party
from measures.models.sources import Citation
from measures.querysets import (
    AssessmentQuerySet,
    EvidenceQuerySet,
)


class EvidenceStance(models.TextChoices):
    PROGRESS = "progress", "Shows progress"
    SETBACK = "setback", "Shows setback"
    CONTEXT = "context", "Context only"


class Evidence(models.Model):
    """A citation attached to a measure, with what it shows about that measure."""

    Stance = EvidenceStance

    citation = models.ForeignKey(Citation, on_delete=models.PROTECT, related_name="evidence")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=8, choices=Stance)
    note = models.CharField(validators=[text.single_line], max_length=300, blank=True)
    recorded_at = models.DateTimeField(
        default=timezone.now,
        db_default=Now(),
        editable=False,
        db_index=True,
        help_text="When it was put on record here (for “as known on”).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "citation"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["citation", "measure"], name="evidence_unique_per_measure"),
            models.CheckConstraint(condition=Q(stance__in=EvidenceStance.values), name="evidence_stance_valid"),
        ]

    def __str__(self):
        return f"{self.get_stance_display()}: measure {self.measure.number}, citation {self.citation_id}"

    def clean(self):
        if self.citation_id and self.measure_id and self.citation.case_id != self.measure.case_id:
            raise ValidationError({"citation": "The citation belongs to another case than the measure."})
        if self.citation_id and self.measure_id and self.measure.requirement_id == self.citation_id:
            raise ValidationError(
                {
                    "citation": "This passage defines the measure (it is what the measure requires): it is not "
                    "evidence of conduct and cannot be attached as evidence."
                }
            )


class AssessmentLevel(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    NOT_INITIATED = "not_initiated", "Not initiated (0)"
    MINIMAL = "minimal", "Minimal (1)"
    INTERMEDIATE = "intermediate", "Intermediate (2)"
    FULL = "full", "Full (3)"
    REVERSED = "reversed", "Reversed"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class AssessmentConfidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Assessment(models.Model):
    """The status of one measure for one party as of a date. Append-only: a correction is a new row."""

    Level = AssessmentLevel

    Confidence = AssessmentConfidence

    # Peace Accords Matrix scale: the implementation score of each scored level.
    SCORES = {Level.NOT_INITIATED: 0, Level.MINIMAL: 1, Level.INTERMEDIATE: 2, Level.FULL: 3, Level.REVERSED: 0}

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="assessments")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="assessments")
    level = models.CharField(max_length=16, choices=Level)
    confidence = models.CharField(max_length=6, choices=Confidence, default=Confidence.MEDIUM)
    effective_date = models.DateField(
        validators=[dates.plausible_date], help_text="When the situation held in the world."
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    rationale = models.TextField(validators=[text.multi_line])
    rationale_language = models.CharField(
        max_length=languages.MAX_LENGTH,
        blank=True,
        validators=[languages.language_tag],
        help_text="The language of the rationale (a BCP 47 tag); empty: the case's working language.",
    )
    citations = models.ManyToManyField(Citation, through="AssessmentCitation", related_name="assessments")
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The earlier assessment this one corrects, if any.",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "-recorded_at", "-pk"]
        get_latest_by = ["effective_date", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=AssessmentLevel.values), name="assessment_level_valid"),
            models.CheckConstraint(
                condition=Q(confidence__in=AssessmentConfidence.values), name="assessment_confidence_valid"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="assessment_rationale_not_empty"),
        ]
        indexes = [models.Index(fields=["measure", "party", "effective_date"], name="assessment_lookup_idx")]

    def __str__(self):
        return f"{self.measure} — {self.party.code}: {self.get_level_display()} as of {self.effective_date}"

    @property
    def score(self):
        return self.SCORES.get(self.level)

    @property
    def rationale_dir(self):
        """The rationale's writing direction ("rtl" or "ltr") by its language."""
        return languages.direction(self.rationale_language)

    @property
    def review_status(self):
        """ "approved", "returned" or "pending" (no decision yet): see Review below."""
        try:
            return self.review.decision
        except ObjectDoesNotExist:
            return "pending"

    @property
    def is_pending(self):
        return self.review_status == "pending"


class AssessmentCitation(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT)
    citation = models.ForeignKey(Citation, on_delete=models.PROTECT)

    class Meta:
        ordering = ["assessment", "citation"]
        constraints = [models.UniqueConstraint(fields=["assessment", "citation"], name="assessment_citation_unique")]

    def __str__(self):
        return f"Assessment {self.assessment_id} cites {self.citation_id}"


# Reviews (four eyes) -----------------------------------------------------------------------------


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
        help_text="Empty only for approvals that name no reviewer (migration 0025, a case file).",
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
