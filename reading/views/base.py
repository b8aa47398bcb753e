"""What the reading pages share: the period from the query string, pagination, the export formats."""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import render

from measures import roles
from measures.lib.ids import query_key
from measures.lib.text import printable
from measures.models import Citation, Evidence
from reading.access import PREVIEW_PARAMETER
from reading.forms import PeriodForm

EXPORT_FORMATS = ("csv", "xlsx")
EVENTS_PER_PAGE = 100
SOURCES_PER_PAGE = 100
# Assessments awaiting review listed on a page for the team; the review queue lists them all.
PENDING_SHOWN = 50
STANCE_ORDER = (Evidence.Stance.PROGRESS, Evidence.Stance.SETBACK, Evidence.Stance.CONTEXT)


@dataclass(frozen=True)
class CitedPassage:
    citation: Citation
    date: object  # evidence_dating(): EvidenceDate of the event, else of the source; or None

    @property
    def source(self):
        return self.citation.source

    @property
    def date_text(self):
        return str(self.date) if self.date else "undated"


def can_assess(user):
    """Whether the reading pages offer `user` links to record assessments: analysts and administrators."""
    return user.has_perm("measures.add_assessment")


def can_review(user):
    """Whether the reading pages offer `user` the review queue: reviewers and administrators."""
    return roles.can_review(user)


def refused(form, what):
    """400 for a download (an export, a data package) whose dates are bad: a file cannot carry the page's
    message, so it is refused with the same words ("No export made. …") rather than made for another
    period than the one asked for. The messages quote what was typed printably (`printable`)."""
    return HttpResponseBadRequest(
        printable(f"No {what} made. " + " ".join(form.error_messages())), content_type="text/plain; charset=utf-8"
    )


def _period(request, case=None):
    form = PeriodForm(request.GET, case=case)
    return form, form.period()


def mark_refusals(request, form, messages=()):
    """Mark `request` as refusing a parameter (`request.parameters_refused`, what `_page` marks when it
    renders) as soon as the view knows, before it keeps fragments keyed by its query: a fragment of a
    request with a refused value (`?kind=<anything>`) is not kept (reading.caching.fragments), so junk
    values cannot fill the cache."""
    request.parameters_refused = bool(form.error_messages() or messages)


def _page(request, template, context, *, form, nav=None, messages=()):
    """Render a reading page, with every problem in its parameters listed at the top, and who reads it
    (`viewer`, reading.access: the public banner and what names and pending judgements are shown).
    Marks the request when a parameter was refused (`request.parameters_refused`). Every notice quotes
    what was typed printably (`measures.lib.text.printable`: a NUL or a bidi override written as its code
    point), whichever form, filter or pager wrote it."""
    context["notices"] = [printable(message) for message in (*form.error_messages(), *messages)]
    # A page that set a parameter aside is not kept in the page cache (reading.caching._can_store).
    request.parameters_refused = bool(context["notices"])
    context["nav"] = nav
    context.setdefault("viewer", getattr(request, "viewer", None))
    return render(request, template, context)


def _awaiting_review(assessments):
    """The assessments of `assessments` (a queryset) awaiting review and the returned ones not yet revised
    by a correction, oldest first, with who recorded them and the reviewer's decision: what the team
    sees marked on the dashboard and measure pages. Returns (the first PENDING_SHOWN of them, how many
    await review, how many were returned): a returned assessment awaits its author's correction, not a
    reviewer, so the two are counted apart, as the review queue counts the first. Two queries at most
    (the rows, their counts)."""
    Assessment = assessments.model
    revised = Assessment.objects.filter(corrects=OuterRef("pk"))
    rows = (
        (assessments.pending() | assessments.returned().exclude(Exists(revised)))
        .select_related("measure", "party", "recorded_by", "review__reviewer")
        .order_by("recorded_at", "pk")
    )
    shown = list(rows[:PENDING_SHOWN])
    if len(shown) < PENDING_SHOWN:
        returned = sum(a.review_status == "returned" for a in shown)
        return shown, len(shown) - returned, returned
    counts = rows.order_by().aggregate(all=Count("pk"), returned=Count("pk", filter=Q(review__decision="returned")))
    return shown, counts["all"] - counts["returned"], counts["returned"]


def _preview_links(request):
    """(url with the preview on, url with it off) of the current page: ?include_pending=1 toggled."""
    on, off = request.GET.copy(), request.GET.copy()
    on["include_pending"] = "1"
    off.pop("include_pending", None)
    return f"?{on.urlencode()}", f"?{off.urlencode()}" if off else request.path


def table_sorting(request, table):
    """(the sort `table` applied, refused): the `sort` values (its `order_by_field`) of the request that
    django-tables2 applied, as asked (a list of column names, each maybe with "-"; empty when none was
    asked: the table's default order is no parameter), and a message for each value it set aside (a
    name that is no column the table sorts by, or several names in one value), as a refused filter
    has one. Call it after RequestConfig configured the table."""
    asked = [value for value in request.GET.getlist(table.order_by_field) if value != ""]
    if not asked:
        return [], []
    applied = [str(alias) for alias in table.order_by]
    refused = [f"Sort: “{value}” is not a column the table sorts by." for value in asked if value not in applied]
    return [value for value in asked if value in applied], refused


def _export_query(request, *parts, sorting=()):
    """The query to which the export links add their `_export`: the parameters the page applied
    (`pager_query` of its forms and filters `parts`) and the table's sorting that the table applied
    (`sorting`: `table_sorting`'s first value). A refused date, filter or sort is left out, so a
    download link never answers 400 for, nor carries, a value the page itself set aside."""
    query = pager_query(request, *parts)
    if not sorting:
        return query
    params = QueryDict(mutable=True)
    params.setlist("sort", list(sorting))
    return f"{query}&{params.urlencode()}" if query else params.urlencode()


def pager_query(request, *parts):
    """The query the page links carry (`measures.lib.ids.query_key`'s form, without `page`): only the
    parameters the page applied, each with the value Django read (the last one). `parts`: the page's
    forms with `FIELDS` (PeriodForm, SearchForm: each field without an error is applied) and filters
    (reading.filters: `accepted_fields()`, all or none). A parameter the page refused (a bad date or
    theme, an `_export` that is no format) or does not read is left out, so the next page neither
    repeats its message nor keeps a value the first page did not use. The team's preview of pending
    assessments (`?include_pending=1`, applied: `request.viewer.include_pending`) is kept."""
    names = [
        name
        for part in parts
        for name in (
            part.accepted_fields()
            if hasattr(part, "accepted_fields")
            else [name for name in part.FIELDS if name not in part.errors]
        )
    ]
    accepted = {name: request.GET[name] for name in names if name != "page" and request.GET.get(name, "") != ""}
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.include_pending:  # the team's preview, kept from page to page
        accepted[PREVIEW_PARAMETER] = "1"
    params = QueryDict(mutable=True)
    params.update(accepted)
    return query_key(params)


def _paginate(request, items, per_page, messages, *, param="page", what=None, count=None):
    """The page of `items` that `?<param>=` asks for (the first one, with a message, for a bad number).
    `what` names the list in the message, for a page with several lists ("assessment history");
    `count`: the number of `items` when the caller already has it (spares the paginator's COUNT)."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed again
    number = request.GET.get(param, "1")
    of = f" of the {what}" if what else ""
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        messages.append(f"“{number}” is not a page number{of}: showing the first page.")
    except EmptyPage:
        messages.append(f"There is no page {number}{of} (the last is {paginator.num_pages}): showing the first page.")
    return paginator.page(1)


def pager_links(query, pages):
    """Give each Page of `pages` ({parameter: Page}, the lists of one page, each paged by its own
    parameter) `param` and `pager_query`: `query` (pager_query's, the page's accepted parameters)
    with the other lists' page numbers (those not on their first page), so that turning one list's
    page keeps the others where they are (templates/measures/partials/list_pager.html)."""
    for param, page in pages.items():
        others = QueryDict(mutable=True)
        others.update({name: str(p.number) for name, p in pages.items() if name != param and p.number != 1})
        page.param = param
        page.pager_query = "&".join(part for part in (query, query_key(others)) if part)


def _review_context(request, viewer, assessments):
    """What the team sees of the review on a page: the assessments awaiting review (or returned) among
    `assessments`, the preview switch, the queue link. Nothing for readers and the public."""
    if not viewer.is_team:
        return {}
    awaiting, awaiting_total, returned_total = _awaiting_review(assessments)
    preview_on, preview_off = _preview_links(request)
    return {
        "awaiting": awaiting,
        "awaiting_total": awaiting_total,
        "returned_total": returned_total,
        "preview": viewer.include_pending,
        "preview_on_url": preview_on,
        "preview_off_url": preview_off,
        "can_review": can_review(request.user),
    }
