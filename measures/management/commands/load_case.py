from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing import CaseFileError, import_case, parse_case_file


class Command(BaseCommand):
    help = (
        "Load a case from its case file (fixtures/<slug>.json) unless a case with its slug exists. "
        "The file is checked against docs/case-file.schema.json first; nothing is loaded if any part is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Case files to load.")

    def handle(self, *args, paths, **options):
        for path in paths:
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: cannot read: {exc.strerror}") from None
            try:
                result = import_case(parse_case_file(content))
            except CaseFileError as exc:
                problems = "\n  ".join(exc.problems)
                raise CommandError(f"{path}: nothing was loaded:\n  {problems}") from None
            if result.created:
                counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
                self.stdout.write(self.style.SUCCESS(f"Loaded “{result.case}” ({result.case.slug}): {counts}."))
            else:
                self.stdout.write(f"“{result.case}” ({result.case.slug}) is already there: left unchanged.")
