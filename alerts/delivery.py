"""Sending the notifications due: claim each (measures.services.notifications), check the recipient
may still read the case and still follows it, build the mail (alerts.mail), send it through Django's
mail framework, record the outcome. Used by the worker's task and by `manage.py send_notifications`."""

import logging

from django.core.mail import mailers

from alerts.mail import build_message, message_id
from measures.models import Subscription
from measures.roles import can_read_case
from measures.services import notifications

logger = logging.getLogger(__name__)


def deliver_due(*, limit=None):
    """Send every notification due now (at most `limit`). Returns (sent, failed, dropped) counts.

    A recipient who may no longer read the case, has no address, or unsubscribed meanwhile is sent
    nothing: the notification is dropped (failed for good, with the reason)."""
    sent = failed = dropped = 0
    connection = None
    try:
        for notification_id in list(
            notifications.due_notifications()[:limit] if limit else notifications.due_notifications()
        ):
            notification = notifications.claim(notification_id)
            if notification is None:
                continue  # another worker has it
            recipient = notification.recipient
            if not can_read_case(recipient, notification.case):
                notifications.drop(notification, reason="The recipient may not read this case.")
                dropped += 1
                continue
            if not recipient.email:
                notifications.drop(notification, reason="The recipient has no mail address.")
                dropped += 1
                continue
            try:
                if connection is None:
                    connection = mailers.default
                    connection.open()
                message, subject = build_message(notification)
            except Subscription.DoesNotExist:
                notifications.drop(notification, reason="Unsubscribed before it was sent.")
                dropped += 1
                continue
            try:
                if connection.send_messages([message]) != 1:
                    raise RuntimeError("the mail server did not take the message")
            except Exception as exc:  # the server refused or could not be reached: retried with back-off
                logger.warning("Notification %s not sent: %s", notification.pk, exc)
                notifications.mark_failed(notification, error=f"{type(exc).__name__}: {exc}")
                failed += 1
                try:
                    connection.close()
                except Exception:  # noqa: S110 (a broken connection is opened again for the next mail)
                    pass
                connection = None
                continue
            notifications.mark_sent(notification, subject=subject, message_id=message_id(notification))
            sent += 1
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: S110
                pass
    return sent, failed, dropped
