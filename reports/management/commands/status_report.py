import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.utils.formats import date_format

from measures.models import Case
from reports.build import build_report, parse_request
from reports.render import render_report_html, render_report_pdf


class Command(BaseCommand):
    help = (
        "Write the status report of a case as PDF or HTML, as the report pages show it (for scheduled runs). "
        "Without -o, the file is named like the PDF download, e.g. pakistan-iran-2024-status-2024-01-31.pdf."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The case, e.g. pakistan-iran-2024.")
        parser.add_argument(
            "--as-of",
            default="",
            metavar="YYYY-MM-DD",
            help="Status on this date (default: today for an active case, its end date for a closed one).",
        )
        parser.add_argument(
            "--since",
            default="",
            metavar="YYYY-MM-DD",
            help="First day of the period, included (default: the whole crisis for a closed case, "
            "the 7 days up to --as-of for an active one).",
        )
        parser.add_argument(
            "--recorded-since",
            default="",
            metavar="YYYY-MM-DD",
            help="Also list what was put on record from this day on (new assessments, corrections, evidence).",
        )
        parser.add_argument(
            "--known-on",
            default="",
            metavar="YYYY-MM-DD",
            help="Leave out what was put on record after this date (default: no limit).",
        )
        parser.add_argument("--format", choices=["pdf", "html"], default="pdf", dest="output_format")
        parser.add_argument("--paper", default="", metavar="a4|letter", help="Paper size (default: a4).")
        parser.add_argument("-o", "--output", default="", metavar="FILE", help="Where to write; '-' for stdout.")
        parser.add_argument("--user", default="", metavar="USERNAME", help="Name this account as the author.")
        parser.add_argument(
            "--site-url", default="", metavar="URL", help="Site address, so that the PDF's links lead to it."
        )

    def handle(self, *args, slug, output_format, output, user, site_url, **options):
        as_of, since, known_on = options["as_of"], options["since"], options["known_on"]
        recorded_since, paper = options["recorded_since"], options["paper"]
        case = Case.objects.filter(slug=slug).first()
        if case is None:
            known = ", ".join(Case.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No case “{slug}”. Known cases: {known}.")
        params = parse_request(
            {"as_of": as_of, "since": since, "known_on": known_on, "recorded_since": recorded_since, "paper": paper},
            case=case,
        )
        if params.errors:
            raise CommandError(" ".join(params.errors) + " Nothing was written.")
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user “{user}”. Nothing was written.")
        if site_url:
            try:
                URLValidator(schemes=["http", "https"])(site_url)
            except ValidationError:
                raise CommandError(f"--site-url “{site_url}” is not an http(s) address. Nothing was written.") from None

        report = build_report(case, user=author, **{**params.build_kwargs(), "other_period_query": ""})
        if output_format == "pdf":
            content = render_report_pdf(report, site_url=site_url or None)
        else:
            content = render_report_html(report, standalone=True).encode("utf-8")

        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        path = Path(output or f"{report.filename_stem}.{output_format}")
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{path}: cannot write: {exc.strerror}") from None
        self.stdout.write(f"Wrote {path} ({len(content):,} bytes): “{case}” as of {date_format(report.as_of)}.")
