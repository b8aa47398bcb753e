"""The dashboard's measures as spreadsheets analysts can work with: CSV (UTF-8 with a byte-order mark,
so that spreadsheet programs read non-Latin text) and XLSX (real date cells, numeric scores, an
autofilter, a frozen header, and an "About" sheet with the case and the dates).

Every figure comes from the `state.MeasureStatus` rows the dashboard shows, in its order and with its
filters. Text cells are made safe twice: control characters that spreadsheets refuse (a vertical tab
in a title once answered 500, U+0085 ends a row in many CSV readers) become spaces, and cells a spreadsheet
would run as a formula are escaped.
"""

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format

from measures.lib.text import spreadsheet_cell
from measures.models import Assessment

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean_text(value):
    """A text cell on one line, without control characters and inert as a formula; other values unchanged
    (measures.lib.text.spreadsheet_cell: the one rule of every CSV and XLSX we write)."""
    return spreadsheet_cell(value)


def _score(level):
    """The Peace Accords Matrix score 0–3 of a level, None when it is not scored (not assessed, N/A)."""
    return Assessment.SCORES.get(level)


def columns(parties):
    """[(header, kind)] of the export, kind being "int", "text" or "date"."""
    cols = [("No.", "int"), ("Measure", "text")]
    for party in parties:
        cols += [
            (f"{party.code} level", "text"),
            (f"{party.code} score (0-3)", "int"),
            (f"{party.code} confidence", "text"),
            (f"{party.code} effective", "date"),
            (f"{party.code} direction", "text"),
            (f"{party.code} rationale", "text"),
        ]
    cols += [
        ("Joint level", "text"),
        ("Joint score (0-3)", "int"),
        ("Confidence", "text"),
        ("Direction of travel", "text"),
        ("Latest evidence", "date"),
        ("Latest evidence approximate", "text"),
        ("Citations", "int"),
        ("Flags", "text"),
    ]
    return cols


def row_values(status):
    """The values of one measure, in the order of `columns()`."""
    values = [status.measure.number, status.measure.title]
    for cell in status.cells:
        assessment = cell.assessment
        if not cell.applies:
            values += ["Does not apply", None, None, None, None, None]
            continue
        values += [
            cell.level_label,
            _score(cell.level),
            assessment.get_confidence_display() if assessment and cell.level != Assessment.Level.NOT_ASSESSED else None,
            assessment.effective_date if assessment else None,
            cell.direction_label,
            assessment.rationale if assessment else None,
        ]
    latest = status.latest_evidence
    named = (("Stale", status.stale), ("No evidence yet", status.no_evidence), ("Contested", status.contested))
    flags = [name for name, on in named if on]
    # The level in force is a correction: what it replaced no longer counts (the measure page says which).
    flags += [
        f"{cell.party.code}: correction"
        for cell in status.cells
        if cell.applies and cell.assessment is not None and cell.assessment.corrects_id is not None
    ]
    values += [
        status.joint_level_label,
        _score(status.joint_level),
        status.confidence.capitalize() if status.confidence else None,
        status.direction_label,
        latest.date if latest else None,
        ("yes" if latest.approximate else "no") if latest else None,
        status.citation_count,
        ", ".join(flags),
    ]
    return values


def about_rows(case, period, *, now=None):
    """[(label, value)] of the "About" sheet and of the CSV's file name: what the figures are."""
    now = now or timezone.now()
    return [
        ("Case", case.name),
        ("As of", period.as_of),
        ("Changes since (included)", period.since),
        ("As known on", period.known_on or "no limit"),
        ("Generated", timezone.localtime(now).replace(tzinfo=None, microsecond=0)),
        (
            "Scores",
            "Peace Accords Matrix: not initiated 0, minimal 1, intermediate 2, full 3; reversed 0; "
            "empty when not scored (not yet assessed, not applicable).",
        ),
    ]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return date_format(value)  # as on the page: one date format everywhere (the site locale's)
    return clean_text(value)


def csv_response(statuses, parties, *, filename):
    """CSV in UTF-8 with a byte-order mark; dates as on the pages (the site locale's format), scores as integers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, _ in columns(parties)])
    for status in statuses:
        writer.writerow([_csv_value(value) for value in row_values(status)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(statuses, parties, *, filename, case, period):
    """XLSX: a "Measures" sheet (date cells, numeric scores, autofilter, frozen header) and an "About" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Measures"
    cols = columns(parties)
    sheet.append([header for header, _ in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for status in statuses:
        sheet.append([clean_text(value) for value in row_values(status)])
    for index, (_, kind) in enumerate(cols, start=1):
        letter = get_column_letter(index)
        if kind == "date":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = 12 if kind != "text" else 24
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions

    about = book.create_sheet("About")
    for label, value in about_rows(case, period):
        about.append([label, clean_text(value)])
    for (cell,) in about.iter_rows(min_col=1, max_col=1):
        cell.font = Font(bold=True)
    for row in about.iter_rows(min_col=2, max_col=2):
        for cell in row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 60

    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
