"""What a request may read through the API: the one place every endpoint and data package asks.

The API reads as the pages do (`measures.roles.reader_required`): an account with a role that reads
cases (Reader, Analyst, Administrator) reads every case; anyone else reads none. When cases can be
published (the review and publication work), anonymous visitors and accounts without a role read the
published ones: `measures.roles.readable_cases` is the one function to change, and everything
follows (the pages ask it too).
"""

from api.problems import Problem
from measures.roles import readable_cases


def may_read_every_case(user):
    return user.is_authenticated and user.is_active and user.has_perm("measures.view_case")


def shows_authors(user):
    """Whether answers name the people who recorded assessments (user names): to logged-in readers,
    as the pages do; never to anonymous visitors."""
    return user.is_authenticated


def refusal(user):
    """The Problem for a case `user` may not read (whether or not it exists: nobody learns which private
    cases exist): 401 without an identity, 403 for an account without a role, 404 otherwise."""
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
