"""`manage.py send_digests [--week YYYY-MM-DD]`: queue and send the weekly digests due."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from alerts.delivery import deliver_due
from measures.lib import dates
from measures.services import queue_digests

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def last_week_end(today, weekday):
    """The latest day named `weekday` (DIGEST_WEEKDAY) before `today`: the end of the last whole week."""
    back = (today.weekday() - WEEKDAYS.index(weekday)) % 7 or 7
    return today - datetime.timedelta(days=back)


class Command(BaseCommand):
    help = (
        "Send the weekly digests due: for every subscriber who asked for one, a mail per followed case about "
        "the seven days up to --week (both included; default: the last DIGEST_WEEKDAY before today). "
        "A digest already sent for that recipient, case and week is never sent again: "
        "run it from cron as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", metavar="YYYY-MM-DD", help="The last day of the week (e.g. 2024-01-29).")
        parser.add_argument(
            "--queue-only", action="store_true", help="Queue the digests for the worker, send nothing here."
        )

    def handle(self, *args, week=None, queue_only=False, **options):
        today = timezone.localdate()
        if week:
            try:
                until = datetime.date.fromisoformat(week)
            except ValueError:
                raise CommandError(f"--week must be a date (YYYY-MM-DD), not “{week}”") from None
            if until > today:
                raise CommandError(f"--week {until.isoformat()} has not ended yet: give a day before today")
            if problem := dates.date_problem(until, today=today, label="--week"):
                raise CommandError(
                    problem
                )  # 0001-01-01: no week of the crisis ends there (and one before it overflows)
        else:
            until = last_week_end(today, settings.DIGEST_WEEKDAY)
        queued = queue_digests(week_until=until)
        since = until - datetime.timedelta(days=6)
        self.stdout.write(f"Week {since.isoformat()} to {until.isoformat()}: {len(queued)} digest(s) queued.")
        if queue_only:
            return
        sent, failed, dropped = deliver_due()
        self.stdout.write(
            f"Sent {sent} mail(s); {failed} failed (retried later); {dropped} not sent (no access or address)."
        )
