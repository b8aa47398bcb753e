"""The report worker: django-tasks-db's `db_worker`, which first loads WeasyPrint and the report's fonts."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from reports.render import warm_up_pdf


class Command(DatabaseWorkerCommand):
    help = (
        "Run the report worker: db_worker (same options), after loading WeasyPrint and the report's fonts, "
        "so that the first PDF after a start does not also pay for them."
    )

    def handle(self, *args, **options):
        seconds = warm_up_pdf()
        if options["verbosity"] > 0:
            loaded = "without WeasyPrint" if seconds is None else f"WeasyPrint and the fonts loaded in {seconds:.1f} s"
            self.stdout.write(f"Report worker ready ({loaded}).")
            self.stdout.flush()
        super().handle(*args, **options)
