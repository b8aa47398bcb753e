"""The path of a measure's levels over time, read from the assessments that count, and the dates a
query over several cases compares with (each case as of its own date)."""

import datetime
from collections import defaultdict

from django.db.models import Case as SqlCase
from django.db.models import DateField, F, Value, When

from measures.models import Assessment, CaseStatus
from measures.state.compare.figures import STEPS
from measures.state.levels import LEVEL_RANK, joint_level

Level = Assessment.Level


# Dates ----------------------------------------------------------------------------------------


def as_of_expression(as_of, *, today, case_path="measure__case__"):
    """The as-of date of each row's case, for a query over several cases (SQL).

    `as_of`: a date (every case as of that day); None (each case as of its own default,
    `Case.default_as_of(today)`: its end date once closed, else `today`); or {case pk: date} (those
    cases as of those dates, the others as of their default). `case_path`: the lookup from the
    queried model to its case. Returns a date or an expression the queryset filters compare with.
    """
    if isinstance(as_of, datetime.date):
        return as_of
    closed = {f"{case_path}status": CaseStatus.CLOSED, f"{case_path}end_date__isnull": False}
    whens = [When(**{f"{case_path}pk": pk}, then=Value(day)) for pk, day in sorted((as_of or {}).items())]
    whens.append(When(**closed, then=F(f"{case_path}end_date")))
    return SqlCase(*whens, default=Value(today), output_field=DateField())


def case_as_of(case, as_of, today):
    if isinstance(as_of, datetime.date):
        return as_of
    return (as_of or {}).get(case.pk) or case.default_as_of(today)


# The path of levels -------------------------------------------------------------------------------


def paths_of(rows):
    """{measure pk: [(day, {party pk: level})]}: the levels of each party at the end of each day on
    which one took effect, from chronological (measure pk, party pk, level, effective date) rows of
    assessments that count. Of two on one day, the later recorded one is the day's level: the rule of
    `AssessmentQuerySet.in_force`."""
    paths = defaultdict(list)
    current = defaultdict(dict)
    for measure_id, party_id, level, day in rows:
        current[measure_id][party_id] = level
        path = paths[measure_id]
        if path and path[-1][0] == day:
            path[-1] = (day, dict(current[measure_id]))
        else:
            path.append((day, dict(current[measure_id])))
    return paths


def first_reached_days(path, applying):
    """({party pk: {level: first day}}, {level: first day jointly}) over `path` for the parties in
    `applying` (pks): the first day each STEP was reached, at that level or above."""
    per_party = {pk: {} for pk in applying}
    joint = {}
    for day, levels in path:
        for pk in applying:
            rank = LEVEL_RANK.get(levels.get(pk))
            for step in STEPS:
                if rank is not None and rank >= LEVEL_RANK[step]:
                    per_party[pk].setdefault(step, day)
        rank = LEVEL_RANK.get(joint_level(levels.get(pk, Level.NOT_ASSESSED) for pk in applying))
        for step in STEPS:
            if rank is not None and rank >= LEVEL_RANK[step]:
                joint.setdefault(step, day)
    return per_party, joint


def parties_behind(levels, applying):
    """The parties of `applying` ranking below another of them at `levels` ({party pk: level})."""
    ranked = {pk: LEVEL_RANK[levels[pk]] for pk in applying if levels.get(pk) in LEVEL_RANK}
    if len(ranked) < 2:
        return set()
    top = max(ranked.values())
    return {pk for pk, rank in ranked.items() if rank < top}


def behind_since(path, applying):
    """{party pk: first day of the stretch, up to the path's end, on which it has lagged}."""
    since = {}
    for day, levels in path:
        behind = parties_behind(levels, applying)
        since = {pk: since.get(pk, day) for pk in behind}
    return since


def chronology(case_ids, as_of_sql, known_on):
    """Chronological (measure pk, party pk, level, effective date) of the assessments that count."""
    return (
        Assessment.objects.filter(measure__case__in=case_ids)
        .effective_by(as_of_sql)
        .counting(known_on)
        .chronological()
        .values_list("measure_id", "party_id", "level", "effective_date")
    )


def days_after(start, day):
    return None if day is None else (day - start).days
