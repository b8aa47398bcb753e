"""Parts of a page kept in the cache per data version (the one `reading.caching.cached_page` stamped the
request with), code and day: a chart, the dashboard's "What changed", the case's state read for a
period, which the page's other renderings (its filters, its sorting, other readers of the audience)
share."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import mark_safe

from reading.caching import code_fingerprint, every_parameter_applied


def cached_fragment(request, name, parts, render):
    """The HTML that `render()` returns, kept in the cache per data version (the one `cached_page`
    stamped the request with), code, day, `name` and `parts` (what else it depends on: the period,
    the links' query), whatever the reader: for a part of a page drawn from the case's data alone,
    such as a chart, which the page's other renderings (its filters, its sorting, other readers) share.
    Without a data version (a view not under `cached_page`) it is rendered every time."""
    key = _fragment_key(request, name, parts)
    if key is None:
        return render()
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, settings.PAGE_CACHE_SECONDS)
    return mark_safe(html)


def kept_fragment(request, name, parts):
    """The HTML `cached_fragment(request, name, parts, …)` has kept (safe), or None: not kept yet, or
    no data version. For a view that reads less when a fragment is kept (the dashboard reads the
    period's changes with their assessments only to draw them)."""
    key = _fragment_key(request, name, parts)
    html = None if key is None else cache.get(key)
    return None if html is None else mark_safe(html)


def cached_value(request, name, parts, compute):
    """What `compute()` returns (any picklable value), kept as `cached_fragment` keeps HTML: per data
    version and audience, code, day, `name` and `parts`; each call answers a copy of its own (the
    cache unpickles it). For what a page reads from the case's data alone and then sorts, filters or
    renders per request (the dashboard's case state). Without a data version it is computed every time."""
    key = _fragment_key(request, name, parts)
    if key is None:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value


def _fragment_key(request, name, parts):
    version = getattr(request, "data_version", None)
    if version is None or not every_parameter_applied(request):
        # A request with a parameter no page reads, or one refused, is not kept as a page either: its
        # fragments (the filter form's is kept per query) must not fill the cache with junk queries.
        return None
    fields = [code_fingerprint(), version, name, *map(str, parts), timezone.localdate().isoformat()]
    return "fragment:" + hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:32]
