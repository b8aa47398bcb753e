"""A case's assessments as a long history: one row per measure × party × effective date, as the
measure pages number them (`state.history_outline`, the values of `state.assessment_history`:
corrections and what they withdraw)."""

from django.http import HttpResponse
from ninja import Query, Router

from api.access import shows_authors
from api.endpoints.common import ERRORS, Conditional, Slug
from api.pagination import page_of_list
from api.params import AssessmentParams
from api.schemas import AssessmentPage
from measures.state import history_outline, history_row, with_assessments

router = Router(tags=["assessments"])


def _updated_at(change):
    """An assessment never changes; its row does when a correction withdraws it."""
    superseded = change.superseded_by
    recorded = change.assessment.recorded_at
    return max(recorded, superseded.recorded_at) if superseded is not None else recorded


def _position(change):
    """Its place in the history's order: effective date, then recording, then id."""
    assessment = change.assessment
    return (
        assessment.effective_date.isoformat(),
        assessment.recorded_at.isoformat(timespec="microseconds"),
        assessment.pk,
    )


@router.get(
    "/cases/{slug}/assessments/", response={200: AssessmentPage, **ERRORS}, summary="A case's assessment history"
)
def assessment_list(request, slug: Slug, params: Query[AssessmentParams], response: HttpResponse):
    """Every assessment effective by `as_of` and on record by `known_on` (default: all), oldest first
    (by effective date, then recording): level, score, confidence, rationale, when and by whom it was
    recorded, the level it replaced, the assessment it corrects and the correction that withdraws it.
    `measure` and `party` narrow it; `updated_since` keeps the rows recorded or withdrawn since."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    # The whole history as values (what each entry replaced needs every earlier one), then the page's
    # assessments and their citations' ids only: at 100× the demo data, loading every assessment as a
    # model object took most of the list's time.
    changes = history_outline(found.case, as_of=params.as_of, known_on=params.known_on)
    if params.measure is not None:
        changes = [change for change in changes if change.assessment.measure_number == params.measure]
    if params.party is not None:
        changes = [change for change in changes if change.assessment.party_code == params.party]
    if params.updated_since is not None:
        changes = [change for change in changes if _updated_at(change) >= params.updated_since]
    items, following = page_of_list(changes, request, params, "assessments", _position, (str, str, int))
    items, citations = with_assessments(items)
    authors = shows_authors(request.user)
    found.stamp(response)
    results = [
        {**history_row(change, authors=authors, citations=citations), "updated_at": _updated_at(change)}
        for change in items
    ]
    return {"results": results, "next": following}
