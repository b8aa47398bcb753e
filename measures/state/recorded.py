"""What was recorded since a date: new assessments, corrections with the level they replace, new
evidence and events, and whether a record changed the headline figure (overall progress).

"Effective since" (what changed in the world during a period, `state.path`) and "recorded since"
(what was put on record here during it) differ: a correction recorded today of an assessment
effective a month ago changes no level of this week's period, yet it may move the headline figure.
A reader who follows a case (the dashboard, the report, the digest) needs both.

The rule: a record is "since" `since` when it was put on record (`recorded_at`, in the site's time
zone) on `since` or later, and by `until` (None: no limit). Levels and progress are read on `as_of`
as `AssessmentQuerySet.in_force` reads them (corrections withdraw what they correct, wholly), as
known at the end of the day before `since` (`headline_before`) and by `until` (`headline_after`).
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from measures.models import Assessment, Event, Evidence, Measure
from measures.state.levels import Progress, joint_level, progress

Level = Assessment.Level


@dataclass(frozen=True)
class RecordedAssessment:
    """An assessment recorded since the date, with the level it replaces and its effect on the headline.

    `old_level`: for a correction, the level of the assessment it corrects (`replaces`); for a new
    assessment, the level in force for its measure and party on its effective date before it was
    recorded. `headline_without` / `headline_with`: overall progress on `as_of` with everything
    recorded by `until` except this record, and with it."""

    assessment: Assessment
    old_level: str
    headline_without: Progress
    headline_with: Progress
    replaces: Assessment | None = None

    @property
    def is_correction(self):
        return self.replaces is not None

    @property
    def old_level_label(self):
        return Level(self.old_level).label

    @property
    def changes_level(self):
        return self.old_level != self.assessment.level

    @property
    def changes_headline(self):
        """This record alone moves overall progress on `as_of` (its rounded percentage, or whether any
        measure is scored)."""
        return self.headline_without.percent != self.headline_with.percent


@dataclass
class RecordedSince:
    """Everything put on record for a case from `since` (a date, included) to `until` (a date, or None
    for no limit), read on `as_of`. Lists oldest recorded first."""

    case: object
    since: datetime.date
    until: datetime.date | None
    as_of: datetime.date
    headline_before: Progress
    headline_after: Progress
    assessments: list = field(default_factory=list)  # RecordedAssessment, not corrections
    corrections: list = field(default_factory=list)  # RecordedAssessment that correct an earlier one
    evidence: list = field(default_factory=list)  # Evidence, with citation, source, event and measure
    events: list = field(default_factory=list)  # Event recorded since

    @property
    def headline_changed(self):
        return self.headline_before.percent != self.headline_after.percent

    @property
    def headline_corrections(self):
        """The corrections that by themselves move the headline figure: listed as such."""
        return [record for record in self.corrections if record.changes_headline]

    @property
    def empty(self):
        return not (self.assessments or self.corrections or self.evidence or self.events)


def _in_force_levels(rows, as_of, leave_out=None):
    """{(measure pk, party pk): level} on `as_of` from `rows` (the case's assessments, chronological),
    without `leave_out` (an assessment pk), by `in_force`'s rule: corrections withdraw what they
    correct, the latest effective (later recorded) holds."""
    kept = [a for a in rows if a.pk != leave_out]
    withdrawn = {a.corrects_id for a in kept if a.corrects_id is not None}
    levels = {}
    for assessment in kept:
        if assessment.pk not in withdrawn and assessment.effective_date <= as_of:
            levels[(assessment.measure_id, assessment.party_id)] = assessment.level
    return levels


def _headline(levels, applying):
    return progress(
        joint_level(levels.get((measure_pk, party_pk), Level.NOT_ASSESSED) for party_pk in party_pks)
        for measure_pk, party_pks in applying
    )


def recorded_since(case, *, since, as_of=None, until=None, include_pending=False):
    """RecordedSince: what was put on record for `case` from `since` (a date, included) to `until` (a
    date or None), with levels and overall progress read on `as_of` (default: the case's default
    as-of date, `Case.default_as_of`). See the module docstring for the rule. Only assessments
    approved by `until` are listed and counted (`AssessmentQuerySet.reviewed`, four eyes); awaiting
    review too with `include_pending` (the team's preview).

    ValueError when `until` is before `since`. Six queries, whatever the size of the case.
    """
    if until is not None and until < since:
        raise ValueError(f"“recorded since” ({since}) cannot be after “as known on” ({until})")
    as_of = as_of or case.default_as_of(timezone.localdate())
    parties = list(case.assessed_parties.order_by("name"))
    measures = list(Measure.objects.for_case(case).prefetch_related("applicable_parties"))
    applying = [(m.pk, [p.pk for p in m.parties_applying(parties)]) for m in measures]
    rows = list(
        Assessment.objects.filter(measure__case=case)
        .known_on(until)
        .reviewed(until, include_pending=include_pending)
        .select_related("measure", "party", "recorded_by", "corrects")
        .order_by("effective_date", "recorded_at", "pk")
    )
    by_pk = {a.pk: a for a in rows}

    def recorded_day(assessment):
        return timezone.localdate(assessment.recorded_at)

    earlier = [a for a in rows if recorded_day(a) < since]
    after = _in_force_levels(rows, as_of)
    result = RecordedSince(
        case=case,
        since=since,
        until=until,
        as_of=as_of,
        headline_before=_headline(_in_force_levels(earlier, as_of), applying),
        headline_after=_headline(after, applying),
    )
    headline_after = result.headline_after
    for assessment in sorted(rows, key=lambda a: (a.recorded_at, a.pk)):
        if recorded_day(assessment) < since or assessment.effective_date > as_of:
            continue  # recorded earlier, or about a day after `as_of`: no hindsight
        without = _headline(_in_force_levels(rows, as_of, leave_out=assessment.pk), applying)
        if assessment.corrects_id is not None:
            replaced = by_pk.get(assessment.corrects_id) or assessment.corrects
            result.corrections.append(
                RecordedAssessment(assessment, replaced.level, without, headline_after, replaces=replaced)
            )
        else:
            before = [a for a in rows if a.recorded_at < assessment.recorded_at]
            prior = _in_force_levels(before, assessment.effective_date)
            old_level = prior.get((assessment.measure_id, assessment.party_id), Level.NOT_ASSESSED)
            result.assessments.append(RecordedAssessment(assessment, old_level, without, headline_after))
    # Evidence and events on record by `until` that a reader on `as_of` could see (as every page has them).
    evidence = Evidence.objects.filter(measure__case=case, recorded_at__date__gte=since).counting_by(as_of, until)
    result.evidence = list(
        evidence.select_related("measure", "citation__source", "citation__event")
        .defer("citation__source__full_text")
        .order_by("recorded_at", "pk")
    )
    events = Event.objects.filter(case=case, recorded_at__date__gte=since).known_on(until).up_to(as_of)
    result.events = list(events.select_related("case").order_by("recorded_at", "pk"))
    return result
