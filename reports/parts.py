"""The parts of the status report (reports.build gathers them): footnotes, verdicts, changes, the
chronology, the bibliography and the key judgements, each a small dataclass the template reads."""

import itertools
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from measures.lib.words import first_words
from measures.models import Assessment, Citation, Event
from measures.state import Change, Direction, MeasureStatus, PartyCell, Progress
from reading import charts

# A passage quoted under an earlier measure is recalled by its first words only.
EXCERPT_WORDS = 8


@dataclass(frozen=True)
class Footnote:
    """A numbered note pointing at a citation and, through its source, at a bibliography entry."""

    number: int
    citation: Citation
    source_number: int
    quoted_in_text: bool  # False: the quote is not printed in the section, so the note carries it


Level = Assessment.Level


@dataclass(frozen=True)
class QuotedEvidence:
    """A piece of evidence of a measure. A passage already quoted under an earlier measure is shortened
    and points at the note it got there, so that the report prints each passage once in full."""

    evidence: object
    footnote: Footnote
    first_quoted_under: object = None  # the earlier Measure, for a repeat

    @property
    def excerpt(self):
        """The passage's first EXCERPT_WORDS words (in any script: measures.lib.words), "…" when cut."""
        citation = self.evidence.citation
        text, cut = first_words(citation.passage, EXCERPT_WORDS, citation.lang or None)
        return text.rstrip() + "…" if cut else text


@dataclass(frozen=True)
class PartyVerdict:
    """One party's level on a measure, with the assessment in force and the notes of its citations."""

    cell: PartyCell
    notes: list

    @property
    def moved(self):
        """Some level other than the one at the period's start was in force during it (state.path)."""
        return self.cell.applies and self.cell.moved

    @property
    def previous_level_label(self):
        return Level(self.cell.previous_level).label

    @property
    def direction_label(self):
        return Direction.LABELS[self.cell.direction]

    @property
    def path_text(self):
        """Every level in force over the period, in order: "Not yet assessed → Reversed → Minimal (1)"."""
        path = self.cell.path
        if path is None:
            return f"{self.previous_level_label} → {self.cell.level_label}"
        return " → ".join(Level(level).label for level in [path.baseline, *(step.level for step in path.changes)])


@dataclass(frozen=True)
class VerdictGroup:
    """Parties whose verdicts say the same thing, printed once naming them all: in a measure section,
    the same assessment in force (level, date, confidence, rationale); in the summary, the same move."""

    verdicts: list

    @property
    def first(self):
        return self.verdicts[0]

    @property
    def cell(self):
        return self.first.cell

    @property
    def notes(self):
        return self.first.notes

    @property
    def party_names(self):
        return join_names([verdict.cell.party.name for verdict in self.verdicts])


def group_movements(verdicts):
    """Parties whose level went through the same levels in the period (or stayed put), in any order;
    parties the measure does not apply to are left out (they have no level to move)."""
    groups = {}
    for verdict in verdicts:
        if not verdict.cell.applies:
            continue
        key = (verdict.moved, verdict.path_text)
        groups.setdefault(key, []).append(verdict)
    return [VerdictGroup(grouped) for grouped in groups.values()]


def join_names(names):
    """Names as a sentence says them: Iran; Iran and Pakistan; China, Iran and Pakistan."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _verdict_key(verdict):
    if not verdict.cell.applies:
        return ("does not apply",)
    assessment = verdict.cell.assessment
    if assessment is None:
        return (None,)
    notes = tuple(note.number for note in verdict.notes)
    return (assessment.level, assessment.effective_date, assessment.confidence, assessment.rationale, notes)


def group_verdicts(verdicts):
    """Consecutive parties whose assessments in force say the same."""
    return [VerdictGroup(list(run)) for _, run in itertools.groupby(verdicts, key=_verdict_key)]


@dataclass(frozen=True)
class PeriodChange:
    """An assessment that took effect in the period, with the level it replaced."""

    change: Change

    @property
    def assessment(self):
        return self.change.assessment

    @property
    def party(self):
        return self.change.party

    @property
    def effective_date(self):
        return self.change.assessment.effective_date if self.change.assessment is not None else None

    @property
    def old_level_label(self):
        return Level(self.change.old_level).label

    @property
    def new_level_label(self):
        return Level(self.change.new_level).label

    @property
    def direction(self):
        return self.change.direction

    @property
    def direction_label(self):
        return Direction.LABELS[self.change.direction]


@dataclass(frozen=True)
class ChangeGroup:
    """Period changes of one measure that took effect the same day with the same old and new level
    (typically both parties moving together): printed as one line naming the parties."""

    changes: list

    @property
    def first(self):
        return self.changes[0]

    @property
    def party_names(self):
        return join_names([change.party.name for change in self.changes])

    @property
    def is_correction(self):
        return any(change.change.is_correction for change in self.changes)


def _change_key(change):
    return (change.effective_date, change.change.old_level, change.change.new_level)


def group_changes(changes):
    """Consecutive changes (in the order they took effect) with the same day, old and new level."""
    return [ChangeGroup(list(run)) for _, run in itertools.groupby(changes, key=_change_key)]


@dataclass
class MeasureSection:
    status: MeasureStatus
    verdicts: list
    quotes: list  # QuotedEvidence, oldest first: the section reads as a story
    changes: list  # PeriodChange, in the order they took effect
    footnotes: list = field(default_factory=list)
    requirement_notes: list = field(default_factory=list)  # where "what it requires" comes from
    not_quoted: int = 0  # the measure's pieces of evidence the summary leaves to its page (build.QUOTED_PER_MEASURE)

    @property
    def measure(self):
        return self.status.measure

    @property
    def full_quotes(self):
        """The passages printed in full here: the first time the report quotes them."""
        return [quoted for quoted in self.quotes if quoted.first_quoted_under is None]

    @property
    def repeats(self):
        """Evidence quoted in full under an earlier measure, recalled in one line that points back to it."""
        return [quoted for quoted in self.quotes if quoted.first_quoted_under is not None]

    @property
    def verdict_groups(self):
        return group_verdicts(self.verdicts)

    @property
    def change_groups(self):
        return group_changes(self.changes)

    @property
    def movement_groups(self):
        return group_movements(self.verdicts)

    @property
    def previous_joint_level_label(self):
        return Level(self.status.previous_joint_level).label

    @property
    def confidence_label(self):
        confidence = self.status.confidence
        return Assessment.Confidence(confidence).label if confidence else "—"

    @property
    def moved(self):
        """The joint level or an applicable party's level changed during the period (even if it came back)."""
        return self.status.moved

    @property
    def joint_path_text(self):
        """Every joint level in force over the period, in order: "Full (3) → Reversed → Full (3)"."""
        path = self.status.path
        if path is None:
            return f"{self.previous_joint_level_label} → {self.status.joint_level_label}"
        return " → ".join(Level(level).label for level in [path.joint.baseline, *(s.level for s in path.joint.changes)])


@dataclass(frozen=True)
class ChronologyEntry:
    event: Event
    source_numbers: list
    sources: list = field(default_factory=list)  # the reporting sources, in bibliography order

    @property
    def source_labels(self):
        return [source.short_label for source in self.sources]

    @property
    def date_text(self):
        return self.event.date_text


@dataclass(frozen=True)
class BibliographyEntry:
    number: int
    source: object

    @property
    def link(self):
        """The source's URL when it is a web address (the only kind the report turns into a link)."""
        url = self.source.url
        return url if urlsplit(url).scheme in ("http", "https") else ""


@dataclass(frozen=True)
class ScheduledStep:
    """An event dated after `as_of` but already on record by then: announced, scheduled, still to come."""

    event: Event
    sources: list

    @property
    def date_text(self):
        return charts.date_label(self.event.date, self.event.date_precision)


@dataclass(frozen=True)
class ReversalNote:
    """A stretch of the period during which a measure's joint level was Reversed (state.path.Reversal),
    with the events dated on the day it was reversed and on the day it was restored."""

    row: MeasureStatus
    reversal: object
    events_reversed: list = field(default_factory=list)
    events_restored: list = field(default_factory=list)
    events_by_day: dict = field(default_factory=dict)  # every day of `days`: the events dated then

    @property
    def measure(self):
        return self.row.measure

    @property
    def days(self):
        """[(date, [Event])]: the days inside the period on which the measure, or one of its parties,
        was reversed, and the day it was restored, each with the events dated then."""
        reversal = self.reversal
        days = [day for _, day in reversal.party_days if day is not None and day >= self.row.path.joint.since]
        if not reversal.before_period and reversal.reversed_on is not None:
            days.append(reversal.reversed_on)
        if reversal.restored_on is not None:
            days.append(reversal.restored_on)
        return [(day, self.events_by_day.get(day, [])) for day in sorted(set(days))]


@dataclass(frozen=True)
class KeyJudgements:
    """The first page: the bottom line for a policymaker, every line derived from the data.

    Every judgement follows the path of each measure over the period (every level in force in it,
    state.path), named one way: `period_text` ("23–29 Jan 2024"). `progress` and
    `previous_progress` are `Progress` at `as_of` and at the period's start (its baseline);
    `improved`, `worsened`, `worsened_then_improved`, `improved_then_worsened` are MeasureStatus rows
    by the direction of their joint level along the period; `first_assessed` rows first assessed in
    it (not an improvement); `party_moves` rows where only a party's level changed; `reversals`
    [ReversalNote] every stretch of the period a joint level was reversed, with its dates and the
    events dated then; `reversed` rows still reversed on `as_of`; `stale`, `contested`,
    `no_evidence` rows with those flags; `scheduled` the steps the evidence names for after `as_of`
    (events announced before they happened); `faster` and `slower` the `state.StepComparison`s
    where the case reached a level sooner, or later (or not yet), than every other case with a measure
    of the same type."""

    progress: Progress
    previous_progress: Progress
    improved: list
    worsened: list
    party_moves: list
    reversed: list
    stale: list
    contested: list
    no_evidence: list
    scheduled: list
    commitments: str = ""  # the commitment calendar's sentence ("2 of 2 commitments due kept; …"), empty without any
    worsened_then_improved: list = field(default_factory=list)
    improved_then_worsened: list = field(default_factory=list)
    first_assessed: list = field(default_factory=list)
    reversals: list = field(default_factory=list)
    period_text: str = ""

    @property
    def reversal_groups(self):
        """[(measures, Reversal text)]: the reversals of the period, measures reversed and restored on the
        same days named together, in the order of the measures."""
        groups = {}
        for note in self.reversals:
            groups.setdefault(note.reversal.text, []).append(note.measure)
        return [(measures, text) for text, measures in groups.items()]

    @property
    def reversal_days(self):
        """[(date, [Event])]: each day a measure was reversed or restored inside the period, with the
        events dated that day, oldest first, each day once."""
        days = {}
        for note in self.reversals:
            for day, events in note.days:
                days.setdefault(day, events)
        return sorted(days.items(), key=lambda item: item[0])

    @property
    def any_moved(self):
        return bool(
            self.improved
            or self.worsened
            or self.worsened_then_improved
            or self.improved_then_worsened
            or self.first_assessed
            or self.party_moves
        )

    faster: list = field(default_factory=list)
    slower: list = field(default_factory=list)
    untranslated: list = field(default_factory=list)  # Footnotes of passages quoted with no translation

    @property
    def change_points(self):
        """Change of the overall progress over the period, in percentage points (None if not scored)."""
        if self.progress.value is None or self.previous_progress.value is None:
            return None
        return self.progress.percent - self.previous_progress.percent
