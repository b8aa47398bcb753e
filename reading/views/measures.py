"""A measure's page: its levels per party over time, history and evidence.

What it shows of a large case is bounded (README, "The measure page"): the state in force and its
figures (counted in SQL), then the newest HISTORY_PER_PAGE entries of the assessment history, the
newest EVIDENCE_PER_PAGE pieces of evidence of each stance and RELATED_EVENTS_PER_PAGE related events,
each list with its own pager (`?history=`, `?progress=`, `?setback=`, `?context=`, `?events=`) and
its total in its heading: every entry stays one click away, and the exports are unchanged."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.template.loader import render_to_string

from measures.models import Assessment, Citation, Event, Evidence
from measures.querysets import EVIDENCE_NEWEST_FIRST
from measures.state import assessment_history, case_state, commitment_calendar, evidence_dating, history_entries
from reading import charts
from reading.access import case_reader
from reading.caching import cached_page
from reading.caching.fragments import cached_fragment, cached_value
from reading.tables import assess_url
from reading.views.base import (
    STANCE_ORDER,
    CitedPassage,
    _page,
    _paginate,
    _period,
    _review_context,
    can_assess,
    pager_links,
    pager_query,
)
from reading.views.quotes import QuoteLinks, quote_html

# Entries of the assessment history on one page, newest first (an entry: the parties' assessments
# recorded together, each with the passages it rests on): the judgements an analyst reads before
# recording the next one; the level charts above show the whole path.
HISTORY_PER_PAGE = 10
# Pieces of evidence of each stance on one page, newest first: as many as a type's page shows of each
# measure (reading.views.matrix.PASSAGES_PER_MEASURE), per stance, so setbacks are never hidden
# behind a long run of progress.
EVIDENCE_PER_PAGE = 5
# Related events on one page, in date order.
RELATED_EVENTS_PER_PAGE = 10


@case_reader
@cached_page
def measure_detail(request, slug, number):
    case = request.viewer.case  # loaded by case_reader
    preview = request.viewer.include_pending
    form, period = _period(request, case)
    measure = case.measures.filter(number=number).first()
    if measure is None:
        raise Http404(f"“{case}” has no measure {number}.")
    # What the measure's page reads of the case's data alone, kept per data version (and audience:
    # `preview` too) as the dashboard's state is: another rendering of the period (a page of its lists,
    # another reader) reads neither again.
    parts = [measure.pk, period.as_of, period.known_on, preview]
    reading = {"as_of": period.as_of, "known_on": period.known_on, "include_pending": preview}

    def read_state():
        # This measure's state only, its evidence figures counted in SQL (details=False): the same
        # figures as its dashboard row, without the rest of the case or its evidence rows.
        state = case_state(case, measure=measure, details=False, **reading)
        return state.rows[0], state.parties

    def read_history():
        # The whole history for the charts and the numbering, its citations as ids (which passages, for
        # the entries recorded together); the shown page's passages are loaded below.
        return assessment_history(case, measure=measure, citations="ids", **reading)

    status, parties = cached_value(request, "measure-state", parts, read_state)
    history = cached_value(request, "measure-history", parts, read_history)
    measure = status.measure
    level_charts = charts.level_charts(
        history, [cell.party for cell in status.applicable_cells], start=case.start_date, end=period.as_of
    )
    messages = []
    newest_first = list(reversed(history_entries(history)))
    entries = _paginate(request, newest_first, HISTORY_PER_PAGE, messages, param="history", what="assessment history")
    evidence = Evidence.objects.filter(measure=measure).counting_by(period.as_of, period.known_on)
    evidence_groups, events = _evidence_and_events(request, evidence, messages)
    pager_links(
        pager_query(request, form),
        {"history": entries, **{stance.value: page for stance, page in evidence_groups}, "events": events},
    )
    to_entry = _entry_links(newest_first, entries)
    # Each quoted passage made in Python (reading.views.quotes), not by a template per passage.
    link_query = period.query()
    links = QuoteLinks(case.slug)

    def quoted(passage):
        return quote_html(passage, links=links, link_query=link_query)

    cited = _cited_passages([entry.assessment for entry in entries.object_list])
    for _, page in evidence_groups:
        page.object_list = [(item, quoted(passage)) for item, passage in page.object_list]
    requirement = _requirement(measure, period)
    entries.object_list = [
        (
            entry,
            Assessment.Level(entry.first.old_level).label,
            [quoted(passage) for passage in cited[entry.assessment.pk]],
            {
                "superseded_by": to_entry(entry.first.superseded_by),
                "corrects": to_entry(entry.assessment.corrects_id),
            },
        )
        for entry in entries.object_list
    ]
    context = {
        "case": case,
        "measure": measure,
        "status": status,
        "period": period,
        "period_form": form,
        "parties": parties,
        "level_charts": level_charts,
        # Their drawing (a step per assessment) is the same for every page of the lists below and every
        # reader of one audience: kept per data version, as the dashboard's charts are.
        "level_charts_html": cached_fragment(
            request,
            "measure-level-charts",
            [measure.pk, period.as_of, period.known_on, preview],
            lambda: render_to_string("measures/partials/level_charts.html", {"level_charts": level_charts}),
        ),
        "entries": entries,
        "evidence_groups": evidence_groups,
        "evidence_count": status.citation_count,
        "events": events,
        # The passage that defines the measure (its benchmark), apart from its evidence.
        "requirement": quoted(requirement) if requirement is not None else None,
        "link_query": link_query,
        # The measure's commitments, drawn from the case's data alone: kept per data version, as the
        # dashboard's calendar is, and read only when not kept.
        "calendar_html": cached_fragment(
            request,
            "measure-commitments",
            [measure.pk, period.as_of, period.known_on, link_query, preview],
            lambda: _calendar_html(case, measure, period, link_query),
        ),
        "assess_url": assess_url(measure) if can_assess(request.user) else None,
        "party_cells": [
            (cell, assess_url(measure, cell.party) if can_assess(request.user) else None) for cell in status.cells
        ],
        **_review_context(request, request.viewer, Assessment.objects.filter(measure=measure)),
    }
    return _page(request, "measures/measure_detail.html", context, form=form, nav="measure", messages=messages)


def _calendar_html(case, measure, period, link_query):
    """The section's body: the calendar of the measure's commitments, or the sentence saying it has none."""
    calendar = commitment_calendar(case, as_of=period.as_of, known_on=period.known_on, measure=measure)
    if not calendar.entries:
        return "<p>No commitment on this measure is on record.</p>"
    context = {"calendar": calendar, "case": case, "link_query": link_query}
    return render_to_string("measures/partials/commitment_calendar.html", context)


def _cited_passages(assessments):
    """{assessment id: [CitedPassage]} of `assessments` (the history's page shown), their passages with
    their sources (not the full texts), in the passages' order: one query."""
    full = Citation.objects.with_source().defer("source__full_text")
    prefetch_related_objects(assessments, Prefetch("citations", queryset=full, to_attr="shown_citations"))
    return {a.pk: [CitedPassage(c, evidence_dating(c)) for c in a.shown_citations] for a in assessments}


def _entry_links(newest_first, page):
    """A function giving the link to the history entry of an assessment (an object with `pk`, or its
    id; None gives None): `#assessment-<id>` on the page of history shown, else the history's page that
    holds it (`?history=N`, with the page's other parameters), so that "superseded by" and "corrects"
    reach an entry on another page too."""
    page_of = {
        change.assessment.pk: index // HISTORY_PER_PAGE + 1
        for index, entry in enumerate(newest_first)
        for change in entry.changes
        if change.assessment is not None
    }

    def link(assessment):
        if assessment is None:
            return None
        pk = getattr(assessment, "pk", assessment)
        number = page_of.get(pk, page.number)
        if number == page.number:
            return f"#assessment-{pk}"
        query = f"{page.pager_query}&" if page.pager_query else ""
        return f"?{query}history={number}#assessment-{pk}"

    return link


def _evidence_and_events(request, evidence, messages):
    """([(stance, Page of (Evidence, CitedPassage))] in STANCE_ORDER, Page of (Event, its date text)).

    Each stance's page is the one `?<stance>=` asks for, newest first (by the date it speaks of,
    undated last: the order `case_state` gives `MeasureStatus.evidence`); the related events (those
    the counting evidence reports) come in date order, the page `?events=` asks for. Each Page's
    `paginator.count` is its list's total. The measure's counting evidence is read once as values (its
    id, stance, date and event: a few numbers a piece), and only the pages shown are loaded as
    objects: three queries at most, whatever the evidence."""
    rows = list(
        evidence.order_by(*EVIDENCE_NEWEST_FIRST).values_list(
            "pk", "stance", "citation__event_id", "citation__event__date"
        )
    )
    groups = []
    for stance in STANCE_ORDER:
        ids = [pk for pk, of, _, _ in rows if of == stance]
        groups.append(
            (
                stance,
                _paginate(
                    request, ids, EVIDENCE_PER_PAGE, messages, param=stance.value, what=f"evidence “{stance.label}”"
                ),
            )
        )
    events = sorted({(day, pk) for _, _, pk, day in rows if pk is not None})
    events = _paginate(
        request, [pk for _, pk in events], RELATED_EVENTS_PER_PAGE, messages, param="events", what="related events"
    )
    shown = [pk for _, page in groups for pk in page.object_list]
    loaded = Evidence.objects.filter(pk__in=shown).with_passage().in_bulk() if shown else {}
    for _, page in groups:
        page.object_list = [
            (item, CitedPassage(item.citation, evidence_dating(item.citation)))
            for item in (loaded[pk] for pk in page.object_list)
        ]
    loaded_events = Event.objects.in_bulk(events.object_list) if events.object_list else {}
    events.object_list = [(event, event.date_text) for event in (loaded_events[pk] for pk in events.object_list)]
    return groups, events


def _requirement(measure, period):
    """CitedPassage of the passage that defines `measure`, when it is on record by `known_on`, else None."""
    if measure.requirement_id is None:
        return None
    citation = Citation.objects.with_source().known_on(period.known_on).filter(pk=measure.requirement_id).first()
    return CitedPassage(citation, evidence_dating(citation)) if citation is not None else None
