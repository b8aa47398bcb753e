"""Events from a conflict-event export (CSV in the columns ACLED uses), into a case.

Columns (ACLED names; a mapping file renames them): `event_date`, `time_precision`, `actor1`, `actor2`,
`event_type`, `location`, `fatalities`, `source`, `notes`, and optionally `event_id_cnty` (the
dataset's event id), `end_date`, `direction`. Other columns are ignored.

- Dates: `2024-01-16`, `16 January 2024`, `16 Jan 2024` or `16/01/2024` (day first). Precision from
  `time_precision`, ACLED's codes: 1 the day, 2 within a week or so (approximate), 3 the month; the
  words `day`, `approx`, `month` are accepted too; empty means the day.
- Actors are matched to stored parties: by code or name (case and a trailing "(2018-)" ignored), or by a
  party's name standing as a word in the actor's name ("Military Forces of Iran" is Iran), or through
  the mapping file's `actors` (actor → party code, or "" for an actor that is not a party). An actor
  matching no party is listed and the import refused until it is mapped or the party created; one
  matching two parties is refused.
- `event_type` gives the event's kind and direction (ACLED's six types below, or one of our kinds);
  the mapping file's `event_types` overrides them. A `direction` column wins over both.
- Each row is an event with a key: `acled-<event_id_cnty>` when the column is there, else a digest of
  the row. A row is matched to a stored event of the case by its external id (ACLED's event_id_cnty),
  else by its key: unchanged, it is "already there"; changed, the stored event is updated to it
  (measures.importing.events_sync), unless the row's `timestamp` (ACLED's: when the dataset last
  changed the event, Unix seconds or ISO 8601) is not newer than the one stored, which keeps the
  stored event. The dataset's timestamp is kept on the event.
- Removals: the events a deletion list names (a CSV with an event_id_cnty column, as ACLED's deleted
  events), or, with `sync`, the imported events a complete export no longer holds; an event that a
  citation reports is evidence and is kept, and said so.

Staged, so that one import never stops everyone (on SQLite a writer holds the whole database): every
row is read, checked and compared with the stored events first, outside any transaction, and a file
with any bad row changes nothing (every problem names its row and column). The events are then
written in batches (additions, updates and removals in the file's order), each one short transaction
of about a quarter second, with a pause after each (measures.importing.events_write): all of that
batch or none of it. A batch
refused at write time (an event cited meanwhile, a database that stays locked) stops the import
there: the batches before it stay written, and the refusal says which lines were written and lists,
by line number, every row that was not, so nothing is lost silently; importing the same file again
completes it (what is stored is "already there"). See docs/invariants.md, *The staged events import*.
"""

import csv
import datetime
import difflib
import hashlib
import io
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from measures.importing import events_write
from measures.importing.events_sync import StoredEvents
from measures.importing.schema import CaseFileError
from measures.lib import dates
from measures.lib.text import name_key, single_line
from measures.models import Event, Party

COLUMNS = (
    "event_date",
    "time_precision",
    "actor1",
    "actor2",
    "event_type",
    "location",
    "fatalities",
    "source",
    "notes",
    "event_id_cnty",
    "end_date",
    "direction",
    "timestamp",
)
REQUIRED = ("event_date", "event_type", "actor1")
MAX_BYTES = 10 * 1024 * 1024
# The longest field taken, in characters: csv's default limit, whatever another library set it to.
MAX_FIELD = 131_072
MAX_ROWS = 20000

PRECISION = {
    "": Event.Precision.DAY,
    "1": Event.Precision.DAY,
    "2": Event.Precision.APPROXIMATE,
    "3": Event.Precision.MONTH,
    "day": Event.Precision.DAY,
    "approx": Event.Precision.APPROXIMATE,
    "approximate": Event.Precision.APPROXIMATE,
    "month": Event.Precision.MONTH,
}

# ACLED's event types (ACLED Codebook 2023, "Event types"): what each is for a de-escalation tracker.
EVENT_TYPES = {
    "battles": (Event.Kind.MILITARY_ACTION, Event.Direction.ESCALATORY),
    "explosions/remote violence": (Event.Kind.MILITARY_ACTION, Event.Direction.ESCALATORY),
    "violence against civilians": (Event.Kind.MILITARY_ACTION, Event.Direction.ESCALATORY),
    "riots": (Event.Kind.OTHER, Event.Direction.ESCALATORY),
    "protests": (Event.Kind.OTHER, Event.Direction.NEUTRAL),
    "strategic developments": (Event.Kind.OTHER, Event.Direction.NEUTRAL),
}

_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d/%m/%Y")
_PERIOD = re.compile(r"\s*\([^)]*\)\s*$")


class EventFileError(CaseFileError):
    """The event file cannot be taken; `problems` lists every message, each naming its row."""


@dataclass
class Mapping:
    """The mapping file: {"columns": {our name: their column}, "actors": {actor: code or ""},
    "event_types": {their type: {"kind": …, "direction": …}}}."""

    columns: dict = field(default_factory=dict)
    actors: dict = field(default_factory=dict)
    event_types: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, content):
        """From the mapping file's bytes or text (JSON); raises EventFileError naming the entry at fault."""
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise EventFileError("mapping file: not UTF-8 text") from None
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise EventFileError(f"mapping file: not valid JSON: {exc.msg} at line {exc.lineno}") from None
        problems = []
        if not isinstance(data, dict):
            raise EventFileError("mapping file: expected an object with columns, actors, event_types")
        for key in set(data) - {"columns", "actors", "event_types"}:
            close = difflib.get_close_matches(key, ["columns", "actors", "event_types"], n=1)
            problems.append(f"mapping file: unknown key “{key}”" + (f" (did you mean “{close[0]}”?)" if close else ""))
        columns, actors, types = data.get("columns", {}), data.get("actors", {}), data.get("event_types", {})
        for name, value in (("columns", columns), ("actors", actors), ("event_types", types)):
            if not isinstance(value, dict):
                problems.append(f"mapping file: “{name}” must be an object")
        if problems:
            raise EventFileError(problems)
        for ours, theirs in columns.items():
            if ours not in COLUMNS:
                close = difflib.get_close_matches(ours, COLUMNS, n=1)
                hint = f" (did you mean “{close[0]}”?)" if close else ""
                problems.append(f"mapping file: columns.{ours}: not a column we read{hint}")
            elif not isinstance(theirs, str) or not theirs:
                problems.append(f"mapping file: columns.{ours}: give the column's name in your file")
        for actor, code in actors.items():
            if not isinstance(code, str):
                problems.append(f'mapping file: actors.{actor}: give a party code, or "" for not a party')
        for name, value in types.items():
            if (
                not isinstance(value, dict)
                or value.get("kind") not in Event.Kind.values
                or value.get("direction", Event.Direction.NEUTRAL) not in Event.Direction.values
            ):
                problems.append(
                    f'mapping file: event_types.{name}: give {{"kind": one of {", ".join(Event.Kind.values)}, '
                    f'"direction": one of {", ".join(Event.Direction.values)}}}'
                )
        if problems:
            raise EventFileError(problems)
        return cls(columns=columns, actors=actors, event_types={k.casefold(): v for k, v in types.items()})


@dataclass
class EventImport:
    """What an import did or, in a dry run, would do."""

    case: object
    dry_run: bool
    new: list = field(default_factory=list)  # unsaved Event objects, with `.actor_codes`
    existing: list = field(default_factory=list)  # (row number, stored Event)
    repeated: list = field(default_factory=list)  # (row number, row number it repeats)
    not_parties: dict = field(default_factory=dict)  # actor → [row numbers], mapped to "" (not a party)
    updated: list = field(default_factory=list)  # events_sync.EventUpdate: a stored event and what changes
    removed: list = field(default_factory=list)  # stored Events the dataset deleted, removed
    kept: list = field(default_factory=list)  # (stored Event, citations reporting it): deleted there, kept here
    unknown_deletions: list = field(default_factory=list)  # (line of the deletion list, id): no such event here
    batches: int = 0  # how many write transactions the import took (each about events_write.BATCH_SECONDS)


def read_rows(content):
    """Decode and parse the CSV's bytes: (header, [(line number, row dict)]). Raises EventFileError."""
    if len(content) > MAX_BYTES:
        size, limit = len(content) / (1024 * 1024), MAX_BYTES // (1024 * 1024)
        raise EventFileError(f"file: {size:.0f} MB, more than the {limit} MB taken")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise EventFileError(
            f"line {line}: not UTF-8 text (byte 0x{content[exc.start]:02x}): save the file as UTF-8 (CSV UTF-8)"
        ) from None
    if "\x00" in text:
        raise EventFileError(f"line {text[: text.index(chr(0))].count(chr(10)) + 1}: a NUL character: not a CSV file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    # A row is numbered by the line it starts on (the header is line 1): the reader's line_num counts the
    # lines read so far, which for a row with a quoted line break is its last line, and for a row the reader
    # refuses (a field over csv's field size limit) the line before it. Blank lines are skipped (before
    # the header too, as csv.DictReader does) but counted: csv.reader gives each one as an empty row.
    start, header, rows = 1, [], []
    try:
        for cells in reader:
            if any(len(cell) > MAX_FIELD for cell in cells):
                # csv's own limit is process-wide and other libraries raise it (frictionless does on import).
                raise csv.Error(f"field larger than field limit ({MAX_FIELD})")
            if not cells:
                pass
            elif not header:
                header = [name.strip() for name in cells]
            else:
                if len(rows) >= MAX_ROWS:
                    raise EventFileError(f"file: more than {MAX_ROWS} rows; split it")
                if len(cells) > len(header):
                    raise EventFileError(f"line {start}: more cells than the header has columns")
                row = dict(zip(header, cells, strict=False)) | {name: None for name in header[len(cells) :]}
                if any((value or "").strip() for value in row.values()):
                    rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise EventFileError(f"line {start}: not valid CSV: {exc}") from None
    if not header:
        raise EventFileError("file: empty; expected a header row with event_date, event_type, actor1…")
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise EventFileError(f"header: the column {', '.join(f'“{name}”' for name in twice)} appears more than once")
    return header, rows


def parse_date(text):
    """A date in one of the accepted forms (module docstring), or None if it is not one."""
    text = " ".join(text.split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _actor_key(name):
    # Names compared as unique names are (measures.lib.text.name_key: in NFC, without joiners and bidi
    # marks), and without case.
    return name_key(name).casefold()


class _ActorMatcher:
    def __init__(self, mapping):
        self.mapping = {_actor_key(key): value for key, value in mapping.actors.items()}
        self.parties = list(Party.objects.order_by("code"))
        self.by_code = {p.code.casefold(): p for p in self.parties}
        self.by_name = {_actor_key(p.name): p for p in self.parties}
        self.words = [(p, re.compile(rf"(?<!\w){re.escape(_actor_key(p.name))}(?!\w)")) for p in self.parties]

    def match(self, actor):
        """("party", Party) | ("none", None) for an actor mapped to "" | ("unknown", None) | ("ambiguous", [Party])."""
        key = _actor_key(actor)
        if key in self.mapping:
            code = self.mapping[key]
            if code == "":
                return "none", None
            party = self.by_code.get(code.casefold())
            return ("party", party) if party else ("bad-mapping", code)
        plain = _PERIOD.sub("", key).strip()
        for candidate in (key, plain):
            if candidate in self.by_code:
                return "party", self.by_code[candidate]
            if candidate in self.by_name:
                return "party", self.by_name[candidate]
        found = [party for party, pattern in self.words if pattern.search(plain)]
        if len(found) == 1:
            return "party", found[0]
        if len(found) > 1:
            return "ambiguous", found
        return "unknown", None


def _row_key(row, get):
    if get("event_id_cnty"):
        return f"acled-{get('event_id_cnty')}"[:100]
    digest = hashlib.sha256(
        "\x1f".join(get(name) for name in COLUMNS if name not in ("event_id_cnty", "timestamp")).encode("utf-8")
    ).hexdigest()
    return f"csv-{digest[:16]}"


def parse_timestamp(text):
    """ACLED's `timestamp` (Unix seconds) or an ISO 8601 date-time with a time zone, as an aware
    datetime; None if it is neither."""
    text = text.strip()
    if text.isdigit() and len(text) <= 11:
        return datetime.datetime.fromtimestamp(int(text), tz=datetime.UTC)
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def read_deletions(content, mapping=None):
    """The ids a deletion list names (a CSV with the event_id_cnty column, or the mapping's name for it,
    as ACLED's deleted events): [(line, id)]. Raises EventFileError naming the line at fault."""
    mapping = mapping or Mapping()
    name = mapping.columns.get("event_id_cnty", "event_id_cnty")
    header, rows = read_rows(content)
    if name not in header:
        raise EventFileError(f"deletion list, header: missing the column “{name}”; the file has: {', '.join(header)}")
    ids, problems = [], []
    for line, row in rows:
        value = (row.get(name) or "").strip()
        if not value:
            problems.append(f"deletion list, line {line}, {name}: empty")
        else:
            ids.append((line, value[:100]))
    if problems:
        raise EventFileError(problems)
    return ids


# How many times an import is compared with the stored events again when another import of the same
# events was saved between its comparison and its write (a unique key taken meanwhile).
IMPORT_ATTEMPTS = 3


def import_events(case, content, *, mapping=None, dry_run=False, sync=False, deletions=None, progress=None):
    """Import the events of a CSV export (bytes) into `case`; see the module docstring for the rules.

    `sync`: the file is a complete export, so imported events it no longer holds are removed;
    `deletions`: the bytes of a deletion list (`read_deletions`), whose events are removed. Events that
    citations report are never removed (listed in `kept`). Returns EventImport (`batches`: how many
    write transactions it took). Raises EventFileError listing every problem (row number = line in the
    file, header = line 1): for a bad file before anything is written; with `dry_run` nothing is
    written either way. Written in batches of about a quarter second each, with pauses between them
    (events_write), each all or nothing (module docstring), then `progress(done, total)` is called, if
    given (events written so far, and in all): a batch refused at write time raises EventFileError
    naming the lines written before it and every line not written.

    Two imports of the same file at once: the file is compared with the stored events before the
    write, so the second may find, at write time, events the first has just stored (the database's
    unique keys refuse them: `event_key_unique_in_case`, `event_external_id_unique_in_case`). The batch
    is rolled back, the rest of the file compared again (up to IMPORT_ATTEMPTS times) and it answers as
    it would have one after the other ("… were already there"), never with a database error.
    """
    written = events_write.Written()
    for _ in range(IMPORT_ATTEMPTS):
        result = _import_events(case, content, mapping=mapping, dry_run=dry_run, sync=sync, deletions=deletions)
        if dry_run:
            return result
        try:
            events_write.write(case, result, written, progress=progress)
        except IntegrityError:
            continue  # compared again with what the other import stored
        except events_write.BatchRefused as exc:
            raise EventFileError(exc.problems) from None
        return written.merged_into(result)
    raise EventFileError(
        f"Other imports into “{case}” kept saving the same events while this one was being saved "
        f"({IMPORT_ATTEMPTS} tries). " + written.summary()
    )


def _import_events(case, content, *, mapping, dry_run, sync, deletions):
    mapping = mapping or Mapping()
    header, rows = read_rows(content)
    deletion_ids = read_deletions(deletions, mapping) if deletions is not None else []
    column = {name: mapping.columns.get(name, name) for name in COLUMNS}
    missing = [name for name in REQUIRED if column[name] not in header]
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(column[name], header, n=1)
            hints.append(f"“{column[name]}”" + (f" (is it “{close[0]}”?)" if close else ""))
        raise EventFileError(
            f"header: missing the column {', '.join(hints)}; the file has: {', '.join(header)}. "
            "A mapping file can give other column names."
        )

    matcher = _ActorMatcher(mapping)
    stored = StoredEvents(case)
    result = EventImport(case=case, dry_run=dry_run)
    problems, unknown, seen = [], {}, {}
    for line, row in rows:

        def get(name, row=row):
            return (row.get(column[name]) or "").strip()

        where = f"line {line}"
        row_problems = []
        date = parse_date(get("event_date"))
        if date is None:
            row_problems.append(
                f"{where}, {column['event_date']}: “{get('event_date')}” is not a date "
                "(2024-01-16, 16 January 2024 or 16/01/2024, a day that exists)"
            )
        elif problem := dates.date_problem(date, label="the date"):
            row_problems.append(f"{where}, {column['event_date']}: {problem}")
        end_date = None
        if get("end_date"):
            end_date = parse_date(get("end_date"))
            if end_date is None:
                row_problems.append(f"{where}, {column['end_date']}: “{get('end_date')}” is not a date")
            elif problem := dates.date_problem(end_date, label="the end date"):
                row_problems.append(f"{where}, {column['end_date']}: {problem}")
            elif date is not None and end_date <= date:
                row_problems.append(f"{where}, {column['end_date']}: not after the event date")
        precision = PRECISION.get(get("time_precision").casefold())
        if precision is None:
            row_problems.append(
                f"{where}, {column['time_precision']}: “{get('time_precision')}” is not a precision "
                "(1 day, 2 approximate, 3 month)"
            )
        fatalities = None
        if get("fatalities"):
            try:
                fatalities = int(get("fatalities"))
                if fatalities < 0:
                    raise ValueError
            except ValueError:
                row_problems.append(
                    f"{where}, {column['fatalities']}: “{get('fatalities')}” is not a number of deaths (0 or more)"
                )
        timestamp = None
        if get("timestamp"):
            timestamp = parse_timestamp(get("timestamp"))
            if timestamp is None:
                row_problems.append(
                    f"{where}, {column['timestamp']}: “{get('timestamp')}” is not a timestamp (Unix seconds, as "
                    "ACLED's, or an ISO 8601 date-time with a time zone)"
                )
        event_type = get("event_type")
        kind, direction = EVENT_TYPES.get(event_type.casefold(), (None, None))
        if event_type.casefold() in mapping.event_types:
            chosen = mapping.event_types[event_type.casefold()]
            kind, direction = chosen["kind"], chosen.get("direction", Event.Direction.NEUTRAL)
        elif event_type in Event.Kind.values:
            kind, direction = event_type, Event.Direction.NEUTRAL
        if kind is None:
            row_problems.append(
                f"{where}, {column['event_type']}: “{event_type}” is not an event type we know: map it under "
                "“event_types” in the mapping file"
            )
        if get("direction"):
            if get("direction") not in Event.Direction.values:
                row_problems.append(
                    f"{where}, {column['direction']}: “{get('direction')}” is not one of "
                    f"{', '.join(Event.Direction.values)}"
                )
            direction = get("direction")
        actors, actor_names = [], []
        for name in ("actor1", "actor2"):
            actor = get(name)
            if not actor:
                continue
            actor_names.append(actor)
            try:
                # The title is built from the actors: the line rule is checked here, to name the column.
                single_line(actor)
            except ValidationError as exc:
                row_problems.append(f"{where}, {column[name]}: {' '.join(exc.messages)}")
                continue
            outcome, found = matcher.match(actor)
            if outcome == "party":
                if found.code not in actors:
                    actors.append(found.code)
            elif outcome == "ambiguous":
                names = ", ".join(f"{p.name} ({p.code})" for p in found)
                row_problems.append(
                    f"{where}, {column[name]}: “{actor}” matches two parties ({names}): map it under “actors” "
                    "in the mapping file"
                )
            elif outcome == "bad-mapping":
                row_problems.append(f"{where}, {column[name]}: the mapping gives “{found}”, which is no party code")
            elif outcome == "none":
                result.not_parties.setdefault(actor, []).append(line)
            else:
                unknown.setdefault(actor, []).append(line)
        if get("location"):
            # The title is built from the location too: checked here, so that the message names the
            # file's column once (not "title", which is no column of the file, and "location" again).
            try:
                single_line(get("location"))
            except ValidationError as exc:
                row_problems.append(f"{where}, {column['location']}: {' '.join(exc.messages)}")
        problems += row_problems
        if row_problems:
            continue
        key = _row_key(row, get)
        if key in seen:
            result.repeated.append((line, seen[key]))
            continue
        seen[key] = line
        title = event_type + ": " + " – ".join(actor_names)
        if get("location"):
            title += f", {get('location')}"
        summary = get("notes")
        if get("source"):
            summary = f"{summary}\n\nReported by: {get('source')}".strip()
        event = Event(
            case=case,
            key=key,
            date=date,
            end_date=end_date,
            date_precision=precision,
            title=title[:200],
            summary=summary,
            kind=kind,
            direction=direction,
            location=get("location")[:200],
            fatalities=fatalities,
            external_id=get("event_id_cnty")[:100],
            external_timestamp=timestamp,
        )
        event.actor_codes = actors
        event.line = line
        try:
            # Field checks only: the key is unique by construction, and the database backs the rest.
            event.clean_fields(exclude=["case"])
            event.clean()
        except ValidationError as exc:
            problems += [f"{where}, {name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items()]
            continue
        stored.place(event, result)
    for actor, lines in sorted(unknown.items()):
        shown = ", ".join(map(str, lines[:5])) + (" …" if len(lines) > 5 else "")
        where = "line" if len(lines) == 1 else "lines"
        problems.append(
            f"actor “{actor}” ({where} {shown}) matches no party: create the party, or map the actor under "
            '“actors” in the mapping file (to a party code, or to "" if it is not a party)'
        )
    problems += stored.removals(result, sync=sync, deletion_ids=deletion_ids)
    if problems:
        raise EventFileError(problems)
    return result
