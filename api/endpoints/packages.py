"""Data packages (Frictionless, zip): one case, or every case the caller may read."""

from django.http import HttpResponse
from ninja import Query, Router

from api.access import readable_cases, shows_authors
from api.conditional import cases_version, etag, not_modified, stamped
from api.endpoints.common import ERRORS, Conditional, Slug, period
from api.params import PackageParams
from measures.importing.datapackage import MEDIA_TYPE, build_package, default_as_of, kept_case_package, package_filename

router = Router(tags=["data packages"])

ZIP = {
    "responses": {
        200: {
            "description": "A zip: datapackage.json (the codebook as Table Schemas), README.md, data/*.csv.",
            "content": {MEDIA_TYPE: {"schema": {"type": "string", "contentMediaType": MEDIA_TYPE}}},
        }
    }
}


def _zip(data, filename, tag):
    response = HttpResponse(data, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return stamped(response, tag)


@router.get(
    "/cases/{slug}/package.zip",
    response={200: None, **ERRORS},
    summary="A case as a Frictionless Data Package",
    openapi_extra=ZIP,
)
def case_package(request, slug: Slug, params: Query[PackageParams]):
    """The case's tables in long form (measures, levels in force per measure and party, the assessment
    history, events, sources with their text, citations, evidence) as of `as_of` (the pages' default
    without it), as known on `known_on`, with the codebook."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    as_of, rule = period(found.case, params)
    data = kept_case_package(
        found.case, as_of=as_of, as_of_rule=rule, known_on=params.known_on, authors=shows_authors(request.user)
    )
    return _zip(data, package_filename(found.case.slug, as_of, params.known_on), found.tag)


@router.get(
    "/package.zip",
    response={200: None, **ERRORS},
    summary="Every case you may read as one Frictionless Data Package",
    openapi_extra=ZIP,
)
def all_cases_package(request, params: Query[PackageParams]):
    """Every case the caller may read, each as of `as_of` (without it, each as of its own default:
    today for an active case, its end date for a closed one), as known on `known_on`."""
    # With nothing to read the authentication has refused already, saying why (api.access.admit).
    cases = readable_cases(request.user)
    tag = etag(request, cases_version(cases))
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    chosen = [(case, *default_as_of(case, params.as_of)) for case in cases.order_by("slug")]
    data = build_package(
        chosen,
        known_on=params.known_on,
        name="all-cases",
        title="De-escalation Tracker: all cases",
        authors=shows_authors(request.user),
    )
    return _zip(data, package_filename("all-cases", params.as_of, params.known_on), tag)
