"""Reviewing assessments (four eyes): approve, return with a comment, approve one author's batch.

An assessment counts once a reviewer who is not its author approved it (measures.models.assessments, Review;
settings.ALLOW_SELF_APPROVAL lifts the "not its author" rule). Each assessment gets one decision, in
one transaction with the case's data version bumped; a returned assessment is revised by recording a
correction of it, which awaits its own review. Who may review (the Reviewer role, administrators) is
checked by the pages that call these (measures.roles.can_review); the rules below hold on every path,
the case-file loader included.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from measures.models import Assessment, AuditEntry, Measure, Review
from measures.services.base import ServiceError, _field_errors, touch_cases

Decision = Review.Decision


def _who(user):
    return (user.get_full_name() or user.get_username()) if user is not None else "no reviewer named"


def review_refusal(assessment, reviewer, *, decided_at=None):
    """Why `reviewer` (a user, or None for a decision that names no reviewer) may not decide on
    `assessment` at `decided_at` (default now), as a sentence; None when they may. Reads: the
    assessment's review, its corrections and author (three queries at most)."""
    if reviewer is not None and reviewer.pk == assessment.recorded_by_id and not settings.ALLOW_SELF_APPROVAL:
        return (
            f"{assessment}: you recorded this assessment, so another reviewer must decide on it (four eyes; "
            "ALLOW_SELF_APPROVAL is off)."
        )
    existing = Review.objects.filter(assessment=assessment).select_related("reviewer").first()
    if existing is not None:
        return (
            f"{assessment}: already {existing.get_decision_display().lower()} by {_who(existing.reviewer)} "
            f"on {date_format(timezone.localtime(existing.decided_at), 'DATETIME_FORMAT')}."
        )
    correction = (
        Assessment.objects.filter(corrects=assessment)
        .exclude(Q(review__decision=Decision.RETURNED))
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
        .first()
    )
    if correction is not None:
        return (
            f"{assessment}: superseded by the correction {correction.recorded_by} recorded on "
            f"{date_format(timezone.localtime(correction.recorded_at), 'DATETIME_FORMAT')}: review that one instead."
        )
    if decided_at is not None:
        if decided_at < assessment.recorded_at:
            return f"{assessment}: a decision cannot come before the assessment was recorded."
        if decided_at > timezone.now():
            return f"{assessment}: the time of the decision is in the future."
    return None


# The longest comment a review takes (characters): a return says what to revise, in a few sentences, for
# the author, the review panel and the audit log; a comment is a TextField, bounded here (every path: the
# review queue, a case file) rather than by a migration. The queue's boxes say it (maxlength).
COMMENT_MAX_CHARACTERS = 2000


def record_review(*, assessment, decision, reviewer, comment="", decided_at=None):
    """Record `reviewer`'s `decision` ("approved" or "returned") on `assessment` and return the Review.

    `reviewer` None records a decision that names no reviewer (an approval from a case file made
    before reviewing; never a return). `decided_at` is for case files only (default now). The
    snapshot of what was decided on (level, rationale, citation ids) is taken from the assessment.
    Raises ServiceError, writing nothing: an unknown decision; a return without a comment; a comment
    over COMMENT_MAX_CHARACTERS; a decision by the assessment's author (unless
    settings.ALLOW_SELF_APPROVAL); an assessment already decided on, or superseded by a correction
    that was not returned (review that one); a time before the assessment was recorded or in the future.
    """
    comment = (comment or "").strip()
    errors = {}
    if decision not in Decision.values:
        errors["decision"] = f"“{decision}” is not a decision (approved or returned)."
    elif decision == Decision.RETURNED and not comment:
        errors["comment"] = f"{assessment}: say why it is returned, so its author can revise it."
    elif decision == Decision.RETURNED and reviewer is None:
        errors["reviewer"] = f"{assessment}: a return names its reviewer."
    length = len(comment.replace("\r\n", "\n"))  # a line break counts once, as the browser's maxlength counts it
    if length > COMMENT_MAX_CHARACTERS:
        errors["comment"] = (
            f"{assessment}: the comment is {length:,} characters long; a review's comment holds at most "
            f"{COMMENT_MAX_CHARACTERS:,}. Say briefly what to revise (the sources hold the rest)."
        )
    else:
        errors.update(_field_errors(Review, comment=comment))
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        # The measure's row is the lock record_assessment takes too: a correction and a decision on what
        # it corrects queue up (PostgreSQL; SQLite's IMMEDIATE transactions serialise writers anyway).
        Measure.objects.select_for_update().filter(pk=assessment.measure_id).first()
        refusal = review_refusal(assessment, reviewer, decided_at=decided_at)
        if refusal:
            raise ServiceError({"__all__": refusal})
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    assessment=assessment,
                    decision=decision,
                    reviewer=reviewer,
                    comment=comment,
                    decided_at=decided_at or timezone.now(),
                    **Review.snapshot_of(assessment),
                )
        except IntegrityError:  # another reviewer decided at the same moment
            message = review_refusal(assessment, None) or f"{assessment}: already reviewed."
            raise ServiceError({"__all__": message}) from None
        touch_cases({assessment.measure.case_id})
        AuditEntry.objects.record(
            action=AuditEntry.Action.APPROVE if decision == Decision.APPROVED else AuditEntry.Action.RETURN,
            kind="assessment",
            obj=assessment,
            case=assessment.measure.case_id,
            user=reviewer,
            detail=comment,
        )
    return review


def approve_assessment(*, assessment, reviewer, comment=""):
    """Approve `assessment`: from now on it counts (see record_review for what is refused)."""
    return record_review(assessment=assessment, decision=Decision.APPROVED, reviewer=reviewer, comment=comment)


def return_assessment(*, assessment, reviewer, comment):
    """Return `assessment` to its author with `comment` (required): it never counts; its author revises it
    by recording a correction of it (see record_review for what is refused)."""
    return record_review(assessment=assessment, decision=Decision.RETURNED, reviewer=reviewer, comment=comment)


def approve_batch(*, assessments, reviewer, comment=""):
    """Approve every assessment of `assessments` (one author's batch, as the review queue offers it), all
    or none: a ServiceError lists every one refused, each message naming its assessment, and nothing is
    written. Returns the Reviews in the order given."""
    assessments = list(assessments)
    if not assessments:
        raise ServiceError({"__all__": "Choose at least one assessment to approve."})
    reviews, problems = [], []
    with transaction.atomic():
        for assessment in assessments:
            try:
                with transaction.atomic():
                    reviews.append(approve_assessment(assessment=assessment, reviewer=reviewer, comment=comment))
            except ServiceError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ServiceError({"__all__": problems})
    return reviews
