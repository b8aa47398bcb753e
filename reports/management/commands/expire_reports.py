from django.core.management.base import BaseCommand, CommandError

from reports.jobs import KEEP_DAYS, expire_reports


class Command(BaseCommand):
    help = (
        "Delete stored report PDFs (and their jobs) made more than --days days ago, and PDF files no job names; "
        "queued and running jobs are kept. Run it daily (cron or a systemd timer); a deleted report is made "
        "again when someone asks for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=KEEP_DAYS, help=f"Keep this many days (default {KEEP_DAYS}).")

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError(f"--days must be 0 or more, not {days}. Nothing was deleted.")
        jobs, files, freed = expire_reports(keep_days=days)
        self.stdout.write(
            f"Deleted {jobs} report job(s) and {files} stored PDF(s) older than {days} days ({freed:,} bytes)."
        )
