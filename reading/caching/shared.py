"""One rendering of a reading page for every logged-in reader of an audience, personalised when served.

A logged-in reader's page differs from another reader's of the same audience (reading.access: team,
reader, or an account without a role reading as the public) in three places only:

- the header's name (templates/base.html: `user.get_username`);
- the logout form's CSRF token (`{% csrf_token %}`): Django masks the secret of the reader's CSRF
  cookie afresh for each response (django.middleware.csrf.get_token);
- the report's "By" line (reports.build.describe_user: the full name, else the username).

and in what the page offers by the account's permissions (`PAGE_PERMISSIONS`: the header's Workspace
and API tokens links, the measure page's "Record an assessment", the review panel's queue link, the
source page's citing links). Everything else on the cached pages is the audience's (the data version
stamps the case's data as the audience sees it; names of recorders are shown by audience,
`Viewer.shows_names`; the "Follow this case" link is the same for everyone; no cached page renders
Django's messages). So `reading.caching.cached_page` renders such a page once per audience,
permissions and data version (`reading.caching.shared_stamp`) with `SENTINELS` in those three places
(`rendering_context`, a template context processor, and the report view), stores that rendering, and
fills in the reader's own values on every answer made from it (`personalise`): the rendering a cold
request made for itself as much as every cache hit. The ETag stays per reader and per CSRF cookie
(`page_stamp`), so a 304 never answers for another reader's page.

The sentinels are derived from SECRET_KEY (so every process of the site uses the same ones, and a
reader cannot learn or type them: they never reach a browser), and `shared_stamp` includes them, so a
new SECRET_KEY never serves a rendering made with the old ones.
"""

import functools
import re
from typing import NamedTuple

from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.crypto import salted_hmac
from django.utils.html import escape

# The permissions that the markup of a cached reading page depends on (beyond the audience), each
# once: templates/base.html (`perms.measures.add_assessment or perms.measures.add_review`: the
# Workspace link; `perms.measures.view_case`: API tokens), reading.views.base.can_assess and
# can_review (the measure page's assess links, the review panel's queue link), reading.views.sources
# (`add_citation`, `add_commitment`: the source page's citing links). tests/reading/test_shared_renderings.py
# checks that every `perms.` of base.html is here.
PAGE_PERMISSIONS = (
    "measures.add_assessment",
    "measures.add_review",
    "measures.view_case",
    "measures.add_citation",
    "measures.add_commitment",
)

# A CSRF secret as Django keeps it in the cookie (django.middleware.csrf: 32 of CSRF_ALLOWED_CHARS).
CSRF_SECRET_FORM = re.compile(f"[{re.escape(CSRF_ALLOWED_CHARS)}]{{{CSRF_SECRET_LENGTH}}}")
# The request attribute cached_page sets while it renders a page to be shared.
RENDERING_FLAG = "rendering_for_audience"


class Sentinels(NamedTuple):
    """The markers a shared rendering holds in place of the reader's own values (ASCII letters and
    digits only: HTML escaping leaves them as they are)."""

    username: str
    display_name: str
    csrf_token: str


@functools.cache
def _sentinels(secret_key):
    marker = salted_hmac("reading.caching.shared", "sentinel", secret=secret_key, algorithm="sha256").hexdigest()[:32]
    return Sentinels(f"x{marker}username", f"x{marker}displayname", f"x{marker}csrftoken")


def sentinels():
    """This site's Sentinels (the same in every process while SECRET_KEY is)."""
    return _sentinels(settings.SECRET_KEY)


class ReaderNames(NamedTuple):
    """What a shared rendering says of its reader: `username` (the header) and `display_name` (the
    report's "By": the full name, else the username, as reports.build.describe_user says)."""

    username: str
    display_name: str

    @classmethod
    def of(cls, user):
        return cls(user.get_username(), user.get_full_name() or user.get_username())


def permission_flags(user):
    """The PAGE_PERMISSIONS `user` has, as a string of 0 and 1 in their order (no query for an account
    read by measures.roles.CachedModelBackend: its permissions are cached with it)."""
    return "".join("1" if user.has_perm(name) else "0" for name in PAGE_PERMISSIONS)


def rendering_for_audience(request):
    """Whether `request`'s page is being rendered to be shared (cached_page sets it while it renders)."""
    return getattr(request, RENDERING_FLAG, False)


class _SharedUser:
    """The `user` a shared rendering's templates see: logged in, named by the sentinel. Only what the
    templates of the cached pages ask of `user` (templates/base.html) is answered; anything else renders
    empty (never the rendering reader's own value, which other readers would be shown)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, name):
        self._name = name

    def get_username(self):
        return self._name

    def __str__(self):
        return self._name


def rendering_context(request):
    """Template context processor (settings.TEMPLATES): while a page is rendered to be shared, `user`
    and `csrf_token` are the sentinels' (after django.contrib.auth's and the CSRF processor, which it
    overrides); otherwise nothing."""
    if not rendering_for_audience(request):
        return {}
    marks = sentinels()
    return {"user": _SharedUser(marks.username), "csrf_token": marks.csrf_token}


def personalise(content, request, names):
    """`content` (bytes: a shared rendering, sentinels in it) with `request`'s reader's values in place
    of the sentinels: `names` (ReaderNames, HTML-escaped) and a CSRF token freshly masked for this
    request from the reader's CSRF secret (django.middleware.csrf.get_token; never the secret itself).

    Under CsrfViewMiddleware the secret is the one it read from the cookie (or, without a valid cookie,
    a new one, which that middleware sets on the response). Before that middleware has run (a middleware
    answering early, which never sets a cookie), a well-formed CSRF cookie is taken as the secret, as
    CsrfViewMiddleware.process_request takes it: such a caller must answer only a request whose CSRF
    cookie is well-formed (`has_csrf_secret`). Bytes in, bytes out (UTF-8, the pages' charset)."""
    if "CSRF_COOKIE" not in request.META and has_csrf_secret(request):
        request.META["CSRF_COOKIE"] = request.COOKIES[settings.CSRF_COOKIE_NAME]
    marks = sentinels()
    for sentinel, value in (
        (marks.username, escape(names.username)),
        (marks.display_name, escape(names.display_name)),
    ):
        content = content.replace(sentinel.encode(), value.encode())
    if marks.csrf_token.encode() in content:
        content = content.replace(marks.csrf_token.encode(), get_token(request).encode())
    return content


def has_csrf_secret(request):
    """Whether `request` carries a well-formed CSRF cookie (a secret CsrfViewMiddleware would keep)."""
    return bool(CSRF_SECRET_FORM.fullmatch(request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")))
