"""A database too busy to answer is said so, not shown as a server error; a login locked out says when
to try again."""

import datetime
import math

from django.conf import settings
from django.db import OperationalError
from django.template.response import TemplateResponse

# SQLite's message when the busy timeout (5 s) passed while another writer, such as a large
# load_case, held the lock. The request's transaction was rolled back: nothing was written.
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
