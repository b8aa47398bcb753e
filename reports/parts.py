"""The parts of the status report (reports.build.build_report puts them together): footnotes, quoted
evidence, verdicts per party and their groupings, changes in the period, chronology, bibliography,
scheduled steps and the key judgements."""

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
        return self.cell.direction != Direction.SAME

    @property
    def previous_level_label(self):
        return Level(self.cell.previous_level).label

    @property
    def direction_label(self):
        return Direction.LABELS[self.cell.direction]


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
    """Parties whose level moved between the same two levels in the period (or stayed put), in any order."""
    groups = {}
    for verdict in verdicts:
        key = (verdict.moved, verdict.cell.previous_level, verdict.cell.level)
        groups.setdefault(key, []).append(verdict)
    return [VerdictGroup(grouped) for grouped in groups.values()]


def join_names(names):
    """Names as a sentence says them: Iran; Iran and Pakistan; China, Iran and Pakistan."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _verdict_key(verdict):
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
        """The joint level or a party's level moved between `since` and `as_of`."""
        return self.status.direction != Direction.SAME or any(verdict.moved for verdict in self.verdicts)


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
class KeyJudgements:
    """The first page: the bottom line for a policymaker, every line derived from the data.

    `progress` and `previous_progress` are `Progress` at `as_of` and at the period's baseline;
    `improved`, `worsened` are MeasureStatus rows whose joint level moved; `party_moves` rows where
    only a party moved; `reversed`, `stale`, `contested` rows with those flags; `scheduled` the steps
    the evidence names for after `as_of` (events announced before they happened)."""

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
    untranslated: list = field(default_factory=list)  # Footnotes of passages quoted with no translation

    @property
    def change_points(self):
        """Change of the overall progress over the period, in percentage points (None if not scored)."""
        if self.progress.value is None or self.previous_progress.value is None:
            return None
        return self.progress.percent - self.previous_progress.percent
