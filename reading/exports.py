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
        ("Reversed in the period", "text"),
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
            cell.direction_label,  # along every level in force over the period (state.path)
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
        status.reversal_text or None,  # every stretch of the period the joint level was reversed, with dates
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
        (
            "Period",
            f"{period.text}, both days included"
            + (f" (by default: {period.since_rule})" if period.since_rule else "")
            + ". Direction of travel and reversals follow every level in force in it.",
        ),
        ("As known on", period.known_on or "no limit"),
        ("Generated", timezone.localtime(now).replace(tzinfo=None, microsecond=0)),
        (
            "Not begun",
            f"“{NOT_BEGUN}”: the case had not begun on the as-of date (it began on its Case start); its rows "
            "carry no level, days or lags, and it is left out of the counts and medians across cases.",
        ),
        (
            "Scores",
            "Peace Accords Matrix: not initiated 0, minimal 1, intermediate 2, full 3; reversed 0; "
            "empty when not scored (not yet assessed, not applicable).",
        ),
        (
            "Commitments",
            "Every commitment of the case announced by the as-of date and on record by the as-known-on date, "
            "whatever the measures' filters, with the outcome in force on the as-of date as known then.",
        ),
    ]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return date_format(value)  # as on the page: one date format everywhere (the site locale's)
    return clean_text(value)


def _csv_download(headers, rows, filename):
    """A CSV download in UTF-8 with a byte-order mark: `headers` then each of `rows` (values written by
    _csv_value: dates as on the pages, the site locale's format)."""
    return csv_text_response(_csv_text(headers, rows), filename=filename)


def csv_text_response(text, *, filename):
    """The download of a CSV's text (`_csv_text`: its byte-order mark included), as a file `filename`."""
    response = HttpResponse(text, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_text(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    # Each distinct value written once: a long form repeats its cases' names and dates on every row,
    # and formatting a date in the site locale's format is most of a large download's time.
    written = {}
    for values in rows:
        line = []
        for value in values:
            key = (value.__class__, value)
            if key not in written:
                written[key] = _csv_value(value)
            line.append(written[key])
        writer.writerow(line)
    return "\ufeff" + buffer.getvalue()


def csv_response(statuses, parties, *, filename):
    """CSV in UTF-8 with a byte-order mark; dates as on the pages (the site locale's format), scores as integers."""
    return _csv_download([header for header, _ in columns(parties)], map(row_values, statuses), filename)


def xlsx_response(statuses, parties, *, filename, case, period, calendar):
    """XLSX: a "Measures" sheet (date cells, numeric scores, autofilter, frozen header), a "Commitments"
    sheet (`commitment_rows(calendar)`, the whole case's whatever the measure filters) and an "About" sheet."""
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

    _sheet(book, "Commitments", COMMITMENT_COLUMNS, commitment_rows(calendar))

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


# The case's commitments and their outcomes: one row per commitment of the dashboard's calendar.

COMMITMENT_COLUMNS = [
    ("Due", "text"),
    ("Due from", "date"),
    ("Due by", "date"),
    ("Due as stated", "text"),
    ("Commitment", "text"),
    ("Parties", "text"),
    ("No.", "int"),
    ("Measure", "text"),
    ("Announced on", "date"),
    ("Stated by", "text"),
    ("Due in the period", "text"),
    ("Outcome", "text"),
    ("Outcome on", "date"),
    ("Days late", "int"),
    ("Outcome confidence", "text"),
    ("Outcome rationale", "text"),
    ("Outcome shown by", "text"),
    ("Outcome recorded on", "date"),
]


def _sources(citations):
    return "; ".join(citation.source.short_label for citation in citations)


def commitment_rows(calendar):
    """The values of each commitment of `calendar` (a state.CommitmentCalendar: the commitments announced
    by its `as_of` and on record by its `known_on`, each with the outcome in force then), in the order of
    COMMITMENT_COLUMNS and the calendar's (due order, no stated date last). "Outcome" is the calendar's
    status ("Kept late, by 1 day", "Overdue, not judged"); the outcome's cells are empty until judged."""
    for entry in calendar.entries:
        commitment, outcome = entry.commitment, entry.outcome
        window = commitment.window() or (None, None)
        values = [
            commitment.due_label,
            window[0],
            window[1],
            commitment.due_text or None,
            commitment.what,
            commitment.party_names,
            commitment.measure.number,
            commitment.measure.title,
            commitment.announced_on,
            _sources(commitment.stated_by.all()),
            "yes" if entry.due_in_period else "no",
            entry.status_label,
        ]
        if outcome is None:
            values += [None] * 6
        else:
            values += [
                outcome.occurred_on,
                entry.days_late or None,
                outcome.get_confidence_display(),
                outcome.rationale,
                _sources(outcome.citations.all()),
                timezone.localdate(outcome.recorded_at),
            ]
        yield values


def commitments_csv(calendar):
    """The text of the commitments' CSV (UTF-8 with a byte-order mark once encoded; dates as on the
    pages): a string, which the dashboard keeps per data version (`csv_text_response` serves it)."""
    return _csv_text([header for header, _ in COMMITMENT_COLUMNS], commitment_rows(calendar))


def commitments_csv_response(calendar, *, filename):
    """The commitments of the calendar as a CSV download."""
    return csv_text_response(commitments_csv(calendar), filename=filename)


# The matrix of cases, in long form: one row per case, measure and party (and one for the joint level).

MATRIX_COLUMNS = [
    ("Case", "text"),
    ("Case slug", "text"),
    ("Case status", "text"),
    ("Case start", "date"),
    ("As of", "date"),
    ("Theme", "text"),
    ("Measure type", "text"),
    ("Type slug", "text"),
    ("PAM provision", "text"),
    ("PA-X category", "text"),
    ("No.", "int"),
    ("Measure", "text"),
    ("Party", "text"),
    ("Applies", "text"),
    ("Level", "text"),
    ("Score (0-3)", "int"),
    ("Lags", "text"),
    ("Behind since", "date"),
    ("Minimal reached", "date"),
    ("Days to minimal", "int"),
    ("Intermediate reached", "date"),
    ("Days to intermediate", "int"),
    ("Full reached", "date"),
    ("Days to full", "int"),
    ("First evidence of progress", "date"),
    ("Days to first evidence of progress", "int"),
]
STEP_LEVELS = (Assessment.Level.MINIMAL, Assessment.Level.INTERMEDIATE, Assessment.Level.FULL)


def _reached_values(reached):
    values = []
    for level in STEP_LEVELS:
        step = reached.get(level)
        values += [step.on, step.days] if step is not None else [None, None]
    return values


# The level column of a case that had not begun on its as-of date (`CaseColumn.begun`): nothing to show.
NOT_BEGUN = "Not begun (as of a date before the case's start)"


def matrix_rows(comparison):
    """The values of the matrix's long form, in the order of MATRIX_COLUMNS: per type (catalogue order),
    case (column order) and measure, the joint level first ("Joint"), then each party by code.

    The first evidence of progress is the measure's (evidence is recorded for a measure, not for one
    party): the same date on the joint row and on the row of each party the measure applies to. A case
    that had not begun on its as-of date has NOT_BEGUN as its level on every row, and nothing else."""
    for row in comparison.rows:
        measure_type = row.type
        for cell in row.cells:
            for item in cell:
                case, measure = item.case, item.measure
                head = [
                    case.name,
                    case.slug,
                    case.get_status_display(),
                    case.start_date,
                    item.as_of,
                    measure_type.theme.name,
                    measure_type.name,
                    measure_type.slug,
                    measure_type.pam_provision,
                    measure_type.pax_category,
                    measure.number,
                    measure.title,
                ]
                if item.as_of < case.start_date:
                    yield [*head, "Joint", "yes", NOT_BEGUN, *[None] * 11]
                    for standing in sorted(item.parties, key=lambda s: s.party.code):
                        yield [*head, standing.party.code, "yes" if standing.applies else "no", NOT_BEGUN, *[None] * 11]
                    continue
                progress = item.first_progress
                evidence = [progress.on, progress.days] if progress else [None, None]
                yield [
                    *head,
                    "Joint",
                    "yes",
                    item.joint_level_label,
                    _score(item.joint_level),
                    "",
                    None,
                    *_reached_values(item.joint_reached),
                    *evidence,
                ]
                for standing in sorted(item.parties, key=lambda s: s.party.code):
                    yield [
                        *head,
                        standing.party.code,
                        "yes" if standing.applies else "no",
                        standing.level_label if standing.applies else "Does not apply",
                        _score(standing.level) if standing.applies else None,
                        "yes" if standing.behind else "no",
                        standing.behind_since,
                        *_reached_values(standing.reached),
                        *(evidence if standing.applies else [None, None]),
                    ]


def _matrix_about(comparison, period):
    return [
        (
            "What",
            "Measure types of the shared catalogue against cases, in long form: one row per case, measure "
            "and party, and one for the joint level.",
        ),
        (
            "As of",
            period.as_of
            if comparison.as_of
            else "each case as of its own default date (its end date once closed, else the day generated)",
        ),
        ("As known on", period.known_on or "no limit"),
        ("Generated", timezone.localtime(timezone.now()).replace(tzinfo=None, microsecond=0)),
        (
            "Days",
            "From the case's start to the first day the level in force reached that level or above "
            "(jointly: the lowest of the applicable parties); first evidence of progress: to the date the earliest "
            "progress evidence speaks of, the same on the joint row and each applicable party's row: evidence is "
            "recorded for a measure, not for one party. Empty when not reached.",
        ),
        (
            "Lags",
            "A party lags when its level ranks below another applicable party's (reversed < not initiated < "
            "minimal < intermediate < full); behind since: the first day of its unbroken stretch behind.",
        ),
        (
            "Not begun",
            f"“{NOT_BEGUN}”: the case had not begun on the as-of date (it began on its Case start); its rows "
            "carry no level, days or lags, and it is left out of the counts and medians across cases.",
        ),
        (
            "Scores",
            "Peace Accords Matrix: not initiated 0, minimal 1, intermediate 2, full 3; reversed 0; empty "
            "when not scored.",
        ),
    ]


def matrix_csv_response(comparison, *, filename):
    """The matrix in long form as CSV (UTF-8 with a byte-order mark; dates as on the pages)."""
    return _csv_download([header for header, _ in MATRIX_COLUMNS], matrix_rows(comparison), filename)


def _sheet(book, title, columns, rows, *, first=False):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.active if first else book.create_sheet(title)
    sheet.title = title
    sheet.append([header for header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([clean_text(value) for value in values])
    for index, (_, kind) in enumerate(columns, start=1):
        if kind == "date":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[get_column_letter(index)].width = 24 if kind == "text" else 12
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def matrix_xlsx_response(comparison, *, filename, period):
    """The matrix as XLSX: "Matrix" (the long form), "Time to each step" (per type and level: cases
    with the type, how many reached it, median, shortest and longest days), "Who lags" (per party)
    and "About"."""
    from openpyxl import Workbook

    book = Workbook()
    _sheet(book, "Matrix", MATRIX_COLUMNS, matrix_rows(comparison), first=True)
    summary_columns = [
        ("Theme", "text"),
        ("Measure type", "text"),
        ("Step", "text"),
        ("Cases with the type", "int"),
        ("Cases that reached it", "int"),
        ("Median days", "int"),
        ("Shortest", "int"),
        ("Longest", "int"),
    ]
    summary_rows = [
        [row.type.theme.name, row.type.name, s.label, s.cases, s.reached, s.median, s.shortest, s.longest]
        for row in comparison.rows
        for s in row.summaries
    ]
    _sheet(book, "Time to each step", summary_columns, summary_rows)
    lag_columns = [("Party code", "text"), ("Party", "text"), ("Measures where it lags", "int"), ("Cases", "int")]
    lag_rows = [[party.code, party.name, measures, cases] for party, measures, cases in comparison.party_lags]
    _sheet(book, "Who lags", lag_columns, lag_rows)
    about = _sheet(book, "About", [("About", "text"), ("", "text")], _matrix_about(comparison, period))
    about.column_dimensions["B"].width = 80
    for row in about.iter_rows(min_col=2, max_col=2):
        for cell in row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
