"""`manage.py send_notifications`: send the alerts and digests due now (and retries due)."""

from django.core.management.base import BaseCommand

from alerts.delivery import deliver_due


class Command(BaseCommand):
    help = (
        "Send every notification due now: new ones, failed ones whose retry is due, and those a worker that "
        "died left half-sent (after NOTIFICATION_LEASE_SECONDS). For cron, and after restarting a worker."
    )

    def handle(self, *args, **options):
        sent, failed, dropped = deliver_due()
        self.stdout.write(
            f"Sent {sent} mail(s); {failed} failed (retried later); {dropped} not sent (no access or address)."
        )
