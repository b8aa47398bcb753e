"""Several cases at once: each case's overall progress as of its own date (the case list)."""

from collections import defaultdict

from django.utils import timezone

from measures.models import Assessment, Measure
from measures.state.levels import joint_level, progress

Level = Assessment.Level


def cases_overview(cases, *, as_of=None, known_on=None, include_pending=False):
    """[(case, Progress, number of measures, as-of date)] for a list of cases, in three queries for all
    of them.

    `cases` must have their assessed parties prefetched. `as_of` None: each case's own default
    (`Case.default_as_of`). The level in force comes from `AssessmentQuerySet.in_force` (approved
    assessments only, unless `include_pending`), and joint level and progress from `joint_level()` and
    `progress()`, so the list agrees with each dashboard.
    """
    today = timezone.localdate()
    measures = defaultdict(list)
    for measure in Measure.objects.filter(case__in=cases).order_by("number").only("pk", "case_id", "number"):
        measures[measure.case_id].append(measure)
    # Pairs of ids rather than a prefetch: a prefetch builds a manager for each of hundreds of measures.
    named = defaultdict(set)
    pairs = Measure.applicable_parties.through.objects.filter(measure__case__in=cases)
    for measure_id, party_id in pairs.values_list("measure_id", "party_id"):
        named[measure_id].add(party_id)
    dates = {case.pk: as_of or case.default_as_of(today) for case in cases}
    in_force = {}
    for day in set(dates.values()):
        case_ids = [pk for pk, d in dates.items() if d == day]
        in_force.update(
            {
                (measure_id, party_id): level
                for measure_id, party_id, level in Assessment.objects.filter(measure__case__in=case_ids)
                .in_force(as_of=day, known_on=known_on, include_pending=include_pending)
                .values_list("measure_id", "party_id", "level")
            }
        )
    overview = []
    for case in cases:
        parties = list(case.assessed_parties.all())
        joint = [
            joint_level(
                in_force.get((measure.pk, party.pk), Level.NOT_ASSESSED)
                for party in measure.parties_applying(parties, named[measure.pk])
            )
            for measure in measures[case.pk]
        ]
        overview.append((case, progress(joint), len(joint), dates[case.pk]))
    return overview
