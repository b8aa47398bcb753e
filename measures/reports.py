"""The status report: one function gathers it, two render it (HTML for the screen and print, PDF).

The web views, the PDF download and `manage.py status_report` all go through `build_report()` and
the renderers below, so the three always say the same thing. Every level, progress figure and flag
comes from `measures.queries`; this module only orders them for reading and numbers the footnotes
and the bibliography.
"""

import datetime
import functools
import itertools
import logging
import mimetypes
import posixpath
import ssl
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from . import charts, queries
from .caching import cached_page
from .forms import PeriodForm
from .models import Assessment, Case, Citation, Event, normalise_text
from .roles import reader_required

logger = logging.getLogger(__name__)
PAPER_SIZES = {"a4": "A4", "letter": "US Letter"}
DEFAULT_PAPER = "a4"
DEFAULT_PERIOD_DAYS = 7
# A passage quoted under an earlier measure is recalled by its first words only.
EXCERPT_WORDS = 8
# The timeline's width in SVG units: it is scaled to the text width, so this sets its type size on paper.
TIMELINE_WIDTH = 760
# The origin WeasyPrint resolves the report's relative URLs against; nothing is ever fetched from it.
PDF_BASE_URL = "https://report.invalid/"
STYLESHEET = "css/report.css"
# WeasyPrint's accessible variant (write_pdf(pdf_variant=…), WeasyPrint ≥ 57): tagged, with /Lang and /Title.
PDF_VARIANT = "pdf/ua-1"

Level = Assessment.Level


@dataclass(frozen=True)
class Footnote:
    """A numbered note pointing at a citation and, through its source, at a bibliography entry."""

    number: int
    citation: Citation
    source_number: int
    quoted_in_text: bool  # False: the quote is not printed in the section, so the note carries it


@dataclass(frozen=True)
class QuotedEvidence:
    """A piece of evidence of a measure. A passage already quoted under an earlier measure is shortened
    and points at the note it got there, so that the report prints each passage once in full."""

    evidence: object
    footnote: Footnote
    first_quoted_under: object = None  # the earlier Measure, for a repeat

    @property
    def excerpt(self):
        return Truncator(self.evidence.citation.quote).words(EXCERPT_WORDS)


@dataclass(frozen=True)
class PartyVerdict:
    """One party's level on a measure, with the assessment in force and the notes of its citations."""

    cell: queries.PartyCell
    notes: list

    @property
    def moved(self):
        return self.cell.direction != queries.Direction.SAME

    @property
    def previous_level_label(self):
        return Level(self.cell.previous_level).label

    @property
    def direction_label(self):
        return queries.Direction.LABELS[self.cell.direction]


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

    change: queries.Change

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
        return queries.Direction.LABELS[self.change.direction]


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
    status: queries.MeasureStatus
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
        return self.status.direction != queries.Direction.SAME or any(verdict.moved for verdict in self.verdicts)


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

    `progress` and `previous_progress` are `queries.Progress` at `as_of` and at the period's baseline;
    `improved`, `worsened` are MeasureStatus rows whose joint level moved; `party_moves` rows where
    only a party moved; `reversed`, `stale`, `contested` rows with those flags; `scheduled` the steps
    the evidence names for after `as_of` (events announced before they happened)."""

    progress: queries.Progress
    previous_progress: queries.Progress
    improved: list
    worsened: list
    party_moves: list
    reversed: list
    stale: list
    contested: list
    no_evidence: list
    scheduled: list

    @property
    def change_points(self):
        """Change of the overall progress over the period, in percentage points (None if not scored)."""
        if self.progress.value is None or self.previous_progress.value is None:
            return None
        return self.progress.percent - self.previous_progress.percent


def key_judgements(state, scheduled):
    rows = state.rows
    joint_moves = [row for row in rows if row.previous_joint_level != row.joint_level]
    return KeyJudgements(
        progress=state.progress,
        previous_progress=queries.progress(row.previous_joint_level for row in rows),
        improved=[row for row in joint_moves if row.direction in (queries.Direction.UP, queries.Direction.NEW)],
        worsened=[row for row in joint_moves if row.direction == queries.Direction.DOWN],
        party_moves=[row for row in rows if row.moved and row not in joint_moves],
        reversed=[row for row in rows if row.joint_level == Level.REVERSED],
        stale=state.stale_rows,
        contested=state.contested_rows,
        no_evidence=state.no_evidence_rows,
        scheduled=scheduled,
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
    state: queries.CaseState
    sections: list
    chronology: list
    timeline: charts.Timeline
    bibliography: list
    paper: str = DEFAULT_PAPER
    key_judgements: KeyJudgements | None = None
    progress_chart: charts.ProgressChart | None = None  # per party and joint, case start to as_of
    summary: str = ""  # the case's own summary from its end date on, else one built from events up to as_of
    summary_is_case_summary: bool = False
    known_on: datetime.date | None = None
    as_of_rule: str = "given"  # which default gave `as_of` (forms.PeriodForm.default_as_of), or "given"

    @property
    def period(self):
        return queries.reporting_period(since=self.since, as_of=self.as_of)

    @property
    def link_query(self):
        """The query string that shows the same dates on the reading pages."""
        parts = [f"as_of={self.as_of:%Y-%m-%d}", f"since={self.since:%Y-%m-%d}"]
        if self.known_on:
            parts.append(f"known_on={self.known_on:%Y-%m-%d}")
        return "&".join(parts)

    @property
    def moved(self):
        return [section for section in self.sections if section.moved]

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


def build_report(case, *, as_of, since, known_on=None, user=None, paper=DEFAULT_PAPER, now=None, as_of_rule="given"):
    """Everything the status report of `case` shows, for the period from `since` to `as_of` (both
    days included, `queries.ReportingPeriod`), as known on `known_on` (None: everything on record).

    `user` is who asked (None: the command line). Levels, flags and changes come from `queries`;
    on top of them, whatever the size of the case: two queries for the events of the period and their
    actors, one for the citations reporting them.
    """
    state = queries.case_state(case, as_of=as_of, since=since, known_on=known_on)
    period = state.period
    changes = state.changes
    in_force = [cell.assessment for row in state.rows for cell in row.cells if cell.assessment is not None]
    prefetch_related_objects(in_force, Prefetch("citations", queryset=Citation.objects.with_source().order_by("pk")))
    whole_case = since <= case.start_date

    changes_by_measure = defaultdict(list)
    for change in changes:
        changes_by_measure[change.measure.pk].append(PeriodChange(change))

    numbering = _Numbering()
    sections = [_section(row, changes_by_measure[row.measure.pk], numbering) for row in state.rows]

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
    timeline = charts.events_timeline(events, start=period_start, end=as_of, width=TIMELINE_WIDTH)

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
        as_of=as_of,
        since=since,
        known_on=known_on,
        as_of_rule=as_of_rule,
        whole_case=whole_case,
        generated_at=now or timezone.now(),
        generated_by=describe_user(user),
        state=state,
        key_judgements=key_judgements(state, scheduled),
        progress_chart=charts.case_progress_chart(state),
        summary=summary,
        summary_is_case_summary=summary_is_case_summary,
        sections=sections,
        chronology=chronology,
        timeline=timeline,
        bibliography=list(numbering.sources.values()),
        paper=paper,
    )


def _is_requirement_text(evidence, requirement):
    """The passage is the recommendation the measure was drawn from: the section prints it already,
    as what the measure requires, so it only gets a note there instead of being quoted again.

    `requirement` is the measure's description, normalised (`normalise_text`)."""
    if not requirement:
        return False
    quote = evidence.citation.quote
    # Folding a quote costs about 0.7 ms (60 ms of a report's 100 quotes). Folding keeps the letters
    # and digits of a text in ASCII and typographic punctuation (curly quotes, dashes, no-break
    # spaces, ellipses) as they are, in order, and only drops or rewrites what lies between them: a
    # requirement whose letters and digits do not run inside such a quote's cannot be in it.
    if _folding_keeps_letters(quote) and _letters_and_digits(requirement) not in _letters_and_digits(quote):
        return False
    return requirement in normalise_text(quote)


def _letters_and_digits(text):
    return "".join(char for char in text if char.isalnum())


def _folding_keeps_letters(text):
    return text.isascii() or all(char.isascii() or _is_plain_punctuation(char) for char in text)


@functools.lru_cache(maxsize=512)
def _is_plain_punctuation(char):
    """Neither a letter, a mark (which folding may compose with the letter before it) nor a number,
    and nothing of the kind once NFKC-normalised ("…" is "...", but "ﬁ" is "fi" and "℃" is "°C")."""
    return (
        unicodedata.category(char)[0] not in "LMN"
        and not char.isalnum()
        and not any(part.isalnum() for part in unicodedata.normalize("NFKC", char))
    )


def _section(row, changes, numbering):
    own_notes = []  # the notes this section introduces, listed at its end

    def note_for(citation, *, quoted_in_text):
        """The citation's note: the one it got earlier in the report, or a new one of this section's."""
        known = numbering.note_of(citation)
        if known is not None:
            return known
        note = numbering.footnote(citation, quoted_in_text=quoted_in_text, measure=row.measure)
        own_notes.append(note)
        return note

    quotes = []
    requirement_notes = []
    requirement = normalise_text(row.measure.description)
    for item in reversed(row.evidence):  # case_state gives newest first; a section reads oldest first
        if _is_requirement_text(item, requirement):
            requirement_notes.append(note_for(item.citation, quoted_in_text=True))
        else:
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
    )


# Rendering -------------------------------------------------------------------------------------


def render_report_html(report, *, request=None, standalone=False):
    """The report as an HTML document. `standalone` embeds the stylesheet, for a file written to disk
    (the served page links it instead, as the Content Security Policy requires)."""
    context = {"report": report, "standalone": standalone, "pdf": False}
    if request is not None and not standalone:
        # Each note links to its passage on the source's page: the sources' addresses are reversed
        # once each here, not once for each of a large case's thousand notes (40 µs each).
        context["source_urls"] = {
            entry.source.pk: reverse("measures:source_detail", args=[report.case.slug, entry.source.pk])
            for entry in report.bibliography
        }
    if standalone:
        # Our own stylesheet, not user input: marked safe so that its quotes survive.
        context["stylesheet"] = mark_safe(_read_static(STYLESHEET).decode("utf-8"))
    return render_to_string("measures/report.html", context, request=request)


def render_report_pdf(report, *, site_url=None):
    """The report as PDF bytes, from the same template; nothing is fetched beyond our static files.

    `site_url` (e.g. "https://tracker.example.org/") makes the PDF's links to event pages absolute.
    """
    from weasyprint import HTML  # Pango is loaded on import: only pay for it when making a PDF.

    base_url = site_url.rstrip("/") + "/" if site_url else PDF_BASE_URL
    html = render_to_string("measures/report.html", {"report": report, "standalone": False, "pdf": True})
    document = HTML(string=html, base_url=base_url, url_fetcher=static_files_fetcher(base_url))
    # PDF/UA-1: a tagged PDF (structure tree, language, title) that screen readers can follow.
    return document.write_pdf(stylesheets=[pdf_stylesheet()], pdf_variant=PDF_VARIANT, font_config=font_config())


# The report's template and the partials it includes, compiled by warm_up_pdf().
REPORT_TEMPLATES = [
    "measures/report.html",
    "measures/partials/key_judgements.html",
    "measures/partials/progress_bar.html",
    "measures/partials/progress_chart.html",
    "measures/partials/events_timeline.html",
]
# What warm_up_pdf() lays out: a line in each of the report's faces (serif, serif italic and bold,
# sans, sans bold, the table's and the charts' sans), with the report's stylesheet.
WARM_UP_HTML = """<!doctype html><html lang="en"><body class="report report-pdf"><main>
<h2>Warming up</h2><p>Text <strong>bold</strong> <em>italic</em>.</p>
<p class="quote stance-progress">“A quoted passage”&#8239;[1] <span class="quote-meta">Progress</span></p>
<table><tr><th>Level</th><td class="level-cell level-full">Full (3)</td></tr></table>
<div class="footnotes"><p>1. [Source], 1 January 2024.</p></div>
<svg width="40" height="12" font-family="DejaVu Sans, sans-serif" font-size="9"><text y="9">1 Jan</text></svg>
</main></body></html>"""


def warm_up_pdf():
    """Load what every PDF needs before the first one is asked for: WeasyPrint and Pango (about
    0.8 s to import), this thread's font configuration, the parsed stylesheet, and the report's
    faces (by laying out a few lines in each). The report worker calls it when it starts, so that
    its first PDF does not pay for them (about 1 s less, measured on the Pakistan–Iran report).

    Returns the seconds it took, or None when WeasyPrint cannot be loaded (Pango missing): that is
    logged as a warning and left for the PDF jobs to report, as they would without a warm-up.
    """
    started = time.perf_counter()
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        logger.warning("WeasyPrint cannot be loaded, so PDF reports will fail: %s", exc)
        return None
    document = HTML(string=WARM_UP_HTML, base_url=PDF_BASE_URL, url_fetcher=static_files_fetcher())
    document.write_pdf(stylesheets=[pdf_stylesheet()], pdf_variant=PDF_VARIANT, font_config=font_config())
    for name in REPORT_TEMPLATES:  # compiled once by the cached template loader (about 60 ms)
        get_template(name)
    return time.perf_counter() - started


_fonts = threading.local()


def font_config():
    """This thread's WeasyPrint FontConfiguration, made once and kept for every PDF it renders.

    WeasyPrint makes a new one for each document unless given one, and with it Pango loads the
    report's six DejaVu faces again (about 80 ms of every PDF, measured on the Pakistan–Iran report).
    One per thread, because Pango's font map must not be shared between threads. The report
    declares no @font-face, so nothing in it depends on the document.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def pdf_stylesheet():
    """The report's stylesheet as WeasyPrint's CSS object, parsed once for each version of the file
    (parsing it took 55 ms of every PDF)."""
    return _parse_stylesheet(_read_static(STYLESHEET))


@functools.lru_cache(maxsize=2)
def _parse_stylesheet(content):
    from weasyprint import CSS

    base_url = urljoin(PDF_BASE_URL, settings.STATIC_URL)
    return CSS(string=content.decode("utf-8"), base_url=base_url, url_fetcher=static_files_fetcher())


def _static_path(url, base_url):
    """The static file name a URL refers to, or None for anything that is not one of our static files."""
    static_url = urljoin(base_url, settings.STATIC_URL)
    if not url.startswith(static_url):
        return None
    name = unquote(urlsplit(url[len(static_url) :]).path)
    normalised = posixpath.normpath(name) if name else ""
    if not normalised or normalised.startswith(("..", "/")) or normalised != name:
        return None
    return normalised


def _read_static(name):
    found = finders.find(name)
    if found:
        with open(found, "rb") as file:
            return file.read()
    # Deployed: hashed names from ManifestStaticFilesStorage live only in STATIC_ROOT.
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as file:
            return file.read()
    return None


@functools.cache
def _unused_ssl_context():
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves the report's own static files and refuses every other URL."""

        def __init__(self, base_url, **kwargs):
            # URLFetcher builds an HTTPS handler, whose default SSL context loads the system's
            # certificates (about 50 ms a PDF); this fetcher never opens a connection, so it gets an
            # empty context made once.
            kwargs.setdefault("ssl_context", _unused_ssl_context())
            super().__init__(**kwargs)
            self.base_url = base_url

        def fetch(self, url, headers=None):
            name = _static_path(url, self.base_url)
            body = _read_static(name) if name else None
            if body is None:
                raise ValueError(f"a report may only use our static files, not {url}")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    return StaticFilesFetcher


def static_files_fetcher(base_url=PDF_BASE_URL):
    """A WeasyPrint URL fetcher for our static files only, so that making a PDF never reaches the network."""
    return _fetcher_class()(base_url)


# Views -----------------------------------------------------------------------------------------


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


def parse_request(data, *, today=None, case=None):
    """Read `as_of`, `since`, `known_on` (through the pages' PeriodForm, with `case`'s default as-of
    date) and `paper` from query parameters or options."""
    form = PeriodForm(data, today=today, case=case, default_since_days=DEFAULT_PERIOD_DAYS)
    form.is_valid()
    errors = form.error_messages()
    period = form.period()
    given_paper = data.get("paper") or ""
    paper = given_paper.strip().lower() or DEFAULT_PAPER
    if paper not in PAPER_SIZES:
        errors.append(f"“Paper” must be a4 or letter, not “{given_paper}”.")
        paper = DEFAULT_PAPER
    if case is not None and not errors and period.as_of < case.start_date:
        # A report covers the case up to its date: before the case began there is nothing to report,
        # and its title block would read backwards ("from its start on 16 Jan 2024 to 1 Jan 2023").
        errors.append(
            f"The report's date ({date_format(period.as_of)}) is before the case began "
            f"({date_format(case.start_date)}): choose a date from then on."
        )
    return ReportRequest(
        as_of=period.as_of,
        since=period.since,
        paper=paper,
        form=form,
        errors=errors,
        known_on=period.known_on,
        as_of_rule=period.as_of_rule,
    )


def _report_or_errors(request, slug):
    case = get_object_or_404(Case, slug=slug)
    params = parse_request(request.GET, case=case)
    if params.errors:
        context = {"case": case, "form": params.form, "errors": params.errors, "paper": params.paper}
        return None, render(request, "measures/report_invalid.html", context, status=400)
    built = build_report(
        case,
        as_of=params.as_of,
        since=params.since,
        known_on=params.known_on,
        user=request.user,
        paper=params.paper,
        as_of_rule=params.as_of_rule,
    )
    return built, None


@reader_required
@cached_page
def report(request, slug):
    built, error_response = _report_or_errors(request, slug)
    if error_response is not None:
        return error_response
    return HttpResponse(render_report_html(built, request=request))
