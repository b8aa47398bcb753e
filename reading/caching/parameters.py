"""The query parameters of a cached reading page: those the pages read (READ_PARAMETERS, and a view's own
through `cached_page(parameters=…)`), and what becomes of the others (a campaign's `utm_source`, a
`fbclid`, junk): set aside before the page renders and left out of its stamp, so that such a link is
the page without them, answered from the cache."""

from django.http import QueryDict

# Every query parameter a cached reading page reads: the period (reading.forms.PeriodForm.FIELDS), the
# filters (reading.filters' forms), the table's sorting, the pager, the downloads, the report's paper and
# the team's preview (tests/reading/test_page_cache.py checks it holds every form's fields).
READ_PARAMETERS = frozenset(
    {
        *("as_of", "since", "known_on", "recorded_since"),
        *("level", "party", "flag", "direction", "kind", "theme", "status", "view"),
        *("sort", "page", "_export", "paper", "include_pending"),
        *("history", "progress", "setback", "context", "events"),  # the measure page's lists' pages
    }
)


def unread_parameters(params, read=READ_PARAMETERS):
    """The names in `params` (a QueryDict) that the page does not read (`read`: READ_PARAMETERS, and a
    view's own): they change nothing on the page, so they are left out of its stamp and set aside before
    it renders (`set_aside_unread`): `?utm_source=x` is the page without it."""
    return [name for name in params if name not in read]


def read_parameters(request):
    """The parameters `request`'s page reads: READ_PARAMETERS, or those `set_aside_unread` was given (a
    view's own too: search's words must name its renderings, never be left out of their stamp)."""
    return getattr(request, "read_parameters", READ_PARAMETERS)


def set_aside_unread(request, read=READ_PARAMETERS):
    """Give the view `request` without the parameters its page does not read (`unread_parameters`): its
    GET and its query string (what `get_full_path` and a login link's `next` are made of) hold only those
    it reads. Its rendering is then exactly the one of the address without them, and may be stored and
    served under that address's stamp, which leaves them out too: a link with `?utm_source=…` is
    answered from the cache (by PublishedPageCacheMiddleware too), never rendered cold. A parameter a
    page reads stays in the stamp (a rendering for `?level=full` is never served for another value)."""
    request.read_parameters = read
    unread = unread_parameters(request.GET, read)
    if not unread:
        return
    kept = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name not in unread:
            kept.setlist(name, values)
    kept._mutable = False
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()


def every_parameter_applied(request, read=READ_PARAMETERS):
    """Whether the page applied every parameter of the request: none it does not read (`read`:
    READ_PARAMETERS, and a view's own: `cached_page(parameters=…)`; `set_aside_unread` took the others
    out before the view), none it refused with a message (reading.views.base._page marks those). Only
    such a rendering is stored, so refused values (`?as_of=nonsense`, a new one each time) cannot fill
    the page cache and evict the pages readers ask for; they are rendered each time, as a first visit
    is. Unread parameters map to the stamp of the address without them: one entry, whatever their
    values."""
    return not getattr(request, "parameters_refused", False) and read.issuperset(request.GET)
