from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing.events_csv import EventFileError, Mapping, import_events
from measures.lib import acting
from measures.management.acting import acting_user, add_user_argument
from measures.models import Case


def _shown(value):
    return "—" if value in (None, "") else str(value).replace("\n", " ")[:60]


class Command(BaseCommand):
    help = (
        "Import events into a case from a CSV export in the columns of conflict-event datasets (ACLED: "
        "event_id_cnty, event_date, time_precision, actor1, actor2, event_type, location, fatalities, source, "
        "notes, timestamp). Events are matched by their id (event_id_cnty): new ones are added, changed ones "
        "updated, and, with --deleted or --sync, those the dataset deleted are removed (never one a citation "
        "reports). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The case's slug.")
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8).")
        parser.add_argument("--mapping", type=Path, help="JSON mapping of column names, actors and event types.")
        parser.add_argument(
            "--deleted",
            type=Path,
            help="A deletion list (CSV with an event_id_cnty column, as ACLED's deleted events): remove those events.",
        )
        parser.add_argument(
            "--sync",
            action="store_true",
            help="The file is a complete export: remove the imported events it no longer holds.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        add_user_argument(parser)

    def handle(self, *args, slug, path, mapping, deleted, sync, dry_run, user=None, **options):
        user = acting_user(user)
        case = Case.objects.filter(slug=slug).first()
        if case is None:
            raise CommandError(f"No case with the slug “{slug}”.")
        try:
            content = path.read_bytes()
            mapping_content = mapping.read_bytes() if mapping else None
            deletions = deleted.read_bytes() if deleted else None
        except OSError as exc:
            raise CommandError(f"{exc.filename}: cannot read: {exc.strerror}") from None
        try:
            parsed = Mapping.parse(mapping_content) if mapping_content is not None else None
            with acting.acting(path=acting.IMPORT, user=user):
                result = import_events(case, content, mapping=parsed, dry_run=dry_run, sync=sync, deletions=deletions)
        except EventFileError as exc:
            problems = "\n  ".join(exc.problems)
            raise CommandError(f"{path}: nothing was imported:\n  {problems}") from None
        self.report(case, result, dry_run)

    def report(self, case, result, dry_run):
        verbs = ("Would add", "update", "remove") if dry_run else ("Added", "updated", "removed")
        self.stdout.write(
            self.style.SUCCESS(
                f"{verbs[0]} {len(result.new)} events to “{case}”, {verbs[1]} {len(result.updated)}, "
                f"{verbs[2]} {len(result.removed)}; {len(result.existing)} already there."
            )
        )
        for event in result.new:
            actors = ", ".join(event.actor_codes) or "no party"
            self.stdout.write(f"  + line {event.line}: {event.date_text}: {event.title} ({actors})")
        for update in result.updated:
            self.stdout.write(f"  ~ line {update.line}: event {update.event.pk} “{update.event.title}”")
            for name, old, new in update.changes:
                self.stdout.write(f"      {name}: {_shown(old)} → {_shown(new)}")
        for event in result.removed:
            self.stdout.write(f"  - event {event.pk} ({event.external_id or event.key}): {event.title}")
        for event, citations in result.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"  ! event {event.pk} ({event.external_id or event.key}) “{event.title}”: deleted by the dataset, "
                    f"kept here: {citations} citation{'s' if citations != 1 else ''} report it (evidence)"
                )
            )
        for line, external_id in result.unknown_deletions:
            self.stdout.write(f"  deletion list, line {line}: no event “{external_id}” in this case")
        for line, original in result.repeated:
            self.stdout.write(f"  line {line} repeats line {original}: skipped")
        for actor, lines in sorted(result.not_parties.items()):
            lines = ", ".join(map(str, lines))
            self.stdout.write(f"  “{actor}” (lines {lines}) is not a party: named in the title only")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
