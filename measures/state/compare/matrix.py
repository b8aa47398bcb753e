"""Cases side by side on the catalogue of measure types (`compare_cases`), and the passages that
evidence a type (`evidence_of`)."""

import datetime
import functools
from collections import defaultdict

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, F, Prefetch, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.utils import timezone

from measures.models import Assessment, Evidence, Measure, MeasureType, Party
from measures.state.compare.columns import column_key, column_values
from measures.state.compare.figures import (
    STEPS,
    CaseColumn,
    Comparison,
    MeasureComparison,
    PartyStanding,
    Reached,
    TypeRow,
    summarise,
)
from measures.state.compare.paths import as_of_expression, case_as_of, days_after

Level = Assessment.Level


# Comparing cases ----------------------------------------------------------------------------------


def compare_cases(cases, *, as_of=None, known_on=None, types=None, first_progress=True, today=None, column_cache=None):
    """Cases side by side on the catalogue of measure types. Returns a Comparison.

    - `cases`: the cases to compare (an iterable of Case, e.g. `roles.readable_cases(user)`), shown in
      the order given.
    - `as_of`: None (each case as of its own default date), a date (all of them), or {case pk: date}.
    - `known_on` (date or None): only what was on record that day counts.
    - `types`: the measure types to show as rows (a queryset or list; None: the whole catalogue), in
      catalogue order. Standings, days and lags are computed for every measure of the cases, typed
      or not (`CaseColumn.measures`); the rows and `Comparison.party_lags` cover the types shown.
    - `first_progress`: also compute the days to the first evidence of progress (one more query).
    - `column_cache`: where each case's column values are kept between requests (an object with
      Django's cache `get_many(keys)` and `set_many({key: value})`, e.g. a prefixed cache from the
      front end), keyed per case on its data version (`columns.column_key`): only the columns of
      cases written since are computed. None: every column is computed.

    At most six queries (five without `first_progress`), whatever the number of cases, measures and
    assessments: the parties, the types, the measures; then, when a column is not kept, its
    applicable parties, the assessments that count in order (the levels in force are their last),
    the first evidence of progress (`columns.column_values`).
    """
    today = today or timezone.localdate()
    cases = list(cases)
    prefetch_related_objects(cases, Prefetch("assessed_parties", queryset=Party.objects.order_by("name")))
    if types is None:
        types = MeasureType.objects.all()
    types = list(types.select_related("theme")) if hasattr(types, "select_related") else list(types)
    case_by_pk = {case.pk: case for case in cases}
    columns = {
        pk: CaseColumn(case, case_as_of(case, as_of, today), list(case.assessed_parties.all()))
        for pk, case in case_by_pk.items()
    }
    # Rows of values, not model instances: a page builds the measures of the cases it shows only.
    listed = list(
        Measure.objects.filter(case__in=list(case_by_pk)).order_by("case_id", "number").values_list(*MEASURE_FIELDS)
    )
    values = _kept_or_computed(columns, listed, as_of, known_on, first_progress, today, column_cache)
    build = functools.partial(_build_column, with_progress=first_progress)
    for row in listed:
        column = columns[row[1]]
        kept = values[row[1]].get(row[0])
        if kept is None:  # a measure added since the column was kept cannot be: its case's version moved
            continue
        column.entries.append((row, kept))
    for column in columns.values():
        column.build = build
    ordered = [columns[case.pk] for case in cases]
    return Comparison(ordered, _rows(types, ordered, first_progress), as_of=_one_date(as_of), known_on=known_on)


# The fields of a measure that the comparison reads, in the order of CaseColumn.entries' rows (its
# type last: figures.TYPE_OF_ROW); the measures built from them defer the others, as `only()` would.
MEASURE_FIELDS = ("id", "case_id", "number", "title", "slug", "type_id")


def _build_column(column, entries, *, with_progress):
    """[MeasureComparison] of `entries`, some or all of `column`'s (CaseColumn.build)."""
    made = {}
    built = []
    for row, kept in entries:
        measure = Measure.from_db(DEFAULT_DB_ALIAS, MEASURE_FIELDS, row)
        measure.case = column.case  # in memory: its page's URL needs the case's slug, without a query
        built.append(_measure_comparison(measure, column, kept, with_progress, made))
    return built


def _kept_or_computed(columns, listed, as_of, known_on, first_progress, today, column_cache):
    """{case pk: {measure pk: MeasureValues}}: from `column_cache` where kept, else computed (and kept)."""
    keys = {pk: column_key(column.case, column.as_of, known_on, first_progress) for pk, column in columns.items()}
    kept = column_cache.get_many(list(keys.values())) if column_cache is not None and keys else {}
    values = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = {pk: column for pk, column in columns.items() if pk not in values}
    if missing:
        computed = column_values(
            missing,
            [row for row in listed if row[1] in missing],
            as_of=as_of,
            known_on=known_on,
            first_progress=first_progress,
            today=today,
        )
        values.update(computed)
        if column_cache is not None:
            column_cache.set_many({keys[pk]: column for pk, column in computed.items()})
    return values


def _one_date(as_of):
    return as_of if isinstance(as_of, datetime.date) else None


def _reached(start, days, made):
    """{step: Reached} from {step: first day} for a case that started on `start`; `made` keeps each
    Reached made (they are frozen: a page of 500 measures shares a few hundred)."""
    reached = {}
    for step in STEPS:
        on = days.get(step)
        key = (step, on, start)
        if key not in made:
            made[key] = Reached(step, on, days_after(start, on))
        reached[step] = made[key]
    return reached


def _measure_comparison(measure, column, kept, with_progress, made):
    case, start = column.case, column.case.start_date
    standings = []
    for party in column.parties:
        own = kept.parties[party.pk]
        standings.append(
            PartyStanding(
                party,
                own.level,
                applies=own.applies,
                reached=_reached(start, own.reached, made),
                behind=own.behind,
                behind_since=own.since,
            )
        )
    progress_on = kept.progress_on
    return MeasureComparison(
        measure=measure,
        case=case,
        as_of=column.as_of,
        parties=standings,
        joint_level=kept.joint_level,
        joint_reached=_reached(start, kept.joint_reached, made),
        first_progress=Reached("progress", progress_on, days_after(start, progress_on)) if with_progress else None,
    )


def _rows(types, columns, first_progress):
    """[(Theme, [TypeRow])] of `types` over `columns`, with the summaries across cases counted from the
    columns' values (`CaseColumn.values_of_type`): nothing is built for them."""
    themes = {}
    steps = [*STEPS, "progress"] if first_progress else STEPS
    for measure_type in types:
        having = [column for column in columns if column.values_of_type(measure_type.pk)]
        # A case that had not begun on its as-of date is not among those having the type.
        begun = [column for column in having if column.begun]
        summaries = [
            summarise(step, [days_after(c.case.start_date, c.first_day(measure_type.pk, step)) for c in begun])
            for step in steps
        ]
        row = TypeRow(measure_type, columns, summaries, having=len(having))
        themes.setdefault(measure_type.theme, []).append(row)
    return list(themes.items())


def first_of(cell, days_of):
    """The fewest days among a cell's measures (the first of them to get there), or None."""
    days = [d for d in (days_of(item) for item in cell) if d is not None]
    return min(days) if days else None


# The passages that evidence a type -----------------------------------------------------------------


def evidence_of(items, *, newest=5, known_on=None, today=None):
    """The evidence of the measures of `items` (MeasureComparison), each as of its own as-of date, as
    known on `known_on`: {measure pk: (the `newest` pieces, newest first, with citation, source and
    event; how many count in all)}. Dated as `state.evidence_date` dates them, placed as
    `state.evidence_counts_from` places them (undated pieces last). Two queries, whatever the number
    (each citation comes with its case: a passage shows the case's working language)."""
    dates = {item.case.pk: item.as_of for item in items}
    measure_ids = [item.measure.pk for item in items]
    if not measure_ids:
        return {}
    as_of_sql = as_of_expression(dates, today=today or timezone.localdate())
    counting = Evidence.objects.filter(measure__in=measure_ids).counting_by(as_of_sql, known_on)
    totals = dict(counting.order_by().values("measure").annotate(n=Count("pk")).values_list("measure", "n"))
    ranked = counting.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("measure_id")],
            order_by=[F("when").desc(nulls_last=True), F("pk").desc()],
        )
    ).filter(rank__lte=newest)
    pieces = defaultdict(list)
    for item in (
        ranked.select_related("citation__case", "citation__source", "citation__event")
        .defer("citation__source__full_text")
        .order_by("measure_id", "rank")
    ):
        pieces[item.measure_id].append(item)
    return {pk: (pieces.get(pk, []), totals.get(pk, 0)) for pk in measure_ids}
