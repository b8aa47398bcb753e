import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing import CaseFileError, import_case


class Command(BaseCommand):
    help = "Load a case from its JSON file (fixtures/<slug>.json) unless a case with its slug exists."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Case files to load.")

    def handle(self, *args, paths, **options):
        for path in paths:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"{path}: cannot read: {exc.strerror}") from None
            except json.JSONDecodeError as exc:
                raise CommandError(f"{path}: not valid JSON: {exc}") from None
            try:
                result = import_case(data)
            except CaseFileError as exc:
                raise CommandError(f"{path}: {exc}. Nothing was loaded.") from None
            if result.created:
                counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
                self.stdout.write(self.style.SUCCESS(f"Loaded “{result.case}” ({result.case.slug}): {counts}."))
            else:
                self.stdout.write(f"“{result.case}” ({result.case.slug}) is already there: left unchanged.")
