"""Search: /search/?q=… across the sources' full texts and titles, the cited passages (and their
translations), events, rationales and measures of the cases the reader may read."""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef

from measures import search as search_index
from measures.lib import languages
from measures.models import Citation, Source
from measures.roles import readable_cases, reader_required
from reading.forms import SearchForm
from reading.views.base import _page


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


@reader_required
def search(request):
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
    filters = search_index.Filters(
        cases=searched,
        kind=values.get("kind", ""),
        language=values.get("language", ""),
        date_from=values.get("date_from"),
        date_to=values.get("date_to"),
    )
    page_number = values.get("page", 1)
    results = search_index.search(text, filters, page=page_number)
    messages = []
    if text and not results.query:
        messages.append(f"“{text}” has no words to search for: type words of the text you are looking for.")
    if results.total and page_number > results.pages:
        messages.append(f"There is no page {page_number} (the last is {results.pages}): showing the first page.")
        results = search_index.search(text, filters, page=1)
    # The page links keep every other parameter of the search.
    paginator = Paginator(range(results.total), results.per_page) if results.total else None
    page = paginator.page(results.page) if paginator else None
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "text": text,
        "search_text": text,
        "results": results,
        "page": page,
        "page_query": params.urlencode(),
        "kinds": search_index.KINDS,
    }
    return _page(request, "measures/search.html", context, form=form, nav="search", messages=messages)
