"""Write cases as a Frictionless Data Package: a zip holding `datapackage.json` (whose Table Schemas are
the codebook), a README with the same codebook in words, and one CSV file per table in long form.

CSV files are UTF-8 with a byte-order mark, so that spreadsheet programs read Urdu, Hindi and every
other script as text rather than guessing a legacy encoding (readers of the Data Package standard,
frictionless among them, skip the mark); dates are ISO 8601, times UTC with "Z", booleans true/false,
empty cells are missing values. A text cell that a spreadsheet would run as a formula (starting with
=, +, -, @) gets a leading apostrophe, as every CSV the tracker writes.
"""

import csv
import datetime
import io
import json
import zipfile

from django.utils import timezone

from measures.importing.datapackage.codebook import DATE_RULE, SCALE, TABLES
from measures.importing.datapackage.tables import case_rows, timestamp
from measures.lib.text import escape_formula

BYTE_ORDER_MARK = "\ufeff"
MEDIA_TYPE = "application/zip"
# Rows of tables shared by cases (one row per party, per source) are written once.
SHARED = {"parties": "code", "sources": "id"}
ORDER = {
    "cases": ("slug",),
    "parties": ("code",),
    "measures": ("case", "number"),
    "state": ("case", "measure", "party"),
    "assessments": None,  # the history's own order: oldest first, case by case
    "events": ("id",),
    "sources": ("id",),
    "citations": ("id",),
    "evidence": ("id",),
}


def cell(value):
    """How a value is written in the CSV files (module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return escape_formula(value)
    return str(value)


def csv_text(table, rows):
    """A table's CSV file as text: the byte-order mark, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in rows:
        writer.writerow([cell(row[name]) for name in table.headers])
    return BYTE_ORDER_MARK + buffer.getvalue()


def descriptor(*, name, title, description, created):
    """The `datapackage.json` of a package: the codebook (module docstring)."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "created": timestamp(created),
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": table.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
                "schema": table.schema(),
            }
            for table in TABLES
        ],
    }


def readme(package):
    """The codebook in words (Markdown), from the descriptor: for readers who open the CSV files in a
    spreadsheet and never the JSON."""
    lines = [f"# {package['title']}", "", package["description"], ""]
    for resource in package["resources"]:
        lines += [f"## {resource['path']}: {resource['title']}", "", resource["description"], ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        for spec in resource["schema"]["fields"]:
            meaning = spec["description"]
            if spec.get("unit"):
                meaning += f" Unit: {spec['unit']}."
            if spec.get("constraints", {}).get("enum"):
                meaning += " Values: " + ", ".join(f"`{value}`" for value in spec["constraints"]["enum"]) + "."
            lines.append(f"| `{spec['name']}` | {spec['type']} | {meaning.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def merged_rows(parts):
    """{table: rows} of several cases' `case_rows`, shared rows once, each table in its order."""
    merged = {table.name: [] for table in TABLES}
    seen = {name: set() for name in SHARED}
    for rows in parts:
        for name, table_rows in rows.items():
            for row in table_rows:
                if name in SHARED:
                    key = row[SHARED[name]]
                    if key in seen[name]:
                        continue
                    seen[name].add(key)
                merged[name].append(row)
    for name, order in ORDER.items():
        if order:
            merged[name].sort(key=lambda row, order=order: tuple(row[column] for column in order))
    return merged


def build_package(cases, *, known_on=None, name, title, now=None, authors=True):
    """The data package of `cases` as zip bytes.

    `cases`: [(case, as_of, as_of_rule)]: each case as of its date (`tables.default_as_of` gives the
    pages' default and its rule); `known_on`: a date, or None for everything on record. `name` (lower
    case letters, digits, "-", "." and "_") and `title` name the package. A fixed number of queries per
    case, whatever its size. `authors` False: the assessments' `recorded_by` is left empty (for the
    public, who never learn names)."""
    created = now or timezone.now()
    parts = [
        case_rows(case, as_of=as_of, as_of_rule=rule, known_on=known_on, authors=authors) for case, as_of, rule in cases
    ]
    rows = merged_rows(parts)
    dates = "; ".join(f"{case.name} as of {as_of.isoformat()}" for case, as_of, _ in cases) or "no case"
    known = f", as known on {known_on.isoformat()}" if known_on else ""
    description = (
        f"Data of the De-escalation Tracker: {dates}{known}. {DATE_RULE} {SCALE} "
        "Files: CSV in UTF-8 with a byte-order mark, ISO 8601 dates, times in UTC; a text cell starting with "
        "=, +, - or @ is written with a leading apostrophe so that spreadsheets do not run it as a formula."
    )
    package = descriptor(name=name, title=title, description=description, created=created)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2) + "\n")
        archive.writestr("README.md", readme(package))
        for table in TABLES:
            archive.writestr(table.path, csv_text(table, rows[table.name]).encode("utf-8"))
    return buffer.getvalue()


def package_filename(name, as_of=None, known_on=None):
    """The download's file name: "<name>-data[-<as of>][-known-<known on>].zip"."""
    parts = [name, "data"]
    if as_of is not None:
        parts.append(as_of.isoformat())
    if known_on is not None:
        parts.append(f"known-{known_on.isoformat()}")
    return "-".join(parts) + ".zip"
