"""What a request may read through the API: the one place every endpoint and data package asks.

The API reads as the pages do (`measures.roles.readable_cases`, the one rule): an account with a role
that reads cases (Reader, Analyst, Reviewer, Administrator) reads every case; anyone else (an
anonymous caller, an account without a role) reads the published cases only. A case shared by link is
read through its link on the pages, never through the API. Every figure counts approved judgements
only (`AssessmentQuerySet.counting`); anonymous callers are never told who recorded what.
"""

from api.problems import Problem
from measures.roles import readable_cases


def may_read_every_case(user):
    return user.is_authenticated and user.is_active and user.has_perm("measures.view_case")


def shows_authors(user):
    """Whether answers (the assessment history, data packages) name the people who recorded assessments
    (user names): to accounts with a role that reads cases, as the pages do (`reading.access.Viewer.
    shows_names`); never to the public, an anonymous caller or an account without a role alike."""
    return may_read_every_case(user)


def refusal(user):
    """The Problem for a case `user` may not read (whether or not it exists: nobody learns which private
    cases exist): 401 without an identity, 403 for an account without a role, 404 otherwise. The same
    answer for a private case as for a slug that names none."""
    if not user.is_authenticated:
        return Problem("authentication-required", "Send a personal API token or log in to read this.")
    if not may_read_every_case(user):
        return Problem("no-role", "Your account has no role that may read cases: ask an administrator for one.")
    return Problem("not-found", "No such case.")


def readable_case(user, slug):
    """The case `slug` if `user` may read it; raises the Problem of `refusal` otherwise. One query."""
    case = readable_cases(user).filter(slug=slug).first()
    if case is None:
        raise refusal(user)
    return case


# The operations anyone may call, who may read no case: the index of addresses (it holds no case data).
OPEN_OPERATIONS = frozenset({"index"})


def admit(request):
    """Refuse a request that may read nothing at its address, before its parameters are read: who is
    asking decides first (401 without an identity, 403 without a role, 404 for a case one may not
    read), and only then are parameters checked (400), so that a bad parameter never hides the
    refusal. Called by the authentication (api.auth.TokenOrSession), which runs before django-ninja
    reads the parameters. An address with a case (`slug`) leaves the case read at `request.api_case`
    for `api.endpoints.common.Conditional` (no second query). Raises the Problem of `refusal`."""
    match = request.resolver_match
    if match is None or match.url_name in OPEN_OPERATIONS:
        return
    slug = match.kwargs.get("slug")
    if slug is not None:
        request.api_case = readable_case(request.user, slug)
    elif not readable_cases(request.user).exists():
        raise refusal(request.user)
