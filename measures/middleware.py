"""A database too busy to answer is said so, not shown as a server error."""

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
