"""The read API, version 1: django-ninja (OpenAPI 3.1 from the pydantic schemas), read-only, every
refusal a problem document (api.problems)."""

import functools

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.params.models import QueryModel

from api.auth import CallerRateThrottle, TokenOrSession
from api.conditional import answer_any_representation
from api.endpoints import cases, history, packages, records
from api.problems import CONTENT_TYPE, Problem, answer, problem_response

DESCRIPTION = """\
Read what the tracker holds about the cases you may read: their measures with the levels in force as the
dashboard shows them, the assessment history, events, sources, citations and evidence, and whole cases
as data packages. Read-only: GET only.

**Who you are.** Send a personal API token (`Authorization: Bearer <token>`; create one on your
*API tokens* page), or use the API from a browser in which you are logged in. You read what you read on
the pages. Requests are limited per token (or account, or address); beyond it, 429 with `Retry-After`.

**Dates.** `as_of`, `since` and `known_on` mean what they mean on the pages. Lists page with `cursor`
(follow `next`) and `page_size`; `updated_since` keeps what was created or changed since a time, and
`/deleted/` lists what was deleted, for copies kept in sync.

**Caching.** Every answer has an `ETag`; send it back in `If-None-Match` and get 304 while nothing changed.

**Errors** are problem details (RFC 9457, `application/problem+json`) naming the parameter at fault.
"""


class ReadApi(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts):
        """A Problem naming each parameter at fault with what is wrong (our validators' words) and the
        value given, instead of ninja's 422."""
        problems = {}
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                location = model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"])
                name = ".".join(str(part) for part in location) or "query"
                given = error.get("input")
                shown = f"; “{str(given)[:60]}” was given" if isinstance(given, (str, int)) else ""
                problems.setdefault(name, error["msg"] + shown)
        return Problem.invalid(problems)

    def get_openapi_operation_id(self, operation):
        """The view's name (unique in this API), which is also its URL name: api:<operationId>."""
        return operation.view_func.__name__

    @functools.lru_cache(maxsize=8)  # noqa: B019 (one API object, alive as long as the process)
    def _schema(self, path_prefix):
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, described in operation.get("responses", {}).items():
                    if str(status).startswith("4") and "content" in described:
                        described["content"] = {CONTENT_TYPE: described["content"]["application/json"]}
        return schema

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The OpenAPI document, with the refusals' media type as they are sent (problem+json); made once
        per process (the schemas do not change while it runs)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return self._schema(path_prefix)


def refuse_unknown_parameters(run):
    """Wrap an operation: a query parameter it does not take is a 400 problem naming it (a typo such as
    `asof` would otherwise be silently ignored, and the answer be for another date), raised after the
    authentication's refusals."""
    operation = run.__self__
    known = set()
    for model in operation.models:
        if issubclass(model, QueryModel):
            known |= set(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - known)
        if unknown:
            takes = ", ".join(sorted(known)) or "none"
            # Raised by the authentication once who is asking may read here (api.auth.TokenOrSession):
            # a refusal (401, 403, 404) comes before any 400.
            request.api_unknown_parameters = Problem.invalid(
                {name: f"is not a parameter of this address (it takes: {takes})" for name in unknown}
            )
        return run(request, *args, **kwargs)

    return wrapper


def _http_error(request, exc):
    if exc.status_code == 429:
        return problem_response(request, "too-many-requests", "Too many requests: wait, then try again.")
    if exc.status_code == 401:
        return problem_response(request, "authentication-required", "Send a personal API token or log in.")
    if exc.status_code == 405:
        return problem_response(request, "method-not-allowed", "The API is read-only.")
    return problem_response(request, "not-found", str(exc))


def _not_found(request, exc):
    return problem_response(request, "not-found", "Nothing here: see the API's documentation for its addresses.")


api = ReadApi(
    title="De-escalation Tracker API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url=None,
    auth=[TokenOrSession()],
    throttle=[CallerRateThrottle()],
)
api.add_exception_handler(Problem, answer)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(Http404, _not_found)
api.add_decorator(refuse_unknown_parameters, mode="view")
api.add_decorator(answer_any_representation, mode="view")
for module in (cases, history, records, packages):
    api.add_router("/", module.router)
