"""Cases compared on the shared catalogue of measure types: the matrix (`/matrix/`) and a type's page
(`/matrix/types/<slug>/`). Every figure comes from `state.compare_cases`; the cases shown are those
the reader may read (`roles.readable_cases`)."""

import functools
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format

from measures.lib.ids import query_key
from measures.models import MeasureType, Party
from measures.roles import readable_cases
from measures.state import STEPS, Level, compare_cases, evidence_dating, evidence_of
from reading import exports
from reading.access import cases_reader
from reading.caching import cached_page
from reading.caching.columns import ColumnCache
from reading.caching.fragments import cached_fragment, kept_fragment
from reading.filters import MatrixFilter, MatrixFilterForm
from reading.tables import LEVEL_SYMBOLS, level_mark
from reading.views.base import EXPORT_FORMATS, CitedPassage, _page, _paginate, _period, pager_query, refused
from reading.views.matrix_cells import Marks, lags_body, table_body
from reading.views.quotes import QuoteLinks, quote_html

# Passages shown per measure on a type's page (the measure's own page lists them all).
PASSAGES_PER_MEASURE = 5
# Cases (columns) per page of the matrix: a reader compares a few cases at a time, and at 100× the
# data (50 cases) one page of all of them is half a megabyte of HTML. The exports hold every case.
CASES_PER_PAGE = 10
STEP_SHORT = {Level.MINIMAL: "Minimal", Level.INTERMEDIATE: "Intermediate", Level.FULL: "Full"}


@dataclass
class DaysTo:
    """Days to one level, for the days view: the level, its symbol and name, the days (None: not yet)."""

    level: str
    symbol: str
    label: str
    days: int | None
    on: object = None


@dataclass
class MatrixItem:
    """One measure in a cell, as the page shows it: the comparison, its page's URL, the headline level
    (joint, or the chosen party's) as a mark, each party's mark, who lags, and the days view."""

    comparison: object
    url: str
    mark: str
    party_marks: list = field(default_factory=list)
    lagging: list = field(default_factory=list)
    days: list = field(default_factory=list)
    progress_days: int | None = None
    progress_on: object = None

    @property
    def measure(self):
        return self.comparison.measure


def _readable_cases(request):
    parties = Prefetch("assessed_parties", queryset=Party.objects.order_by("name"))
    return list(readable_cases(request.user).prefetch_related(parties).order_by("-start_date", "name"))


def _measure_url(template, case, number, link_query):
    url = template.replace("__case__", case.slug, 1).replace("999999999", str(number), 1)
    return f"{url}?{link_query}" if link_query else url


def _days(reached_by_step):
    return [
        DaysTo(step, LEVEL_SYMBOLS[step], STEP_SHORT[step], reached_by_step[step].days, reached_by_step[step].on)
        for step in STEPS
    ]


def _item(comparison, *, url_template, link_query, party, marks=level_mark):
    standing = None if party is None else next(s for s in comparison.parties if s.party.pk == party.pk)
    headline = comparison.joint_level if standing is None else standing.level
    if standing is not None and not standing.applies:
        mark = marks(Level.NOT_APPLICABLE, "Does not apply")
    else:
        mark = marks(headline)
    reached = comparison.joint_reached if standing is None else standing.reached
    progress = comparison.first_progress
    return MatrixItem(
        comparison=comparison,
        url=_measure_url(url_template, comparison.case, comparison.measure.number, link_query),
        mark=mark,
        party_marks=[
            (s.party, marks(s.level) if s.applies else marks(Level.NOT_APPLICABLE, "Does not apply"))
            for s in comparison.parties
        ],
        lagging=comparison.lagging,
        days=_days(reached),
        progress_days=progress.days if progress else None,
        progress_on=progress.on if progress else None,
    )


def _summaries(row):
    """[(symbol, label, StepSummary)] of a type's row: one per level, then the first evidence of progress."""
    return [(LEVEL_SYMBOLS.get(summary.level, "¶"), summary.label, summary) for summary in row.summaries]


def _matrix_rows(comparison, shown=None, **item_options):
    """[(theme, [(TypeRow, [(CaseColumn, [MatrixItem])], summaries)])]: what the template draws, for
    the columns whose index is in `shown` (None: all); the summaries are across every case."""
    themes = []
    for theme, theme_rows in comparison.themes:
        rows = []
        for row in theme_rows:
            cells = [
                (column, [_item(item, **item_options) for item in column.of_type(row.type.pk)])
                for index, column in enumerate(comparison.columns)
                if shown is None or index in shown
            ]
            rows.append((row, cells, _summaries(row)))
        themes.append((theme, rows))
    return themes


def _filter_fields(request, form, matrix_filter, themes, parties):
    """The dates' and filters' fields, kept per data version (`cached_fragment`), query and choices
    offered (the themes and the parties of the cases this reader may read)."""
    query = query_key(request.GET, leave_out=("page", "_export"))
    choices = ([theme.pk for theme in themes], [party.pk for party in parties])
    return cached_fragment(
        request,
        "matrix-filters",
        [query, choices],
        lambda: render_to_string(
            "measures/partials/matrix_filters.html", {"period_form": form, "filter": matrix_filter}, request
        ),
    )


def _whole_export_query(request, form, matrix_filter):
    """The page's query for its export links: what the page applied (`pager_query`: not a refused date
    or filter, which the export would refuse with 400, nor a parameter the matrix does not read),
    without the page of cases: the exports hold every case."""
    return pager_query(request, form, matrix_filter)


def _quoted(evidence, links, link_query):
    """The evidence's passage quoted with its source, made in Python (reading.views.quotes): a type's
    page quotes several passages per case, each without a template of its own."""
    passage = CitedPassage(evidence.citation, evidence_dating(evidence.citation))
    return quote_html(passage, links=links, link_query=link_query)


def _link_query(period):
    """The dates every link keeps: the one as-of date asked for (else each case its own), as known on."""
    return period.query()


@cases_reader
@cached_page
def matrix(request):
    """Measure types (rows, grouped by theme) against the cases the reader may read (columns)."""
    form, period = _period(request)
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS and form.errors:
        return refused(form, "export")  # not a file for another date than the one asked for
    cases = _readable_cases(request)
    all_types = list(MeasureType.objects.select_related("theme"))
    themes = list({t.theme.pk: t.theme for t in all_types}.values())
    parties = sorted({p.pk: p for case in cases for p in case.assessed_parties.all()}.values(), key=lambda p: p.name)
    matrix_filter = MatrixFilter(request.GET, themes=themes, parties=parties)
    if export_format in EXPORT_FORMATS and not matrix_filter.valid:
        return refused(matrix_filter, "export")  # not a file of every theme for a theme that does not exist
    days_wanted = matrix_filter.view == MatrixFilterForm.VIEW_DAYS or export_format in EXPORT_FORMATS
    comparison = compare_cases(
        matrix_filter.cases(cases),
        as_of=period.as_of if period.as_of_given else None,
        known_on=period.known_on,
        types=matrix_filter.types(all_types),
        first_progress=days_wanted,
        column_cache=ColumnCache(),
    )
    messages = matrix_filter.error_messages()
    if export_format in EXPORT_FORMATS:
        stem = "matrix" + (f"-{period.as_of.isoformat()}" if period.as_of_given else "")
        if export_format == "csv":
            return exports.matrix_csv_response(comparison, filename=f"{stem}.csv")
        return exports.matrix_xlsx_response(comparison, filename=f"{stem}.xlsx", period=period)
    if export_format is not None:
        messages.append(f"“{export_format}” is not an export format: choose CSV or XLSX.")

    link_query = _link_query(period)
    url_template = reverse("measures:measure_detail", args=["__case__", 999999999])
    party = matrix_filter.party
    marks = Marks()
    # A page of cases (columns); the summaries across cases and who lags cover them all, as do the exports.
    page = _paginate(request, range(len(comparison.columns)), CASES_PER_PAGE, messages)
    shown = set(page.object_list)
    columns = [column for index, column in enumerate(comparison.columns) if index in shown]
    rows = _matrix_rows(comparison, shown, url_template=url_template, link_query=link_query, party=party, marks=marks)
    column_count = len(columns) + 1 + (1 if matrix_filter.view == MatrixFilterForm.VIEW_DAYS else 0)
    type_template = reverse("measures:measure_type", args=["__type__"])
    context = {
        "filter_fields": _filter_fields(request, form, matrix_filter, themes, parties),
        # Not "period": the site's footer would then say "Figures as of <one date>", which is not so
        # when each case is shown as of its own date.
        "dates": period,
        "period_form": form,
        "filter": matrix_filter,
        "comparison": comparison,
        "columns": columns,
        "page": page,
        "pager_query": pager_query(request, form, matrix_filter),
        "rows": rows,
        "party": party,
        "view": matrix_filter.view,
        "show_parties": matrix_filter.view == MatrixFilterForm.VIEW_PARTIES,
        "show_days": matrix_filter.view == MatrixFilterForm.VIEW_DAYS,
        "party_lags": comparison.party_lags,
        "lags_body": lags_body(comparison.party_lags),
        "untyped": comparison.untyped_count,
        "legend": [(level, LEVEL_SYMBOLS[level], Level(level).label) for level in LEVEL_SYMBOLS],
        "link_query": link_query,
        "export_query": _whole_export_query(request, form, matrix_filter),
        "column_count": column_count,
        "table_body": table_body(
            rows,
            show_days=matrix_filter.view == MatrixFilterForm.VIEW_DAYS,
            show_parties=matrix_filter.view == MatrixFilterForm.VIEW_PARTIES,
            column_count=column_count,
            link_query=link_query,
            type_url=lambda slug: type_template.replace("__type__", slug, 1),
            marks=marks,
        ),
        "not_begun": [column for column in columns if not column.begun],
    }
    return _page(request, "measures/matrix.html", context, form=form, nav="matrix", messages=messages)


@cases_reader
@cached_page
def measure_type(request, type_slug):
    """A type of the catalogue across cases: its definition, every case's measure of it with its level,
    days to each level and the passages that evidence it."""
    measure_type = get_object_or_404(MeasureType.objects.select_related("theme"), slug=type_slug)
    form, period = _period(request)
    comparison = compare_cases(
        _readable_cases(request),
        as_of=period.as_of if period.as_of_given else None,
        known_on=period.known_on,
        types=[measure_type],
        column_cache=ColumnCache(),
    )
    (row,) = comparison.rows
    link_query = _link_query(period)
    url_template = reverse("measures:measure_detail", args=["__case__", 999999999])
    # The figures across cases (row.summaries) count every case; the cases' own sections come
    # CASES_PER_PAGE at a time, as the matrix's columns do, and only theirs are built.
    messages = []
    page = _paginate(request, row.measures, CASES_PER_PAGE, messages)
    items = [_item(c, url_template=url_template, link_query=link_query, party=None) for c in page.object_list]
    # Each case's section is kept per data version and audience (and period): on the next rendering only
    # the sections not kept read their passages and go through the template.
    section_parts = {
        item.measure.pk: [item.comparison.case.pk, item.measure.pk, item.comparison.as_of, period.known_on, link_query]
        for item in items
    }
    kept = {pk: kept_fragment(request, "type-case", parts) for pk, parts in section_parts.items()}
    missing = [c for c in page.object_list if kept[c.measure.pk] is None]
    passages = evidence_of(missing, newest=PASSAGES_PER_MEASURE, known_on=period.known_on) if missing else {}

    def section_html(item):
        shown, total = passages.get(item.measure.pk, ([], 0))
        entry = {
            "item": item,
            "case": item.comparison.case,
            "parties": [
                (s, level_mark(s.level) if s.applies else None, _days(s.reached)) for s in item.comparison.parties
            ],
            "passages": [(e, _quoted(e, QuoteLinks(item.comparison.case.slug), link_query)) for e in shown],
            "more": total - len(shown),
            "total": total,
        }
        return render_to_string("measures/partials/type_case.html", {"entry": entry, "link_query": link_query})

    sections = [
        kept[item.measure.pk]
        or cached_fragment(request, "type-case", section_parts[item.measure.pk], functools.partial(section_html, item))
        for item in items
    ]
    context = {
        "measure_type": measure_type,
        "dates": period,
        "period_form": form,
        "row": row,
        "items": items,
        "sections": sections,
        "cases_without": [c.case for c, cell in zip(comparison.columns, row.cells, strict=True) if not cell],
        "link_query": link_query,
        "as_of_text": date_format(period.as_of) if period.as_of_given else None,
        "page": page,
        "pager_query": pager_query(request, form),
    }
    return _page(request, "measures/measure_type.html", context, form=form, nav="matrix", messages=messages)
