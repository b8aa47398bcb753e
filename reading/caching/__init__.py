"""Conditional GET and cached renderings of the reading pages, keyed on the case's data version.

A reading page depends on the case's data (whose version every write bumps: services.touch_cases;
for the team, on its newest assessment too, since one awaiting review bumps nothing: `_with_recordings`),
on its URL (path and query: period, filters, sorting, export format), on the date (pages default to
"as of today"), on the code that renders it, and on the reader: the page header names them and holds
their CSRF token for the logout button (filled in per answer: reading.caching.shared). `page_stamp()`
folds these into an ETag; a request whose
If-None-Match (or If-Modified-Since) matches gets 304 Not Modified without any rendering, and a
rendering already made for the same stamp is served from Django's cache framework (settings.CACHES:
a file cache by default, Redis with REDIS_URL).

A rendering is cached only when the answer is a 200 without cookies of its own. A logged-in reader's
rendering is stored once for every reader of its audience with the same page permissions, their name
and CSRF token left as sentinels and filled in for each answer (`shared_stamp`, reading.caching.shared);
its ETag stays the reader's own (`page_stamp`: the user and the CSRF cookie are in it).

The stamp names the audience (reading.access: team, reader or public), so a page made for the team
(assessments awaiting review, names) is never served to a reader or the public, nor the other way
round. A page for an anonymous visitor names no one and holds no token: its stamp leaves the user and
the CSRF cookie out, so every anonymous visitor shares it, and `published_response` can answer them
from the cache without the session or the database (reading.middleware.PublishedPageCacheMiddleware),
through the case's published-version pointer (measures.services.base.refresh_public_pointers).
"""

import datetime
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.csp import CSP, build_policy
from django.utils.http import http_date, parse_etags, quote_etag

from measures.lib.ids import query_key
from measures.models import Assessment, Case
from measures.roles import cases_token, cases_token_key, published_generation_key
from measures.services import NOT_PUBLISHED, public_pointer_key, version_text
from reading.access import READER, audience_of
from reading.caching import flights
from reading.caching.memory import KeptInMemory, _Kept, _Renderings  # noqa: F401 (sessions, columns)
from reading.caching.parameters import (  # noqa: F401 (re-exported)
    READ_PARAMETERS,
    every_parameter_applied,
    read_parameters,
    set_aside_unread,
    unread_parameters,
)
from reading.caching.shared import (
    RENDERING_FLAG,
    ReaderNames,
    has_csrf_secret,
    permission_flags,
    personalise,
    sentinels,
)

CACHE_PREFIX = "page:"
# Headers a cached answer keeps (an export's file name among them).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")
APP_DIR = Path(__file__).resolve().parent.parent  # reading/
DOMAIN_DIR = APP_DIR.parent / "measures"


@functools.cache
def code_fingerprint():
    """A hash of the code and templates that render the pages, and of the domain's code that computes
    what they show (measures/: the state, the dates' text, the data packages): a deployment of new code
    never serves renderings (or 304s) of the old one. Computed once per process, from file contents."""
    digest = hashlib.sha256(settings.PAGE_CACHE_SALT.encode())
    roots = [APP_DIR, DOMAIN_DIR, *(Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", []))]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".svg", ".css") and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _day_start(today=None):
    """The start of today in the site's time zone: pages "as of today" change then, data or not."""
    today = today or timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))


def data_stamp(slug=None):
    """(version text, last change) of one case's data (None if there is no such case), or of all
    cases' when `slug` is None (the case list). One query."""
    if slug is None:
        totals = Case.objects.aggregate(n=Count("pk"), v=Sum("data_version"), at=Max("data_changed_at"))
        version = f"all:{totals['n']}:{totals['v'] or 0}:{totals['at'].timestamp() if totals['at'] else 0}"
        return version, totals["at"]
    row = Case.objects.filter(slug=slug).values_list("pk", "data_version", "data_changed_at").first()
    if row is None:
        return None
    pk, version, changed_at = row
    return version_text(pk, version, changed_at), changed_at


ANONYMOUS = "anonymous"


def page_stamp(request, data_version, audience="reader", *, anonymous=None, today=None, user_pk=None):
    """The ETag value (without quotes) of the page `request` asks for, at this data version, for this
    audience (reading.access). `anonymous` (default: whether request.user is): the page of a visitor
    who is not logged in, the same for all of them (no user, no CSRF token in it). `today`: the
    site's date, when the caller has it already. `user_pk` (a string): the logged-in reader's, when
    request.user is not there yet (reading.caching.sessions)."""
    if anonymous is None:
        anonymous = not request.user.is_authenticated
    if not anonymous and user_pk is None:
        user_pk = str(request.user.pk)
    who = [ANONYMOUS] if anonymous else [user_pk, request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")]
    return _stamp(request, data_version, audience, today, who)


def _stamp(request, data_version, audience, today, rest):
    """The hash of what a page's rendering depends on: the code, the data version, the address (path
    and query), the day, the staleness setting, the audience, and `rest` (who, for whom it is kept)."""
    parts = [
        code_fingerprint(),
        data_version,
        request.path,
        query_key(request.GET, leave_out=unread_parameters(request.GET, read_parameters(request))),
        (today or timezone.localdate()).isoformat(),
        str(settings.STALE_AFTER_DAYS),
        audience,
        *rest,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def shared_stamp(request, data_version, audience, permissions, *, today=None):
    """The key (without CACHE_PREFIX) of the rendering of `request`'s page that every logged-in reader of
    `audience` with the page permissions `permissions` (reading.caching.shared.permission_flags) shares
    at this data version: page_stamp's parts without the reader and their CSRF cookie, with the
    permissions and the sentinels the rendering holds in their place (reading.caching.shared). Never an
    ETag: a logged-in reader's ETag stays `page_stamp`'s, per reader."""
    return _stamp(request, data_version, audience, today, ["shared", permissions, sentinels().username])


def _can_store(request, response, read=READ_PARAMETERS):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and every_parameter_applied(request, read)
    )


def _stamp_of(request, slug, across_cases=False):
    """(version text, last change, audience, shortcut) of the page: its case's data version from the
    Viewer that reading.access.case_reader left (no query), else from the database; with
    `across_cases`, every case's too (a page that also compares the case with the others: the
    report's key judgements), one query more. `shortcut`: whether an anonymous visitor's rendering may
    be answered from the published-version pointer (`published_response`): a published case's page
    (one that depends on every case through the every-case entry this leaves in the cache too)."""
    viewer = getattr(request, "viewer", None)
    if viewer is not None:
        case = viewer.case
        version, changed_at = version_text(case.pk, case.data_version, case.data_changed_at), case.data_changed_at
        audience, published = viewer.audience, case.is_published
        if viewer.is_team:
            version, changed_at = _with_recordings(version, changed_at, case)
        if viewer.link is not None:
            # The page names the link's expiry date: each link's holders get their own rendering.
            audience = f"{audience}:link-{viewer.link.pk}-{viewer.link.expires_on}"
    else:
        stamp = data_stamp(slug)
        if stamp is None:
            return None
        (version, changed_at), audience, published = stamp, audience_of(request), False
    if across_cases:
        # The cases token too, read before the database: a case published or unpublished by a plain
        # save() changes no data version, but changes which cases a public comparison may draw on.
        token = cases_token()
        everyone, everyone_at = (version, changed_at) if slug is None else data_stamp()
        version = f"{version}|{everyone}|{token}"
        changed_at = max((at for at in (changed_at, everyone_at) if at is not None), default=None)
        # For published_response (anonymous visitors of a published case): every case's version, valid
        # while the token is.
        every = (everyone, everyone_at.timestamp() if everyone_at else 0)
        cache.add(EVERY_CASE_PREFIX + token, every, settings.PAGE_CACHE_SECONDS)
    return version, changed_at, audience, published


def _with_recordings(version, changed_at, case):
    """(version, last change) of a case's page for the team: its data version and its newest
    assessment (AssessmentQuerySet.recording_stamp; one query). An assessment recorded to await review
    leaves the data version alone (readers and the public see nothing new: it does not count), but the
    team's pages list it (the review panel, the measure's history, the preview of `include_pending`),
    so their ETag, cache key, fragments and Last-Modified move on with it."""
    newest, recorded_at = Assessment.objects.filter(measure__case_id=case.pk).recording_stamp()
    if recorded_at is not None and recorded_at > changed_at:
        changed_at = recorded_at
    return f"{version}|recorded:{newest}", changed_at


def _cached_response(key, etag, modified_ts):
    stored = cache.get(key)
    if stored is None:
        return None
    return _response_of(stored, etag, modified_ts)


def _response_of(stored, etag, modified_ts):
    response = HttpResponse(stored["content"], status=200)
    for name, value in stored["headers"].items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    # As _stamped writes them, on a response that has none of them yet.
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified_ts)
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response


# 32 MB: some 400 dashboards of the Pakistan–Iran case (80 KB each), per server process.
published_renderings = _Renderings(budget=32 * 1024 * 1024)


def published_response(request, slug):
    """The answer to an anonymous visitor's GET of a page of the published case `slug` from the cache:
    304 for a matching conditional GET, the stored rendering, or None (render it). Reads the cache only:
    no session, no database. The case's published-version pointer says it is published and at which
    data version; a write sets it anew (or marks it not published) once committed, so a stale page is
    never served. With the file cache (tracker.filecache.KeptFileBasedCache) the pointer and the other
    small entries are answered from memory while their files are unchanged (one `os.stat` each). The
    rendering comes from this process's memory when it served it before (`published_renderings`),
    else from the shared cache.

    A page that compares the case with every case (the report page: `cached_page(across_cases=True)`)
    is stamped with every case's version as well, which `_stamp_of` leaves in the cache under the
    cases token it read before the database (EVERY_CASE_PREFIX): a case saved, deleted or written
    since replaces the token, so an entry found under the current one is never older than the cases.
    A stamp is answered only when its rendering is stored, so a page's own stamp never answers (not
    even 304) for a page that depends on every case. Renderings kept in memory are looked for first
    (the page's own stamp, then the every-case one), then those of the shared cache."""
    generation = cache.get(published_generation_key())
    if generation is None:  # none yet (or evicted): the views render or find the page and set it
        return None
    pointer = cache.get(public_pointer_key(slug, generation))
    if pointer is None or pointer == NOT_PUBLISHED:
        return None
    csp = _fixed_csp()
    version, changed_ts = pointer
    today = timezone.localdate()
    day_ts = _day_start_ts(today)
    own = (_public_stamp(request, version, today), max(changed_ts, day_ts))
    kept = published_renderings.get(own[0])
    if kept is not None:
        return _answer(request, kept, *own, csp)
    across = None
    token = cache.get(cases_token_key())
    every = cache.get(EVERY_CASE_PREFIX + token) if token is not None else None
    if every is not None:
        everyone, everyone_ts = every
        stamp = _public_stamp(request, f"{version}|{everyone}|{token}", today)
        across = (stamp, max(changed_ts, everyone_ts, day_ts))
        kept = published_renderings.get(stamp)
        if kept is not None:
            return _answer(request, kept, *across, csp)
    for stamp, modified_ts in (own, across) if across is not None else (own,):
        stored = cache.get(CACHE_PREFIX + stamp)
        if stored is not None:
            return _answer(request, published_renderings.put(stamp, stored), stamp, modified_ts, csp)
    return None


EVERY_CASE_PREFIX = "every-case:"
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def _answer(request, kept, stamp, modified_ts, csp, content=None):
    """304, or the rendering `kept` with the headers `cached_page` gives it, the CSP middleware's
    (`csp`: (enforced, report-only), either None), the clickjacking middleware's and its length (as
    CommonMiddleware gives a rendered page: without it the server sends the page in chunks).

    `content`: the body to send instead of kept's (a shared rendering personalised for this reader,
    reading.caching.shared): the ETag (`stamp`, this reader's) and the length are then this answer's
    own, so no headers are kept on `kept`, which other readers are answered from."""
    etag, modified_ts = quote_etag(stamp), int(modified_ts)
    frame = settings.X_FRAME_OPTIONS.upper()
    own = content is None  # kept's headers are this answer's: built once, kept with it
    if any(name in request.META for name in CONDITIONS):
        not_modified = conditional_response(request, etag, modified_ts)
        if not_modified is not None:
            built = kept.not_modified if own else None
            if not_modified.status_code == 304 and built is not None and built[0] == (modified_ts, csp, frame):
                not_modified.headers._store = dict(built[1])  # as below: built once
                return not_modified
            for name, policy in zip((CSP.HEADER_ENFORCE, CSP.HEADER_REPORT_ONLY), csp, strict=True):
                if policy is not None:
                    not_modified[str(name)] = policy
            not_modified["X-Frame-Options"] = frame
            _stamped(not_modified, etag, modified_ts)
            if not_modified.status_code == 304 and own:
                kept.not_modified = ((modified_ts, csp, frame), dict(not_modified.headers._store))
            return not_modified
    body = kept.content if own else content
    prepared = kept.prepared if own else None
    if prepared is None or prepared[0] != (modified_ts, csp, frame):
        headers = _response_of({"content": b"", "headers": kept.headers}, etag, modified_ts).headers
        headers["Content-Length"] = str(len(body))
        for name, policy in zip((CSP.HEADER_ENFORCE, CSP.HEADER_REPORT_ONLY), csp, strict=True):
            if policy is not None:
                headers[str(name)] = policy
        headers["X-Frame-Options"] = frame  # as XFrameOptionsMiddleware, which comes after, writes it
        prepared = ((modified_ts, csp, frame), headers._store)
        if own:
            kept.prepared = prepared
    response = HttpResponse(body)
    # The headers checked and encoded once (ResponseHeaders' own store, copied: the security middleware
    # adds its own to each response) rather than nine times per request.
    response.headers._store = dict(prepared[1])
    return response


_csp_built = (None, None, None)
# page_stamp's answers for the anonymous visitors' requests, by (version, path, query, day, staleness):
# the same request asked again skips hashing (the code's fingerprint is fixed for the process). Emptied
# when it holds more than this many.
_public_stamps = {}
PUBLIC_STAMPS_KEPT = 10_000


def _public_stamp(request, version, today):
    """page_stamp(request, version, "public", anonymous=True), remembered for the same request."""
    known = (version, request.path, request.META.get("QUERY_STRING", ""), today, settings.STALE_AFTER_DAYS)
    stamp = _public_stamps.get(known)
    if stamp is None:
        stamp = page_stamp(request, version, "public", anonymous=True, today=today)
        if len(_public_stamps) >= PUBLIC_STAMPS_KEPT:
            _public_stamps.clear()
        _public_stamps[known] = stamp
    return stamp


_day_starts = {}


def _day_start_ts(today):
    """_day_start(today).timestamp(), remembered per day."""
    ts = _day_starts.get(today)
    if ts is None:
        if len(_day_starts) > 8:
            _day_starts.clear()
        ts = _day_starts[today] = _day_start(today).timestamp()
    return ts


def _fixed_csp():
    """The headers ContentSecurityPolicyMiddleware writes from settings.SECURE_CSP and
    SECURE_CSP_REPORT_ONLY ((enforced, report-only), each None when its setting is empty), built once
    while the settings are the same objects. The middleware gives a response a nonce only when its
    rendering asked for one (django.utils.csp.LazyNonce), which a stored rendering never does (and no
    template of ours uses one): its header for such an answer is this one. PublishedPageCacheMiddleware
    comes before the CSP middleware, so its answers carry these."""
    global _csp_built
    configs = (settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY)
    if _csp_built[0] is not configs[0] or _csp_built[1] is not configs[1]:
        _csp_built = (*configs, tuple(build_policy(config) if config else None for config in configs))
    return _csp_built[2]


def cached_page(view, *, across_cases=False, kept_elsewhere=False, parameters=frozenset(), depends=None):
    """Serve the reading view `view(request, slug=None, ...)` with ETag and Last-Modified, 304 to a
    matching conditional GET, and its rendering from the cache when the stamp has one.

    `kept_elsewhere`: the view answers a file it keeps in the cache itself (a case's data package:
    measures.importing.datapackage.kept_case_package), for every reader alike and with no name or
    token of the reader's in it. It is neither stored a second time as a rendering (writing a large
    file to the cache on every first answer) nor searched for the reader's sentinels: only the ETag,
    Last-Modified and 304 come from here.

    Put it under the access check (@reader_required above it): nothing is answered, not even 304,
    to a user who may not read. Other methods than GET and HEAD go to the view untouched.
    The page depends on its case's data (every case's without a slug), and with `across_cases` on
    every case's too (`_stamp_of`). `parameters`: the query parameters the view reads beyond
    READ_PARAMETERS (search's words), with which its renderings are stored too. `depends`: a function
    of the request giving what else the page depends on for this reader, as a string folded into its
    version (empty: nothing), when that is not the data of a case (search's library of sources no case
    cites, for the accounts that find them).
    """
    read = READ_PARAMETERS | frozenset(parameters)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        set_aside_unread(request, read)
        stamp = _stamp_of(request, kwargs.get("slug"), across_cases)
        if stamp is None:  # no such case: the view answers 404
            return view(request, *args, **kwargs)
        version, changed_at, audience, published = stamp
        if depends is not None and (more := depends(request)):
            version = f"{version}|{more}"
        anonymous = not request.user.is_authenticated
        etag = quote_etag(page_stamp(request, version, audience, anonymous=anonymous))
        last_modified = max(changed_at, _day_start()) if changed_at else _day_start()
        modified_ts = int(last_modified.timestamp())
        not_modified = conditional_response(request, etag, modified_ts, exists=False)
        if not_modified is not None:
            remember_session(request, audience)
            return _stamped(not_modified, etag, modified_ts)
        if kept_elsewhere:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                remember_session(request, audience)
                _stamped(response, etag, modified_ts)
            return _any_representation(request, response, etag, modified_ts)
        names = None
        if anonymous:
            key = CACHE_PREFIX + etag.strip('"')
        else:  # one rendering for the audience and permissions, personalised per answer (.shared)
            names = ReaderNames.of(request.user)
            key = CACHE_PREFIX + shared_stamp(request, version, audience, permission_flags(request.user))
        # A logged-in request without the browser's CSRF cookie (its first page since the login, or a
        # client that keeps no cookie: the bench's pages "rendered anew") is rendered, as before the
        # renderings were shared; its rendering is stored for the others all the same.
        served = anonymous or has_csrf_secret(request)
        cached = _cached_response(key, etag, modified_ts) if served else None
        # One rendering at a time (.flights): while another request renders this page for the cache,
        # a request that may be served from it waits for that rendering rather than making its own.
        claimed = cached is None and flights.claim(key)
        if cached is None and served and not claimed and (stored := flights.wait_for(key)) is not None:
            cached = _response_of(stored, etag, modified_ts)
        if cached is not None:
            if not anonymous:
                cached.content = personalise(cached.content, request, names)
            elif audience == "public" and published:
                _offer_pointer(request.viewer.case)
            remember_session(request, audience)
            return _any_representation(request, cached, etag, modified_ts)
        # For cached_fragment: the case's data as this audience sees it (team, reader, public).
        request.data_version = f"{version}|{audience}"
        try:
            response = _render_and_store(view, request, args, kwargs, key=key, names=names, read=read)
        finally:
            if claimed:
                flights.release(key)
        if response.status_code != 200:
            return response
        if response.get("X-Page-Cache") == "miss":
            if anonymous and audience == "public" and published:
                _offer_pointer(request.viewer.case)
            remember_session(request, audience)
        return _any_representation(request, _stamped(response, etag, modified_ts), etag, modified_ts)

    return wrapper


def _render_and_store(view, request, args, kwargs, *, key, names, read):
    """The view's response to `request` (personalised for a logged-in reader, `names`), its rendering
    stored under `key` when it may be (`_can_store`: the response then says X-Page-Cache: miss)."""
    anonymous = not request.user.is_authenticated
    if anonymous:
        response = view(request, *args, **kwargs)
    else:
        response = _render_for_audience(view, request, *args, **kwargs)
        if not response.streaming:
            shared_content = response.content
            response.content = personalise(shared_content, request, names)
    if response.status_code == 200 and _can_store(request, response, read):
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        content = response.content if anonymous else shared_content
        cache.set(key, {"content": content, "headers": headers}, settings.PAGE_CACHE_SECONDS)
        response["X-Page-Cache"] = "miss"
    return response


def conditional_response(request, etag, modified_ts, *, exists=True):
    """Django's get_conditional_response for this page (304, 412 or None), but never a 304 for an
    If-Modified-Since alone: a date does not say for whom the copy it validates was made (the team's
    page, then a logout, then the public's at the same address: one Last-Modified), whereas the ETag
    names the audience and the reader (`page_stamp`). Browsers send If-None-Match with it.

    `exists` False: the page is not known to exist yet (the view may answer 404 or 400), so
    If-None-Match `*`, which matches any current representation (RFC 9110, 13.1.2), is not answered
    here: `cached_page` answers it 304 once the page is a 200 (`_any_representation`)."""
    tags = parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))
    if not exists and tags == ["*"]:
        return None
    answer = get_conditional_response(request, etag=etag, last_modified=modified_ts)
    if answer is not None and answer.status_code == 304 and not tags:
        return None
    return answer


def _any_representation(request, response, etag, modified_ts):
    """For `cached_page`: a 200 page asked for with If-None-Match `*` (conditional_response left it)
    is answered 304, as a matching ETag is; any other answer as it is."""
    if response.status_code == 200 and parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")) == ["*"]:
        return _stamped(HttpResponseNotModified(), etag, modified_ts)
    return response


# The cache entry of a logged-in session that reading.caching.sessions answers from before the session
# middleware: by a keyed hash of the session key (never the key itself in the cache's names).
SESSION_ENTRY_PREFIX = "signed-in:"


def session_entry_key(session_key):
    """The cache key of the entry `remember_session` writes for the session `session_key`: an HMAC of it
    with SECRET_KEY, so a new SECRET_KEY (which ends every session whose hash it no longer verifies)
    never finds an entry written under the old one."""
    return SESSION_ENTRY_PREFIX + salted_hmac(SESSION_ENTRY_PREFIX, session_key, algorithm="sha256").hexdigest()[:40]


def remember_session(request, audience):
    """After `cached_page` answered a logged-in reader (`audience` READER: every case is theirs, no share
    link or publication involved) through the whole middleware: keep what
    that answer decided about the session for reading.caching.sessions, which answers the same
    session's next cache hits and 304s before the session, the account and the case are loaded.

    The entry, by a hash of the session key: the account's id, the session's auth hash and backend
    (which the session must still hold), the audience, and the account's tokens as read with the
    account before the database (measures.roles.CachedModelBackend: `user.access_tokens`), which any
    save of the account (deactivated, password changed, logged in), any change of its groups or
    permissions, and any change of a role replace. Written only for an unchanged session under its own
    cookie's key (not one cycled or modified by this request); rewritten only when it differs."""
    # Readers only: the team's pages name the case's newest assessment too (`_with_recordings`), which
    # takes a query, so reading.caching.sessions never answers them.
    if audience != READER or not hasattr(request, "session"):
        return
    session = request.session
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    tokens = getattr(request.user, "access_tokens", None)
    if tokens is None or not session_key or session.session_key != session_key or session.modified:
        return
    entry = {
        "user": session.get(SESSION_KEY),
        "hash": session.get(HASH_SESSION_KEY),
        "backend": session.get(BACKEND_SESSION_KEY),
        "audience": audience,
        "tokens": tuple(tokens),
        # What the shared rendering is personalised with, and which one it is (reading.caching.shared):
        # the account's, whose tokens above change with any save of the account or its permissions.
        "names": tuple(ReaderNames.of(request.user)),
        "permissions": permission_flags(request.user),
    }
    if entry["user"] != str(request.user.pk) or not entry["hash"]:
        return
    key = session_entry_key(session_key)
    if cache.get(key) != entry:
        cache.set(key, entry, settings.ACCESS_CACHE_SECONDS)


def forget_session(session_key):
    """Drop the entry of `session_key` (at logout: reading.apps), whose session is flushed anyway."""
    if session_key:
        cache.delete(session_entry_key(session_key))


def _render_for_audience(view, request, *args, **kwargs):
    """The view's response rendered with the sentinels in place of the reader's own values
    (reading.caching.shared.rendering_context), rendered before the flag is lifted (a TemplateResponse
    too), so that nothing rendered later (an error page) holds a sentinel or the rendering a name."""
    setattr(request, RENDERING_FLAG, True)
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    finally:
        delattr(request, RENDERING_FLAG)
    return response


def _offer_pointer(case):
    """Where no published-version pointer is for `case` (never set, evicted, or set in an earlier
    generation: measures.roles.public_pointer_key), set it to the version read with the case in this
    request (its own, whatever else the page depends on), after an anonymous visitor's page was rendered
    or found in the cache: the next visitors are answered by the middleware. Never overwritten from
    here, so a page rendered before a write cannot put its version back."""
    pointer = (version_text(case.pk, case.data_version, case.data_changed_at), case.data_changed_at.timestamp())
    cache.add(public_pointer_key(case.slug), pointer, settings.PAGE_CACHE_SECONDS)


def _stamped(response, etag, modified_ts):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified_ts)
    # Private (the page names the reader), and revalidated on every use: a browser asks again with
    # If-None-Match and gets 304 while nothing changed.
    patch_cache_control(response, private=True, no_cache=True)
    response.setdefault("Vary", "Cookie")
    return response
