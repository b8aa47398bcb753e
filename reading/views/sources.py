"""A case's sources: the list, the source reader with its cited passages, the original document."""

from django.db.models import Count, Prefetch
from django.db.models.functions import Lower
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from measures.intake import CONTENT_TYPES
from measures.lib.quoting import find_passages, mark_passages
from measures.models import Citation, Evidence, Source
from measures.roles import reader_required
from measures.state import evidence_dating
from reading.access import case_reader
from reading.caching import cached_page
from reading.views.base import SOURCES_PER_PAGE, CitedPassage, _page, _paginate, _period, pager_query


def _visible(citations, as_of):
    """The citations a reader could have seen on `as_of` (undated ones always), with their dates."""
    passages = [CitedPassage(c, evidence_dating(c)) for c in citations]
    return [p for p in passages if p.date is None or p.date.date <= as_of]


@case_reader
@cached_page
def source_list(request, slug):
    case = request.viewer.case  # loaded by case_reader
    form, period = _period(request, case)
    # Counted in SQL, with the sources' own columns only: never a citation or a full text in memory.
    visible = Citation.objects.filter(case=case).known_on(period.known_on).visible_on(period.as_of)
    counts = dict(visible.order_by().values("source").annotate(n=Count("pk")).values_list("source", "n"))
    sources = Source.objects.filter(pk__in=counts).defer("full_text").order_by(Lower("title"), "pk")
    messages = []
    page = _paginate(request, sources, SOURCES_PER_PAGE, messages)
    context = {
        "case": case,
        "period": period,
        "period_form": form,
        "rows": [(source, counts[source.pk]) for source in page.object_list],
        "page": page,
        "pager_query": pager_query(request, form),
        "source_total": len(counts),
        "citation_total": sum(counts.values()),
        "link_query": period.query(),
    }
    return _page(request, "measures/source_list.html", context, form=form, nav="sources", messages=messages)


@case_reader
@cached_page
def source_detail(request, slug, pk):
    case = request.viewer.case  # loaded by case_reader
    form, period = _period(request, case)
    citations = list(
        Citation.objects.for_case(case)
        .known_on(period.known_on)
        .filter(source_id=pk)
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("measure")), "requirement_of")
    )
    if not citations:
        # Sources are shared between cases; a source is shown under a case only if the case cites it.
        raise Http404(f"“{case}” cites no source {pk}.")
    source = citations[0].source
    passages = sorted(
        _visible(citations, period.as_of),
        key=lambda p: (p.citation.spans[0][0] if p.citation.spans else len(source.full_text), p.citation.pk),
    )
    can_cite = request.user.has_perm("measures.add_citation")
    can_commit = can_cite and request.user.has_perm("measures.add_commitment")
    context = {
        "can_commit": can_commit,
        "commit_url": (
            f"{reverse('admin:measures_commitment_record')}?case={case.pk}&source={source.pk}" if can_commit else ""
        ),
        "case": case,
        "source": source,
        "can_cite": can_cite,
        "cite_url": f"{reverse('admin:measures_citation_add')}?case={case.pk}&source={source.pk}" if can_cite else "",
        "case_measures": list(case.measures.only("number", "title", "pk")) if can_cite else [],
        "stances": Evidence.Stance.choices,
        "period": period,
        "period_form": form,
        "passages": passages,
        "hidden_count": len(citations) - len(passages),
        "after_as_of": source.published_on is not None and source.published_on > period.as_of,
        "paragraphs": source_reader(source, passages),
        "link_query": period.query(),
    }
    return _page(request, "measures/source_detail.html", context, form=form, nav="sources")


def source_reader(source, passages):
    """The source's paragraphs with each visible cited passage marked by its number on the page.

    A citation saved before passages were located (no spans) is found again by the matching rule.
    """
    cited = []
    for number, passage in enumerate(passages, start=1):
        spans = passage.citation.spans
        if not spans and source.full_text:
            found = find_passages(source.full_text, passage.citation.quote)
            spans = [list(span) for span in found[0].spans] if found else []
        cited.append((number, passage.citation.anchor, spans))
    return mark_passages(source.full_text, cited)


@reader_required
def source_original(request, pk):
    """The document a source was taken from, as uploaded, for logged-in readers only.

    HTML and Word files are sent as downloads, never shown in the page's origin, and all but PDFs
    (which Chromium's viewer will not show sandboxed) carry a sandboxing Content-Security-Policy,
    so an uploaded page cannot run script here."""
    source = get_object_or_404(Source.objects.only("original_file", "original_name", "original_type"), pk=pk)
    if not source.original_file:
        raise Http404("This source has no original file.")
    try:
        handle = source.original_file.open("rb")
    except FileNotFoundError:
        raise Http404("The original file of this source is missing from the file store.") from None
    inline = source.original_type in (Source.OriginalType.PDF, Source.OriginalType.TEXT)
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=source.original_name or f"source-{source.pk}",
        content_type=CONTENT_TYPES[source.original_type],
    )
    if source.original_type != Source.OriginalType.PDF:
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=0"
    return response
