"""The status report: one function gathers it, two render it (HTML for the screen and print, PDF).

The web views, the PDF download and `manage.py status_report` all go through `build_report()` and
the renderers below, so the three always say the same thing. Every level, progress figure and flag
comes from `measures.state`; this module only orders them for reading and numbers the footnotes
and the bibliography.
"""

import datetime
import functools
import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format

from measures.lib.text import printable
from measures.models import Assessment, Case, Citation, Event, Review
from measures.roles import readable_cases
from measures.state import (
    CaseState,
    Direction,
    RecordedSince,
    case_state,
    commitment_calendar,
    newest_evidence,
    progress,
    reporting_period,
    step_comparisons,
)
from measures.state import recorded_since as recorded_since_state
from reading import charts
from reading.caching.columns import ColumnCache
from reading.forms import PeriodForm
from reports.parts import (
    BibliographyEntry,
    ChronologyEntry,
    Footnote,
    KeyJudgements,
    MeasureSection,
    PartyVerdict,
    PeriodChange,
    QuotedEvidence,
    ReversalNote,
    ScheduledStep,
)

logger = logging.getLogger(__name__)
PAPER_SIZES = {"a4": "A4", "letter": "US Letter"}
DEFAULT_PAPER = "a4"
DEFAULT_PERIOD_DAYS = 7
# The timeline's width in SVG units: it is scaled to the text width, so this sets its type size on paper.
TIMELINE_WIDTH = 760
# A status report is a summary: each measure quotes in full its newest passages of evidence, up to this
# many (and the newest of each stance when older: state.newest_evidence); the measure's page lists every
# passage, and the case's data package holds the whole record. The Pakistan–Iran case's measures have
# up to 18 passages each; a measure of a long crisis has hundreds.
QUOTED_PER_MEASURE = 15
Level = Assessment.Level


def _events_on(events, day):
    """The events of `events` dated on `day` (an event that lasted several days counts on each)."""
    return [event for event in events if event.date <= day <= (event.end_date or event.date)]


def key_judgements(state, scheduled, events=(), commitments="", comparisons=(), untranslated=()):
    """KeyJudgements of `state` (a CaseState over a period): every judgement reads the path of each
    measure over the period (state.path), so a step reversed and restored inside it is named, with
    the events dated on the days it was reversed and restored (`events`: those of the period).
    `commitments`: the commitment calendar's sentence, empty without any; `comparisons`: how soon the
    case reached each level against the other cases (state.StepComparison with a verdict);
    `untranslated`: the footnotes of quoted passages in another language with no translation."""
    rows = state.rows
    joint = [row for row in rows if row.joint_moved]
    by_direction = defaultdict(list)
    for row in joint:
        by_direction[row.direction].append(row)
    reversals = []
    for row, row_reversals in state.reversed_in_period:
        for reversal in row_reversals:
            note = ReversalNote(
                row,
                reversal,
                events_reversed=_events_on(events, reversal.reversed_on) if not reversal.before_period else [],
                events_restored=_events_on(events, reversal.restored_on) if reversal.restored_on else [],
            )
            days = {day for day, _ in note.days}
            reversals.append(replace(note, events_by_day={day: _events_on(events, day) for day in days}))
    return KeyJudgements(
        faster=[c for c in comparisons if c.verdict == "faster"],
        slower=[c for c in comparisons if c.verdict == "slower"],
        untranslated=list(untranslated),
        progress=state.progress,
        previous_progress=progress(row.previous_joint_level for row in rows),
        improved=by_direction[Direction.UP],
        worsened=by_direction[Direction.DOWN] + by_direction[Direction.UNSCORED],
        worsened_then_improved=by_direction[Direction.DOWN_UP],
        improved_then_worsened=by_direction[Direction.UP_DOWN],
        first_assessed=by_direction[Direction.NEW],
        party_moves=[row for row in rows if row.moved and not row.joint_moved],
        reversed=[row for row in rows if row.joint_level == Level.REVERSED],
        reversals=reversals,
        stale=state.stale_rows,
        contested=state.contested_rows,
        no_evidence=state.no_evidence_rows,
        scheduled=scheduled,
        commitments=commitments,
        period_text=state.period.text,
    )


def summary_from_events(case, events, as_of):
    """A summary of the case from the events on record up to `as_of` only (no hindsight): how many
    events, of which escalatory and de-escalatory, and the latest of each."""
    if not events:
        start, end = date_format(case.start_date), date_format(as_of)
        return f"No event is on record from the start of the case ({start}) to {end}."
    escalatory = [e for e in events if e.direction == Event.Direction.ESCALATORY]
    deescalatory = [e for e in events if e.direction == Event.Direction.DEESCALATORY]
    parts = [
        f"From {date_format(case.start_date)} to {date_format(as_of)}, {len(events)} event"
        f"{'s are' if len(events) != 1 else ' is'} on record: {len(escalatory)} escalatory, "
        f"{len(deescalatory)} de-escalatory and {len(events) - len(escalatory) - len(deescalatory)} neutral."
    ]
    if escalatory:
        latest = escalatory[-1]
        parts.append(f"Latest escalatory: {latest.title} ({charts.date_label(latest.date, latest.date_precision)}).")
    if deescalatory:
        latest = deescalatory[-1]
        parts.append(f"Latest de-escalatory: {latest.title} ({charts.date_label(latest.date, latest.date_precision)}).")
    return " ".join(parts)


@dataclass
class Report:
    case: Case
    as_of: datetime.date
    since: datetime.date
    whole_case: bool  # the period starts before the case: the chronology lists every event
    generated_at: datetime.datetime
    generated_by: str
    state: CaseState
    sections: list
    chronology: list
    timeline: charts.Timeline
    bibliography: list
    paper: str = DEFAULT_PAPER
    key_judgements: KeyJudgements | None = None
    summary: str = ""  # the case's own summary from its end date on, else one built from events up to as_of
    summary_is_case_summary: bool = False
    known_on: datetime.date | None = None
    # state.CommitmentCalendar on as_of, over the period, without the table's details (commitment_calendar's
    # details=False): the statuses that the key judgements' sentence and the timeline's due dates read.
    commitment_statuses: object = None
    as_of_rule: str = "given"  # which default gave `as_of` (forms.PeriodForm.default_as_of), or "given"
    since_rule: str = ""  # which default gave `since` ("the whole crisis, since the case is closed"), or ""
    other_period_query: str = ""  # the query string of the other default period, for the screen
    other_period_label: str = ""
    recorded: RecordedSince | None = None  # what was recorded since a date, when asked for
    public: bool = False  # for readers without an account (a published or shared case): it names no one
    period_query: str = ""  # the dates asked for, as the report read them (ReportRequest.period_query)
    last_reviewed: datetime.datetime | None = None  # when a reviewer last approved one of the case's assessments

    @property
    def period(self):
        return reporting_period(since=self.since, as_of=self.as_of)

    @functools.cached_property
    def progress_chart(self):
        """charts.ProgressChart per party and joint, from the case's start to as_of (or None): drawn
        when first asked for, so that the page, which keeps its rendering, does not draw it again."""
        return charts.case_progress_chart(self.state)

    @functools.cached_property
    def commitments(self):
        """The commitment calendar in full (state.CommitmentCalendar: who stated each commitment, the
        citations of its outcome, the counts per party), for the report's table: computed when first
        asked for, so that the page, which keeps the table's rendering, does not compute it again."""
        return commitment_calendar(self.case, as_of=self.as_of, since=self.since, known_on=self.known_on)

    @property
    def link_query(self):
        """The query string that shows the same dates on the reading pages."""
        parts = [f"as_of={self.as_of:%Y-%m-%d}", f"since={self.since:%Y-%m-%d}"]
        if self.known_on:
            parts.append(f"known_on={self.known_on:%Y-%m-%d}")
        if self.recorded is not None:
            parts.append(f"recorded_since={self.recorded.since:%Y-%m-%d}")
        return "&".join(parts)

    @property
    def query(self):
        """The query string of this report as the report read it: the dates asked for and the paper
        (none for A4, the default), for its PDF link. Nothing else of the page's address: a parameter
        the report does not read is not carried into the PDF's."""
        return self.paper_query(self.paper)

    @property
    def other_paper_query(self):
        """`query` for the other paper size (the link that lays the report out for it)."""
        return self.paper_query("letter" if self.paper == DEFAULT_PAPER else DEFAULT_PAPER)

    def paper_query(self, paper):
        paper_part = "" if paper == DEFAULT_PAPER else urlencode({"paper": paper})
        return "&".join(part for part in (self.period_query, paper_part) if part)

    @property
    def moved(self):
        return [section for section in self.sections if section.moved]

    @property
    def quoted_per_measure(self):
        return QUOTED_PER_MEASURE

    @property
    def stale_after_days(self):
        return settings.STALE_AFTER_DAYS

    @property
    def paper_label(self):
        return PAPER_SIZES[self.paper]

    @property
    def filename_stem(self):
        return f"{self.case.slug}-status-{self.as_of:%Y-%m-%d}"


class _Numbering:
    """Bibliography numbers in order of first mention; footnote numbers running through the report.
    A citation gets one note, in the section that mentions it first."""

    def __init__(self):
        self.sources = {}
        self.next_footnote = 1
        self.first_note = {}  # citation pk -> (Footnote, Measure): its note, and the section that has it

    def source_number(self, source):
        if source.pk not in self.sources:
            self.sources[source.pk] = BibliographyEntry(len(self.sources) + 1, source)
        return self.sources[source.pk].number

    def footnote(self, citation, *, quoted_in_text, measure):
        note = Footnote(self.next_footnote, citation, self.source_number(citation.source), quoted_in_text)
        self.next_footnote += 1
        self.first_note[citation.pk] = (note, measure)
        return note

    def note_of(self, citation):
        known = self.first_note.get(citation.pk)
        return known[0] if known else None

    def quoted_under(self, citation):
        """The measure whose section already prints the passage in full (quoted, or in its note), if any."""
        known = self.first_note.get(citation.pk)
        return known[1] if known else None


def describe_user(user):
    if user is None:
        return "manage.py status_report"
    return user.get_full_name() or user.get_username()


def build_report(
    case,
    *,
    as_of,
    since,
    known_on=None,
    user=None,
    paper=DEFAULT_PAPER,
    now=None,
    as_of_rule="given",
    recorded_since=None,
    since_rule="",
    other_period_query="",
    other_period_label="",
    public=False,
    period_query="",
):
    """Everything the status report of `case` shows, for the period from `since` to `as_of` (both
    days included, `ReportingPeriod`), as known on `known_on` (None: everything on record), and,
    with `recorded_since` (a date), what was put on record from that day on (`state.recorded_since`). Approved
    judgements only (the state layer's default: a report never previews pending ones).

    `user` is who asked (None: the command line). `public`: for a reader without an account (a
    published or shared case): the report then names no one, not even who asked, and compares the case
    only with the other cases such a reader may read. One query more for when the case was last
    reviewed. Levels, flags, paths and changes come from `measures.state`; on top of them, whatever the
    size of the case: two queries for the events of the period and their actors, one for the citations
    reporting them, one for the measures' requirements.

    `period_query`: the dates asked for, as a query string (`ReportRequest.period_query`), which the
    page's PDF and paper links carry (`Report.query`).
    """
    # The measures' evidence figures in SQL, and only the passages the sections quote as objects.
    state = case_state(case, as_of=as_of, since=since, known_on=known_on, details=False)
    quoted = newest_evidence(
        [row.measure.pk for row in state.rows], as_of=as_of, known_on=known_on, limit=QUOTED_PER_MEASURE, case=case
    )
    period = state.period
    changes = state.changes
    in_force = [cell.assessment for row in state.rows for cell in row.cells if cell.assessment is not None]
    prefetch_related_objects(in_force, Prefetch("citations", queryset=Citation.objects.with_source().order_by("pk")))
    # Each measure's requirement: the passage that defines it, with its source for the note.
    prefetch_related_objects(
        [row.measure for row in state.rows],
        Prefetch("requirement", queryset=Citation.objects.with_source().defer("source__full_text")),
    )
    whole_case = since <= case.start_date

    changes_by_measure = defaultdict(list)
    for change in changes:
        changes_by_measure[change.measure.pk].append(PeriodChange(change))

    numbering = _Numbering()
    sections = [
        _section(row, quoted[row.measure.pk], changes_by_measure[row.measure.pk], numbering) for row in state.rows
    ]

    events = (
        Event.objects.filter(case=case)
        .known_on(known_on)
        .up_to(as_of)
        .with_actors()
        .select_related("case")
        .order_by("date", "pk")
    )
    if not whole_case:
        events = events.in_period(period)
    events = list(events)
    sources_by_event = defaultdict(list)
    if events:
        reporting = (
            Citation.objects.for_case(case).known_on(known_on).filter(event__in=events).order_by("event_id", "pk")
        )
        for citation in reporting:
            sources_by_event[citation.event_id].append(citation.source)
    chronology = []
    for event in events:
        numbered = {numbering.source_number(source): source for source in sources_by_event[event.pk]}
        chronology.append(ChronologyEntry(event, sorted(numbered), [numbered[number] for number in sorted(numbered)]))
    period_start = case.start_date if whole_case else since
    # The statuses only: the table's details are read when it is drawn (Report.commitments).
    calendar = commitment_calendar(case, as_of=as_of, since=since, known_on=known_on, details=False)
    timeline = charts.events_timeline(
        events, start=period_start, end=as_of, width=TIMELINE_WIDTH, commitments=calendar.entries
    )

    # Steps still to come: events dated after as_of but already on record by then (announced, scheduled).
    on_record_by = min(as_of, known_on) if known_on else as_of
    scheduled = [
        ScheduledStep(event, [])
        for event in Event.objects.filter(case=case, date__gt=as_of, recorded_at__date__lte=on_record_by).order_by(
            "date", "pk"
        )
    ]
    # No hindsight: the case's own summary is written about the crisis as a whole (a closed case) or as it
    # stands now (an active one); a report as of an earlier day, or as known on an earlier day, gets a
    # summary of the events up to then (as known then).
    summary_from = case.end_date if case.is_closed else timezone.localdate()
    summary_is_case_summary = (
        bool(case.summary)
        and summary_from is not None
        and as_of >= summary_from
        and (known_on is None or known_on >= summary_from)
    )
    if summary_is_case_summary:
        summary = case.summary
    else:
        summary_events = (
            events
            if whole_case
            else list(
                Event.objects.filter(case=case)
                .known_on(known_on)
                .up_to(as_of)
                .only("date", "date_precision", "title", "direction")
                .order_by("date", "pk")
            )
        )
        summary = summary_from_events(case, summary_events, as_of)

    return Report(
        case=case,
        commitment_statuses=calendar,
        as_of=as_of,
        since=since,
        known_on=known_on,
        as_of_rule=as_of_rule,
        whole_case=whole_case,
        generated_at=now or timezone.now(),
        generated_by="" if public else describe_user(user),
        public=public,
        last_reviewed=Review.objects.filter(
            assessment__measure__case=case, decision=Review.Decision.APPROVED
        ).aggregate(last=Max("decided_at"))["last"],
        state=state,
        # How soon this case reached each level against the other cases the reader may read, each as
        # of its own default date, as known on the same day (state.step_comparisons).
        key_judgements=key_judgements(
            state,
            scheduled,
            events,
            calendar.sentence if calendar.entries else "",
            step_comparisons(
                case,
                readable_cases(AnonymousUser() if public else user),
                as_of=as_of,
                known_on=known_on,
                column_cache=ColumnCache(),  # each case's column, kept for its data version as the matrix keeps it
            ),
            _untranslated(numbering),
        ),
        summary=summary,
        summary_is_case_summary=summary_is_case_summary,
        sections=sections,
        chronology=chronology,
        timeline=timeline,
        bibliography=list(numbering.sources.values()),
        paper=paper,
        since_rule=since_rule,
        other_period_query=other_period_query,
        other_period_label=other_period_label,
        period_query=period_query,
        recorded=(
            recorded_since_state(case, since=recorded_since, as_of=as_of, until=known_on)
            if recorded_since is not None
            else None
        ),
    )


def _untranslated(numbering):
    """The notes of the passages the report quotes that are in another language than the case's
    working language (or in an unknown one) and have no translation: a reader of the report cannot
    check what they rest on. In note order."""
    notes = [note for note, _ in numbering.first_note.values()]
    return sorted((note for note in notes if note.citation.needs_translation), key=lambda note: note.number)


def _section(row, evidence, changes, numbering):
    """The MeasureSection of `row` (a MeasureStatus), quoting `evidence` (the pieces it quotes, newest
    first: state.newest_evidence) and naming how many of the measure's other pieces it leaves out."""
    own_notes = []  # the notes this section introduces, listed at its end

    def note_for(citation, *, quoted_in_text):
        """The citation's note: the one it got earlier in the report, or a new one of this section's."""
        known = numbering.note_of(citation)
        if known is not None:
            return known
        note = numbering.footnote(citation, quoted_in_text=quoted_in_text, measure=row.measure)
        own_notes.append(note)
        return note

    # What the measure requires comes from the passage that defines it (Measure.requirement): a note
    # where the section prints it, never one of its quotes of evidence.
    requirement_notes = []
    if row.measure.requirement is not None:
        requirement_notes.append(note_for(row.measure.requirement, quoted_in_text=True))
    quotes = []
    for item in reversed(evidence):  # newest first; a section reads oldest first
        quoted_under = numbering.quoted_under(item.citation)
        note = note_for(item.citation, quoted_in_text=True)
        quotes.append(QuotedEvidence(item, note, first_quoted_under=quoted_under))
    verdicts = []
    for cell in row.cells:
        citations = cell.assessment.citations.all() if cell.assessment is not None else []
        notes = {note_for(citation, quoted_in_text=False) for citation in citations}
        verdicts.append(PartyVerdict(cell, sorted(notes, key=lambda note: note.number)))
    return MeasureSection(
        status=row,
        verdicts=verdicts,
        quotes=quotes,
        changes=changes,
        footnotes=own_notes,
        requirement_notes=requirement_notes,
        not_quoted=row.citation_count - len(quotes),
    )


@dataclass(frozen=True)
class ReportRequest:
    """The validated parameters of a report; `errors` lists what was wrong, as sentences for the user."""

    as_of: datetime.date
    since: datetime.date
    paper: str
    form: PeriodForm
    errors: list
    known_on: datetime.date | None = None
    as_of_rule: str = "given"
    recorded_since: datetime.date | None = None
    since_rule: str = ""  # which default gave `since`, in words, or "" when it was given
    other_period_query: str = ""  # the other default period's query string (whole crisis / last days)
    other_period_label: str = ""
    period_query: str = ""  # the dates given, as read: "as_of=2024-01-31&since=2024-01-15" (_period_query)

    def build_kwargs(self):
        """The keyword arguments of `build_report` these parameters give (all but case, user, now)."""
        return {
            "as_of": self.as_of,
            "since": self.since,
            "known_on": self.known_on,
            "paper": self.paper,
            "as_of_rule": self.as_of_rule,
            "recorded_since": self.recorded_since,
            "since_rule": self.since_rule,
            "other_period_query": self.other_period_query,
            "other_period_label": self.other_period_label,
            "period_query": self.period_query,
        }


def _period_query(form):
    """The dates of `form` (a validated PeriodForm) that were given, written as the form read them
    (YYYY-MM-DD), as a query string in the form's order. A date not given is left out, so that the
    PDF made from a link takes the same default as the page and says so."""
    cleaned = getattr(form, "cleaned_data", {})
    given = [(name, cleaned[name]) for name in form.FIELDS if name not in form.errors and cleaned.get(name)]
    return urlencode([(name, value.isoformat()) for name, value in given])


def parse_request(data, *, today=None, case=None):
    """Read `as_of`, `since`, `known_on`, `recorded_since` (through the pages' PeriodForm, with `case`'s
    defaults: its as-of date, and the whole crisis for a closed case or the last seven days for an
    active one) and `paper` from query parameters or options. An as-of date before the case began is
    an error with the one message every page gives (`state.before_start_message`)."""
    form = PeriodForm(data, today=today, case=case, default_since_days=DEFAULT_PERIOD_DAYS)
    form.is_valid()
    errors = form.error_messages()
    period = form.period()
    given_paper = data.get("paper") or ""
    paper = given_paper.strip().lower() or DEFAULT_PAPER
    if paper not in PAPER_SIZES:
        errors.append(f"“Paper” must be a4 or letter, not “{given_paper}”.")
        paper = DEFAULT_PAPER
    errors = [printable(error) for error in errors]  # what was typed, quoted printably (a NUL as <U+0000>)
    return ReportRequest(
        as_of=period.as_of,
        since=period.since,
        paper=paper,
        form=form,
        errors=errors,
        known_on=period.known_on,
        as_of_rule=period.as_of_rule,
        recorded_since=period.recorded_since,
        since_rule=period.since_rule,
        other_period_query=period.other_default_query if period.since_rule else period.default_query,
        other_period_label=period.other_default_label if period.since_rule else "the default period",
        period_query=_period_query(form),
    )
