"""Errors as problem details (RFC 9457, `application/problem+json`): every refusal of the API says what
went wrong in a document a client can read, with the parameters at fault under `errors`.

    {"type": "https://host/api/v1/docs/#problem-invalid-parameter", "title": "Invalid parameter",
     "status": 400, "detail": "…", "instance": "/api/v1/cases/…",
     "errors": [{"parameter": "as_of", "detail": "must be a date written YYYY-MM-DD, e.g. 2024-01-20"}]}

Each `type` is an anchor of the API's documentation page, which explains it.
"""

import functools
import json

from django.http import HttpResponse
from django.urls import reverse

CONTENT_TYPE = "application/problem+json"
READ_METHODS = ("GET", "HEAD")

# type → (status, title, what it means: shown on the documentation page)
TYPES = {
    "invalid-parameter": (
        400,
        "Invalid parameter",
        "A query parameter is malformed, out of range or unknown; "
        "`errors` names each one with what is wrong. Nothing is answered until it is fixed.",
    ),
    "authentication-required": (
        401,
        "Authentication required",
        "Send a personal API token (`Authorization: Bearer <token>`) or log in: this case is not readable without.",
    ),
    "invalid-token": (
        401,
        "Invalid token",
        "The `Authorization` header holds no token this API knows: it is "
        "malformed, unknown or revoked, or its account is inactive.",
    ),
    "no-role": (
        403,
        "No role that reads cases",
        "The account has no role that may read cases (Reader, Analyst or Administrator); an administrator gives one.",
    ),
    "not-found": (404, "Not found", "No such case, record or address among what you may read."),
    "method-not-allowed": (405, "Method not allowed", "The API is read-only: GET (and HEAD) only."),
    "too-many-requests": (
        429,
        "Too many requests",
        "More requests than the rate limit allows for this token (or "
        "account, or address); `Retry-After` says in how many seconds to try again.",
    ),
}


class Problem(Exception):
    """A refusal, raised anywhere below a view and answered as a problem document."""

    def __init__(self, kind, detail, *, errors=None, headers=None):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}

    @classmethod
    def invalid(cls, problems):
        """A 400 naming each parameter at fault: `problems` is {parameter: what is wrong}."""
        errors = [{"parameter": name, "detail": detail} for name, detail in problems.items()]
        return cls(
            "invalid-parameter",
            "; ".join(f"`{name}` {detail}" for name, detail in problems.items()) + ".",
            errors=errors,
        )


def problem_response(request, kind, detail, *, errors=(), headers=None):
    status, title, _ = TYPES[kind]
    body = {
        "type": request.build_absolute_uri(reverse("api:docs")) + f"#problem-{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
    }
    if errors:
        body["errors"] = list(errors)
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    response["Cache-Control"] = "no-store"
    return response


def answer(request, exc):
    """The exception handler for Problem."""
    return problem_response(request, exc.kind, exc.detail, errors=exc.errors, headers=exc.headers)


def read_only(view):
    """Wrap an API view: a method other than GET or HEAD gets a 405 problem before anything else runs
    (the API never writes, whoever asks); HEAD is answered as GET, without the body."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in READ_METHODS:
            return problem_response(
                request,
                "method-not-allowed",
                f"{request.method} is not allowed: the API is read-only (GET, HEAD).",
                headers={"Allow": ", ".join(READ_METHODS)},
            )
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = view(request, *args, **kwargs)
        if head and not response.streaming:
            request.method = "HEAD"
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    return wrapper
