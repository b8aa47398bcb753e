"""Reading pages: case list, dashboard, measure, events and sources.

Each view parses its parameters (the period through `PeriodForm`), calls `queries.*`, renders.
Every page runs a fixed number of queries whatever the size of the case.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch
from django.db.models.functions import Lower
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_tables2 import RequestConfig

from . import charts, exports, queries
from .caching import cached_page
from .filters import EventFilter, MeasureFilter
from .forms import PeriodForm
from .intake import CONTENT_TYPES
from .models import Assessment, Case, Citation, Evidence, Source
from .quoting import find_passages, mark_passages
from .roles import reader_required
from .tables import MeasureRow, MeasureTable, assess_url

EXPORT_FORMATS = ("csv", "xlsx")
EVENTS_PER_PAGE = 100
SOURCES_PER_PAGE = 100
STANCE_ORDER = (Evidence.Stance.PROGRESS, Evidence.Stance.SETBACK, Evidence.Stance.CONTEXT)


@dataclass(frozen=True)
class CitedPassage:
    citation: Citation
    date: object  # queries.evidence_dating(): EvidenceDate of the event, else of the source; or None

    @property
    def source(self):
        return self.citation.source

    @property
    def date_text(self):
        return str(self.date) if self.date else "undated"


def can_assess(user):
    """Whether the reading pages offer `user` links to record assessments: analysts and administrators."""
    return user.has_perm("measures.add_assessment")


def _period(request, case=None):
    form = PeriodForm(request.GET, case=case)
    return form, form.period()


def _page(request, template, context, *, form, nav=None, messages=()):
    """Render a reading page, with every problem in its parameters listed at the top."""
    context["notices"] = [*form.error_messages(), *messages]
    context["nav"] = nav
    return render(request, template, context)


@reader_required
@cached_page
def case_list(request):
    form, period = _period(request)
    cases = list(Case.objects.prefetch_related("assessed_parties"))
    if len(cases) == 1 and not form.errors:
        url = cases[0].get_absolute_url()
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    # Without a date, each case is shown as of its own default (today, or its end date once closed).
    as_of = period.as_of if period.as_of_given else None
    overview = queries.cases_overview(cases, as_of=as_of, known_on=period.known_on)
    return _page(
        request,
        "measures/case_list.html",
        {"period": period, "period_form": form, "overview": overview},
        form=form,
    )


@reader_required
@cached_page
def dashboard(request, slug):
    case = get_object_or_404(Case, slug=slug)
    form, period = _period(request, case)
    # The figures of each measure, computed in SQL: the dashboard lists no evidence.
    state = queries.case_state(case, as_of=period.as_of, since=period.since, known_on=period.known_on, details=False)
    measure_filter = MeasureFilter(request.GET, parties=state.parties)
    link_query = period.query()
    rows = [MeasureRow(status, link_query=link_query) for status in measure_filter.filter(state.rows)]
    table = MeasureTable(rows, parties=state.parties, can_assess=can_assess(request.user))
    RequestConfig(request, paginate=False).configure(table)

    messages = measure_filter.error_messages()
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        # The rows shown, in the table's order, with the figures of queries.case_state.
        statuses = [row.record.status for row in table.rows]
        filename = f"{case.slug}-measures-{period.as_of.isoformat()}.{export_format}"
        if export_format == "csv":
            return exports.csv_response(statuses, state.parties, filename=filename)
        return exports.xlsx_response(statuses, state.parties, filename=filename, case=case, period=period)
    if export_format is not None:
        messages.append(f"“{export_format}” is not an export format: choose CSV or XLSX.")

    # The timeline needs a few columns of each event (and groups them when they crowd).
    events = list(
        case.events.up_to(period.as_of)
        .known_on(period.known_on)
        .only("pk", "case_id", "date", "date_precision", "end_date", "title", "direction")
    )
    timeline = charts.events_timeline(events, start=case.start_date, end=period.as_of)
    progress_chart = charts.case_progress_chart(state)
    changes = state.changes
    context = {
        "case": case,
        "period": period,
        "period_form": form,
        "state": state,
        "progress": state.progress,
        "party_progress": state.party_progress,
        "level_counts": state.level_counts,
        "table": table,
        "filter": measure_filter,
        "shown": len(rows),
        "timeline": timeline,
        "progress_chart": progress_chart,
        "link_query": link_query,
        # Newest first; the parties' assessments recorded together (same rationale, citations, time)
        # are one entry naming all of them, as in a measure's history.
        "changes": [
            (entry, Assessment.Level(entry.first.old_level).label)
            for entry in reversed(queries.history_entries(changes))
        ],
        "no_evidence_count": len(state.no_evidence_rows),
        "stale_after_days": settings.STALE_AFTER_DAYS,
        "export_query": _export_query(request),
        "before_start": period.as_of < case.start_date,
    }
    return _page(request, "measures/dashboard.html", context, form=form, nav="dashboard", messages=messages)


def _export_query(request):
    """The current query string without `_export`, to which the export links add theirs."""
    params = request.GET.copy()
    params.pop("_export", None)
    return params.urlencode()


@reader_required
@cached_page
def measure_detail(request, slug, number):
    case = get_object_or_404(Case, slug=slug)
    form, period = _period(request, case)
    measure = case.measures.filter(number=number).first()
    if measure is None:
        raise Http404(f"“{case}” has no measure {number}.")
    # This measure's state only: the same figures as its dashboard row, without the rest of the case.
    state = queries.case_state(case, as_of=period.as_of, known_on=period.known_on, measure=measure)
    status = state.rows[0]
    measure = status.measure
    history = queries.assessment_history(case, as_of=period.as_of, measure=measure, known_on=period.known_on)
    level_charts = charts.level_charts(
        history, [cell.party for cell in status.applicable_cells], start=case.start_date, end=period.as_of
    )

    entries = [
        (
            entry,
            Assessment.Level(entry.first.old_level).label,
            [CitedPassage(c, queries.evidence_dating(c)) for c in entry.assessment.citations.all()],
        )
        for entry in reversed(queries.history_entries(history))
    ]
    by_stance = defaultdict(list)
    events = {}
    for item in status.evidence:
        by_stance[item.stance].append((item, CitedPassage(item.citation, queries.evidence_dating(item.citation))))
        if item.citation.event is not None:
            events[item.citation.event.pk] = item.citation.event
    evidence_groups = [(stance, by_stance[stance]) for stance in STANCE_ORDER]
    context = {
        "case": case,
        "measure": measure,
        "status": status,
        "period": period,
        "period_form": form,
        "parties": state.parties,
        "level_charts": level_charts,
        "entries": entries,
        "evidence_groups": evidence_groups,
        "evidence_count": len(status.evidence),
        "events": [(event, event.date_text) for event in sorted(events.values(), key=lambda e: (e.date, e.pk))],
        "link_query": period.query(),
        "assess_url": assess_url(measure) if can_assess(request.user) else None,
        "party_cells": [
            (cell, assess_url(measure, cell.party) if can_assess(request.user) else None) for cell in status.cells
        ],
    }
    return _page(request, "measures/measure_detail.html", context, form=form, nav="measure")


@reader_required
@cached_page
def event_list(request, slug):
    case = get_object_or_404(Case, slug=slug)
    form, period = _period(request, case)
    event_filter = EventFilter(request.GET)
    events = event_filter.filter(case.events.up_to(period.as_of).known_on(period.known_on))
    # The timeline shows every event (grouped when they crowd) from a few columns; the table a page.
    timeline_events = events.only("pk", "case_id", "date", "date_precision", "end_date", "title", "direction")
    messages = event_filter.error_messages()
    page = _paginate(request, events.with_actors(), EVENTS_PER_PAGE, messages)
    context = {
        "case": case,
        "period": period,
        "period_form": form,
        "filter": event_filter,
        "events": [(event, event.date_text) for event in page.object_list],
        "page": page,
        "timeline": charts.events_timeline(list(timeline_events), start=case.start_date, end=period.as_of),
        "link_query": period.query(),
    }
    return _page(request, "measures/event_list.html", context, form=form, nav="events", messages=messages)


@reader_required
@cached_page
def event_detail(request, slug, pk):
    case = get_object_or_404(Case, slug=slug)
    form, period = _period(request, case)
    event = get_object_or_404(case.events.known_on(period.known_on).with_actors(), pk=pk)
    citations = list(
        Citation.objects.filter(event=event)
        .known_on(period.known_on)
        .with_source()
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("measure")))
    )
    context = {
        "case": case,
        "event": event,
        "date_text": event.date_text,
        "period": period,
        "period_form": form,
        "after_as_of": event.date > period.as_of,
        "citations": citations,
        "link_query": period.query(),
    }
    return _page(request, "measures/event_detail.html", context, form=form, nav="events")


def _visible(citations, as_of):
    """The citations a reader could have seen on `as_of` (undated ones always), with their dates."""
    passages = [CitedPassage(c, queries.evidence_dating(c)) for c in citations]
    return [p for p in passages if p.date is None or p.date.date <= as_of]


@reader_required
@cached_page
def source_list(request, slug):
    case = get_object_or_404(Case, slug=slug)
    form, period = _period(request, case)
    # Counted in SQL, with the sources' own columns only: never a citation or a full text in memory.
    visible = Citation.objects.filter(case=case).known_on(period.known_on).visible_on(period.as_of)
    counts = dict(visible.order_by().values("source").annotate(n=Count("pk")).values_list("source", "n"))
    sources = Source.objects.filter(pk__in=counts).defer("full_text").order_by(Lower("title"), "pk")
    messages = []
    page = _paginate(request, sources, SOURCES_PER_PAGE, messages)
    context = {
        "case": case,
        "period": period,
        "period_form": form,
        "rows": [(source, counts[source.pk]) for source in page.object_list],
        "page": page,
        "source_total": len(counts),
        "citation_total": sum(counts.values()),
        "link_query": period.query(),
    }
    return _page(request, "measures/source_list.html", context, form=form, nav="sources", messages=messages)


def _paginate(request, items, per_page, messages):
    """The page of `items` that `?page=` asks for (the first one, with a message, for a bad number)."""
    paginator = Paginator(items, per_page)
    number = request.GET.get("page", "1")
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        messages.append(f"“{number}” is not a page number: showing the first page.")
    except EmptyPage:
        messages.append(f"There is no page {number} (the last is {paginator.num_pages}): showing the first page.")
    return paginator.page(1)


@reader_required
@cached_page
def source_detail(request, slug, pk):
    case = get_object_or_404(Case, slug=slug)
    form, period = _period(request, case)
    citations = list(
        Citation.objects.for_case(case)
        .known_on(period.known_on)
        .filter(source_id=pk)
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("measure")))
    )
    if not citations:
        # Sources are shared between cases; a source is shown under a case only if the case cites it.
        raise Http404(f"“{case}” cites no source {pk}.")
    source = citations[0].source
    passages = sorted(
        _visible(citations, period.as_of),
        key=lambda p: (p.citation.spans[0][0] if p.citation.spans else len(source.full_text), p.citation.pk),
    )
    can_cite = request.user.has_perm("measures.add_citation")
    context = {
        "case": case,
        "source": source,
        "can_cite": can_cite,
        "cite_url": f"{reverse('admin:measures_citation_add')}?case={case.pk}&source={source.pk}" if can_cite else "",
        "case_measures": list(case.measures.only("number", "title", "pk")) if can_cite else [],
        "stances": Evidence.Stance.choices,
        "period": period,
        "period_form": form,
        "passages": passages,
        "hidden_count": len(citations) - len(passages),
        "after_as_of": source.published_on is not None and source.published_on > period.as_of,
        "paragraphs": source_reader(source, passages),
        "link_query": period.query(),
    }
    return _page(request, "measures/source_detail.html", context, form=form, nav="sources")


def source_reader(source, passages):
    """The source's paragraphs with each visible cited passage marked by its number on the page.

    A citation saved before passages were located (no spans) is found again by the matching rule.
    """
    cited = []
    for number, passage in enumerate(passages, start=1):
        spans = passage.citation.spans
        if not spans and source.full_text:
            found = find_passages(source.full_text, passage.citation.quote)
            spans = [list(span) for span in found[0].spans] if found else []
        cited.append((number, passage.citation.anchor, spans))
    return mark_passages(source.full_text, cited)


@reader_required
def source_original(request, pk):
    """The document a source was taken from, as uploaded, for logged-in readers only.

    HTML and Word files are sent as downloads, never shown in the page's origin, and all but PDFs
    (which Chromium's viewer will not show sandboxed) carry a sandboxing Content-Security-Policy,
    so an uploaded page cannot run script here."""
    source = get_object_or_404(Source.objects.only("original_file", "original_name", "original_type"), pk=pk)
    if not source.original_file:
        raise Http404("This source has no original file.")
    try:
        handle = source.original_file.open("rb")
    except FileNotFoundError:
        raise Http404("The original file of this source is missing from the file store.") from None
    inline = source.original_type in (Source.OriginalType.PDF, Source.OriginalType.TEXT)
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=source.original_name or f"source-{source.pk}",
        content_type=CONTENT_TYPES[source.original_type],
    )
    if source.original_type != Source.OriginalType.PDF:
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=0"
    return response
