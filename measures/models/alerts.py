"""Following a case: subscriptions, the changes detected in a case's state (alerts), the last state
seen (the watch point they are detected against), and the notifications sent for them (one per
recipient and change, so that nothing is ever sent twice)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from measures.models.cases import Case, Measure
from measures.models.commitments import Commitment


class AlertKind(models.TextChoices):
    LEVEL = "level", "A judgement's level changed"
    CONTESTED = "contested", "New setback evidence challenges a standing judgement"
    STALE = "stale", "A measure became stale"
    COMMITMENT_DUE = "commitment_due", "A commitment fell due"
    COMMITMENT_OVERDUE = "commitment_overdue", "A commitment is overdue"


class Subscription(models.Model):
    """What a user is told about one case, or (case empty) about every case they may read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions")
    level_changed = models.BooleanField(default=True, help_text="At once: a judgement's level changed.")
    contested = models.BooleanField(default=True, help_text="At once: new setback evidence challenges a judgement.")
    stale = models.BooleanField(default=False, help_text="At once: a measure became stale.")
    commitments = models.BooleanField(default=True, help_text="At once: a commitment fell due or is overdue.")
    weekly_digest = models.BooleanField(default=True, help_text="Once a week: what changed, new evidence, commitments.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user", "case"]
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="subscription_unique_per_case"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(case__isnull=True), name="subscription_unique_all_cases"
            ),
        ]

    def __str__(self):
        return f"{self.user} follows {self.case or 'every case they may read'}"

    def wants(self, kind):
        """Whether this subscription asks to be told at once of an alert of `kind` (AlertKind)."""
        return {
            AlertKind.LEVEL: self.level_changed,
            AlertKind.CONTESTED: self.contested,
            AlertKind.STALE: self.stale,
            AlertKind.COMMITMENT_DUE: self.commitments,
            AlertKind.COMMITMENT_OVERDUE: self.commitments,
        }[kind]


class WatchPoint(models.Model):
    """The state of a case last seen by change detection (measures.services.alerts), as a summary of
    `case_state` and the commitment calendar: the next detection compares the new state with it."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="watch_point")
    as_of = models.DateField()
    data_version = models.PositiveBigIntegerField()
    summary = models.JSONField(default=dict)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case"]

    def __str__(self):
        return f"{self.case} as seen on {self.taken_at:%Y-%m-%d %H:%M}"


class Alert(models.Model):
    """A change detected in a case's state: one per measure (or commitment) and change, keyed so that
    detecting it twice (a retry, a second worker) records it once."""

    Kind = AlertKind

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind)
    key = models.CharField(max_length=200)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts")
    summary = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)
    as_of = models.DateField(help_text="The date of the state in which it was seen.")
    detected_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="alert_unique_per_case"),
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_kind_valid"),
        ]

    def __str__(self):
        return self.summary


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed for good"


class Notification(models.Model):
    """A mail to one recipient about one change (an alert) or one week of a case (a digest).

    `key` names the change ("alert:<id>", "digest:<case id>:<week's last day>"); one notification per
    recipient and key, so a retry or a second worker never sends one twice. The sender claims a
    notification (status SENDING, `claimed_at`) before sending it; a claim older than the lease is a
    worker that died and is taken again; a failure is retried with back-off (`next_attempt_at`) up to
    NOTIFICATION_MAX_ATTEMPTS, then FAILED and listed for administrators.
    """

    Status = NotificationStatus

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subscription = models.ForeignKey(Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=100)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    week_since = models.DateField(null=True, blank=True)
    week_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_unique_per_recipient_change"),
            models.CheckConstraint(condition=Q(status__in=NotificationStatus.values), name="notification_status_valid"),
            models.CheckConstraint(
                condition=Q(alert__isnull=False) | Q(week_since__isnull=False, week_until__isnull=False),
                name="notification_alert_or_digest",
            ),
        ]

    def __str__(self):
        return f"{self.subject or self.key} to {self.recipient}"

    @property
    def is_digest(self):
        return self.alert_id is None
