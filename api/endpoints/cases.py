"""Cases, their parties, and their measures with the state the dashboard shows (`state.case_state`)."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router

from api.access import may_read_every_case, readable_cases
from api.conditional import case_version, cases_version, etag, kept, not_modified, stamped
from api.endpoints.common import ERRORS, Conditional, NumberInPath, Slug, page_link, period
from api.pagination import page_by_id
from api.params import PageParams, StateParams
from api.problems import Problem
from api.schemas import CaseOut, CasePage, IndexOut, MeasureOut, PartyPage, StateOut
from measures.models import Assessment, Party
from measures.querysets import last_changed
from measures.state import case_parties, case_state

router = Router(tags=["cases"])


@router.get("/", response={200: IndexOut, **ERRORS}, summary="Where everything is")
def index(request):
    """The addresses of the API's lists, its schema and its documentation."""
    link = request.build_absolute_uri
    return {
        "cases": link(reverse("api:case_list")),
        "package": link(reverse("api:all_cases_package")),
        "openapi": link(reverse("api:openapi-json")),
        "documentation": link(reverse("api:docs")),
        "tokens": link(reverse("api:tokens")),
    }


def case_out(request, case):
    return {
        "slug": case.slug,
        "name": case.name,
        "summary": case.summary,
        "start_date": case.start_date,
        "status": case.status,
        "end_date": case.end_date,
        "working_language": case.working_language,
        "default_as_of": case.default_as_of(timezone.localdate()),
        "assessed_parties": sorted(party.code for party in case.assessed_parties.all()),
        "updated_at": case.data_changed_at,
        "page": request.build_absolute_uri(case.get_absolute_url()),
    }


@router.get("/cases/", response={200: CasePage, **ERRORS}, summary="The cases you may read")
def case_list(request, params: Query[PageParams], response: HttpResponse):
    """Every case the caller may read, by id. `updated_since`: only cases whose data changed since."""
    # With nothing to read the authentication has refused already, saying why (api.access.admit).
    cases = readable_cases(request.user)
    tag = etag(request, cases_version(cases))
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    if params.updated_since is not None:
        cases = cases.filter(data_changed_at__gte=params.updated_since)
    items, following = page_by_id(cases.prefetch_related("assessed_parties"), request, params, "cases")
    stamped(response, tag)
    return {"results": [case_out(request, case) for case in items], "next": following}


@router.get("/cases/{slug}/", response={200: CaseOut, **ERRORS}, summary="One case")
def case_detail(request, slug: Slug, response: HttpResponse):
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    found.stamp(response)
    return case_out(request, found.case)


@router.get("/cases/{slug}/parties/", response={200: PartyPage, **ERRORS}, summary="The parties a case names")
def party_list(request, slug: Slug, params: Query[PageParams], response: HttpResponse):
    """Its assessed parties and the actors of its events, by id."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    parties = case_parties(found.case).annotate(updated_at=last_changed(Party))
    if params.updated_since is not None:
        parties = parties.filter(updated_at__gte=params.updated_since)
    items, following = page_by_id(parties, request, params, "parties")
    assessed = set(found.case.assessed_parties.values_list("pk", flat=True))
    found.stamp(response)
    results = [
        {"code": p.code, "name": p.name, "kind": p.kind, "assessed": p.pk in assessed, "updated_at": p.updated_at}
        for p in items
    ]
    return {"results": results, "next": following}


def _progress(progress):
    return {
        "percent": progress.percent,
        "scored": progress.scored,
        "not_assessed": progress.not_assessed,
        "not_applicable": progress.not_applicable,
        "reversed": progress.reversed,
        "total": progress.total,
        "coverage": progress.coverage,
    }


def _party_level(cell, with_period):
    assessment = cell.assessment
    return {
        "party": cell.party.code,
        "applies": cell.applies,
        "level": cell.level,
        "score": Assessment.SCORES.get(cell.level),
        "confidence": assessment.confidence if assessment else None,
        "effective_date": assessment.effective_date if assessment else None,
        "assessment": assessment.pk if assessment else None,
        "is_correction": bool(assessment and assessment.corrects_id),
        "rationale": assessment.rationale if assessment else None,
        "contested": cell.contested,
        "previous_level": cell.previous_level if with_period else None,
        "direction": cell.direction if with_period else None,
    }


def _measure(request, status, state):
    measure, latest, with_period = status.measure, status.latest_evidence, state.since is not None
    return {
        "number": measure.number,
        "slug": measure.slug,
        "title": measure.title,
        "description": measure.description,
        "applicable_parties": [cell.party.code for cell in status.applicable_cells],
        "joint_level": status.joint_level,
        "joint_score": Assessment.SCORES.get(status.joint_level),
        "confidence": status.confidence,
        "previous_joint_level": status.previous_joint_level if with_period else None,
        "direction": status.direction if with_period else None,
        "latest_evidence": (
            {"date": latest.date, "precision": latest.precision, "end_date": latest.end, "text": str(latest)}
            if latest
            else None
        ),
        "citation_count": status.citation_count,
        "stale": status.stale,
        "no_evidence": status.no_evidence,
        "contested": status.contested,
        "parties": [_party_level(cell, with_period) for cell in status.cells],
        "page": page_link(request, measure.get_absolute_url(), as_of=state.as_of, known_on=state.known_on),
    }


def _state(request, found, params, measure=None):
    case = found.case
    as_of, rule = period(case, params, since=params.since)
    # The dashboard's own call: the figures of each measure computed in SQL, no evidence listed.
    # No change is listed (levels, flags and directions only): the paths over a period are read from
    # values, and no assessment's citations are loaded.
    state = case_state(
        case,
        as_of=as_of,
        since=params.since,
        known_on=params.known_on,
        measure=measure,
        details=False,
        changes=False,
    )
    return state, rule


@router.get(
    "/cases/{slug}/measures/",
    response={200: StateOut, **ERRORS},
    summary="A case's measures with their levels, as the dashboard shows them",
)
def measure_list(request, slug: Slug, params: Query[StateParams], response: HttpResponse):
    """Every measure of the case as of `as_of` (as known on `known_on`): each party's level in force,
    the joint level, confidence, latest evidence and flags, and the case's progress: the figures of the
    dashboard for the same dates (one computation, `state.case_state`). With `since`, also the levels
    at the start of the period and the direction of travel."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged

    def compute():
        state, rule = _state(request, found, params)
        return {
            "case": found.case.slug,
            "as_of": state.as_of,
            "as_of_rule": rule,
            "since": state.since,
            "known_on": state.known_on,
            "progress": _progress(state.progress),
            "party_progress": [{"party": party.code, **_progress(p)} for party, p in state.party_progress],
            "results": [_measure(request, row, state) for row in state.rows],
        }

    # The same for every caller who may read the case alike (approved judgements only, no one named):
    # computed once per data version (readers poll it), after the access check above.
    audience = "every case" if may_read_every_case(request.user) else "published cases"
    answer = kept(request, case_version(found.case), compute, audience=audience)
    found.stamp(response)
    return answer


@router.get(
    "/cases/{slug}/measures/{number}/", response={200: MeasureOut, **ERRORS}, summary="One measure with its levels"
)
def measure_detail(request, slug: Slug, number: NumberInPath, params: Query[StateParams], response: HttpResponse):
    """One measure as of `as_of`: the same figures as its row of the measure list."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    measure = found.case.measures.filter(number=number).first()
    if measure is None:
        raise Problem("not-found", f"The case has no measure {number}.")
    state, _ = _state(request, found, params, measure=measure)
    found.stamp(response)
    return _measure(request, state.rows[0], state)
