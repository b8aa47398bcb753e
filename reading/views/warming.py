"""After a write, the tasks worker renders the changed cases' default pages again, so that no reader
waits for a cold rendering of them (issue 25, point 4).

`case_changed` is a case-change hook (settings.CASE_CHANGE_HOOKS, called once a write committed): it
queues `warm_case` once per case while one is waiting (a claim in the cache, released when the task
starts), and the task renders the case as it is when it runs:

- for anonymous visitors, when the case is published: the dashboard, each measure page, the event list,
  the source list and the case's data package, stored in the page cache as a visitor's first request
  would store them (reading.caching.cached_page), with the case's published-version pointer, so that
  the next visitor is answered by reading.middleware.PublishedPageCacheMiddleware without the database;
- for readers: the dashboard, each measure page, the report page, the event list, the source list and
  the matrix of cases (levels, and days) as one reader sees them, and the case's data package;
- for the team: the dashboard, the event list, the matrix and the data package (not the measure pages
  or the report: the team's pages follow every assessment recorded to await review as well, which
  queues no warming, so under a stream of recordings a warmed team page would rarely be read);
  the data package is kept per audience for the pages and the read API alike
  (measures.importing.datapackage.kept). The readers' and the team's pages are stored
  as the rendering every account of that audience with the same page permissions shares (their name
  and CSRF token filled in when served: reading.caching.shared), so such readers are answered from the
  cache; they also leave in the cache the parts every reader of one audience shares
  (reading.caching.fragments.cached_fragment: the timeline, the progress chart, the commitment calendar, the
  matrix's filter fields) and the case's column of the matrix (reading.caching.columns.ColumnCache),
  which every audience shares: no reader then waits for the column of a case written since to be
  computed.

The readers' pages come first (readers are the most, and their measure pages and report were the cold
renders they waited on after an approval), then the public's, then the team's; the pages of one
audience in the order readers open them most (the case's lists before each of its measures).

One warming per case per WARM_PAGES_INTERVAL_SECONDS at most: a write while none is waiting queues one
to run at once, or, when the last one started less than the interval ago, at the end of the interval
(where the task backend can defer: the worker's database queue can), so that a burst of approvals costs
one rendering of the case's pages, not one each.

A rendering is a GET of the page's view through its URL, with no cookie and a session that is never
saved: nothing is written but the cache. Off where tasks run inside the request
(WARM_PAGES_AFTER_WRITES, false by default with TASKS_IMMEDIATE): the writer would wait for it.
"""

import io
import logging
import time
from datetime import UTC, datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.tasks import task
from django.urls import resolve, reverse

from measures.models import Case
from measures.roles import ADMINISTRATOR, ANALYST, READER, REVIEWER
from reading import access

logger = logging.getLogger(__name__)

# How long the claim "this case's rendering is queued" is kept: longer than a queue usually waits.
CLAIM_SECONDS = 3600


def case_changed(case_ids):
    """The hook: queue `warm_case` for each of these cases, unless one is queued for it already (a claim
    in the cache, released when the task starts). One query. Once per case, not per write: under a
    stream of writes a task per write was a second transaction per save, and SQLite's writers waited
    for each other long enough to answer "database busy" (docs/invariants.md, the stress run)."""
    if not settings.WARM_PAGES_AFTER_WRITES:
        return
    for pk, version in Case.objects.filter(pk__in=case_ids).values_list("pk", "data_version"):
        if cache.add(_claim(pk), version, CLAIM_SECONDS):
            _spaced(warm_case, pk).enqueue(pk, version)


def _spaced(task, case_id):
    """`task`, to run WARM_PAGES_INTERVAL_SECONDS after the case's last warming started when that is
    still to come and the backend can defer; else `task` (at once)."""
    interval = settings.WARM_PAGES_INTERVAL_SECONDS
    started = cache.get(_started(case_id)) if interval > 0 else None
    if started is None or not task.get_backend().supports_defer:
        return task
    run_after = started + interval
    if run_after <= time.time():
        return task
    return task.using(run_after=datetime.fromtimestamp(run_after, tz=UTC))


def _claim(case_id):
    return f"warm-pages:{case_id}"


def _started(case_id):
    return f"warm-pages-started:{case_id}"


@task()
def warm_case(case_id, data_version):
    """Render the default pages of case `case_id` for each audience (module docstring), at its data
    version when the task runs (`data_version`: the one it was queued at; writes since then queued
    nothing, so the task renders what they made). Returns the number of pages rendered; 0 when the
    case is gone."""
    cache.delete(_claim(case_id))  # a write from now on queues the next rendering
    cache.set(_started(case_id), time.time(), max(settings.WARM_PAGES_INTERVAL_SECONDS, 1))
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return 0
    rendered = 0
    for audience, user in _audiences(case):
        for url in _pages(case, audience):
            response = _get(url, user)
            if response.status_code == 200:
                rendered += 1
            else:
                logger.warning("Warming %s for %s answered %s", url, audience, response.status_code)
    return rendered


def _pages(case, audience):
    dashboard = reverse("measures:dashboard", args=[case.slug])
    events = reverse("measures:event_list", args=[case.slug])
    sources = reverse("measures:source_list", args=[case.slug])
    # The case's data package, kept for each audience (measures.importing.datapackage.kept), which the
    # read API's package of the case shares.
    package = reverse("measures:case_package", args=[case.slug])
    # The matrix of cases, in its two kinds of columns (levels; days, which the exports share): the
    # changed case's column is computed and kept for every reader (the others are kept already).
    matrix = reverse("measures:matrix")
    matrices = [matrix, f"{matrix}?view=days"]
    if audience == access.TEAM:
        return [dashboard, events, *matrices, package]
    numbers = case.measures.order_by("number").values_list("number", flat=True)
    measures = [reverse("measures:measure_detail", args=[case.slug, n]) for n in numbers]
    if audience == access.PUBLIC:
        return [dashboard, *measures, events, sources, package]
    # The pages every reader opens before the measure pages, each of which is one reader's in ten.
    report = reverse("measures:report", args=[case.slug])
    return [dashboard, events, sources, report, *matrices, *measures, package]


def _audiences(case):
    """(audience, user) for a reader, the public when the case is published, and a member of the team,
    in that order: the first active account of each role (none: that audience is skipped)."""
    found = []
    accounts = get_user_model().objects.filter(is_active=True).order_by("pk")
    for audience, groups in ((access.READER, [READER]), (access.TEAM, [ANALYST, REVIEWER, ADMINISTRATOR])):
        user = accounts.filter(groups__name__in=groups).first()
        if user is not None and access.audience_of(_Asking(user)) == audience:
            found.append((audience, user))
    if case.visibility == Case.Visibility.PUBLISHED:
        found.insert(1 if found and found[0][0] == access.READER else 0, (access.PUBLIC, AnonymousUser()))
    return found


class _Asking:
    def __init__(self, user):
        self.user = user


def _get(url, user):
    """The response of the reading view at `url` (a path, with a query or not) to a GET by `user`
    without cookies (the middleware's work that these views read: the user and an empty session,
    never saved)."""
    path, _, query = url.partition("?")
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
        }
    )
    request.user = user
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    match = resolve(path)
    return match.func(request, *match.args, **match.kwargs)
