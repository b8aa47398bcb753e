from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.importing import export
from measures.models import Case


class Command(BaseCommand):
    help = (
        "Write a case as a case file (the format load_case reads), with every assessment and the time it was "
        "recorded. Loading it into an empty database and exporting again gives the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The case's slug.")
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, slug, output, **options):
        case = Case.objects.filter(slug=slug).first()
        if case is None:
            known = ", ".join(Case.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No case with the slug “{slug}” (cases: {known}).")
        text = export.dumps(export.export_case(case))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote “{case}” to {output}."))
