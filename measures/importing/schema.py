"""Reading and checking a case file before anything is written.

A case file is JSON checked against `case-file.schema.json` (JSON Schema 2020-12, with the `jsonschema`
library), then for what a schema cannot say: keys used twice, references to items the file does not
declare, dates and times. Every problem is reported with the path of the item at fault in the file, in
the notation `events[3].date_precision` (zero-based indexes, as in the file), and all problems are
reported at once so that a file is fixed in one go.
"""

import datetime
import difflib
import json
from functools import cache
from pathlib import Path

from django.utils.dateparse import parse_datetime
from jsonschema import Draft202012Validator

from measures.importing.commitments import reference_problems as commitment_references
from measures.lib import dates, text

SCHEMA_PATH = Path(__file__).with_name("case-file.schema.json")
FORMAT = "deescalation-tracker/case@1"
MAX_MESSAGES = 25


class CaseFileError(ValueError):
    """The file is not a valid case description; the message names the item at fault by its path.

    `problems` lists every message (the string form joins them).
    """

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        shown = self.problems[:MAX_MESSAGES]
        more = len(self.problems) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more problems" if more > 0 else "")
        super().__init__(text)


@cache
def schema():
    """The case-file JSON Schema as a dict."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_version():
    """The schema's version ("major.minor.patch"); the major version is the one in `format`."""
    return schema()["x-version"]


@cache
def _validator():
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def path_text(parts):
    """`events[3].date_precision` for the parts ("events", 3, "date_precision"); "file" for none."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "file"


# ---- parsing ---------------------------------------------------------------------------------------


class _Object(dict):
    """A JSON object that remembers the keys it had twice (json keeps only the last value)."""

    duplicates = ()


def _object_pairs(pairs):
    obj = _Object()
    duplicates = []
    for key, value in pairs:
        if key in obj and key not in duplicates:
            duplicates.append(key)
        obj[key] = value
    if duplicates:
        obj.duplicates = duplicates
    return obj


def _duplicate_problems(value, parts=()):
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            yield f"{path_text(parts)}: the key “{key}” appears more than once in the same object"
        for key, item in value.items():
            yield from _duplicate_problems(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _duplicate_problems(item, (*parts, index))


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def parse_case_file(content):
    """Parse a case file's content (bytes or str) into plain Python data.

    Bytes must be UTF-8; a byte-order mark (as some editors on Windows save it) is accepted and dropped.
    Raises CaseFileError for text that is not UTF-8, invalid JSON (with line and column), and an object
    that has the same key twice (JSON parsers silently keep the last one; we refuse, naming the path).
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CaseFileError(
                f"file: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
                "save the file as UTF-8"
            ) from None
    content = content.removeprefix("\ufeff")
    try:
        data = json.loads(content, object_pairs_hook=_object_pairs)
        unstorable = list(_unstorable_text(data))
        duplicates = list(_duplicate_problems(data))
        plain = _plain(data)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"file: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise CaseFileError("file: nested too deeply to be a case file") from None
    if unstorable:
        # Before the schema, whose messages would otherwise quote such text back.
        raise CaseFileError(unstorable)
    if duplicates:
        raise CaseFileError(duplicates)
    return plain


# Fields that take line breaks (the model's TextFields); every other string is a single line. A
# source's full text is one of them: its page breaks are paragraph breaks, not form feeds (the intake
# turns them into blank lines, measures.lib.text.tidy_text).
MULTI_LINE_FIELDS = frozenset({"summary", "description", "rationale", "quote", "full_text", "translation", "comment"})


def _unstorable_text(value, parts=(), field=None):
    """Problems, with their paths, for text no database stores alike: a NUL character (SQLite keeps it,
    PostgreSQL refuses it) or a lone surrogate (JSON's "\\ud800" escape: not a character at all); and
    for text the models refuse (measures.lib.text): any other control character, bar tab and line breaks
    in a multi-line field, and an invisible character in a single-line one. Checked before the schema,
    whose messages would otherwise quote such text back."""
    if isinstance(value, str):
        if "\x00" in value:
            yield f"{path_text(parts)}: contains a NUL character (\\u0000), which is not text"
        else:
            char = text.control_character(value, multi_line=field in MULTI_LINE_FIELDS)
            if char is not None:
                allowed = " other than tab and line breaks" if field in MULTI_LINE_FIELDS else ""
                yield (
                    f"{path_text(parts)}: contains a control character (\\u{ord(char):04x}); "
                    f"this field takes no control characters{allowed}"
                )
            elif field not in MULTI_LINE_FIELDS and (char := text.invisible_character(value)) is not None:
                yield (
                    f"{path_text(parts)}: contains an invisible character ({text.describe(char)}); "
                    "a name, title or label takes none (they can hide or reverse the text around them)"
                )
        for char in value:
            if "\ud800" <= char <= "\udfff":
                yield f"{path_text(parts)}: contains a lone surrogate (\\u{ord(char):04x}), which is not text"
                break
    elif isinstance(value, dict):
        for key, item in value.items():
            # The path is printed: spell a broken key with escapes.
            shown = key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")
            yield from _unstorable_text(key, (*parts, f"{shown} (the key)"))
            yield from _unstorable_text(item, (*parts, shown), key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unstorable_text(item, (*parts, i), field)


# ---- checking --------------------------------------------------------------------------------------


def _did_you_mean(key, allowed):
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f" (did you mean “{close[0]}”?)" if close else ""


def _schema_messages(error):
    parts = list(error.absolute_path)
    where = path_text(parts)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in sorted(set(error.instance) - set(allowed)):
            yield (
                f"{path_text([*parts, key])}: unknown key{_did_you_mean(key, allowed)}; "
                f"allowed here: {', '.join(allowed)}"
            )
    elif error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield f"{where}: missing “{missing}”"
    elif error.validator == "format" and error.validator_value == "date":
        yield f"{where}: “{error.instance}” is not a date (YYYY-MM-DD, a day that exists)"
    elif error.validator == "enum":
        value = json.dumps(error.instance, ensure_ascii=False)
        yield f"{where}: {value} is not one of {', '.join(error.validator_value)}"
    elif error.validator == "const" and parts == ["format"]:
        yield f"format: {json.dumps(error.instance, ensure_ascii=False)} is not a supported format; expected “{FORMAT}”"
    elif error.validator == "pattern" and error.schema is schema()["$defs"]["party_code"]:
        yield f"{where}: “{error.instance}” is not a party code (2 to 12 capital letters, digits or hyphens)"
    elif error.validator == "minItems":
        yield f"{where}: needs at least {error.validator_value} items"
    elif error.validator == "uniqueItems":
        yield f"{where}: an item is listed twice"
    elif error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        yield f"{where}: expected {expected}, found {json.dumps(error.instance, ensure_ascii=False)[:60]}"
    else:
        yield f"{where}: {error.message}"


def _duplicate_keys(items, field, section):
    seen = {}
    for index, item in enumerate(items):
        value = item[field]
        if value in seen:
            yield f"{section}[{index}].{field}: “{value}” is already used by {section}[{seen[value]}]"
        else:
            seen[value] = index


def _reference_problems(data):
    parties = {item["code"] for item in data.get("parties", [])}
    measures = {item["number"] for item in data.get("measures", [])}
    sources = {item["key"] for item in data.get("sources", [])}
    events = {item["key"] for item in data.get("events", [])}
    citations = {item["key"] for item in data.get("citations", [])}

    def party(code, where):
        if code not in parties:
            return [f"{where}: unknown party “{code}” (declare it under “parties”)"]
        return []

    problems = []
    for i, code in enumerate(data["case"]["assessed_parties"]):
        problems += party(code, f"case.assessed_parties[{i}]")
    for i, event in enumerate(data.get("events", [])):
        for j, code in enumerate(event.get("actors", [])):
            problems += party(code, f"events[{i}].actors[{j}]")
    for i, citation in enumerate(data.get("citations", [])):
        if citation["source"] not in sources:
            problems.append(f"citations[{i}].source: unknown source “{citation['source']}”")
        if citation.get("event") is not None and citation["event"] not in events:
            problems.append(f"citations[{i}].event: unknown event “{citation['event']}”")
        for j, link in enumerate(citation.get("evidence", [])):
            if link["measure"] not in measures:
                problems.append(f"citations[{i}].evidence[{j}].measure: unknown measure {link['measure']}")
    case = data["case"]
    if case.get("status") == "closed" and not case.get("end_date"):
        problems.append("case.end_date: a closed case needs the date on which the crisis ended")
    if case.get("end_date") and case["end_date"] < case["start_date"]:
        problems.append(f"case.end_date: {case['end_date']} is before the start date {case['start_date']}")
    evidence_of = {
        item["key"]: {link["measure"] for link in item.get("evidence", [])} for item in data.get("citations", [])
    }
    for i, measure in enumerate(data.get("measures", [])):
        key = measure.get("requirement")
        if key is None:
            continue
        if key not in citations:
            problems.append(f"measures[{i}].requirement: unknown citation “{key}”")
        elif measure["number"] in evidence_of[key]:
            problems.append(
                f"measures[{i}].requirement: the citation “{key}” defines measure {measure['number']} and is also "
                "listed as its evidence; what defines a measure is never evidence of conduct: remove that evidence"
            )
    assessed = set(case["assessed_parties"])
    for i, measure in enumerate(data.get("measures", [])):
        for j, code in enumerate(measure.get("applicable_parties", [])):
            if code not in assessed:
                problems.append(
                    f"measures[{i}].applicable_parties[{j}]: “{code}” is not one of the case's assessed parties"
                )
    for section in ("sources", "events", "citations"):
        for i, item in enumerate(data.get(section, [])):
            problems += _date_time_problems(item.get("recorded_at"), f"{section}[{i}].recorded_at")
    for i, citation in enumerate(data.get("citations", [])):
        for j, link in enumerate(citation.get("evidence", [])):
            problems += _date_time_problems(link.get("recorded_at"), f"citations[{i}].evidence[{j}].recorded_at")
    for i, event in enumerate(data.get("events", [])):
        problems += _date_time_problems(event.get("external_timestamp"), f"events[{i}].external_timestamp")
    for i, assessment in enumerate(data.get("assessments", [])):
        if "corrects" in assessment:
            problems += _date_time_problems(
                assessment["corrects"]["recorded_at"], f"assessments[{i}].corrects.recorded_at"
            )
    for i, assessment in enumerate(data.get("assessments", [])):
        if assessment["measure"] not in measures:
            problems.append(f"assessments[{i}].measure: unknown measure {assessment['measure']}")
        problems += party(assessment["party"], f"assessments[{i}].party")
        for j, key in enumerate(assessment.get("citations", [])):
            if key not in citations:
                problems.append(f"assessments[{i}].citations[{j}]: unknown citation “{key}”")
        if "review" in assessment:
            review, where = assessment["review"], f"assessments[{i}].review"
            problems += _date_time_problems(review.get("at"), f"{where}.at")
            if review["decision"] == "returned" and not (review.get("comment") or "").strip():
                problems.append(f"{where}.comment: a returned assessment needs the reviewer's comment (why)")
            if review["decision"] == "returned" and review.get("by") is None:
                problems.append(f"{where}.by: a return names its reviewer")
        recorded_at = assessment.get("recorded_at")
        if recorded_at is not None:
            try:
                parsed = parse_datetime(recorded_at)
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                problems.append(
                    f"assessments[{i}].recorded_at: “{recorded_at}” is not a date-time with a time zone "
                    "(e.g. 2024-01-23T12:00:00Z)"
                )
    return problems


def _date_time_problems(value, where):
    if value is None:
        return []
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        return [f"{where}: “{value}” is not a date-time with a time zone (e.g. 2024-01-23T12:00:00Z)"]
    return []


def _sort_key(part):
    return (0, part, "") if isinstance(part, int) else (1, 0, part)


def _dated(data):
    """[(path, "YYYY-MM-DD")] of every date the file gives."""
    case = data["case"]
    found = [("case.start_date", case.get("start_date")), ("case.end_date", case.get("end_date"))]
    for i, source in enumerate(data.get("sources", [])):
        found.append((f"sources[{i}].published_on", source.get("published_on")))
    for i, event in enumerate(data.get("events", [])):
        found += [(f"events[{i}].date", event.get("date")), (f"events[{i}].end_date", event.get("end_date"))]
    for i, assessment in enumerate(data.get("assessments", [])):
        found.append((f"assessments[{i}].effective_date", assessment.get("effective_date")))
    for i, commitment in enumerate(data.get("commitments", [])):
        for name in ("due_on", "due_until", "announced_on"):
            found.append((f"commitments[{i}].{name}", commitment.get(name)))
        for j, outcome in enumerate(commitment.get("outcomes", [])):
            found.append((f"commitments[{i}].outcomes[{j}].occurred_on", outcome.get("occurred_on")))
    return [(where, value) for where, value in found if value]


def _date_problems(data):
    # The one rule of plausible dates (measures.lib.dates): 1900 to a year ahead, Buddhist-era years named.
    problems = [
        f"{where}: {problem}"
        for where, value in _dated(data)
        if (problem := dates.date_problem(parse_date(value), label="the date"))
    ]
    for i, source in enumerate(data.get("sources", [])):
        precision = source.get("date_precision")
        if precision is None:
            continue
        if source.get("published_on") is None and precision != "unknown":
            problems.append(f"sources[{i}].date_precision: “{precision}” needs a published_on date (or use “unknown”)")
        if source.get("published_on") is not None and precision == "unknown":
            problems.append(f"sources[{i}].date_precision: “unknown”, but published_on gives a date")
    for i, event in enumerate(data.get("events", [])):
        end = event.get("end_date")
        if end is not None and end <= event["date"]:
            problems.append(f"events[{i}].end_date: {end} is not after the date {event['date']}")
    return problems


def validate_case_data(data):
    """Check parsed case-file data against the schema and the file's own references.

    Returns None; raises CaseFileError listing every problem, each with its path. Nothing is read
    from or written to the database here: rules that depend on what is stored are checked by the loader.
    """
    if not isinstance(data, dict) or "format" not in data:
        raise CaseFileError(f"file: not a case file: expected “format”: “{FORMAT}”")
    errors = sorted(
        _validator().iter_errors(data), key=lambda e: ([_sort_key(p) for p in e.absolute_path], e.validator)
    )
    problems = [message for error in errors for message in _schema_messages(error)]
    if problems:
        raise CaseFileError(problems)
    problems += _duplicate_keys(data.get("parties", []), "code", "parties")
    problems += _duplicate_keys(data.get("measures", []), "number", "measures")
    problems += _duplicate_keys(data.get("measures", []), "slug", "measures")
    problems += _duplicate_keys(data.get("sources", []), "key", "sources")
    problems += _duplicate_keys(data.get("events", []), "key", "events")
    problems += _duplicate_keys(data.get("citations", []), "key", "citations")
    seen = {}
    for i, event in enumerate(data.get("events", [])):
        if event.get("external_id"):
            first = seen.setdefault(event["external_id"], i)
            if first != i:
                problems.append(f"events[{i}].external_id: “{event['external_id']}” is already used by events[{first}]")
    problems += _reference_problems(data)
    problems += commitment_references(data)
    problems += _date_problems(data)
    if problems:
        raise CaseFileError(problems)


def read_case_file(path):
    """Read, parse and validate the case file at `path`; returns its data. Raises CaseFileError, whose
    messages name the item at fault, and OSError when the file cannot be read."""
    data = parse_case_file(Path(path).read_bytes())
    validate_case_data(data)
    return data


def parse_date(value):
    """A schema-checked "YYYY-MM-DD" string (or None/"") as a date."""
    return datetime.date.fromisoformat(value) if value else None
