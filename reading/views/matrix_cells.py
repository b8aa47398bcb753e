"""The body of the matrix's table (`/matrix/`), drawn in Python: at 100× the data it holds a thousand
cells, and a template loop (with its variable lookups, filters and a context per cell) took most of
the page's time. Every piece of text is escaped (`django.utils.html.escape`); the level badges are
those of the dashboard (`reading.tables.level_mark`), made once per level.

What each cell shows is the template's former markup: the measure's badge linking to its page (its
number first when a case has several measures of the type), in the days view the days to each level
and to the first evidence of progress, who lags and since when, and each party's level in a
`details` element (open with `?view=parties`). A case that had not begun on the as-of date says so in
each of its cells instead (`CaseColumn.begun`)."""

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from measures.models import Assessment
from reading.tables import level_mark

Level = Assessment.Level
NONE_CELL = (
    '<span class="matrix-none" aria-hidden="true">·</span><span class="visually-hidden">No measure of this type</span>'
)
NOT_REACHED = '<span class="not-reached">–</span><span class="visually-hidden">{}</span>'


class Marks:
    """The badge of each level (and of "does not apply"), made once per page."""

    def __init__(self):
        self._made = {}

    def __call__(self, level, label=None):
        key = (level, label)
        if key not in self._made:
            self._made[key] = str(level_mark(level, label))
        return self._made[key]


def _days_list(item):
    parts = ['<ul class="days">']
    for step in item.days:
        days = NOT_REACHED.format("not reached") if step.days is None else f"{step.days} d"
        parts.append(
            f'<li><span aria-hidden="true">{step.symbol}</span>'
            f'<span class="visually-hidden">{step.label}:</span> {days}</li>'
        )
    progress = NOT_REACHED.format("none") if item.progress_days is None else f"{item.progress_days} d"
    parts.append(
        '<li class="days-evidence"><span aria-hidden="true">¶</span>'
        f'<span class="visually-hidden">First evidence of progress (of the measure):</span> {progress}</li></ul>'
    )
    return "".join(parts)


def _item_html(item, several, *, show_days, show_parties, marks, party_abbr):
    measure = item.measure
    number = f'<span class="matrix-number">{measure.number}.</span> ' if several else ""
    parts = [
        '<div class="matrix-item">',
        f'<a class="matrix-link" href="{escape(item.url)}" title="{measure.number}. {escape(measure.title)}">'
        f"{number}{item.mark}</a>",
    ]
    if show_days:
        parts.append(_days_list(item))
    for standing in item.lagging:
        since = f" since {date_format(standing.behind_since)}" if standing.behind_since else ""
        parts.append(f'<p class="lag">{escape(standing.party.code)} behind{since}</p>')
    if not show_days:
        parties = "".join(
            f"<li>{party_abbr(standing.party)} "
            f"{marks(standing.level) if standing.applies else marks(Level.NOT_APPLICABLE, 'Does not apply')}</li>"
            for standing in item.comparison.parties
        )
        parts.append(
            f'<details class="matrix-parties"{" open" if show_parties else ""}><summary>Each party'
            f'<span class="visually-hidden"> on {escape(measure.title)}</span></summary><ul>{parties}</ul></details>'
        )
    parts.append("</div>")
    return "".join(parts)


def _summary_html(row, summaries):
    if not row.having:
        return '<td class="matrix-summary"><span class="note">No case has one.</span></td>'
    parts = ['<td class="matrix-summary"><ul class="days summary-days">']
    for symbol, label, summary in summaries:
        figures = f"{summary.median_text} d ({summary.shortest}–{summary.longest}), " if summary.reached else ""
        plural = "" if summary.cases == 1 else "s"
        parts.append(
            f'<li><span aria-hidden="true">{symbol}</span><span class="visually-hidden">{escape(label)}:</span> '
            f"{figures}{summary.reached} of {summary.cases} case{plural}</li>"
        )
    parts.append("</ul></td>")
    return "".join(parts)


def table_body(rows, *, show_days, show_parties, column_count, link_query, type_url, marks):
    """The `<tbody>`s of the matrix: one per theme, a row per type. `rows` as the view's
    `_matrix_rows` gives them: [(theme, [(TypeRow, [(CaseColumn, [MatrixItem])], summaries)])];
    `type_url(slug)` a type's page; `marks` the page's Marks."""
    abbrs = {}

    def party_abbr(party):
        if party.pk not in abbrs:
            abbrs[party.pk] = f'<abbr title="{escape(party.name)}">{escape(party.code)}</abbr>'
        return abbrs[party.pk]

    labels, not_begun = {}, {}
    query = f"?{escape(link_query)}" if link_query else ""
    parts = []
    for theme, theme_rows in rows:
        parts.append(
            f'<tbody><tr class="matrix-theme"><th scope="colgroup" colspan="{column_count}">'
            f"{escape(theme.name)}</th></tr>"
        )
        for row, cells, summaries in theme_rows:
            parts.append(
                f'<tr><th scope="row" class="matrix-type"><a href="{escape(type_url(row.type.slug))}{query}">'
                f"{escape(row.type.name)}</a></th>"
            )
            for column, items in cells:
                key = column.case.pk
                if key not in labels:
                    labels[key] = escape(column.case.name)
                    not_begun[key] = (
                        None
                        if column.begun
                        else f'<span class="matrix-not-begun">Not begun: the case began on '
                        f"{date_format(column.case.start_date)}</span>"
                    )
                parts.append(f'<td data-label="{labels[key]}">')
                if not_begun[key]:
                    parts.append(not_begun[key])
                elif not items:
                    parts.append(NONE_CELL)
                else:
                    several = len(items) > 1
                    for item in items:
                        parts.append(
                            _item_html(
                                item,
                                several,
                                show_days=show_days,
                                show_parties=show_parties,
                                marks=marks,
                                party_abbr=party_abbr,
                            )
                        )
                parts.append("</td>")
            if show_days:
                parts.append(_summary_html(row, summaries))
            parts.append("</tr>")
        parts.append("</tbody>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def lags_body(party_lags):
    """The `<tbody>` of the table of who lags across cases: a row per party of `party_lags`
    ([(Party, measures, cases)], `Comparison.party_lags`). A hundred parties at 100× the data."""
    rows = "".join(
        f'<tr><th scope="row">{escape(party.name)} ({escape(party.code)})</th>'
        f'<td class="num" data-label="Measures">{measures}</td><td class="num" data-label="Cases">{cases}</td></tr>'
        for party, measures, cases in party_lags
    )
    return mark_safe(f"<tbody>{rows}</tbody>")  # noqa: S308 - the names are escaped
