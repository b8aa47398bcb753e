"""A case's assessments as a long history: one row per measure × party × effective date, as the
measure pages number them (`state.assessment_history`: corrections and what they withdraw)."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from ninja import Query, Router

from api.access import shows_authors
from api.endpoints.common import ERRORS, Conditional, Slug
from api.pagination import page_of_list
from api.params import AssessmentParams
from api.schemas import AssessmentPage
from measures.models import Citation
from measures.state import assessment_history, history_row

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
    changes = assessment_history(found.case, as_of=params.as_of, known_on=params.known_on, citations=False)
    if params.measure is not None:
        changes = [change for change in changes if change.measure.number == params.measure]
    if params.party is not None:
        changes = [change for change in changes if change.party.code == params.party]
    if params.updated_since is not None:
        changes = [change for change in changes if _updated_at(change) >= params.updated_since]
    items, following = page_of_list(changes, request, params, "assessments", _position, (str, str, int))
    # The page's citations only, their ids only: one query, whatever the size of the case's history.
    prefetch_related_objects(
        [change.assessment for change in items], Prefetch("citations", queryset=Citation.objects.only("pk"))
    )
    authors = shows_authors(request.user)
    found.stamp(response)
    results = [{**history_row(change, authors=authors), "updated_at": _updated_at(change)} for change in items]
    return {"results": results, "next": following}
