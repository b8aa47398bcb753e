"""The worker's tasks (Django's tasks framework with django-tasks-db, as reports.jobs): detecting the
changes of a case after a write, and sending the notifications due, with retries deferred by back-off.

`case_changed` is the case-change hook (settings.CASE_CHANGE_HOOKS): after each committed write that
changed a followed case, it queues `check_case` for it; nothing is queued for a case nobody follows.
"""

import logging

from django.db.models import Min
from django.tasks import default_task_backend, task

from alerts.delivery import deliver_due
from measures.models import Case, Notification
from measures.services import detect_changes
from measures.services.alerts import cases_followed

logger = logging.getLogger(__name__)


def case_changed(case_ids):
    """The hook: queue change detection for each followed case among `case_ids`."""
    followed = cases_followed()
    for case_id in case_ids:
        if case_id in followed:
            check_case.enqueue(case_id)


@task()
def check_case(case_id):
    """Detect what changed in case `case_id` since it was last seen; queue and send its notifications.
    Returns the number of alerts recorded."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return 0
    alerts = detect_changes(case)
    if alerts:
        deliver_notifications.enqueue()
    return len(alerts)


@task()
def deliver_notifications():
    """Send every notification due; when failures wait for a retry, queue this task again for the
    earliest (the worker runs it then; a backend that cannot defer leaves it to send_notifications).
    Returns [sent, failed, dropped]."""
    sent, failed, dropped = deliver_due()
    if failed:
        schedule_retry()
    return [sent, failed, dropped]


def schedule_retry():
    """Queue deliver_notifications for the earliest retry due, when the backend can defer a task."""
    earliest = Notification.objects.filter(status=Notification.Status.PENDING).aggregate(at=Min("next_attempt_at"))[
        "at"
    ]
    if earliest is None or not getattr(default_task_backend, "supports_defer", False):
        return None
    return deliver_notifications.using(run_after=earliest).enqueue()


# One unlock mail per account in this many seconds, whatever the number of requests: the form is open to
# anyone, and must not be a way to fill a colleague's mailbox.
UNLOCK_MAIL_INTERVAL_SECONDS = 300


@task()
def send_unlock_link(username):
    """Mail the account named `username` a link that lifts its login lock (alerts.views.unlock), when it
    exists, is active, has a mail address and failed logins on record, and was not sent one in the last
    UNLOCK_MAIL_INTERVAL_SECONDS. Queued for any username, so that the page's answer and its time say
    nothing of which accounts exist. Returns whether a mail was sent."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from alerts.mail import unlock_message
    from measures.services.accounts import has_failed_logins

    model = get_user_model()
    user = model.objects.filter(**{model.USERNAME_FIELD: username, "is_active": True}).exclude(email="").first()
    if user is None or not has_failed_logins(user):
        return False
    if not cache.add(f"alerts:unlock-mail:{user.pk}", True, timeout=UNLOCK_MAIL_INTERVAL_SECONDS):
        return False
    unlock_message(user).send()
    logger.info("Unlock link mailed to the address of “%s”", username)
    return True
