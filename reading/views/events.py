"""A case's events: the list with its timeline, and one event with the passages that cite it."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string

from measures.lib.ids import query_key
from measures.models import Citation, Evidence, Party
from measures.state import commitment_calendar
from reading import charts
from reading.access import case_reader
from reading.caching import cached_page
from reading.caching.fragments import cached_fragment
from reading.filters import EventFilter
from reading.views.base import EVENTS_PER_PAGE, _page, _paginate, _period, mark_refusals, pager_query


@case_reader
@cached_page
def event_list(request, slug):
    case = request.viewer.case  # loaded by case_reader
    form, period = _period(request, case)
    event_filter = EventFilter(request.GET)
    events = event_filter.filter(case.events.up_to(period.as_of).known_on(period.known_on))
    # The timeline shows every event (grouped when they crowd) from a few columns; the table a page.
    timeline_events = events.only("pk", "case_id", "date", "date_precision", "end_date", "title", "direction")
    messages = event_filter.error_messages()
    # The table's page: the columns its rows show, and the actors' names, read only when its rows are not
    # kept (`rows_html`); the pager needs the count alone.
    shown = events.only("pk", "date", "date_precision", "end_date", "title", "direction", "kind", "location")
    actors = Prefetch("actors", queryset=Party.objects.only("pk", "name"))
    page = _paginate(request, shown.prefetch_related(actors), EVENTS_PER_PAGE, messages)
    link_query = period.query()

    def timeline_html():
        timeline = charts.events_timeline(
            list(timeline_events),
            start=case.start_date,
            end=period.as_of,
            # Their due dates, statuses and sentences only (no parties, passages or authors): two queries.
            commitments=commitment_calendar(case, as_of=period.as_of, known_on=period.known_on, details=False).entries,
            case_start=case.start_date,
        )
        return render_to_string(
            "measures/partials/events_timeline.html", {"timeline": timeline, "link_query": link_query}
        )

    def rows_html():
        rows = [(event, event.date_text) for event in page.object_list]
        return render_to_string(
            "measures/partials/event_rows.html", {"events": rows, "case": case, "link_query": link_query}
        )

    # Drawn from the case's events and commitments, the period and the filter alone: every page of the
    # list, and every reader of one audience, share it (kept per data version by cached_fragment).
    mark_refusals(request, form, messages)  # before the fragments keyed by the filter
    list_parts = [period.as_of, period.known_on, link_query, query_key(request.GET, leave_out=("page",))]
    context = {
        "case": case,
        "period": period,
        "period_form": form,
        "filter": event_filter,
        # The rows of the page shown, from the same data, period, filter and page number alone: kept too.
        "rows_html": cached_fragment(request, "event-list-rows", [*list_parts, page.number], rows_html),
        "page": page,
        "pager_query": pager_query(request, form, event_filter),
        "timeline_html": cached_fragment(request, "event-list-timeline", list_parts, timeline_html),
        "link_query": link_query,
    }
    return _page(request, "measures/event_list.html", context, form=form, nav="events", messages=messages)


@case_reader
@cached_page
def event_detail(request, slug, pk):
    case = request.viewer.case  # loaded by case_reader
    form, period = _period(request, case)
    event = get_object_or_404(case.events.known_on(period.known_on).with_actors(), pk=pk)
    citations = list(
        Citation.objects.filter(event=event)
        .known_on(period.known_on)
        .with_source()
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("measure")), "requirement_of")
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
