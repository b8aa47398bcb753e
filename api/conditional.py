"""ETag and 304 Not Modified for the API, from the cases' data version (every write through the services
and the admin bumps it: services.touch_cases).

An answer depends on the data of the cases it reads, on the request (path and query), on the day
(defaults such as "as of today"), on who asks (what they may read, whether authors are named) and on
the code that computes it. `etag()` folds these into one value, computed before any figure is: a
request whose If-None-Match matches gets 304 without the work. Answers are `private, no-cache`:
clients keep them and ask again every time.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag

from measures.lib.ids import query_key

ROOT = Path(__file__).resolve().parent.parent
# The code an answer's figures and words come from: the API and the whole domain (the state calculus,
# the querysets, the packages, and the models and rules they read: the dates' text is measures.lib's).
CODE = ("api", "measures")


@functools.cache
def code_fingerprint():
    """A hash of the code that computes the answers (new code never answers 304 for old figures)."""
    digest = hashlib.sha256(settings.PAGE_CACHE_SALT.encode())
    for name in CODE:
        path = ROOT / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def case_version(case):
    """The data version of one case (no query: from the case row)."""
    return f"{case.pk}:{case.data_version}:{case.data_changed_at.timestamp()}"


def cases_version(cases):
    """The data version of every case of a queryset (one query)."""
    totals = cases.aggregate(n=Count("pk"), v=Sum("data_version"), at=Max("data_changed_at"))
    return f"all:{totals['n']}:{totals['v'] or 0}:{totals['at'].timestamp() if totals['at'] else 0}"


def _answer_parts(request, version):
    """What an API answer depends on besides its caller: the code, the data version, the address, the
    day and the staleness setting (`etag` adds the caller, `kept` the audience and the host)."""
    return [
        code_fingerprint(),
        version,
        request.path,
        query_key(request.GET),
        timezone.localdate().isoformat(),
        str(settings.STALE_AFTER_DAYS),
    ]


def etag(request, version):
    parts = [*_answer_parts(request, version), str(request.user.pk)]
    return quote_etag(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32])


def any_representation(request):
    """Whether the request's If-None-Match is `*`: it matches any current representation (RFC 9110,
    13.1.2), so for a GET or HEAD it asks for 304 only once the answer is known to exist and be a 200
    (an event, measure or source that exists, valid dates): `not_modified` leaves it to
    `answer_any_representation`, after the operation."""
    return parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")) == ["*"]


def not_modified(request, tag):
    """HttpResponseNotModified when the request's If-None-Match matches `tag`, else None (always None
    for `*`: see `any_representation`)."""
    if any_representation(request):
        return None
    answer = get_conditional_response(request, etag=tag)
    if isinstance(answer, HttpResponseNotModified):
        return stamped(answer, tag)
    return None


def answer_any_representation(run):
    """Wrap an operation: its 200 answer to a GET or HEAD with `If-None-Match: *` becomes a 304 with its
    ETag (the representation exists, so the condition is false: RFC 9110, 13.1.2 and 13.2.2); any other
    answer (a refusal, 400, 404) stays what it is."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and response.has_header("ETag")
            and any_representation(request)
        ):
            return stamped(HttpResponseNotModified(), response["ETag"])
        return response

    return wrapper


def stamped(response, tag):
    response["ETag"] = tag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response


def kept(request, version, compute, *, audience):
    """`compute()` (an answer's content, before django-ninja serialises it), kept in the cache for every
    caller of `audience` ("every case" or "published cases": what they may read, checked before this is
    called) at this data version, address, day and code, and whatever the host the links name (the
    answers hold absolute links). For an answer that names no one and counts approved judgements only,
    the same for every caller of the audience: a refusal (a Problem raised by compute) is never kept."""
    parts = [*_answer_parts(request, version), audience, request.build_absolute_uri("/")]
    key = "api-answer:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found
