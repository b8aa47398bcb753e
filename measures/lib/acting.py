"""Who is acting, and through which path, for the audit log (measures.models.audit).

A request (reading.middleware.ActingMiddleware: the admin or a reading page), a management command
(`--user`), the case-file loader and the events import each say so for the work they do; whatever is
written meanwhile is recorded under that person and path. Plain Python (a context variable): each
thread and each task has its own, and nothing leaks from one request to the next.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

ADMIN, PAGE, CASE_FILE, IMPORT, COMMAND, LOGIN = "admin", "page", "case_file", "import", "command", "login"
PATHS = {
    ADMIN: "Admin (workspace)",
    PAGE: "Reading page",
    CASE_FILE: "Case file",
    IMPORT: "Events import",
    COMMAND: "Command",
    LOGIN: "Login",
}


@dataclass(frozen=True)
class Acting:
    """`user`: the account acting (a user, a lazy request.user, or None); `path`: one of PATHS."""

    user: object = None
    path: str = COMMAND


_acting = contextvars.ContextVar("measures_acting", default=None)


def current():
    """The Acting of the work under way, or None (nobody said: recorded as a command without a user)."""
    return _acting.get()


@contextmanager
def acting(*, path, user=None, keep_user=False):
    """Record what is written inside the block as done by `user` through `path`. `keep_user`: keep the
    user of the enclosing block when `user` is None (the loader run by a command keeps its --user)."""
    outer = _acting.get()
    if keep_user and user is None and outer is not None:
        user = outer.user
    token = _acting.set(Acting(user=user, path=path))
    try:
        yield
    finally:
        _acting.reset(token)
