"""What the reading pages share: the period from the query string, pagination, the export formats."""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render

from measures.models import Citation, Evidence
from reading.forms import PeriodForm

EXPORT_FORMATS = ("csv", "xlsx")
EVENTS_PER_PAGE = 100
SOURCES_PER_PAGE = 100
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


def _period(request, case=None):
    form = PeriodForm(request.GET, case=case)
    return form, form.period()


def _page(request, template, context, *, form, nav=None, messages=()):
    """Render a reading page, with every problem in its parameters listed at the top."""
    context["notices"] = [*form.error_messages(), *messages]
    context["nav"] = nav
    return render(request, template, context)


def _export_query(request):
    """The current query string without `_export`, to which the export links add theirs."""
    params = request.GET.copy()
    params.pop("_export", None)
    return params.urlencode()


def _paginate(request, items, per_page, messages):
    """The page of `items` that `?page=` asks for (the first one, with a message, for a bad number)."""
    paginator = Paginator(items, per_page)
    number = request.GET.get("page", "1")
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        messages.append(f"“{number}” is not a page number: showing the first page.")
    except EmptyPage:
        messages.append(f"There is no page {number} (the last is {paginator.num_pages}): showing the first page.")
    return paginator.page(1)
