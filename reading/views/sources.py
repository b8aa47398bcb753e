"""A case's sources: the list, the source reader with its cited passages, the original document."""

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.db.models.functions import Lower
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse

from measures.intake import CONTENT_TYPES
from measures.lib.quoting import find_passages, mark_passages
from measures.models import Citation, Evidence, Measure, Source
from measures.roles import reader_required
from measures.state import evidence_dating
from reading.access import case_reader
from reading.caching import cached_page
from reading.caching.fragments import cached_fragment, cached_value, kept_fragment
from reading.views.base import SOURCES_PER_PAGE, CitedPassage, _page, _paginate, _period, pager_query

# What the passages' list shows of each piece of evidence: its stance and its measure's number and title.
EVIDENCE_SHOWN = ("citation_id", "stance", "measure__number", "measure__title")


def _visible(citations, as_of):
    """The citations a reader could have seen on `as_of` (undated ones always), with their dates."""
    passages = [CitedPassage(c, evidence_dating(c)) for c in citations]
    return [p for p in passages if p.date is None or p.date.date <= as_of]


@case_reader
@cached_page
def source_list(request, slug):
    case = request.viewer.case  # loaded by case_reader
    form, period = _period(request, case)
    link_query = period.query()
    parts = [period.as_of, period.known_on, link_query]

    def count():
        # Counted in SQL, with the sources' own columns only: never a citation or a full text in memory.
        visible = Citation.objects.filter(case=case).known_on(period.known_on).visible_on(period.as_of)
        return dict(visible.order_by().values("source").annotate(n=Count("pk")).values_list("source", "n"))

    # The counts and the page's rows depend on the case's data and the period alone: kept per data
    # version (every reader of the audience shares them), so that a kept page reads no citation.
    counts = cached_value(request, "source-list-counts", parts, count)
    sources = Source.objects.filter(pk__in=counts).defer("full_text").order_by(Lower("title"), "pk")
    messages = []
    page = _paginate(request, sources, SOURCES_PER_PAGE, messages, count=len(counts))

    def rows_html():
        rows = [(source, counts[source.pk]) for source in page.object_list]
        return render_to_string(
            "measures/partials/source_rows.html", {"rows": rows, "case": case, "link_query": link_query}
        )

    context = {
        "case": case,
        "period": period,
        "period_form": form,
        "rows_html": cached_fragment(request, "source-list-rows", [*parts, page.number], rows_html),
        "page": page,
        "pager_query": pager_query(request, form),
        "source_total": len(counts),
        "citation_total": sum(counts.values()),
        "link_query": link_query,
    }
    return _page(request, "measures/source_list.html", context, form=form, nav="sources", messages=messages)


@case_reader
@cached_page
def source_detail(request, slug, pk):
    case = request.viewer.case  # loaded by case_reader
    form, period = _period(request, case)
    # The source's citations in the case, with the source's columns but its full text (read once, below,
    # and only to draw the text): a large case cites one source dozens of times.
    citations = list(
        Citation.objects.filter(case=case, source_id=pk)
        .known_on(period.known_on)
        .select_related("source", "event")
        .defer("source__full_text")
    )
    if not citations:
        # Sources are shared between cases; a source is shown under a case only if the case cites it.
        raise Http404(f"“{case}” cites no source {pk}.")
    source = citations[0].source
    for citation in citations:
        citation.case, citation.source = case, source
    passages = _visible(citations, period.as_of)
    can_cite = request.user.has_perm("measures.add_citation")
    can_commit = can_cite and request.user.has_perm("measures.add_commitment")
    query = f"?case={case.pk}&source={source.pk}"
    cite_url = f"{reverse('admin:measures_citation_add')}{query}" if can_cite else ""
    commit_url = f"{reverse('admin:measures_commitment_record')}{query}" if can_commit else ""
    link_query = period.query()
    # The passages' list and the marked text are drawn from the case's data, the period and (the text)
    # the reader's permissions alone: kept per data version, so that the full text, the passages' order,
    # the measures they evidence and the passages located again are read once per version.
    parts = [source.pk, period.as_of, period.known_on, link_query]
    passages_html = kept_fragment(request, "source-passages", parts)
    text_html = kept_fragment(request, "source-text", [*parts, can_cite, can_commit])
    if passages_html is None or text_html is None:
        source.full_text = Source.objects.values_list("full_text", flat=True).get(pk=source.pk)
        passages.sort(
            key=lambda p: (p.citation.spans[0][0] if p.citation.spans else len(source.full_text), p.citation.pk)
        )

    def draw_passages():
        prefetch_related_objects(
            [passage.citation for passage in passages],
            Prefetch("evidence", queryset=Evidence.objects.select_related("measure").only(*EVIDENCE_SHOWN)),
            Prefetch("requirement_of", queryset=Measure.objects.only("number", "title", "requirement_id")),
        )
        context = {"passages": passages, "case": case, "link_query": link_query}
        return render_to_string("measures/partials/source_passages.html", context)

    def draw_text():
        context = {
            "paragraphs": source_reader(source, passages),
            "source": source,
            "case": case,
            "can_cite": can_cite,
            "can_commit": can_commit,
            "cite_url": cite_url,
            "commit_url": commit_url,
            "case_measures": list(case.measures.only("number", "title", "pk")) if can_cite else [],
            "stances": Evidence.Stance.choices,
        }
        return render_to_string("measures/partials/source_text.html", context)

    context = {
        "can_cite": can_cite,
        "case": case,
        "source": source,
        "period": period,
        "period_form": form,
        "passages": passages,
        "passages_html": passages_html or cached_fragment(request, "source-passages", parts, draw_passages),
        "hidden_count": len(citations) - len(passages),
        "after_as_of": source.published_on is not None and source.published_on > period.as_of,
        "text_html": text_html or cached_fragment(request, "source-text", [*parts, can_cite, can_commit], draw_text),
        "link_query": link_query,
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
