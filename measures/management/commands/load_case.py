from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from measures.importing import SECTIONS, CaseFileError, import_case_staged, parse_case_file
from measures.lib import acting
from measures.management.acting import acting_user, add_user_argument


class Command(BaseCommand):
    help = (
        "Load a case from its case file (fixtures/<slug>.json). A case whose slug exists is left unchanged, "
        "unless --update: then what is new in the file is added. The file is checked against "
        "docs/case-file.schema.json first; nothing is loaded if any part of it is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Case files to load.")
        parser.add_argument(
            "--update",
            action="store_true",
            help=(
                "Add to an existing case what the file has and the case has not; never change what is stored, "
                "except a stored source's text, which the file's replaces while no citation quotes it."
            ),
        )
        add_user_argument(parser)

    def handle(self, *args, paths, update, user=None, **options):
        # The file's assessments are recorded by --user (else by the inactive case-import account), so a
        # review in the file by that same person is refused (four eyes).
        user = acting_user(user)
        for path in paths:
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: cannot read: {exc.strerror}") from None
            try:
                # On SQLite, staged: the write lock is held for a short final copy (docs/case-files.md).
                with acting.acting(path=acting.CASE_FILE, user=user):
                    result = import_case_staged(parse_case_file(content), update=update, recorded_by=user)
            except CaseFileError as exc:
                problems = "\n  ".join(exc.problems)
                raise CommandError(f"{path}: nothing was loaded:\n  {problems}") from None
            except DatabaseError as exc:
                # A rule the database enforces (docs/invariants.md) that no check before caught.
                raise CommandError(f"{path}: nothing was loaded: the database refused it: {exc}") from None
            case = f"“{result.case}” ({result.case.slug})"
            if result.created:
                counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
                self.stdout.write(self.style.SUCCESS(f"Loaded {case}: {counts}."))
                self._reused_sources(result)
            elif not result.updated:
                self.stdout.write(f"{case} is already there: left unchanged (use --update to add what is new).")
            else:
                added = ", ".join(f"{result.added[s]} {s}" for s in SECTIONS)
                there = ", ".join(f"{result.existing[s]} {s}" for s in SECTIONS)
                self.stdout.write(self.style.SUCCESS(f"Updated {case}."))
                self.stdout.write(f"  added: {added}")
                self.stdout.write(f"  already there: {there}")
                self.stdout.write(f"  conflicts (kept as stored): {len(result.conflicts)}")
                for conflict in result.conflicts:
                    self.stdout.write(self.style.WARNING(f"    {conflict}"))
            if result.untyped:
                # The matrix compares cases on the catalogue's types: these measures have no row there.
                self.stdout.write(
                    self.style.WARNING(
                        f"  {len(result.untyped)} measure{'s' if len(result.untyped) != 1 else ''} left untyped "
                        "(no type of the catalogue; the matrix of cases leaves them out): " + "; ".join(result.untyped)
                    )
                )

    def _reused_sources(self, result):
        """A new case's sources found already stored (same title, publisher and date) are used as stored:
        say so, and name every field the file gives otherwise (its label first of all: the footnotes
        keep the stored label, not the file's)."""
        reused = result.existing["sources"]
        if not reused:
            return
        self.stdout.write(
            f"  {reused} source{'s' if reused != 1 else ''} of the file already stored (same title, publisher "
            "and date): used as stored, not loaded again"
        )
        for conflict in result.conflicts:
            if conflict.startswith("sources["):
                self.stdout.write(self.style.WARNING(f"    {conflict}"))
