"""A measure's assessment history, numbered, corrections marked, parties recorded together grouped;
what changed in a period; and what was done to evidence (its audit history)."""

import datetime
from dataclasses import dataclass, replace

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from measures.lib.text import shorten
from measures.models import Assessment, AssessmentCitation, Citation, Event, Evidence, Review
from measures.state.case import Change, case_state

Level = Assessment.Level
Precision = Event.Precision
_RETURNED = Review.Decision.RETURNED

# Two parties' assessments recorded by the same person within this many seconds, with the same level,
# date, rationale and citations, were recorded together (one judgement about both): history shows them once.
RECORDED_TOGETHER_SECONDS = 120
# History ---------------------------------------------------------------------------------------


def assessment_history(case, *, as_of=None, measure=None, known_on=None, include_pending=False, citations=True):
    """Every assessment of the case (or of one measure) effective by `as_of`, recorded by `known_on`
    and approved by then, oldest first (by effective date, then recording), as [Change]: each with its
    review (`Change.review`, `Change.status`) and, when a correction that counts replaces it,
    `superseded_by` that correction.

    `old_level` is the level the assessment replaces: for a correction of an assessment that counted,
    the corrected assessment's level (so "level confirmed" only when the correction kept it); else the
    level in force before it for its measure and party (superseded and returned assessments never
    count as in force).

    `include_pending` (the team's preview): assessments awaiting review are listed and count as if
    approved, and returned ones are listed too but never count (`AssessmentQuerySet.counting`).
    `citations=False` leaves the assessments' citations unloaded; `citations="ids"` loads which
    passages each cites, without their text or source (enough for `history_entries`). A caller that shows a page of the
    history (the API) reads `history_outline()` instead, and loads that page's assessments only.
    Two queries plus one for citations, whatever the size."""
    assessments = _listed(case, as_of, measure, known_on, include_pending).with_details(citations=citations)
    assessments = list(assessments)
    corrections = {}
    known = (
        Assessment.objects.filter(measure__case=case, corrects__isnull=False)
        .known_on(known_on)
        .reviewed(known_on, include_pending=include_pending)
    )
    if measure is not None:
        known = known.filter(measure=measure)
    for correction in known.select_related("recorded_by").order_by("recorded_at", "pk"):
        corrections.setdefault(correction.corrects_id, correction)
    return [
        Change(
            assessment,
            old_level,
            superseded_by=corrections.get(assessment.pk),
            measure=assessment.measure,
            party=assessment.party,
            review=review,
            status=status,
        )
        for assessment, old_level, review, status in _walk(assessments, corrections, known_on)
    ]


def newest_assessments(measure, *, shown, approved_only=False):
    """The newest `shown` assessments of `measure` for each party, whatever their review (approved,
    awaiting review or returned: the team's view), with the number of each party's assessments:
    {party id: ([Assessment], total)} for the parties that have any. Newest first, in the reverse of
    `assessment_history`'s order (effective date, then recording, then id); each with
    `AssessmentQuerySet.with_details` (its measure, party, author, what it corrects, its review, its
    citations with their sources). `shown`: a whole number, at least 1 (ValueError otherwise).
    `approved_only`: the approved ones only (a reader's view: what awaits review, or was returned, is
    the team's), counted as such.

    For a page that lists a measure's history per party and links to the rest (the workspace's
    measure page): three queries (their ranks, the assessments, their citations) whatever the length of the history."""
    if shown < 1:
        raise ValueError("shown must be at least 1")
    newest_first = [F("effective_date").desc(), F("recorded_at").desc(), F("pk").desc()]
    # Ranked as narrow rows, then the few shown loaded with their details.
    assessments = Assessment.objects.filter(measure=measure)
    if approved_only:
        assessments = assessments.approved()
    ranked = (
        assessments.annotate(
            rank=Window(RowNumber(), partition_by=[F("party_id")], order_by=newest_first),
            party_total=Window(Count("pk"), partition_by=[F("party_id")]),
        )
        .filter(rank__lte=shown)
        .values_list("pk", "party_total")
    )
    totals = dict(ranked)
    grouped = {}
    for assessment in Assessment.objects.filter(pk__in=list(totals)).with_details().order_by(*newest_first):
        items, _ = grouped.get(assessment.party_id, ([], 0))
        items.append(assessment)
        grouped[assessment.party_id] = (items, totals[assessment.pk])
    return grouped


def _listed(case, as_of, measure, known_on, include_pending):
    """The assessments a history lists, oldest first (by effective date, then recording)."""
    assessments = Assessment.objects.filter(measure__case=case).effective_by(as_of).known_on(known_on)
    if not include_pending:
        assessments = assessments.approved(known_on)
    if measure is not None:
        assessments = assessments.filter(measure=measure)
    return assessments.chronological()


def _walk(assessments, corrections, known_on):
    """[(assessment, old level, review, status)] of `assessments` (oldest first), `corrections` being
    {id of an assessment: the correction that counts and withdraws it}: the one rule of what each
    entry of a history replaced and whether it counted. An assessment is read through its `pk`,
    `measure_id`, `party_id`, `level`, `corrects_id` and `review` only (a model object or an
    `OutlinedAssessment`)."""
    reviews = {a.pk: _review_by(a, known_on) for a in assessments}
    counted_levels = {
        a.pk: a.level for a in assessments if reviews[a.pk] is None or reviews[a.pk].decision != _RETURNED
    }
    last_level = {}
    walked = []
    for assessment in assessments:
        key = (assessment.measure_id, assessment.party_id)
        review = reviews[assessment.pk]
        status = review.decision if review is not None else "pending"
        if assessment.corrects_id in counted_levels:
            old_level = counted_levels[assessment.corrects_id]  # the level this correction replaces
        else:
            old_level = last_level.get(key, Level.NOT_ASSESSED)
        walked.append((assessment, old_level, review, status))
        if assessment.pk not in corrections and status != _RETURNED:
            last_level[key] = assessment.level
    return walked


@dataclass(frozen=True)
class OutlinedReview:
    """What a history reads of a review: its decision ("approved", "returned") and when it was made
    (None in a history not limited to what was known on a date, which never asks)."""

    decision: str
    decided_at: datetime.datetime | None


@dataclass(frozen=True)
class OutlinedAssessment:
    """An assessment's place in the history, read as values (no model object): what `_walk` needs, the
    measure's number and party's code (to filter by), and its dates (to page by)."""

    pk: int
    measure_id: int
    party_id: int
    level: str
    corrects_id: int | None
    effective_date: datetime.date
    recorded_at: datetime.datetime
    measure_number: int
    party_code: str
    review: OutlinedReview | None


@dataclass(frozen=True)
class OutlinedCorrection:
    """The correction that withdraws an assessment: its id and when it was recorded."""

    pk: int
    recorded_at: datetime.datetime


def history_outline(case, *, as_of=None, known_on=None, include_pending=False):
    """`assessment_history(case, ...)` as values: the same [Change], in the same order, with the same
    `old_level`, `status` and withdrawals, but each `assessment` an OutlinedAssessment,
    `superseded_by` an OutlinedCorrection (or None), `review` an OutlinedReview (or None) and no
    measure or party loaded. For a page of a long history (the API's assessment list): filter and
    page the outline, then `with_assessments()` loads the page's assessments only. Two queries (the
    history, the corrections that count), whatever the size."""
    # The corrections that count, oldest first: the first of each withdraws what it corrects. A query of
    # their own (a few rows) rather than two correlated subqueries per assessment of the history.
    withdrawn = {}
    corrections = (
        Assessment.objects.filter(measure__case=case, corrects__isnull=False)
        .known_on(known_on)
        .reviewed(known_on, include_pending=include_pending)
        .order_by("recorded_at", "pk")
        .values_list("corrects_id", "pk", "recorded_at")
    )
    for corrected, pk, recorded_at in corrections:
        withdrawn.setdefault(corrected, OutlinedCorrection(pk, recorded_at))
    # When each review was decided matters only to a history as known on a date (`_review_by`).
    decided = ("review__decided_at",) if known_on is not None else ()
    rows = _listed(case, as_of, None, known_on, include_pending).values_list(
        "pk",
        "measure_id",
        "party_id",
        "level",
        "corrects_id",
        "effective_date",
        "recorded_at",
        "measure__number",
        "party__code",
        "review__decision",
        *decided,
    )
    outlined = []
    for row in rows:
        decision, decided_at = (row[9], row[10]) if decided else (row[9], None)
        review = OutlinedReview(decision, decided_at) if decision is not None else None
        outlined.append(OutlinedAssessment(*row[:9], review))
    listed = {assessment.pk for assessment in outlined}
    withdrawn = {pk: correction for pk, correction in withdrawn.items() if pk in listed}
    return [
        Change(assessment, old_level, superseded_by=withdrawn.get(assessment.pk), review=review, status=status)
        for assessment, old_level, review, status in _walk(outlined, withdrawn, known_on)
    ]


def with_assessments(changes):
    """(changes, citations) for a page of `history_outline()`: `changes` with their assessments loaded
    as values (what `history_row` reads: their fields, author's user name, measure's number and
    party's code, nothing else: a LoadedAssessment, its measure an OutlinedMeasure and its party an
    OutlinedParty), and {assessment id: [ids of the citations it rests on]}, in the citations' own
    order (`Citation.Meta.ordering`), for `history_row(..., citations=…)`. Two queries whatever the
    page; the withdrawals stay OutlinedCorrection (their id and recording time)."""
    wanted = [change.assessment.pk for change in changes]
    rows = Assessment.objects.filter(pk__in=wanted).values_list(*_ROW_FIELDS)
    loaded = {row[0]: row for row in rows}
    order = [f"citation__{field}" for field in Citation._meta.ordering]
    cited = {pk: [] for pk in wanted}
    links = AssessmentCitation.objects.filter(assessment__in=wanted).order_by("assessment", *order)
    for assessment_id, citation_id in links.values_list("assessment_id", "citation_id"):
        cited[assessment_id].append(citation_id)
    loaded_changes = []
    for change in changes:
        *fields, number, code, username = loaded[change.assessment.pk]
        assessment = LoadedAssessment(*fields, recorded_by=OutlinedUser(username))
        loaded_changes.append(
            replace(change, assessment=assessment, measure=OutlinedMeasure(number), party=OutlinedParty(code))
        )
    return loaded_changes, cited


# What with_assessments reads of each assessment of a page: LoadedAssessment's fields, then its measure's
# number, its party's code and its author's user name.
_ROW_FIELDS = (
    "pk",
    "level",
    "confidence",
    "effective_date",
    "rationale",
    "recorded_at",
    "corrects_id",
    "measure__number",
    "party__code",
    "recorded_by__username",
)


@dataclass(frozen=True)
class OutlinedUser:
    """An assessment's author as history_row reads it (its user name), read as a value."""

    username: str

    def get_username(self):
        return self.username


@dataclass(frozen=True)
class OutlinedMeasure:
    number: int


@dataclass(frozen=True)
class OutlinedParty:
    code: str


@dataclass(frozen=True)
class LoadedAssessment:
    """What `history_row` reads of an assessment, read as values (`with_assessments`): a page of the
    history built no model objects (three per assessment, with its measure, party and author)."""

    pk: int
    level: str
    confidence: str
    effective_date: datetime.date
    rationale: str
    recorded_at: datetime.datetime
    corrects_id: int | None
    recorded_by: OutlinedUser

    @property
    def score(self):
        return Assessment.SCORES.get(self.level)


def history_row(change, *, authors=True, citations=None):
    """One row of the assessment history's long form (one row per measure × party × effective date),
    from a `Change` of `assessment_history()`; the API's assessment list and the data packages'
    `assessments` table both read it, so they say the same thing.

    The row is a dict:
    `{"id": int, "measure": int (the measure's number), "party": str (its code),
    "effective_date": date, "level": str (Assessment.Level value), "score": int | None (0–3 on the
    Peace Accords Matrix scale, `Assessment.SCORES`: reversed scores 0; None for a level without a
    score), "previous_level": str (the
    level it replaced, as `Change.old_level`), "confidence": str, "rationale": str,
    "recorded_at": aware datetime, "recorded_by": str | None (user name; None when `authors` is
    False: the public never learns names), "corrects": int | None (the id of the assessment it
    corrects), "superseded_by": int | None (the id of the correction that withdraws it),
    "citations": [int] (the ids of the citations it rests on)}`.

    `citations`: {assessment id: [citation ids]} from `with_assessments()`; None reads the
    assessment's citations (prefetched by `assessment_history()`). No query of its own either way."""
    assessment = change.assessment
    return {
        "id": assessment.pk,
        "measure": change.measure.number,
        "party": change.party.code,
        "effective_date": assessment.effective_date,
        "level": assessment.level,
        "score": assessment.score,
        "previous_level": change.old_level,
        "confidence": assessment.confidence,
        "rationale": assessment.rationale,
        "recorded_at": assessment.recorded_at,
        "recorded_by": assessment.recorded_by.get_username() if authors else None,
        "corrects": assessment.corrects_id,
        "superseded_by": change.superseded_by.pk if change.superseded_by else None,
        "citations": (
            citations[assessment.pk]
            if citations is not None
            else [citation.pk for citation in assessment.citations.all()]
        ),
    }


def _review_by(assessment, known_on):
    """The assessment's Review if decided by `known_on` (None: ever), else None (then awaiting review)."""
    try:
        review = assessment.review
    except ObjectDoesNotExist:
        return None
    if review is None:  # an OutlinedAssessment without a review
        return None
    if known_on is not None and timezone.localdate(review.decided_at) > known_on:
        return None
    return review


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of a measure's history: the assessments of one or more parties recorded together
    (same level, date, rationale, citations, author, within RECORDED_TOGETHER_SECONDS), numbered from
    1 for the oldest."""

    number: int
    changes: list

    @property
    def first(self):
        return self.changes[0]

    @property
    def assessment(self):
        return self.first.assessment

    @property
    def parties(self):
        return [change.party for change in self.changes]

    @property
    def party_names(self):
        names = [party.name for party in self.parties]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _together(a, b):
    x, y = a.assessment, b.assessment
    if x is None or y is None:  # a level withdrawn by a correction is its own entry
        return False
    return (
        x.measure_id == y.measure_id
        and x.party_id != y.party_id
        and (x.level, x.effective_date, x.rationale, x.confidence, x.recorded_by_id, x.corrects_id is None)
        == (y.level, y.effective_date, y.rationale, y.confidence, y.recorded_by_id, y.corrects_id is None)
        and a.old_level == b.old_level
        and (a.superseded_by is None) == (b.superseded_by is None)
        and a.status == b.status
        and abs((x.recorded_at - y.recorded_at).total_seconds()) <= RECORDED_TOGETHER_SECONDS
        and {c.pk for c in x.citations.all()} == {c.pk for c in y.citations.all()}
    )


def history_entries(changes):
    """[HistoryEntry] from `assessment_history()` or `CaseState.changes` (oldest first), numbered 1..
    oldest first: the parties' assessments recorded together are one entry naming all of them."""
    entries = []
    for change in changes:
        if (
            entries
            and all(_together(other, change) for other in entries[-1])
            and change.party not in [c.party for c in entries[-1]]
        ):
            entries[-1].append(change)
        else:
            entries.append([change])
    return [HistoryEntry(number, grouped) for number, grouped in enumerate(entries, start=1)]


def changes_in_period(case, *, since, as_of, known_on=None, include_pending=False):
    """What changed from `since` to `as_of` (both included): `case_state(...).changes`, every change of a
    level in force inside the period (state.path), each with the level it replaced."""
    return case_state(case, as_of=as_of, since=since, known_on=known_on, include_pending=include_pending).changes


# What was done to evidence --------------------------------------------------------------------


def evidence_changes(**lookup):
    """What was attached, changed or removed in the evidence matching `lookup` (citation_id= or
    measure_id=), newest first: [{"when", "user", "action", "evidence", "details"}], from the
    evidence's own history (django-simple-history), in two queries."""
    records = list(
        Evidence.history.filter(**lookup)
        .select_related("history_user", "measure", "citation__source")
        .order_by("id", "history_date", "history_id")
    )
    changes = []
    previous = None
    for record in records:
        earlier = previous if previous is not None and previous.id == record.id else None
        what = f"measure {record.measure} ← “{shorten(record.citation.passage, 90)}” ({record.citation.source})"
        stance = Evidence.Stance(record.stance).label if record.stance in Evidence.Stance.values else record.stance
        if record.history_type == "+":
            action, details = "Attached", [f"Stance: {stance}"] + ([f"Note: {record.note}"] if record.note else [])
        elif record.history_type == "-":
            action, details = "Removed", [f"Stance was: {stance}"]
        else:
            action, details = "Changed", []
            if earlier is not None:
                for field in ("stance", "note"):
                    old, new = getattr(earlier, field), getattr(record, field)
                    if old != new:
                        if field == "stance":
                            old, new = Evidence.Stance(old).label, stance
                        details.append(f"{field.capitalize()}: {old or '(empty)'} → {new or '(empty)'}")
            details = details or ["No field changed"]
        if record.history_change_reason:
            details.append(f"Why: {record.history_change_reason}")
        changes.append(
            {
                "when": record.history_date,
                "user": record.history_user,
                "action": action,
                "evidence": what,
                "details": details,
            }
        )
        previous = record
    changes.sort(key=lambda change: change["when"], reverse=True)
    return changes
