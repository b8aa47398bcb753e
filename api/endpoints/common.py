"""What every endpoint shares: the case a request reads, its dates, its ETag, links to the pages."""

from typing import Annotated
from urllib.parse import urlencode

from django.utils.formats import date_format
from ninja import Path

from api.access import readable_case
from api.conditional import case_version, etag, not_modified, stamped
from api.params import MeasureNumber, RecordId
from api.problems import Problem
from api.schemas import ProblemOut
from measures.importing.datapackage import default_as_of

# A case's slug in an address (in the path: the case's short name, as in its pages' addresses).
Slug = Annotated[str, Path(description="The case's slug, as in its pages' addresses, e.g. pakistan-iran-2024.")]
NumberInPath = Annotated[MeasureNumber, Path(description="The measure's number in its case.")]
EventInPath = Annotated[RecordId, Path(description="The event's id.")]
SourceInPath = Annotated[RecordId, Path(description="The source's id.")]

# The other answers every endpoint may give (304 to a matching If-None-Match, the refusals), for the OpenAPI
# document.
ERRORS = {304: None, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 429: ProblemOut}


class Conditional:
    """The case a request reads and its ETag: `Conditional.of(request, slug)` raises the refusal
    when the case is not readable; `.unchanged` is the 304 to return when the client has this answer."""

    def __init__(self, request, case):
        self.request = request
        self.case = case
        self.tag = etag(request, case_version(case))
        self.unchanged = not_modified(request, self.tag)

    @classmethod
    def of(cls, request, slug):
        # The authentication has read it already (api.access.admit), refusing it if unreadable.
        case = getattr(request, "api_case", None)
        return cls(request, case if case is not None and case.slug == slug else readable_case(request.user, slug))

    def stamp(self, response):
        return stamped(response, self.tag)


def period(case, params, *, since=None):
    """(as_of, rule in words) for a state of `case` from the request's `as_of` (the pages' default
    when absent). Refused, 400 naming the parameter, when as_of is before the case began (there is no
    state to show: the report refuses it likewise) or `since` is after as_of."""
    as_of, rule = default_as_of(case, params.as_of)
    if as_of < case.start_date:
        raise Problem.invalid({"as_of": f"is before the case began ({date_format(case.start_date)})"})
    if since is not None and since > as_of:
        raise Problem.invalid({"since": f"cannot be after the as-of date ({as_of.isoformat()})"})
    return as_of, rule


def page_link(request, path, *, as_of=None, known_on=None):
    """The absolute address of a reading page, with the dates the request asked for."""
    query = {name: value.isoformat() for name, value in (("as_of", as_of), ("known_on", known_on)) if value}
    return request.build_absolute_uri(path + (f"?{urlencode(query)}" if query else ""))
