"""The case list and a case's dashboard."""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django_tables2 import RequestConfig

from measures.models import Assessment
from measures.roles import readable_cases
from measures.state import case_state, cases_overview, commitment_calendar, history_entries, lags_in, recorded_since
from reading import charts, exports
from reading.access import PUBLIC, audience_of, case_reader
from reading.caching import cached_page
from reading.caching.fragments import cached_fragment, cached_value, kept_fragment
from reading.filters import MeasureFilter
from reading.tables import MeasureRow, MeasureTable, RowUrls
from reading.views.base import (
    EXPORT_FORMATS,
    _export_query,
    _page,
    _paginate,
    _period,
    _review_context,
    can_assess,
    mark_refusals,
    pager_query,
    refused,
    table_sorting,
)

# Cases per page of the case list: an institution following many crises over the years pages through them.
CASES_PER_PAGE = 25
# The dashboard's third download: its commitment calendar as CSV (the XLSX carries it as a sheet).
COMMITMENTS_CSV = "commitments.csv"


# Every case's data and the cases token (`across_cases`): a case published or unpublished by a plain
# save() moves no data version but changes which cases the public's list names.
@functools.partial(cached_page, across_cases=True)
def case_list(request):
    """Every case for the team and readers; the published cases for anyone else (a visitor who is not
    logged in goes to the login page when there is none). Private cases are never named to them.
    CASES_PER_PAGE at a time, each page's cards kept per data version and audience."""
    form, period = _period(request)
    public = audience_of(request) == PUBLIC
    cases = list(readable_cases(request.user))
    if public and not cases and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if len(cases) == 1 and not form.errors:
        url = cases[0].get_absolute_url()
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    messages = []
    page = _paginate(request, cases, CASES_PER_PAGE, messages)
    shown = page.object_list
    # Without a date, each case is shown as of its own default (today, or its end date once closed).
    as_of = period.as_of if period.as_of_given else None

    def cards_html():
        # Each case's figures for the cases of this page only, in a few queries for all of them.
        prefetch_related_objects(shown, "assessed_parties")
        overview = cases_overview(shown, as_of=as_of, known_on=period.known_on)
        context = {"overview": overview, "period": period}
        return render_to_string("measures/partials/case_cards.html", context).removesuffix("\n")

    # The cases shown are in the key: which cases the public may read can change without a data version.
    parts = [as_of, period.known_on, *(case.pk for case in shown)]
    context = {
        "period": period,
        "period_form": form,
        "page": page,
        "pager_query": pager_query(request, form),
        "cards_html": cached_fragment(request, "case-cards", parts, cards_html) if shown else "",
        "public": public,
        # An account without a role (public, logged in) that reads no case is told so, not "No case yet".
        "no_role": public and request.user.is_authenticated,
    }
    return _page(request, "measures/case_list.html", context, form=form, messages=messages)


@case_reader
@cached_page
def dashboard(request, slug):
    case = request.viewer.case  # loaded by case_reader
    viewer = request.viewer
    form, period = _period(request, case)
    export_format = request.GET.get("_export")
    if export_format == COMMITMENTS_CSV:
        # The calendar's commitments (the whole case's: the measures' filters do not apply), as of the period.
        if form.errors:
            return refused(form, "export")
        filename = f"{case.slug}-commitments-{period.as_of.isoformat()}.csv"

        def commitments_csv():
            calendar = commitment_calendar(case, as_of=period.as_of, since=period.since, known_on=period.known_on)
            return exports.commitments_csv(calendar)

        # A download of the whole list: built once per data version and audience (and period), so that
        # downloading it again costs the access check and one cache read, however many commitments.
        parts = [period.as_of, period.since, period.known_on]
        text = cached_value(request, "commitments-csv", parts, commitments_csv)
        return exports.csv_text_response(text, filename=filename)
    # Exports count approved judgements only, whatever the page previews.
    preview = viewer.include_pending and export_format is None
    link_query = period.query()
    # Drawn from the case's data and the period alone: the same for every sorting, filter and reader of
    # one audience (cached_page keys fragments by audience), pending judgements in or out (the preview).
    period_parts = [period.as_of, period.since, period.known_on, link_query, settings.STALE_AFTER_DAYS, preview]
    # The period's changes are read as assessments (with their citations, authors and reviews) only to
    # draw "What changed": once per data version. That rendering keeps its state for the next ones
    # (`_levels_only`); without it (evicted), the state is read from values and kept.
    kept_changes = kept_fragment(request, "dashboard-changes", period_parts) if export_format is None else None

    def read_state(changes):
        # The figures of each measure, computed in SQL: the dashboard lists no evidence.
        return case_state(
            case,
            as_of=period.as_of,
            since=period.since,
            known_on=period.known_on,
            details=False,
            include_pending=preview,
            changes=changes,
        )

    if kept_changes is None and export_format not in EXPORT_FORMATS:
        state = read_state(changes=True)
    else:
        # Levels, flags and directions, kept per data version: every sorting and filter of the period
        # (and every reader of the audience) shares them, and so do the downloads of its rows (which
        # list no change, and count approved judgements only: `preview` is in `period_parts`).
        state = cached_value(request, "dashboard-state", period_parts, lambda: read_state(changes=False))
        state.case = case
    measure_filter = MeasureFilter(request.GET, parties=state.parties)
    urls = RowUrls(case.slug)
    rows = [MeasureRow(status, link_query=link_query, urls=urls) for status in measure_filter.filter(state.rows)]
    table = MeasureTable(
        rows,
        parties=state.parties,
        can_assess=can_assess(request.user),
        query=pager_query(request, form, measure_filter),
    )
    RequestConfig(request, paginate=False).configure(table)
    sorting, sort_messages = table_sorting(request, table)

    messages = [*measure_filter.error_messages(), *sort_messages]
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS and form.errors:
        return refused(form, "export")
    if export_format in EXPORT_FORMATS and not measure_filter.valid:
        return refused(measure_filter, "export")  # not a file of every row for a filter that was refused
    if export_format in EXPORT_FORMATS:
        # The rows shown, in the table's order, with the figures of case_state.
        statuses = [row.record.status for row in table.rows]
        filename = f"{case.slug}-measures-{period.as_of.isoformat()}.{export_format}"
        if export_format == "csv":
            return exports.csv_response(statuses, state.parties, filename=filename)
        calendar = commitment_calendar(case, as_of=period.as_of, since=period.since, known_on=period.known_on)
        return exports.xlsx_response(
            statuses, state.parties, filename=filename, case=case, period=period, calendar=calendar
        )
    if export_format is not None:
        messages.append(f"“{export_format}” is not an export format: choose CSV, XLSX or the commitments' CSV.")

    @functools.cache
    def calendar():
        return commitment_calendar(case, as_of=period.as_of, since=period.since, known_on=period.known_on)

    def calendar_html():
        context = {"calendar": calendar(), "case": case, "link_query": link_query}
        return render_to_string("measures/partials/commitment_calendar.html", context)

    def timeline_html():
        # The timeline needs a few columns of each event (and groups them when they crowd).
        events = list(
            case.events.up_to(period.as_of)
            .known_on(period.known_on)
            .only("pk", "case_id", "date", "date_precision", "end_date", "title", "direction")
        )
        timeline = charts.events_timeline(
            events, start=case.start_date, end=period.as_of, commitments=calendar().entries, case_start=case.start_date
        )
        if not timeline.markers:
            return ""
        context = {"timeline": timeline, "link_query": link_query}
        return render_to_string("measures/partials/events_timeline.html", context)

    def progress_html():
        chart = charts.case_progress_chart(state)
        if chart is None:
            return ""
        return render_to_string("measures/partials/progress_chart.html", {"chart": chart, "with_table": True})

    def changes_html():
        # Newest first; the parties' assessments recorded together (same rationale, citations, time)
        # are one entry naming all of them, as in a measure's history.
        changes = [
            (entry, Assessment.Level(entry.first.old_level).label) for entry in reversed(history_entries(state.changes))
        ]
        context = {"changes": changes, "case": case, "link_query": link_query, "viewer": viewer}
        return render_to_string("measures/partials/dashboard_changes.html", context)

    def lags_html():
        # Where one party's level ranks below another's, and since when (one query).
        context = {"lags": lags_in(state), "case": case, "period": period, "link_query": link_query}
        return render_to_string("measures/partials/dashboard_lags.html", context)

    def filters_html():
        context = {"period_form": form, "filter": measure_filter, "sorting": sorting, "case": case}
        return render_to_string("measures/partials/dashboard_filters.html", context)

    mark_refusals(request, form, messages)  # before the fragments keyed by the query
    context = {
        "case": case,
        # The form's fields as the query sets them (their choices are the case's parties).
        "filters_html": cached_fragment(request, "dashboard-filters", [request.GET.urlencode()], filters_html),
        "period": period,
        "period_form": form,
        "state": state,
        "progress": state.progress,
        "party_progress": state.party_progress,
        "level_counts": state.level_counts,
        "table": table,
        "filter": measure_filter,
        "shown": len(rows),
        "timeline_html": cached_fragment(request, "dashboard-timeline", period_parts, timeline_html),
        "calendar_html": cached_fragment(request, "dashboard-commitments", period_parts, calendar_html),
        "progress_chart_html": cached_fragment(request, "dashboard-progress", period_parts, progress_html),
        "link_query": link_query,
        # Drawn only when not kept (then the state was read with its changes).
        "changes_html": (
            kept_changes
            if kept_changes is not None
            else cached_fragment(request, "dashboard-changes", period_parts, changes_html)
        ),
        "no_evidence_count": len(state.no_evidence_rows),
        "lags_html": cached_fragment(request, "dashboard-lags", period_parts, lags_html),
        "stale_after_days": settings.STALE_AFTER_DAYS,
        "export_query": _export_query(request, form, measure_filter, sorting=sorting),
        # Every stretch of the period during which a measure's joint level was reversed, with its dates.
        "reversed_in_period": state.reversed_in_period,
        "recorded": (
            recorded_since(
                case,
                since=period.recorded_since,
                as_of=period.as_of,
                until=period.known_on,
                include_pending=preview,
            )
            if period.recorded_since is not None
            else None
        ),
        "before_start": period.as_of < case.start_date,
        **_review_context(request, viewer, Assessment.objects.filter(measure__case=case)),
    }
    response = _page(request, "measures/dashboard.html", context, form=form, nav="dashboard", messages=messages)
    if kept_changes is None and export_format is None:
        # "What changed" is drawn now: the next renderings of the period read the state kept here.
        cached_value(request, "dashboard-state", period_parts, lambda: _levels_only(state))
    return response


def _levels_only(state):
    """`state`, read with its changes, as the next renderings of its period use it (what
    `case_state(changes=False)` would give them): its assessments' citations let go (only "What
    changed" groups by them) and its changes refused. Changes `state` itself: for after the page is
    rendered."""
    for row in state.rows:
        for cell in row.cells:
            steps = cell.path.changes if cell.path is not None else ()
            for assessment in (cell.assessment, cell.previous, *(step.assessment for step in steps)):
                if assessment is not None:
                    vars(assessment).get("_prefetched_objects_cache", {}).pop("citations", None)
    state.with_changes = False
    return state
