"""A database too busy to answer is said so, not shown as a server error; a login locked out says when
to try again; an anonymous visitor's GET of a published page, and a logged-in reader's of a page
already made for them, are answered from the page cache alone;
what a request writes is recorded in the audit log under its user and path."""

import datetime
import math
import re

from django.conf import settings
from django.db import OperationalError
from django.template.response import TemplateResponse
from django.urls import reverse

from measures.lib import acting
from reading.caching import published_response
from reading.caching.sessions import signed_in_response

# SQLite's message when the busy timeout (SQLITE_OPTIONS, tracker/settings.py) passed while other writers
# held the lock. The request's transaction was rolled back: nothing was written.
BUSY_MESSAGES = ("database is locked", "database table is locked")
RETRY_AFTER_SECONDS = 10


class DatabaseBusyMiddleware:
    """Answer 503 "try again" (with Retry-After) when SQLite stayed locked past its busy timeout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and any(m in str(exception) for m in BUSY_MESSAGES):
            response = TemplateResponse(request, "busy.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return None


class LoginLockoutRetryAfterMiddleware:
    """Tell a client locked out of logging in (django-axes' answer, 429 Too Many Requests) when it may
    try again: Retry-After in seconds (RFC 6585 §4, RFC 9110 §10.2.3), what is left of the lock's
    cool-off (LOGIN_LOCKOUT_MINUTES) counted from the latest failure recorded for the username or the
    address (attempts during a lock are not recorded: AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is
    off, so they do not extend it). A lock without cool-off lasts until an administrator lifts it: no
    time to give, no header. Put it just before AxesMiddleware, which makes the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cool_off = settings.AXES_COOLOFF_TIME
        if getattr(request, "axes_locked_out", False) and isinstance(cool_off, datetime.timedelta):
            response["Retry-After"] = str(_seconds_left(request, cool_off))
        return response


def _seconds_left(request, cool_off):
    from axes.models import AccessAttempt
    from django.db.models import Max, Q
    from django.utils import timezone

    username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "") if request.method == "POST" else ""
    address = getattr(request, "axes_ip_address", None)
    matching = Q(ip_address=address) if address else Q(pk__in=[])
    if username:
        matching |= Q(username=username)
    latest = AccessAttempt.objects.filter(matching).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


# The pages of one case: /cases/<slug>/… (reading.urls and reports.urls; slugs are Django's slug).
CASE_PAGE = re.compile(r"^/cases/(?P<slug>[-a-zA-Z0-9_]+)/")


class PublishedPageCacheMiddleware:
    """Answer an anonymous visitor's GET (or HEAD) of a published case's page from the page cache,
    before the session, the user or the database are touched: the request carries no session cookie
    (so it is nobody logged in, and no share link), the case's published-version pointer is in the
    cache, and a rendering for that version, URL, day and the anonymous public is stored
    (reading.caching.published_response). Anything else goes on to the views, which render, store and
    set the pointer. Put it after the security middleware (its headers apply to its answers too) and
    WhiteNoise, before the CSP middleware (its answers carry the headers that middleware would write,
    built once rather than at each request: reading.caching._fixed_csp) and SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            match = CASE_PAGE.match(request.path_info)
            if match is not None:
                response = published_response(request, match["slug"])
                if response is not None:
                    return response
        return self.get_response(request)


class SignedInPageCacheMiddleware:
    """Answer a logged-in reader's GET (or HEAD) of a case's page from the page cache (a stored
    rendering, or 304), before the session, the account or the database are touched, where nothing
    about the session, the account, its roles or the case changed since the normal path last answered
    that session (reading.caching.sessions says how that is known). Anything else goes on to the
    views. Put it where PublishedPageCacheMiddleware is, just after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME in request.COOKIES:
            match = CASE_PAGE.match(request.path_info)
            if match is not None:
                response = signed_in_response(request, match["slug"])
                if response is not None:
                    return response
        return self.get_response(request)


class ActingMiddleware:
    """Whatever a request writes is recorded in the audit log (measures.models.audit) under its user,
    through the admin (the workspace) or a reading page (measures.lib.acting). The user is read only
    when something is written. Put it after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        path = acting.ADMIN if request.path_info.startswith(self.admin_prefix) else acting.PAGE
        with acting.acting(user=request.user, path=path):
            return self.get_response(request)
