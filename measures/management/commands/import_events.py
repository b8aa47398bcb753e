from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing.events_csv import EventFileError, Mapping, import_events
from measures.lib import acting
from measures.management.acting import acting_user, add_user_argument
from measures.models import Case


class Command(BaseCommand):
    help = (
        "Import events into a case from a CSV export in the columns of conflict-event datasets (ACLED: "
        "event_date, time_precision, actor1, actor2, event_type, location, fatalities, source, notes). "
        "All or nothing; a row already imported is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The case's slug.")
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8).")
        parser.add_argument("--mapping", type=Path, help="JSON mapping of column names, actors and event types.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        add_user_argument(parser)

    def handle(self, *args, slug, path, mapping, dry_run, user=None, **options):
        user = acting_user(user)
        case = Case.objects.filter(slug=slug).first()
        if case is None:
            raise CommandError(f"No case with the slug “{slug}”.")
        try:
            content = path.read_bytes()
            mapping_content = mapping.read_bytes() if mapping else None
        except OSError as exc:
            raise CommandError(f"{exc.filename}: cannot read: {exc.strerror}") from None
        try:
            parsed = Mapping.parse(mapping_content) if mapping_content is not None else None
            with acting.acting(path=acting.IMPORT, user=user):
                result = import_events(case, content, mapping=parsed, dry_run=dry_run)
        except EventFileError as exc:
            problems = "\n  ".join(exc.problems)
            raise CommandError(f"{path}: nothing was imported:\n  {problems}") from None
        verb = "Would add" if dry_run else "Added"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {len(result.new)} events to “{case}”; {len(result.existing)} already there.")
        )
        for event in result.new:
            actors = ", ".join(event.actor_codes) or "no party"
            self.stdout.write(f"  line {event.line}: {event.date_text}: {event.title} ({actors})")
        for line, original in result.repeated:
            self.stdout.write(f"  line {line} repeats line {original}: skipped")
        for actor, lines in sorted(result.not_parties.items()):
            lines = ", ".join(map(str, lines))
            self.stdout.write(f"  “{actor}” (lines {lines}) is not a party: named in the title only")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
