"""Search: /search/?q=… across the sources' full texts and titles, the cited passages (and their
translations), events, rationales and measures of the cases the reader may read."""

from django.core.paginator import Paginator

from measures import search as search_index
from measures.models import Citation, Source
from measures.roles import readable_cases, reader_required
from reading.forms import SearchForm
from reading.views.base import _page


def _languages_found(cases):
    """The languages a search can be narrowed to: those of sources, passages and cases (the working
    languages), in three small queries (the passages' through their index)."""
    found = set(Source.objects.exclude(language="").values_list("language", flat=True).distinct())
    found |= set(Citation.objects.exclude(language="").values_list("language", flat=True).distinct())
    found |= set(cases.values_list("working_language", flat=True).distinct())
    return sorted(found)


@reader_required
def search(request):
    readable = readable_cases(request.user)
    cases = list(readable.order_by("name"))
    form = SearchForm(request.GET, cases=cases, kinds=search_index.KINDS, languages_found=_languages_found(readable))
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
