"""The codebook of the data packages: every table and every column, with its meaning, type, unit and
allowed values, written into `datapackage.json` as Frictionless Table Schemas (the descriptor is the
codebook: nothing about a column is said anywhere else). The read API's schema takes the level
scale and the other enumerations' wording from here, so that both say the same.

Types are Table Schema types (string, integer, number, boolean, date, datetime). `unit` is our own
field property (Table Schema allows custom ones); `constraints.enum` lists the allowed values and
`categories` (Table Schema v2) labels them.
"""

from dataclasses import dataclass, field

from measures.models import Assessment, Case, CommitmentOutcome, DuePrecision, Event, Evidence, Party, Source

# The Peace Accords Matrix implementation scale (Joshi, Quinn & Regan, "Annualized implementation data
# on comprehensive intrastate peace accords, 1989–2012", Journal of Peace Research 52(4), 2015), with
# the levels the tracker adds around it.
LEVEL_MEANINGS = {
    Assessment.Level.NOT_INITIATED: "Peace Accords Matrix 0: the step has not been started.",
    Assessment.Level.MINIMAL: "Peace Accords Matrix 1: the step has begun, with little done.",
    Assessment.Level.INTERMEDIATE: "Peace Accords Matrix 2: much of the step is done, but not all of it.",
    Assessment.Level.FULL: "Peace Accords Matrix 3: the step is done in full.",
    Assessment.Level.REVERSED: "The party undid the step or escalated against it; scores 0 (the scale has "
    "nothing below), counted apart.",
    Assessment.Level.NOT_APPLICABLE: "The step does not concern this party; left out of progress.",
    Assessment.Level.NOT_ASSESSED: "No judgement yet (no assessment in force); left out of progress.",
}
SCALE = "Levels on the Peace Accords Matrix implementation scale: " + "; ".join(
    f"{level} ({Assessment.Level(level).label}): {meaning}" for level, meaning in LEVEL_MEANINGS.items()
)
SCORE = (
    "The level's Peace Accords Matrix score: not_initiated 0, minimal 1, intermediate 2, full 3, reversed 0; "
    "empty for not_assessed and not_applicable, which are not scored."
)
STANCE_MEANINGS = {
    Evidence.Stance.PROGRESS: "The passage shows the measure being carried out.",
    Evidence.Stance.SETBACK: "The passage shows the measure set back or undone.",
    Evidence.Stance.CONTEXT: "The passage gives context only.",
}
EVENT_PRECISIONS = {
    Event.Precision.DAY: "The exact day is known.",
    Event.Precision.MONTH: "Only the month is known; `date` is the best estimate of the day.",
    Event.Precision.APPROXIMATE: "Known to within about a week (ACLED time_precision 2); `date` is the best "
    "estimate of the day.",
}
SOURCE_PRECISIONS = {
    Source.DatePrecision.DAY: "The document states the day.",
    Source.DatePrecision.MONTH: "The document states the month only; `published_on` is its last day.",
    Source.DatePrecision.YEAR: "The document states the year only; `published_on` is its last day.",
    Source.DatePrecision.UNKNOWN: "The document states no date; `published_on` is empty.",
}
DATE_RULE = (
    "Dates of the case as known here: everything dated up to the package's as-of date (events by their date, "
    "passages by their event's else their source's date, undated evidence from the day its source was put on "
    "record), and only what was put on record by its as-known-on date when it has one."
)


def _choices(choices, meanings=None):
    """(enum values, categories) of a TextChoices class, with our meanings as labels when given."""
    values = list(choices.values)
    labels = {value: label for value, label in choices.choices}
    categories = [
        {"value": value, "label": labels[value] + (f": {meanings[value]}" if meanings and value in meanings else "")}
        for value in values
    ]
    return values, categories


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    unit: str = ""
    required: bool = False
    choices: object = None  # a TextChoices class
    meanings: dict = field(default_factory=dict)
    format: str = ""

    def descriptor(self):
        """The Table Schema field descriptor of this column."""
        described = {"name": self.name, "type": self.type, "description": self.description}
        if self.format:
            described["format"] = self.format
        if self.unit:
            described["unit"] = self.unit
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.choices is not None:
            values, categories = _choices(self.choices, self.meanings or None)
            constraints["enum"] = values
            described["categories"] = categories
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple
    primary_key: tuple
    foreign_keys: tuple = ()  # ((fields...), resource, (fields...))

    @property
    def path(self):
        return f"data/{self.name}.csv"

    @property
    def headers(self):
        return [column.name for column in self.columns]

    def schema(self):
        return {
            "fields": [column.descriptor() for column in self.columns],
            "primaryKey": list(self.primary_key),
            "foreignKeys": [
                {"fields": list(own), "reference": {"resource": resource, "fields": list(theirs)}}
                for own, resource, theirs in self.foreign_keys
            ],
            "missingValues": [""],
        }


def _case():
    return Column("case", "string", "The case's slug (cases.slug).", required=True)


def _measure():
    return Column("measure", "integer", "The measure's number in its case (measures.number).", required=True)


def _party(description="The party's code (parties.code)."):
    return Column("party", "string", description, required=True)


def _recorded_at(what):
    return Column(
        "recorded_at",
        "datetime",
        f"When the {what} was put on record here (what “as known on” counts by), in UTC.",
        unit="ISO 8601 date and time, UTC",
        required=True,
    )


def _level(name, description):
    return Column(name, "string", f"{description} {SCALE}", choices=Assessment.Level, meanings=LEVEL_MEANINGS)


def _score(name, description):
    return Column(name, "integer", f"{description} {SCORE}", unit="Peace Accords Matrix points (0–3)")


CASES = Table(
    "cases",
    "Cases",
    "One row per case (a crisis), with the dates this package shows it as of and as known on.",
    (
        Column("slug", "string", "The case's short name, used in addresses and by every other table.", required=True),
        Column("name", "string", "The case's name.", required=True),
        Column("start_date", "date", "When the crisis began; no assessment is effective earlier.", required=True),
        Column("status", "string", "Whether the case is followed now or closed.", choices=Case.Status, required=True),
        Column("end_date", "date", "When the crisis ended, as its sources support it; empty while it is active."),
        Column(
            "working_language",
            "string",
            "The language of its analysis, a BCP 47 tag: passages in other languages carry translations into it.",
            required=True,
        ),
        Column("assessed_parties", "string", "The codes of the parties whose conduct is assessed, separated by “;”."),
        Column("as_of", "date", "The date the figures of this package show the case as of.", required=True),
        Column("as_of_rule", "string", "Why that date: “given”, or the default that applied."),
        Column("known_on", "date", "Only what was put on record by this day counts; empty: everything."),
    ),
    ("slug",),
)
PARTIES = Table(
    "parties",
    "Parties",
    "The parties the cases name: assessed parties and actors of events.",
    (
        Column("code", "string", "The party's code, as in every other table.", required=True),
        Column("name", "string", "The party's name.", required=True),
        Column("kind", "string", "What kind of party it is.", choices=Party.Kind, required=True),
    ),
    ("code",),
)
MEASURES = Table(
    "measures",
    "Measures",
    "One row per measure (a recommended de-escalation step) with its joint figures as of the case's "
    "as-of date, as the dashboard shows them.",
    (
        _case(),
        Column("number", "integer", "The measure's number in its case.", required=True),
        Column("slug", "string", "The measure's short name in its case.", required=True),
        Column("title", "string", "The measure's title.", required=True),
        Column("description", "string", "What the step requires, in full."),
        Column(
            "applicable_parties",
            "string",
            "The codes of the parties the step asks something of, separated by “;” (the joint level counts only them).",
        ),
        _level(
            "joint_level",
            "The lowest level of the applicable parties (a step is full only when all did it); "
            "reversed by any party is reversed, one party not yet assessed makes it not_assessed.",
        ),
        _score("joint_score", "The joint level's score."),
        Column(
            "confidence",
            "string",
            "The lowest confidence among the applicable parties' assessments in force; empty while not assessed.",
            choices=Assessment.Confidence,
        ),
        Column("latest_evidence", "date", "The date the newest dated evidence speaks of; empty without any."),
        Column(
            "latest_evidence_precision",
            "string",
            "How precisely that date is known (an event's or a source's date precision).",
        ),
        Column("citation_count", "integer", "How many pieces of evidence count by the as-of date.", unit="passages"),
        Column(
            "stale",
            "boolean",
            "The case is active on the as-of date and the newest evidence (or, with none, "
            "the case's start) is older than the stale threshold (STALE_AFTER_DAYS) before it.",
        ),
        Column("no_evidence", "boolean", "No evidence counts yet."),
        Column(
            "contested",
            "boolean",
            "Setback evidence is newer than what a party's assessment in force rests on, "
            "for a party whose level does not already reflect a setback.",
        ),
    ),
    ("case", "number"),
    ((("case",), "cases", ("slug",)),),
)
STATE = Table(
    "state",
    "Levels in force",
    "One row per measure and assessed party: the level in force on the as-of date (the latest assessment "
    "effective by then, of two on one day the later recorded, corrected assessments withdrawn), as known on "
    "the as-known-on date.",
    (
        _case(),
        _measure(),
        _party(),
        Column("applies", "boolean", "Whether the measure asks something of this party.", required=True),
        _level("level", "The party's level in force."),
        _score("score", "The level's score."),
        Column("confidence", "string", "The confidence of the assessment in force.", choices=Assessment.Confidence),
        Column("effective_date", "date", "When the situation the assessment in force describes held."),
        Column("assessment", "integer", "The assessment in force (assessments.id); empty when none is."),
        Column("contested", "boolean", "Setback evidence is newer than what this assessment rests on."),
    ),
    ("case", "measure", "party"),
    (
        (("case", "measure"), "measures", ("case", "number")),
        (("party",), "parties", ("code",)),
    ),
)
ASSESSMENTS = Table(
    "assessments",
    "Assessments (history)",
    "Every assessment effective by the as-of date and on record by the as-known-on date, oldest first: one "
    "judgement of one measure for one party on a date. Append-only: a correction is a new row naming the one "
    "it corrects, which is then withdrawn whatever the dates.",
    (
        Column("id", "integer", "The assessment's id.", required=True),
        _case(),
        _measure(),
        _party(),
        Column("effective_date", "date", "When the situation held in the world.", required=True),
        _level("level", "The level recorded."),
        _score("score", "The level's score."),
        _level(
            "previous_level",
            "The level in force for this measure and party before this assessment (withdrawn assessments never count).",
        ),
        Column("confidence", "string", "How sure the analyst is.", choices=Assessment.Confidence, required=True),
        Column("rationale", "string", "Why, naming the sources by their labels.", required=True),
        _recorded_at("assessment"),
        Column(
            "recorded_by",
            "string",
            "The user name of the analyst who recorded it; empty in a package for the public (no names).",
        ),
        Column("corrects", "integer", "The assessment this one corrects (assessments.id); empty if none."),
        Column(
            "superseded_by",
            "integer",
            "The correction that withdraws this assessment (assessments.id), if "
            "one is on record by the as-known-on date.",
        ),
        Column("citations", "string", "The passages it cites (citations.id), separated by “;”."),
    ),
    ("id",),
    (
        (("case", "measure"), "measures", ("case", "number")),
        (("party",), "parties", ("code",)),
    ),
)
EVENTS = Table(
    "events",
    "Events",
    "What happened, dated as precisely as the sources allow (ACLED's practice), up to the as-of date.",
    (
        Column("id", "integer", "The event's id.", required=True),
        _case(),
        Column(
            "event_id_cnty",
            "string",
            "Its id in the dataset it was imported from (ACLED's event_id_cnty); empty for events recorded here.",
        ),
        Column(
            "date",
            "date",
            "When it happened (its first day); with month or approximate precision, the best estimate of the day.",
            required=True,
        ),
        Column(
            "date_precision",
            "string",
            "How precisely the date is known.",
            choices=Event.Precision,
            meanings=EVENT_PRECISIONS,
            required=True,
        ),
        Column("end_date", "date", "Its last day, for an event that lasted several days."),
        Column("title", "string", "What happened, in a line.", required=True),
        Column("summary", "string", "What happened, in full."),
        Column("kind", "string", "What kind of event it is.", choices=Event.Kind, required=True),
        Column(
            "direction",
            "string",
            "Whether it escalated the crisis, de-escalated it or neither.",
            choices=Event.Direction,
            required=True,
        ),
        Column("actors", "string", "The codes of the parties that acted, separated by “;”."),
        Column("location", "string", "Where."),
        Column(
            "fatalities",
            "integer",
            "Reported deaths, when the sources give a figure; empty when they do not.",
            unit="people",
        ),
        _recorded_at("event"),
        Column(
            "source_timestamp",
            "datetime",
            "When the dataset it was imported from last changed it (ACLED's timestamp), in UTC.",
            unit="ISO 8601 date and time, UTC",
        ),
    ),
    ("id",),
    ((("case",), "cases", ("slug",)),),
)
SOURCES = Table(
    "sources",
    "Sources",
    "The documents the cases' passages are quoted from, with their full text (the offsets of citations count "
    "in it). Sources are shared by cases.",
    (
        Column("id", "integer", "The source's id.", required=True),
        Column("title", "string", "The document's title.", required=True),
        Column("label", "string", "The short label readers meet it by in rationales, pages and reports."),
        Column("publisher", "string", "Publisher or site, as printed."),
        Column("author", "string", "Author, as printed."),
        Column("url", "string", "Where it was published.", format="uri"),
        Column("published_on", "date", "Its date; with month or year precision, the last day of that month or year."),
        Column(
            "date_precision",
            "string",
            "How much of the date the document states.",
            choices=Source.DatePrecision,
            meanings=SOURCE_PRECISIONS,
            required=True,
        ),
        Column("kind", "string", "What kind of document it is.", choices=Source.Kind, required=True),
        Column("language", "string", "The language of its text, a BCP 47 tag (en, ur, hi, th…); empty: not known."),
        _recorded_at("source"),
        Column(
            "full_text",
            "string",
            "The document's text, without its page clutter; quotes are verbatim from it.",
            unit="Unicode text",
        ),
    ),
    ("id",),
)
CITATIONS = Table(
    "citations",
    "Citations",
    "Passages quoted verbatim from a source, with where they are in its full text.",
    (
        Column("id", "integer", "The citation's id.", required=True),
        _case(),
        Column("source", "integer", "The source it quotes (sources.id).", required=True),
        Column("event", "integer", "The event it reports (events.id), if any."),
        Column(
            "passage",
            "string",
            "The passage as the source has it: the source's characters between its offsets, […] where words "
            "are left out, the analyst's [bracketed words] between them. What pages and reports show.",
            required=True,
        ),
        Column(
            "quote",
            "string",
            "The passage as the analyst typed it, kept for the record (matched with the source by the quoting "
            "rule: spelling variants may differ from the source's).",
            required=True,
        ),
        Column(
            "language",
            "string",
            "The passage's language, a BCP 47 tag; empty: its source's (sources.language).",
        ),
        Column(
            "translation",
            "string",
            "The passage translated into its case's working language (cases.working_language), if any.",
        ),
        Column("translator", "string", "Who translated it (with a translation only)."),
        Column("translated_on", "date", "When it was translated (with a translation only)."),
        Column("locator", "string", "Where in the source, as the analyst wrote it, or “para. N”."),
        Column(
            "paragraph",
            "integer",
            "The paragraph of the source's text it starts in (counting non-empty lines).",
            unit="paragraphs, from 1",
        ),
        Column(
            "start",
            "integer",
            "Where the passage starts in the source's full text.",
            unit="characters (Unicode code points) from 0",
        ),
        Column(
            "end",
            "integer",
            "Where the passage ends in the source's full text (exclusive).",
            unit="characters (Unicode code points) from 0",
        ),
        Column(
            "spans",
            "string",
            "Each part of the quote (parts are separated by elisions) as [start, end] offsets, a JSON list.",
            unit="characters (Unicode code points) from 0",
        ),
        Column(
            "evidence_date",
            "date",
            "The date the passage speaks of: its event's, else its source's; empty when undated.",
        ),
        _recorded_at("citation"),
    ),
    ("id",),
    (
        (("case",), "cases", ("slug",)),
        (("source",), "sources", ("id",)),
    ),
)
EVIDENCE = Table(
    "evidence",
    "Evidence",
    "A passage attached to a measure with what it shows about it, counted by the as-of date.",
    (
        Column("id", "integer", "The evidence link's id.", required=True),
        _case(),
        _measure(),
        Column("citation", "integer", "The passage (citations.id).", required=True),
        Column(
            "stance",
            "string",
            "What the passage shows about the measure.",
            choices=Evidence.Stance,
            meanings=STANCE_MEANINGS,
            required=True,
        ),
        Column("note", "string", "The analyst's note."),
        _recorded_at("evidence link"),
    ),
    ("id",),
    (
        (("case", "measure"), "measures", ("case", "number")),
        (("citation",), "citations", ("id",)),
    ),
)
COMMITMENT_STANDINGS = {
    "upcoming": "Not judged; its due window has not begun.",
    "due": "Not judged; the as-of date is inside its due window.",
    "overdue": "Not judged; its due window has passed.",
    "undated": "Not judged; the passage states no date.",
    **{value: f"Judged: {label.lower()}." for value, label in CommitmentOutcome.Outcome.choices},
}
COMMITMENTS = Table(
    "commitments",
    "Commitments and their outcomes",
    "One row per dated step a party (or several) undertook or announced, as cited passages state it: those "
    "announced by the as-of date and on record by the as-known-on date, with the outcome in force on the as-of "
    "date as known on the as-known-on date (the dashboard's commitment calendar).",
    (
        Column("id", "integer", "The commitment's id.", required=True),
        _case(),
        _measure(),
        Column("parties", "string", "Who undertook or announced it (parties.code), separated by “;”.", required=True),
        Column("what", "string", "The step, in a sentence.", required=True),
        Column("due_precision", "string", "How precisely the passage states when it is due.", choices=DuePrecision),
        Column("due_from", "date", "The first day it is due; empty when no date is stated."),
        Column("due_by", "date", "The last day it is due (its deadline); empty when no date is stated."),
        Column("due_text", "string", "How the passage states the date."),
        Column("announced_on", "date", "When the parties undertook or announced it.", required=True),
        Column("stated_by", "string", "The passages that state it (citations.id), separated by “;”."),
        Column(
            "standing",
            "string",
            "Where it stands on the as-of date: "
            + "; ".join(f"{value}: {meaning}" for value, meaning in COMMITMENT_STANDINGS.items()),
            required=True,
        ),
        Column("occurred_on", "date", "Kept, kept late or withdrawn: the day it was done or withdrawn."),
        Column("days_late", "integer", "Kept late: days after the deadline.", unit="days"),
        Column(
            "outcome_confidence", "string", "How sure the analyst is of the outcome.", choices=Assessment.Confidence
        ),
        Column("outcome_rationale", "string", "Why, naming the sources by their labels."),
        Column("outcome_citations", "string", "The passages that show the outcome (citations.id), separated by “;”."),
        Column("outcome_recorded_at", "datetime", "When the outcome was put on record, in UTC.", unit="ISO 8601, UTC"),
        _recorded_at("commitment"),
    ),
    ("id",),
    ((("case", "measure"), "measures", ("case", "number")),),
)
TABLES = (CASES, PARTIES, MEASURES, STATE, ASSESSMENTS, EVENTS, SOURCES, CITATIONS, EVIDENCE, COMMITMENTS)
