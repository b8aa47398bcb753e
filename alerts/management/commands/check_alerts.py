"""`manage.py check_alerts`: detect changes in every followed case and send the alerts."""

from django.core.management.base import BaseCommand

from alerts.delivery import deliver_due
from measures.models import Case
from measures.services import detect_changes
from measures.services.alerts import cases_followed


class Command(BaseCommand):
    help = (
        "Detect what changed in every followed case since it was last seen, including what changes with the "
        "calendar alone (a measure becoming stale, a commitment falling due or overdue), and send the alerts. "
        "Writes queue detection at once; run this daily from cron for the changes no write makes."
    )

    def handle(self, *args, **options):
        alerts = 0
        for case in Case.objects.filter(pk__in=cases_followed()).order_by("pk"):
            alerts += len(detect_changes(case))
        sent, failed, dropped = deliver_due()
        self.stdout.write(f"{alerts} change(s) detected; sent {sent} mail(s), {failed} failed, {dropped} not sent.")
