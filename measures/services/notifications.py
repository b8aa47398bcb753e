"""Delivering notifications: claim one, mark it sent, or mark a failure for a retry with back-off.

A notification is sent by whoever claims it: the claim is one UPDATE that succeeds for one worker
only (status PENDING and due, or SENDING with a claim older than the lease: a worker that died while
sending). The mail is built and sent by the caller (alerts.delivery), which then marks the outcome.
A mail accepted by the server is marked sent at once; only a worker killed between the server's
acceptance and that mark leaves it to be sent again, with the same Message-ID.
"""

import datetime

from django.conf import settings
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from measures.models import Notification

Status = Notification.Status


def _lease():
    return datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)


def due_notifications(*, now=None):
    """The notifications that may be claimed now, served fairly (a queryset of their ids): each
    recipient's oldest first, then each one's second, and so on, so that one subscriber following many
    cases (a digest for each) does not make everyone else's mail wait behind theirs."""
    now = now or timezone.now()
    return (
        Notification.objects.filter(
            Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=now - _lease())
        )
        .annotate(turn=Window(RowNumber(), partition_by=[F("recipient_id")], order_by=[F("next_attempt_at"), F("pk")]))
        .order_by("turn", "next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )


def claim(notification_id, *, now=None):
    """Claim notification `notification_id` for sending. Returns the Notification when this caller got
    it, None when another did (or it is not due)."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=now - _lease()),
        pk=notification_id,
    ).update(status=Status.SENDING, claimed_at=now)
    if not claimed:
        return None
    return Notification.objects.select_related("recipient", "case", "alert", "subscription").get(pk=notification_id)


def mark_sent(notification, *, subject, message_id):
    """Record that the mail of a claimed notification was accepted by the mail server."""
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        subject=subject[:300],
        message_id=message_id[:200],
        attempts=notification.attempts + 1,
        last_error="",
    )


def mark_failed(notification, *, error, now=None):
    """Record a failed attempt: retried after NOTIFICATION_RETRY_SECONDS × 2^(attempts − 1), until
    NOTIFICATION_MAX_ATTEMPTS attempts; then FAILED for good (listed for administrators). Returns the
    time of the next attempt, or None when there is none."""
    now = now or timezone.now()
    attempts = notification.attempts + 1
    if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        Notification.objects.filter(pk=notification.pk).update(
            status=Status.FAILED, attempts=attempts, last_error=str(error)[:2000], claimed_at=None
        )
        return None
    delay = datetime.timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (attempts - 1))
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.PENDING,
        attempts=attempts,
        last_error=str(error)[:2000],
        next_attempt_at=now + delay,
        claimed_at=None,
    )
    return now + delay


def drop(notification, *, reason):
    """A notification that must not be sent (the recipient lost access, or unsubscribed): failed for good."""
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.FAILED, last_error=reason[:2000], claimed_at=None
    )


def retry(notification_ids):
    """Put failed notifications back in the queue (an administrator's action). Returns how many."""
    return Notification.objects.filter(pk__in=notification_ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
