"""Search: /search/?q=… across the sources' full texts and titles, the cited passages (and their
translations), events, rationales and measures of the cases the reader may read, and the sources no
case cites yet for an account that may read the library."""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef

from measures import search as search_index
from measures.lib import languages
from measures.lib.text import printable
from measures.models import Assessment, Citation, Source
from measures.roles import is_team, readable_cases, reader_required
from reading.access import READER, audience_of
from reading.caching import cached_page, code_fingerprint
from reading.forms import SearchForm
from reading.views.base import _page, pager_query

# The code a ranked page comes from (the engines' queries, the terms of a text), beside reading's own.
RANKING_CODE = ("measures/search", "measures/lib/terms.py", "measures/lib/words.py", "measures/lib/languages.py")


@functools.cache
def _ranking_fingerprint():
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256(code_fingerprint().encode())
    for name in RANKING_CODE:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _remembered(cases, *, uncited_sources=False, request=None):
    """A `remember` for measures.search.search: the ranked page (count and rows: ids only, never a
    snippet or a record's text) kept in the cache per data version of the readable `cases` (every
    write through the services bumps the versions of the cases it changes, in the transaction that
    writes the index; a source's, those of the cases citing it, where it is found) and code.
    Ranking every match is the engine's work (at 100× the demo data, one common query matches 14,000
    records); the same search again (the next reader, a reload, the back button) reuses it, while
    the records shown and their snippets are read afresh. With `uncited_sources` the sources no case
    cites are searched too, whose writes move no case's version: the newest row of the sources'
    history (every write of a source, deletions too, adds one) joins the version (one query)."""

    version = ",".join(f"{case.pk}:{case.data_version}:{case.data_changed_at.timestamp()}" for case in cases)
    # The index holds every rationale as soon as it is recorded, awaiting review too, which bumps no
    # data version (services.record_assessment): the newest assessment keys the ranking as well (one
    # query, on the primary key's index).
    version += f"|recorded:{Assessment.objects.newest_id()}"
    if uncited_sources:
        version += f",library:{_newest_source_change(request)}"

    def remember(key, compute):
        digest = hashlib.sha256("\x1f".join([_ranking_fingerprint(), version, key]).encode()).hexdigest()[:32]
        found = cache.get(f"search:{digest}")
        if found is None:
            found = compute()
            cache.set(f"search:{digest}", found, settings.PAGE_CACHE_SECONDS)
        return found

    return remember


def _languages_found(cases, chosen):
    """The languages a search can be narrowed to: those of the sources the readable `cases` cite and
    of the cases (their working languages), two small queries on indexed columns, and the one asked
    for. (A passage given another language than its source's is found by that language too, typed in
    the address.) Nothing of a case the reader may not read is named.

    Each source is asked whether a readable case cites it (EXISTS, one index probe per source): a
    join of the sources with their citations read every citation of every readable case to find a
    handful of languages (most of the search page's time at 100× the data)."""
    cited = Source.objects.filter(Exists(Citation.objects.filter(source=OuterRef("pk"), case__in=cases)))
    found = set(cited.order_by().values_list("language", flat=True).distinct())
    found |= set(cases.order_by().values_list("working_language", flat=True).distinct())
    try:
        found.add(languages.normalise_tag(chosen))
    except ValueError:
        pass  # the form says why
    found.discard("")
    return sorted(found)


def _unapproved(cases):
    """The ids of the assessments of `cases` that no reviewer approved, as a tuple (one query)."""
    found = Assessment.objects.filter(measure__case__in=cases).unapproved().order_by("pk")
    return tuple(found.values_list("pk", flat=True))


@reader_required
def search(request):
    """The search page; a reader's (approved judgements only) through the page cache (`_shared_search`)."""
    if audience_of(request) == READER:
        return _shared_search(request)
    return _search(request)


def _finds_uncited_sources(user):
    """Whether `user` finds the sources no case cites (in a search of every case): an account that may
    open the workspace and read the library."""
    return user.is_staff and user.has_perm("measures.view_source")


def _search(request):
    readable = readable_cases(request.user)
    cases = list(readable.order_by("name"))
    form = SearchForm(
        request.GET,
        cases=cases,
        kinds=search_index.KINDS,
        languages_found=_languages_found(readable, request.GET.get("language", "")),
    )
    values = form.values()
    text = values.get("q", "")
    searched = readable
    if values.get("case"):
        searched = readable.filter(slug=values["case"])
    # The team finds every rationale, awaiting review too; readers only approved judgements' (one query).
    hidden = () if is_team(request.user) else _unapproved(searched)
    # A source no case cites yet is in the library only: found by an account that may read the
    # library (every role may: the workspace's sources), in a search of every case (README, Search).
    # Its link is its workspace page: only an account that may open the workspace (staff status) finds it.
    uncited_sources = not values.get("case") and _finds_uncited_sources(request.user)
    filters = search_index.Filters(
        cases=searched,
        uncited_sources=uncited_sources,
        kind=values.get("kind", ""),
        language=values.get("language", ""),
        date_from=values.get("date_from"),
        date_to=values.get("date_to"),
        hidden_rationales=hidden,
    )
    page_number = values.get("page", 1)
    remember = _remembered(cases, uncited_sources=uncited_sources, request=request)
    results = search_index.search(text, filters, page=page_number, remember=remember)
    messages = []
    if text and not results.query:
        messages.append(f"“{text}” has no words to search for: type words of the text you are looking for.")
    if results.total and page_number > results.pages:
        messages.append(f"There is no page {page_number} (the last is {results.pages}): showing the first page.")
        results = search_index.search(text, filters, page=1, remember=remember)
    # The page links keep every other parameter of the search that the form accepted.
    paginator = Paginator(range(results.total), results.per_page) if results.total else None
    page = paginator.page(results.page) if paginator else None
    context = {
        "form": form,
        "text": text,
        "search_text": text,
        # What was typed, quoted in the title and the count with each character nobody sees as its code
        # point (a control character in the address shows as <U+001B>, as in the notices); the box keeps it.
        "quoted_text": printable(text),
        "results": results,
        "page": page,
        "pager_query": pager_query(request, form),
        "kinds": search_index.KINDS,
    }
    return _page(request, "measures/search.html", context, form=form, nav="search", messages=messages)


def _library_version(request):
    """What a reader's search depends on beyond the cases' data: for an account that finds the sources
    no case cites, the newest row of the sources' history (as `_remembered`; one query); else nothing."""
    if not _finds_uncited_sources(request.user):
        return ""
    return f"library:{_newest_source_change(request)}"


def _newest_source_change(request=None):
    """The id of the newest row of the sources' history (every write of a source, deletions too, adds
    one): one query, once per request (kept on `request` when given)."""
    newest = getattr(request, "newest_source_change", None)
    if newest is None:
        newest = Source.history.aggregate(newest=Max("history_id"))["newest"]
        if request is not None:
            request.newest_source_change = newest
    return newest


# A reader's search through the page cache (reading.caching.cached_page), kept per data version of
# every case and the cases token (`across_cases`), per the audience and page permissions, and shared by
# every reader with those (their name and token filled in per answer). What a reader's search shows
# depends on nothing else: approved judgements only (whose approval, correction or withdrawal moves
# the case's data version; an assessment recorded to await review moves none and is left out of a
# reader's results), the sources and passages of the cases (each write bumps the cases it touches), and
# for an account that finds the library its sources no case cites (`_library_version`). The team's
# search lists what awaits review, which moves no data version: never through here. A reader's
# results are ranked as the first reader's search of that data version ranked them (an engine's
# ranking may weigh a word by every text indexed, rationales awaiting review too: a reader's order
# then no longer moves with them).
_shared_search = cached_page(_search, across_cases=True, parameters=SearchForm.FIELDS, depends=_library_version)
