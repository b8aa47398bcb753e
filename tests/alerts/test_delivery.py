"""Delivery never duplicates or loses: a worker killed in the middle of a batch and started again sends
every mail exactly once; two senders at once never send one twice; a failure is retried with back-off.

The first two start send_notifications as real processes (marked `workers`: `make test` runs them, `make check`
does not)."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.db import connection
from django.test import override_settings

from measures.models import Notification
from measures.services import notifications
from tests import factories
from tests.helpers import ROOT

BATCH = 8


def _env(smtp_port):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "TASKS_IMMEDIATE"}
    }
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_NAME"] = str(settings["NAME"])
    else:
        url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(path="/" + settings["NAME"]))
    env.update(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        NOTIFICATION_LEASE_SECONDS="1",
        SITE_URL="https://tracker.example.org",
        LOG_LEVEL="ERROR",
    )
    return env


def _queue_alerts(n):
    """n alert notifications for n subscribers of one case (one alert each would do as well)."""
    from measures import services
    from measures.models import Alert

    case = factories.CaseFactory()
    factories.MeasureFactory(case=case, number=1)
    alert = Alert.objects.create(
        case=case, kind="level", key="level:test", summary="A level changed", as_of=case.start_date
    )
    for i in range(n):
        user = factories.reader(username=f"reader{i}", email=f"reader{i}@example.org")
        services.subscribe(user=user, case=case)
    queued = services.alerts.notify_alert(alert)
    assert len(queued) == n
    return queued


@pytest.mark.workers
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_and_restarted_sends_every_mail_exactly_once(smtp_server):
    _queue_alerts(BATCH)
    env = _env(smtp_server.port)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "send_notifications"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def kill_at_the_fourth(number):
        if number == 4:  # the worker dies while the fourth mail is being handed over
            os.kill(worker.pid, signal.SIGKILL)
            return "451 Requested action aborted: the sender went away"
        return None

    smtp_server.before_accept = kill_at_the_fourth
    worker.wait(timeout=120)
    assert worker.returncode == -signal.SIGKILL
    assert len(smtp_server.messages) == 3
    assert Notification.objects.filter(status=Notification.Status.SENDING).count() == 1  # claimed by the dead worker

    smtp_server.before_accept = None
    time.sleep(1.5)  # the dead worker's claim expires (NOTIFICATION_LEASE_SECONDS=1)
    restarted = subprocess.run(
        [sys.executable, "manage.py", "send_notifications"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restarted.returncode == 0, restarted.stderr
    assert "Sent 5 mail(s)" in restarted.stdout

    recipients = sorted(r for rcpt, _ in smtp_server.messages for r in rcpt)
    assert recipients == sorted(f"reader{i}@example.org" for i in range(BATCH))  # each exactly once
    ids = [message["Message-ID"] for _, message in smtp_server.messages]
    assert len(set(ids)) == BATCH
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}

    again = subprocess.run(
        [sys.executable, "manage.py", "send_notifications"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Sent 0 mail(s)" in again.stdout
    assert len(smtp_server.messages) == BATCH


@pytest.mark.workers
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_mail_once(smtp_server):
    _queue_alerts(BATCH)
    env = _env(smtp_server.port)
    senders = [
        subprocess.Popen(
            [sys.executable, "manage.py", "send_notifications"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for sender in senders:
        sender.wait(timeout=120)
        assert sender.returncode == 0, sender.stderr.read()
    recipients = sorted(r for rcpt, _ in smtp_server.messages for r in rcpt)
    assert recipients == sorted(f"reader{i}@example.org" for i in range(BATCH))


def test_a_refused_mail_is_retried_with_back_off_then_failed_and_listed(db, settings, smtp_server, client):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "use_tls": False, "timeout": 10},
        }
    }
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_SECONDS = 60
    (notification,) = _queue_alerts(1)
    smtp_server.before_accept = lambda number: "554 Transaction failed"
    from alerts.delivery import deliver_due

    assert deliver_due() == (0, 1, 0)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING and notification.attempts == 1
    first_wait = (notification.next_attempt_at - notification.claimed_at) if notification.claimed_at else None
    assert first_wait is None
    assert deliver_due() == (0, 0, 0)  # not due yet: back-off
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=notification.created_at)
    before = notification.next_attempt_at
    assert deliver_due() == (0, 1, 0)
    notification.refresh_from_db()
    assert (
        notification.attempts == 2 and notification.next_attempt_at - before > notification.next_attempt_at.resolution
    )
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=notification.created_at)
    assert deliver_due() == (0, 1, 0)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED and "554" in notification.last_error
    assert smtp_server.messages == []

    # Administrators see it in the admin list, and can send it again.
    admin = factories.administrator(username="boss")
    client.force_login(admin)
    page = client.get("/admin/measures/notification/?status__exact=failed")
    assert page.status_code == 200 and "554" in page.content.decode()
    assert notifications.retry([notification.pk]) == 1
    smtp_server.before_accept = None
    with override_settings():
        assert deliver_due() == (1, 0, 0)
