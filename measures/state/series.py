"""Progress over time: one point per day on which the state changed, for the progress chart."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from measures.models import Assessment, Event, Measure
from measures.state.levels import Progress, joint_level, progress

Level = Assessment.Level
Precision = Event.Precision

# Progress over time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressPoint:
    """Progress on one day: `joint` (Progress over the joint levels) and `parties` [(party, Progress)]."""

    date: datetime.date
    joint: Progress
    parties: list


def progress_series(case, *, start=None, end=None, known_on=None, parties=None, measures=None, include_pending=False):
    """[ProgressPoint] from `start` (default the case's start) to `end` (default its default as-of
    date), both included: one point at `start`, one on each day an assessment took effect in between,
    one at `end` (event-driven: a step is never missed, a flat stretch costs nothing). The level in
    force on each day follows `AssessmentQuerySet.in_force` (latest effective date, the later recorded
    first; assessments recorded after `known_on` left out, corrections recorded by then withdrawing
    what they correct; only approved assessments, or awaiting review too with `include_pending`),
    computed over one fetch of the case's assessments, so each point equals
    `case_state(case, as_of=point.date, known_on=known_on, include_pending=…).progress` / `.party_progress`.

    `parties` (the case's assessed parties, ordered by name) and `measures` (with
    `applicable_parties` prefetched) may be passed by a caller that already has them, as
    `CaseState.parties` and its rows' measures: then one query, else four, whatever the size of the
    case and the number of points."""
    start = start or case.start_date
    end = end or case.default_as_of(timezone.localdate())
    start = min(start, end)
    if parties is None:
        parties = list(case.assessed_parties.order_by("name"))
    if measures is None:
        measures = list(Measure.objects.for_case(case).prefetch_related("applicable_parties"))
    rows = list(
        Assessment.objects.filter(measure__case=case)
        .in_force_candidates(as_of=end, known_on=known_on, include_pending=include_pending)
        .chronological()
        .values_list("measure_id", "party_id", "level", "effective_date")
    )
    days = sorted({start, end} | {day for *_, day in rows if start < day < end})
    applying = {m.pk: [p.pk for p in m.parties_applying(parties)] for m in measures}
    in_force = {}
    points, i = [], 0
    for day in days:
        while i < len(rows) and rows[i][3] <= day:
            measure_id, party_id, level, _ = rows[i]
            in_force[(measure_id, party_id)] = level
            i += 1

        def level_of(measure, party_pk):
            return in_force.get((measure.pk, party_pk), Level.NOT_ASSESSED)

        joint = progress(joint_level(level_of(m, p) for p in applying[m.pk]) for m in measures)
        per_party = [
            (party, progress(level_of(m, party.pk) for m in measures if party.pk in applying[m.pk]))
            for party in parties
        ]
        points.append(ProgressPoint(day, joint, per_party))
    return points
