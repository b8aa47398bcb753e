"""A measure's page: its levels per party over time, history and evidence."""

from collections import defaultdict

from django.http import Http404

from measures.models import Assessment, Citation
from measures.state import assessment_history, case_state, commitment_calendar, evidence_dating, history_entries
from reading import charts
from reading.access import case_reader
from reading.caching import cached_page
from reading.tables import assess_url
from reading.views.base import STANCE_ORDER, CitedPassage, _page, _period, _review_context, can_assess


@case_reader
@cached_page
def measure_detail(request, slug, number):
    case = request.viewer.case  # loaded by case_reader
    preview = request.viewer.include_pending
    form, period = _period(request, case)
    measure = case.measures.filter(number=number).first()
    if measure is None:
        raise Http404(f"“{case}” has no measure {number}.")
    # This measure's state only: the same figures as its dashboard row, without the rest of the case.
    state = case_state(case, as_of=period.as_of, known_on=period.known_on, measure=measure, include_pending=preview)
    status = state.rows[0]
    measure = status.measure
    history = assessment_history(
        case, as_of=period.as_of, measure=measure, known_on=period.known_on, include_pending=preview
    )
    level_charts = charts.level_charts(
        history, [cell.party for cell in status.applicable_cells], start=case.start_date, end=period.as_of
    )

    entries = [
        (
            entry,
            Assessment.Level(entry.first.old_level).label,
            [CitedPassage(c, evidence_dating(c)) for c in entry.assessment.citations.all()],
        )
        for entry in reversed(history_entries(history))
    ]
    by_stance = defaultdict(list)
    events = {}
    for item in status.evidence:
        by_stance[item.stance].append((item, CitedPassage(item.citation, evidence_dating(item.citation))))
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
        # The passage that defines the measure (its benchmark), apart from its evidence.
        "requirement": _requirement(measure, period),
        "link_query": period.query(),
        "calendar": commitment_calendar(case, as_of=period.as_of, known_on=period.known_on, measure=measure),
        "assess_url": assess_url(measure) if can_assess(request.user) else None,
        "party_cells": [
            (cell, assess_url(measure, cell.party) if can_assess(request.user) else None) for cell in status.cells
        ],
        **_review_context(request, request.viewer, Assessment.objects.filter(measure=measure)),
    }
    return _page(request, "measures/measure_detail.html", context, form=form, nav="measure")


def _requirement(measure, period):
    """CitedPassage of the passage that defines `measure`, when it is on record by `known_on`, else None."""
    if measure.requirement_id is None:
        return None
    citation = Citation.objects.with_source().known_on(period.known_on).filter(pk=measure.requirement_id).first()
    return CitedPassage(citation, evidence_dating(citation)) if citation is not None else None
