"""The measures table of the dashboard (django-tables2), and its spreadsheet-safe export.

The table is fed with the `MeasureStatus` rows of `state.case_state()`, a list rather than a
queryset: levels are derived in Python there, so the ORM cannot sort by them. Each status is wrapped
in a `MeasureRow` that adds sort keys (level rank, confidence rank…) for django-tables2's list
ordering; every figure shown still comes from the status itself.

django-tables2 orders the rows and writes the headings; the body's cells are written by the columns'
`render` methods with `format_html` (`MeasureTable.body_html`), with the links' addresses reversed
once per table (`RowUrls`): the template engine per cell, a template per level badge and `reverse()`
per row and party were most of the table's cost (docs/performance.md).
"""

import datetime
import inspect

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from measures.models import Assessment
from measures.state import CONFIDENCE_RANK, LEVEL_ORDER, Direction
from reading.converters import url_maker

# Higher rank = further along, so that sorting up puts the least advanced measures first.
LEVEL_RANK = {level: rank for rank, level in enumerate(reversed(LEVEL_ORDER))}
DIRECTION_RANK = {
    Direction.DOWN: 0,
    Direction.UP_DOWN: 1,
    Direction.DOWN_UP: 2,
    Direction.UNSCORED: 3,
    Direction.SAME: 4,
    Direction.NEW: 5,
    Direction.UP: 6,
}
DIRECTION_SYMBOL = {
    Direction.DOWN: "↓",
    Direction.UP_DOWN: "↑↓",
    Direction.DOWN_UP: "↓↑",
    Direction.UNSCORED: "×",
    Direction.SAME: "→",
    Direction.NEW: "+",
    Direction.UP: "↑",
}


class MeasureRow:
    """One `MeasureStatus` as the table sees it: the figures, plus keys to sort by."""

    def __init__(self, status, *, link_query="", urls=None):
        self.status = status
        measure = status.measure
        urls = urls or RowUrls(measure.case.slug)
        self.number = measure.number
        self.title = measure.title
        self.url = urls.detail(measure.number)
        if link_query:
            self.url += "?" + link_query
        self.assess_url = urls.assess(measure.pk)
        # A party the measure asks nothing of: "Does not apply", never "Not yet assessed".
        self.party_levels = [
            PartyLevel(
                cell.shown_level, cell.shown_label, cell.party, urls.assess(measure.pk, cell.party.pk), cell.applies
            )
            for cell in status.cells
        ]
        self.party_ranks = [LEVEL_RANK[cell.level] if cell.applies else -1 for cell in status.cells]
        self.joint_level = (status.joint_level, status.joint_level_label)
        self.joint_rank = LEVEL_RANK[status.joint_level]
        confidence = status.confidence
        self.confidence = confidence.capitalize() if confidence else None
        self.confidence_rank = CONFIDENCE_RANK[confidence] if confidence else -1
        # Joint direction, then each applicable party whose level moved (a party can move while the
        # joint level stays put): (direction, label, [(party code, direction, label)]).
        # Along every level in force in the period: a reversal restored inside it is named, with its dates.
        self.direction = PathDirection(
            status.direction,
            status.direction_label,
            [(cell.party.code, cell.direction, cell.direction_label) for cell in status.moved_cells],
            status.reversal_text,
        )
        self.direction_rank = DIRECTION_RANK[status.direction]
        # EvidenceDate: written as known ("c. 17 Jan 2024" when approximate), as on the measure page.
        self.latest_evidence = status.latest_evidence
        self.latest_evidence_key = status.latest_evidence_date or datetime.date.min
        self.citation_count = status.citation_count
        self.flags = [
            name
            for name, on in (
                ("Stale", status.stale),
                ("No evidence yet", status.no_evidence),
                ("Contested", status.contested),
            )
            if on
        ]
        self.flag_rank = len(self.flags) * 2 + status.contested
        self.moved = status.moved


def assess_url(measure, party=None):
    """The workspace's page recording an assessment of `measure` (for `party`, when given)."""
    url = reverse("admin:measures_measure_assess", args=[measure.pk])
    return f"{url}?party={party.pk}" if party is not None else url


class RowUrls:
    """The addresses the rows of one case's table link to, reversed once and completed per row (as the
    admin's measure list does): a measure's page by its number, the workspace's assessment page by
    the measure's id (and the party's)."""

    def __init__(self, case_slug):
        self.detail = url_maker("measures:measure_detail", case_slug)
        self._assess = url_maker("admin:measures_measure_assess")

    def assess(self, measure_pk, party_pk=None):
        url = self._assess(measure_pk)
        return f"{url}?party={party_pk}" if party_pk is not None else url


class PartyLevel(tuple):
    """(level, label) of one party's cell, with the party, where to record its next assessment, and
    whether the measure applies to the party (no record link when it does not)."""

    def __new__(cls, level, label, party, assess_url, applies=True):
        self = super().__new__(cls, (level, label))
        self.party = party
        self.assess_url = assess_url
        self.applies = applies
        return self


class PathDirection(tuple):
    """(direction, label, [(party code, direction, label)]) of a row, with its reversals in words."""

    def __new__(cls, direction, label, parties, reversals=""):
        self = super().__new__(cls, (direction, label, parties))
        self.reversals = reversals
        return self


def level_badge(level, label):
    """The level badge of measures/partials/level.html, written without the template engine."""
    return format_html('<span class="level level-{}">{}</span>', level, label)


# A symbol per level of the Peace Accords Matrix scale, filled as far as the step went, so that a level
# reads in black and white and at a glance in a crowded matrix: the badge's colour and frame say it too.
LEVEL_SYMBOLS = {
    Assessment.Level.FULL: "●",
    Assessment.Level.INTERMEDIATE: "◑",
    Assessment.Level.MINIMAL: "◔",
    Assessment.Level.NOT_INITIATED: "○",
    Assessment.Level.REVERSED: "↺",
    Assessment.Level.NOT_APPLICABLE: "–",
    Assessment.Level.NOT_ASSESSED: "?",
}


def level_mark(level, label=None):
    """The level badge of the dashboard (`level level-<level>`: its colour and frame) with the level's
    symbol before its words; the symbol is hidden from screen readers, which read the words."""
    return format_html(
        '<span class="level level-{} level-mark"><span class="level-symbol" aria-hidden="true">{}</span> {}</span>',
        level,
        LEVEL_SYMBOLS[level],
        label or Assessment.Level(level).label,
    )


class LevelColumn(tables.Column):
    """A cell holding (level, label): a badge on screen, the label's words in exports."""

    def render(self, value):
        return level_badge(*value)

    def value(self, value):
        return value[1]


class PartyLevelColumn(LevelColumn):
    """A party's level; for analysts, with a link recording that party's next assessment."""

    def render(self, value, table):
        badge = level_badge(*value)
        if not table.can_assess or not value.applies:
            return badge
        return format_html(
            '{} <a class="record-link" href="{}">Record<span class="visually-hidden"> an assessment for {}</span></a>',
            badge,
            value.assess_url,
            value.party.name,
        )


class DirectionColumn(tables.Column):
    """The joint direction of travel, then each party that moved: "→ Unchanged · PAK ↑ Improved"."""

    def render(self, value):
        direction, label, parties = value
        joint = format_html(
            '<span class="direction direction-{}"><span aria-hidden="true">{}</span> {}</span>',
            direction,
            DIRECTION_SYMBOL[direction],
            label,
        )
        reversals = getattr(value, "reversals", "")
        note = format_html(' <span class="path-note">({})</span>', reversals) if reversals else ""
        if not parties:
            return format_html("{}{}", joint, note)
        moves = format_html_join(
            " ",
            '<span class="direction direction-{1}">{0} <span aria-hidden="true">{2}</span> {3}</span>',
            ((code, d, DIRECTION_SYMBOL[d], party_label) for code, d, party_label in parties),
        )
        return format_html('{} <span class="party-moves">{}</span>{}', joint, moves, note)

    def value(self, value):
        direction, label, parties = value
        reversals = getattr(value, "reversals", "")
        joint = f"{label} (joint; {reversals})" if reversals else f"{label} (joint)"
        moves = "; ".join(f"{code}: {party_label}" for code, _, party_label in parties)
        return f"{joint}; {moves}" if moves else joint


class TitleColumn(tables.Column):
    def render(self, value, record, table):
        link = format_html('<a href="{}">{}</a>', record.url, value)
        if not table.can_assess:
            return link
        return format_html(
            '{} <a class="record-link" href="{}">Record an assessment'
            '<span class="visually-hidden"> of measure {}</span></a>',
            link,
            record.assess_url,
            record.number,
        )

    def value(self, value):
        return value


class FlagsColumn(tables.Column):
    def render(self, value):
        if not value:
            return format_html('<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>', "None")
        return format_html_join(" ", '<span class="flag flag-{}">{}</span>', ((slugify(flag), flag) for flag in value))

    def value(self, value):
        return ", ".join(value)


class DateColumn(tables.Column):
    """A date, or an EvidenceDate written as precisely as it is known ("c. 17 Jan 2024", "January 2024")."""

    def render(self, value):
        day = getattr(value, "date", value)
        return format_html('<time datetime="{}">{}</time>', day.isoformat(), self.value(value))

    def value(self, value):
        if hasattr(value, "precision"):
            return str(value)
        return date_format(value)  # as on the page: one date format everywhere (the site locale's)


class MeasureTable(tables.Table):
    number = tables.Column(verbose_name="No.", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    title = TitleColumn(verbose_name="Measure", order_by=("title",))
    joint_level = LevelColumn(verbose_name="Joint level", order_by=("joint_rank", "number"))
    confidence = tables.Column(verbose_name="Confidence", order_by=("confidence_rank", "number"))
    direction = DirectionColumn(verbose_name="Direction of travel", order_by=("direction_rank", "number"))
    latest_evidence = DateColumn(verbose_name="Latest evidence", order_by=("latest_evidence_key", "number"))
    citation_count = tables.Column(
        verbose_name="Citations", order_by=("citation_count", "number"), attrs={"td": {"class": "num"}}
    )
    flags = FlagsColumn(verbose_name="Flags", order_by=("flag_rank", "number"), empty_values=())

    class Meta:
        template_name = "measures/partials/measures_table.html"
        attrs = {"class": "measures-table"}
        order_by = ("number",)
        row_attrs = {"class": lambda record: "moved" if record.moved else None}
        empty_text = "No measure matches these filters."

    def __init__(self, data, *, parties, can_assess=False, query="", **kwargs):
        """`query`: what the page applied (reading.views.base.pager_query), which the column headings' sort
        links carry before their `sort`: a refused or unknown parameter is not repeated by a sort link."""
        self.can_assess = can_assess
        self.query = query
        party_columns = [
            (
                f"party_{party.code}",
                PartyLevelColumn(
                    verbose_name=party.code,
                    accessor=f"party_levels__{i}",
                    order_by=(f"party_ranks__{i}", "number"),
                    attrs={"th": {"title": f"Level of {party.name}"}},
                ),
            )
            for i, party in enumerate(parties)
        ]
        sequence = ["number", "title", *(name for name, _ in party_columns), "..."]
        super().__init__(data, extra_columns=party_columns, sequence=sequence, **kwargs)

    def body_html(self):
        """The table's body rows, in the table's order: each cell written by its column's `render`
        (with the value its accessor finds, or the column's default for an empty value) as
        django-tables2's template would, the measure's title as the row's heading. What does not
        change from row to row (each column's attributes, which arguments its `render` takes) is
        worked out once per table instead of once per cell."""
        columns = []
        for bound in self.columns:
            wanted = inspect.signature(bound.render).parameters
            attrs = mark_safe(bound.attrs["td"].as_html())
            columns.append((bound, wanted, attrs, format_html('data-label="{}" {}', bound.header, attrs)))
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = []
            for index, (bound, wanted, attrs, labelled) in enumerate(columns):
                value = bound.accessor.resolve(record)
                if value in bound.column.empty_values:
                    content = bound.default
                else:
                    arguments = {"value": value, "record": record, "table": self, "column": bound.column}
                    content = bound.render(**{name: arguments[name] for name in wanted if name in arguments})
                content = conditional_escape(localize(content))
                if index == 1:
                    moved = mark_safe(' <span class="changed-mark">changed</span>') if record.moved else ""
                    cells.append(format_html('<th scope="row" {}>{}{}</th>', attrs, content, moved))
                else:
                    cells.append(format_html("<td {}>{}</td>", labelled, content))
            rows.append(format_html("<tr {}>{}</tr>", mark_safe(row.attrs.as_html()), mark_safe("".join(cells))))
        if not rows:
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(self.columns), self.empty_text)
        return mark_safe("\n".join(rows))
