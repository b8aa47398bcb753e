"""Cases side by side on the catalogue of measure types (`compare_cases`), and the passages that
evidence a type (`evidence_of`)."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Min, Prefetch, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.utils import timezone

from measures.models import Assessment, Evidence, Measure, MeasureType, Party
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
from measures.state.compare.paths import (
    as_of_expression,
    behind_since,
    case_as_of,
    chronology,
    days_after,
    first_reached_days,
    parties_behind,
    paths_of,
)
from measures.state.levels import joint_level

Level = Assessment.Level


# Comparing cases ----------------------------------------------------------------------------------


def compare_cases(cases, *, as_of=None, known_on=None, types=None, first_progress=True, today=None):
    """Cases side by side on the catalogue of measure types. Returns a Comparison.

    - `cases`: the cases to compare (an iterable of Case, e.g. `roles.readable_cases(user)`), shown in
      the order given.
    - `as_of`: None (each case as of its own default date), a date (all of them), or {case pk: date}.
    - `known_on` (date or None): only what was on record that day counts.
    - `types`: the measure types to show as rows (a queryset or list; None: the whole catalogue), in
      catalogue order. Standings, days and lags are computed for every measure of the cases, typed
      or not (`CaseColumn.measures`); the rows and `Comparison.party_lags` cover the types shown.
    - `first_progress`: also compute the days to the first evidence of progress (one more query).

    Seven queries (six without `first_progress`), whatever the number of cases, measures and
    assessments: the parties, the types, the measures, their applicable parties, the levels in force,
    the assessments that count in order, the first evidence of progress.
    """
    today = today or timezone.localdate()
    cases = list(cases)
    prefetch_related_objects(cases, Prefetch("assessed_parties", queryset=Party.objects.order_by("name")))
    if types is None:
        types = MeasureType.objects.all()
    types = list(types.select_related("theme")) if hasattr(types, "select_related") else list(types)
    case_by_pk = {case.pk: case for case in cases}
    case_ids = list(case_by_pk)
    dates = {case.pk: case_as_of(case, as_of, today) for case in cases}
    as_of_sql = as_of_expression(as_of, today=today)

    measures = list(
        Measure.objects.filter(case__in=case_ids)
        .only("pk", "case_id", "number", "title", "slug", "type_id")
        .order_by("case_id", "number")
    )
    named = defaultdict(set)
    pairs = Measure.applicable_parties.through.objects.filter(measure__case__in=case_ids)
    for measure_id, party_id in pairs.values_list("measure_id", "party_id"):
        named[measure_id].add(party_id)
    in_force = {
        (measure_id, party_id): level
        for measure_id, party_id, level in Assessment.objects.filter(measure__case__in=case_ids)
        .in_force(as_of=as_of_sql, known_on=known_on)
        .values_list("measure_id", "party_id", "level")
    }
    paths = paths_of(chronology(case_ids, as_of_sql, known_on))
    progress_on = {}
    if first_progress:
        progress = (
            Evidence.objects.filter(measure__case__in=case_ids, stance=Evidence.Stance.PROGRESS)
            .counting_by(as_of_expression(as_of, today=today), known_on)
            .exclude(when__isnull=True)
            .order_by()
            .values("measure")
            .annotate(first=Min("when"))
            .values_list("measure", "first")
        )
        progress_on = dict(progress)

    columns = {pk: CaseColumn(case, dates[pk], list(case.assessed_parties.all())) for pk, case in case_by_pk.items()}
    for measure in measures:
        column = columns[measure.case_id]
        measure.case = column.case  # in memory: its page's URL needs the case's slug, without a query
        column.measures.append(
            _measure_comparison(
                measure,
                column,
                named[measure.pk],
                in_force,
                paths.get(measure.pk, []),
                progress_on.get(measure.pk) if first_progress else None,
                first_progress,
            )
        )
    ordered = [columns[case.pk] for case in cases]
    return Comparison(ordered, _rows(types, ordered, first_progress), as_of=_one_date(as_of), known_on=known_on)


def _one_date(as_of):
    return as_of if isinstance(as_of, datetime.date) else None


def _reached(start, days):
    """{step: Reached} from {step: first day} for a case that started on `start`."""
    return {step: Reached(step, days.get(step), days_after(start, days.get(step))) for step in STEPS}


def _measure_comparison(measure, column, named, in_force, path, progress_on, with_progress):
    case, start = column.case, column.case.start_date
    applying = [party.pk for party in measure.parties_applying(column.parties, named)]
    first_days, joint_days = first_reached_days(path, applying)
    since = behind_since(path, applying)
    standings = []
    for party in column.parties:
        level = in_force.get((measure.pk, party.pk), Level.NOT_ASSESSED)
        reached = _reached(start, first_days.get(party.pk, {}))
        standings.append(PartyStanding(party, level, applies=party.pk in applying, reached=reached))
    behind = parties_behind({s.party.pk: s.level for s in standings}, applying)
    for standing in standings:
        if standing.party.pk in behind:
            standing.behind = True
            standing.behind_since = since.get(standing.party.pk)
    return MeasureComparison(
        measure=measure,
        case=case,
        as_of=column.as_of,
        parties=standings,
        joint_level=joint_level(s.level for s in standings if s.applies),
        joint_reached=_reached(start, joint_days),
        first_progress=Reached("progress", progress_on, days_after(start, progress_on)) if with_progress else None,
    )


def _rows(types, columns, first_progress):
    by_type = defaultdict(lambda: defaultdict(list))
    for index, column in enumerate(columns):
        for item in column.measures:
            if item.measure.type_id is not None:
                by_type[item.measure.type_id][index].append(item)
    themes = {}
    for measure_type in types:
        cells = [by_type[measure_type.pk][index] for index in range(len(columns))]
        having = [cell for cell in cells if cell]
        summaries = [
            summarise(step, [first_of(cell, lambda item, s=step: item.joint_reached[s].days) for cell in having])
            for step in STEPS
        ]
        if first_progress:
            summaries.append(
                summarise("progress", [first_of(cell, lambda item: item.first_progress.days) for cell in having])
            )
        themes.setdefault(measure_type.theme, []).append(TypeRow(measure_type, cells, summaries))
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
