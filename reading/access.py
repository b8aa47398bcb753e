"""Who reads a case's pages, and what they see: the team, readers, or the public.

- **team** (analysts, reviewers, administrators: `roles.is_team`): every case; assessments awaiting
  review are listed, marked, with who recorded them, and `?include_pending=1` previews the state they
  would make;
- **reader** (the Reader role): every case, approved judgements only;
- **public**: anyone else (anonymous visitors, accounts without a role) on a *published* case, or on a
  case *shared by link* with a valid share link opened in this browser: approved judgements only, no
  reviewer's comment and no one's name, and every page says when the case was last reviewed.

Anyone else gets 404 for the case, exactly as for a case that does not exist: a private case is never
revealed (not 403, not a login redirect). `case_reader` puts this in front of each reading view.
"""

import functools
from dataclasses import dataclass, field

from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from measures.models import Case, Review, ShareLink
from measures.roles import case_by_slug, is_team, reader_required, reads_some_case

TEAM, READER, PUBLIC = "team", "reader", "public"
# The session key under which the share links opened in a browser are kept (their ids).
SHARED_LINKS_SESSION_KEY = "shared_links"
PREVIEW_PARAMETER = "include_pending"


@dataclass
class Viewer:
    """The reader of one case's pages. `case` is the Case as loaded for the check (with its data
    version and visibility); `link` the ShareLink a public reader came by, if any."""

    audience: str
    case: Case
    link: ShareLink | None = None
    include_pending: bool = False
    _last_reviewed: object = field(default=None, repr=False)

    @property
    def is_team(self):
        return self.audience == TEAM

    @property
    def is_public(self):
        return self.audience == PUBLIC

    @property
    def shows_names(self):
        """Whether pages may name people (who recorded, who reviewed): never to the public."""
        return not self.is_public

    @property
    def last_reviewed(self):
        """When a reviewer last approved one of the case's assessments (a datetime), or None: a return
        changes nothing the public sees, and must not tell it one happened. One query."""
        if self._last_reviewed is None:
            approved = Review.objects.filter(assessment__measure__case=self.case, decision=Review.Decision.APPROVED)
            found = approved.aggregate(last=Max("decided_at"))
            self._last_reviewed = found["last"] or False
        return self._last_reviewed or None


def shared_link_ids(request):
    """The ids of the share links opened in this browser (kept in its session), without touching a
    session the browser has not got."""
    if not hasattr(request, "session") or request.session.session_key is None:
        return []
    return [pk for pk in request.session.get(SHARED_LINKS_SESSION_KEY, []) if isinstance(pk, int)]


def audience_of(request):
    """TEAM, READER or PUBLIC for `request.user`, whatever the case (PUBLIC: may read only what is public)."""
    user = request.user
    if user.has_perm("measures.view_case"):
        return TEAM if is_team(user) else READER
    return PUBLIC


def viewer_for(request, case):
    """The Viewer of `case` for this request; Http404 when they may not read it (module docstring).
    The rule is `measures.roles.readable_cases`' for one case already loaded (no query but the share
    link's, for a case shared by link)."""
    audience = audience_of(request)
    if audience != PUBLIC:
        preview = audience == TEAM and request.GET.get(PREVIEW_PARAMETER) == "1"
        return Viewer(audience, case, include_pending=preview)
    if case.visibility == Case.Visibility.PUBLISHED:
        return Viewer(PUBLIC, case)
    if case.visibility == Case.Visibility.SHARED:
        ids = shared_link_ids(request)
        link = ShareLink.objects.filter(pk__in=ids, case=case).valid_on(timezone.localdate()).first() if ids else None
        if link is not None:
            return Viewer(PUBLIC, case, link=link)
    raise Http404("No such case.")


def cases_reader(view):
    """For the pages about several cases (the matrix, a type's page): anyone may open them when they
    may read some case (`measures.roles.readable_cases`: every case for the team and readers, the
    published ones for anyone else). With nothing to read, an anonymous visitor goes to the login page
    and an account without a role gets 403, as `reader_required` answers them."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not reads_some_case(request.user):
            return reader_required(view)(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def case_reader(view):
    """For the reading views of one case (`slug` in the URL): loads the case (its data version
    with it, which reading.caching.cached_page then uses; one query, none while no case was written
    since the cache read it: measures.roles), decides the Viewer or answers 404,
    and leaves it at `request.viewer`. Put it above @cached_page: nothing is answered, not even 304,
    to someone who may not read the case."""

    @functools.wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        case = case_by_slug(slug)
        if case is None:
            raise Http404("No such case.")
        request.viewer = viewer_for(request, case)
        return view(request, *args, slug=slug, **kwargs)

    return wrapper


def header_offers(request):
    """Template context processor: what the site's header (templates/base.html) offers the account of
    `request` beyond what `perms` tells, so that no page, the 403 page included, offers a page the
    account would be refused. `may_compare`: the pages about several cases (`cases_reader`'s rule,
    `roles.reads_some_case`), a callable the template calls only where it shows the link: no query for
    an account with a role, one (kept in the access cache) for an account without one."""
    return {"may_compare": lambda: reads_some_case(request.user)}
