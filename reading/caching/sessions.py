"""A logged-in reader's cache hit or 304, answered before the session, the account and the case are
loaded (reading.middleware.SignedInPageCacheMiddleware), from what the cache already holds.

The page cache keeps a reader's renderings under a stamp that names the page, the case's data version,
the audience (team or reader), the account and the CSRF cookie (reading.caching.page_stamp). What the
normal path reads to make that stamp (the session, the account with its permissions, the case row) is
answered from the cache already; this answers from it without the middleware that reads them, the
user object and the view's decorators. Every condition the normal path would check is checked against
what was current when that path last answered this session (`reading.caching.remember_session`), and
anything uncertain goes on to the normal path:

- the session still there: its entry in the session cache (settings.SESSION_ENGINE `cached_db`; a
  logout or a flush deletes it, expiry evicts it), for the same account, auth hash and backend (still
  one of settings.AUTHENTICATION_BACKENDS), under the same SECRET_KEY (the entry's key is an HMAC);
- the account unchanged: its user token and the roles' token the same as when the audience was decided
  (measures.roles.account_tokens): a deactivation, a password change, a role or a permission given or
  taken replaces one of them;
- a session with messages waiting, a CSRF cookie Django would replace, or an expiry of its own set
  (`set_expiry`): the normal path;
- only readers' pages (every case is theirs): an account without a role, or a share link's holder,
  reads as the public does, with publication and links to check, and the team's pages carry the case's
  newest assessment too (one awaiting review moves no data version: reading.caching._with_recordings),
  which takes a query: the normal path;
- the case's row as the cache holds it under the current cases token (measures.roles.cached_case): a
  write, a save or a deletion of any case replaces the token;
- a 304 only for an ETag that names this reader (reading.caching.conditional_response), and only
  while the page's rendering is stored (as for the anonymous visitors: a page that depends on every
  case never answers with its own case's stamp).
"""

import re
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.utils import timezone

from measures.roles import account_tokens, cached_case, cases_token_key
from measures.services import version_text
from reading.access import READER
from reading.caching import (
    CACHE_PREFIX,
    EVERY_CASE_PREFIX,
    KeptInMemory,
    _answer,
    _day_start_ts,
    _fixed_csp,
    _Renderings,
    page_stamp,
    session_entry_key,
    shared_stamp,
)
from reading.caching.shared import ReaderNames, has_csrf_secret, personalise

# A session key as Django makes them (django.contrib.sessions.backends.base: 32 of [a-z0-9]).
SESSION_KEY_FORM = re.compile(r"[a-z0-9]{8,64}")
# The session keys a message waiting for the next page is kept under (django.contrib.messages' session
# storage), and the one of an expiry set on the session itself.
MESSAGES_SESSION_KEY = "_messages"
EXPIRY_SESSION_KEY = "_session_expiry"

# Logged-in readers' renderings served before, kept in this process's memory as the anonymous
# visitors' are (reading.caching.published_renderings): a stamp's rendering never changes.
reader_renderings = _Renderings(budget=16 * 1024 * 1024)


def _session_prefix():
    """The session cache's key prefix for settings.SESSION_ENGINE, or None for an engine that does not
    keep sessions in the cache (then every request takes the normal path)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return getattr(store, "cache_key_prefix", None)


def signed_in_response(request, slug):
    """The answer to a logged-in reader's GET (or HEAD) of a page of case `slug` from the cache (the
    module docstring says when): 304 for a matching If-None-Match, the stored rendering, or None (the
    normal path decides). No query, no session loaded, no user made."""
    cookies = request.COOKIES
    session_key = cookies.get(settings.SESSION_COOKIE_NAME, "")
    if (
        CookieStorage.cookie_name in cookies  # a message waits in its cookie (Django's default storage)
        or not SESSION_KEY_FORM.fullmatch(session_key)
        or not has_csrf_secret(request)  # the secret the answer's token is masked from
    ):
        return None
    entry = cache.get(session_entry_key(session_key))
    if entry is None or entry["audience"] != READER or "names" not in entry:
        return None
    prefix = _session_prefix()
    session = caches[settings.SESSION_CACHE_ALIAS].get(prefix + session_key) if prefix else None
    if (
        not isinstance(session, dict)
        or session.get(SESSION_KEY) != entry["user"]
        or session.get(HASH_SESSION_KEY) != entry["hash"]
        or session.get(BACKEND_SESSION_KEY) != entry["backend"]
        or entry["backend"] not in settings.AUTHENTICATION_BACKENDS
        or MESSAGES_SESSION_KEY in session
        or EXPIRY_SESSION_KEY in session
        or account_tokens(entry["user"]) != entry["tokens"]
    ):
        return None
    token = cache.get(cases_token_key())
    found = token and _case_version(slug, token)
    if not found:
        return None
    version, changed_ts = found
    audience, user_pk = entry["audience"], entry["user"]
    today = timezone.localdate()
    day_ts = _day_start_ts(today)
    csp = _fixed_csp()
    # Each page's ETag is this reader's (page_stamp); its rendering is the one every reader of the
    # audience with the same page permissions shares (shared_stamp), personalised for this one.
    names, permissions = ReaderNames(*entry["names"]), entry["permissions"]
    versions = [(version, changed_ts)]
    every = cache.get(EVERY_CASE_PREFIX + token)
    if every is not None:  # the version of a page that compares the case with every case (the report)
        everyone, everyone_ts = every
        versions.append((f"{version}|{everyone}|{token}", max(changed_ts, everyone_ts)))
    candidates = [
        (page_version, modified_ts, shared_stamp(request, page_version, audience, permissions, today=today))
        for page_version, modified_ts in versions
    ]
    found = next(
        ((v, m, kept) for v, m, shared in candidates if (kept := reader_renderings.get(shared)) is not None), None
    )
    if found is None:  # not kept in this process: the shared cache's copy, kept from now on
        found = next(
            (
                (v, m, reader_renderings.put(shared, stored))
                for v, m, shared in candidates
                if (stored := cache.get(CACHE_PREFIX + shared)) is not None
            ),
            None,
        )
    if found is None:
        return None
    page_version, modified_ts, kept = found
    stamp = _reader_stamp(request, page_version, audience, user_pk, today)
    content = personalise(kept.content, request, names)
    return _answer(request, kept, stamp, max(modified_ts, day_ts), csp, content=content)


# (version text, last change as a timestamp) of a case, by (cases token, slug): what the case row kept
# under that token says, which never changes (a write makes a new token).
_case_versions = KeptInMemory(budget=4096)


def _case_version(slug, token):
    found = _case_versions.get((token, slug))
    if found is None:
        case = cached_case(slug, token)
        if case is None:
            return None
        changed_at = case.data_changed_at
        version = version_text(case.pk, case.data_version, changed_at)
        found = _case_versions.put((token, slug), (version, changed_at.timestamp() if changed_at else 0))
    return found


# page_stamp's answers for a logged-in reader's requests answered here, by everything they hash (the
# code's fingerprint is fixed for the process): the same request asked again skips hashing. Emptied when
# it holds more than this many.
_reader_stamps = {}
READER_STAMPS_KEPT = 10_000


def _reader_stamp(request, version, audience, user_pk, today):
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    known = (version, audience, user_pk, csrf, request.path, request.META.get("QUERY_STRING", ""), today)
    known += (settings.STALE_AFTER_DAYS,)
    stamp = _reader_stamps.get(known)
    if stamp is None:
        stamp = page_stamp(request, version, audience, anonymous=False, today=today, user_pk=user_pk)
        if len(_reader_stamps) >= READER_STAMPS_KEPT:
            _reader_stamps.clear()
        _reader_stamps[known] = stamp
    return stamp
