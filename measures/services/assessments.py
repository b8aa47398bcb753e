"""Recording assessments: validated against the level in force and the cited evidence, appended only."""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from measures import search
from measures.lib.languages import normalise_tag
from measures.models import Assessment, AuditEntry, Evidence, Measure
from measures.services.base import (
    _UNCHECKED,
    PARTY_FIELDS,
    ConcurrentAssessmentError,
    ServiceError,
    _field_errors,
    touch_cases,
)
from measures.services.citations import save_evidence
from measures.state import evidence_date

CITATION_FREE_LEVELS = (Assessment.Level.NOT_ASSESSED, Assessment.Level.NOT_APPLICABLE)


def latest_assessment(measure, party, *, up_to_id=None):
    """The most recently recorded assessment of a measure for a party, or None (for concurrency checks).
    With `up_to_id`, among those whose id is at most that: the latest one a form opened then showed."""
    assessments = Assessment.objects.filter(measure=measure, party=party)
    if up_to_id is not None:
        assessments = assessments.filter(pk__lte=up_to_id)
    return assessments.order_by("-recorded_at", "-pk").first()


def cited_evidence_date(citations):
    """The date of the newest of `citations` (the event's date, else the source's), or None if none is dated.

    The default effective date of an assessment: the situation it describes held when its newest
    evidence speaks of, not on the day the analyst records it.
    """
    dates = [date for date in map(evidence_date, citations) if date is not None]
    return max(dates, default=None)


def _attach_cited(measure, citations, stance, *, stances, party, effective_date):
    """Make each cited passage evidence of `measure` (see record_assessment); returns the Evidence created."""
    attached = set(Evidence.objects.filter(measure=measure, citation__in=citations).values_list("citation", flat=True))
    missing = [citation for citation in citations if citation.pk not in attached]
    if not missing:
        return []
    chosen = {citation.pk: (stances or {}).get(citation.pk) or stance for citation in missing}
    unknown = sorted({value for value in chosen.values() if value and value not in Evidence.Stance.values})
    if unknown:
        raise ServiceError(
            {"evidence_stance": f"“{'”, “'.join(unknown)}” is not a stance (progress, setback or context)."}
        )
    lacking = [citation for citation in missing if not chosen[citation.pk]]
    if lacking:
        quotes = "; ".join(str(citation) for citation in lacking)
        raise ServiceError(
            {
                "evidence_stance": (
                    f"Say what the cited passages show about measure {measure.number} (progress, setback or "
                    f"context): they become its evidence. Not yet evidence of it: {quotes}"
                )
            }
        )
    note = f"Cited by an assessment of {party.code}."
    created = []
    for citation in missing:
        evidence = Evidence(citation=citation, measure=measure, stance=chosen[citation.pk], note=note)
        # Recorded as the change it is: the citation and measure History pages list it.
        evidence._change_reason = f"Attached by an assessment of {party.code}"
        created.append(save_evidence(evidence=evidence))
    return created


def record_assessments(*, measure, entries, **shared):
    """Record one judgement for several parties of `measure` at once: all of them, or none.

    `entries` is a list of dicts with each party's own `party`, `level`, and optionally `confidence`,
    `corrects` and `expected_latest`; `shared` holds the rest of record_assessment's arguments
    (rationale, citations, effective date, evidence stances, recorded_by). Errors are
    ServiceErrors keyed by field, each message naming its party; returns the assessments in order.
    """
    if not entries:
        raise ServiceError({"__all__": "Choose a level for at least one party."})
    recorded, errors = [], {}
    with transaction.atomic():
        for entry in entries:
            party = entry["party"]
            try:
                with transaction.atomic():
                    recorded.append(record_assessment(measure=measure, **shared, **entry))
            except ConcurrentAssessmentError as exc:
                raise ConcurrentAssessmentError(f"{party}: {exc.message}", exc.newer) from None
            except ServiceError as exc:
                # Every party's problems at once; a shared field's message is said once.
                for field, messages in exc.message_dict.items():
                    if field in PARTY_FIELDS:
                        messages = [f"{party}: {message}" for message in messages]
                    kept = errors.setdefault(field, [])
                    kept.extend(message for message in messages if message not in kept)
        if errors:
            raise ServiceError(errors)
    return recorded


def record_assessments_on_measures(*, party, level, confidence, entries, **shared):
    """Record one judgement of `party` on several measures of a case at once: all of them, or none.

    `entries` is a list of dicts with each measure's own `measure`, `rationale` and optionally
    `expected_latest`; `shared` holds the rest of record_assessment's arguments (citations, effective
    date, evidence stances, recorded_by). Errors are ServiceErrors: a measure's own rationale's under
    `rationale_<measure id>`, every other one by field with the measure's number in each message (a
    ConcurrentAssessmentError names the measure); returns the assessments in order.
    """
    recorded, errors = [], {}
    with transaction.atomic():
        for entry in entries:
            measure = entry["measure"]
            try:
                with transaction.atomic():
                    recorded.append(
                        record_assessment(party=party, level=level, confidence=confidence, **shared, **entry)
                    )
            except ConcurrentAssessmentError as exc:
                raise ConcurrentAssessmentError(f"Measure {measure}: {exc.message}", exc.newer) from None
            except ServiceError as exc:
                for field, messages in exc.message_dict.items():
                    if field == "rationale":
                        errors.setdefault(f"rationale_{measure.pk}", []).extend(messages)
                    else:
                        kept = errors.setdefault(field, [])
                        kept.extend(f"Measure {measure.number}: {m}" for m in messages if m not in kept)
        if errors:
            raise ServiceError(errors)
    return recorded


def _validate_assessment(
    *,
    measure,
    party,
    level,
    confidence,
    effective_date,
    rationale,
    citations,
    corrects,
    today,
    recorded_at,
    now,
    rationale_language="",
):
    errors = {}
    errors.update(_field_errors(Assessment, rationale_language=rationale_language or ""))
    case = measure.case
    if not case.assessed_parties.filter(pk=party.pk).exists():
        errors["party"] = f"{party} is not one of the assessed parties of “{case}”."
    if level not in Assessment.Level.values:
        errors["level"] = f"“{level}” is not a level of the scale."
    if confidence not in Assessment.Confidence.values:
        errors["confidence"] = f"“{confidence}” is not a confidence (low, medium or high)."
    if effective_date is None:
        errors["effective_date"] = "Give the date on which this situation held."
    elif effective_date > today:
        errors["effective_date"] = f"The effective date {date_format(effective_date)} is in the future."
    elif effective_date < case.start_date:
        errors["effective_date"] = (
            f"The effective date {date_format(effective_date)} is before the case began "
            f"({date_format(case.start_date)})."
        )
    if not (rationale or "").strip():
        errors["rationale"] = "Explain the judgement: a rationale is required."
    else:
        errors.update(_field_errors(Assessment, rationale=rationale.strip()))
    if "party" not in errors:
        named = list(measure.applicable_parties.all())
        if named and party.pk not in {p.pk for p in named}:
            errors["party"] = (
                f"Measure {measure.number} applies to {', '.join(p.name for p in named)}, not to {party}: "
                "add the party to the measure's applicable parties first."
            )
    if level not in CITATION_FREE_LEVELS and not citations:
        errors["citations"] = "Cite at least one passage that supports this level."
    foreign = [c for c in citations if c.case_id != case.pk]
    if foreign:
        errors["citations"] = "These citations belong to another case: " + "; ".join(str(c) for c in foreign)
    if recorded_at is not None and recorded_at > now:
        # A recorded_at in the future would stay "the latest" and blind the concurrency check.
        errors["recorded_at"] = f"The recording time {recorded_at:%d %B %Y %H:%M} is in the future."
    if corrects is not None and (corrects.measure_id != measure.pk or corrects.party_id != party.pk):
        errors["corrects"] = "A correction must concern the same measure and party as the assessment it corrects."
    if errors:
        raise ServiceError(errors)


def record_assessment(
    *,
    measure,
    party,
    level,
    rationale,
    citations,
    recorded_by,
    effective_date,
    confidence=Assessment.Confidence.MEDIUM,
    corrects=None,
    evidence_stance=None,
    evidence_stances=None,
    expected_latest=_UNCHECKED,
    recorded_at=None,
    rationale_language=None,
):
    """Append an assessment of `measure` for `party` and return it.

    Every cited passage becomes evidence of the measure, so that the measure's evidence (and its
    latest evidence date) always includes what a judgement rests on: a citation not yet evidence of
    it is attached with its own stance from `evidence_stances` (a dict: citation pk -> an
    Evidence.Stance value), else with `evidence_stance` (the stance of every other newly cited
    passage); refused, nothing written, when a new passage has neither or a value is not a stance.
    A passage already evidence of the measure keeps the stance it has (never overwritten).
    `effective_date` None means the date of the newest cited passage (`cited_evidence_date`).

    `expected_latest` is the latest assessment (or None) the user saw for this measure and party
    when the form was opened; if another one was recorded since, nothing is written and
    ConcurrentAssessmentError carries the newer ones. `recorded_at` is for imports of past work only,
    and is refused when it lies in the future. `rationale_language` (a BCP 47 tag): None detects it
    in the rationale (measures.intake.language; empty, the case's working language, when it cannot
    tell). The assessment's rationale is indexed for search.
    """
    from measures.intake.language import detect_language

    citations = list(citations)
    if effective_date is None:
        effective_date = cited_evidence_date(citations)
    now = timezone.now()
    with transaction.atomic():
        # Lock the measure row so two writers for one measure queue up (PostgreSQL; SQLite's
        # IMMEDIATE transactions already serialise writers).
        measure = Measure.objects.select_for_update().select_related("case").get(pk=measure.pk)
        _validate_assessment(
            measure=measure,
            party=party,
            level=level,
            confidence=confidence,
            effective_date=effective_date,
            rationale=rationale,
            citations=citations,
            corrects=corrects,
            today=timezone.localdate(),
            recorded_at=recorded_at,
            now=now,
            rationale_language=rationale_language,
        )
        if expected_latest is not _UNCHECKED:
            current = latest_assessment(measure, party)
            expected_pk = expected_latest.pk if expected_latest is not None else None
            if current is not None and current.pk != expected_pk:
                newer = Assessment.objects.filter(measure=measure, party=party)
                if expected_latest is not None:
                    newer = newer.filter(recorded_at__gte=expected_latest.recorded_at).exclude(pk=expected_pk)
                newer = list(newer.select_related("recorded_by").order_by("-recorded_at", "-pk"))
                raise ConcurrentAssessmentError(
                    f"While you were editing, {current.recorded_by} recorded “{current.get_level_display()}” "
                    f"for {party} on this measure. Read it, then submit again if your judgement stands.",
                    newer,
                )
        _attach_cited(
            measure, citations, evidence_stance, stances=evidence_stances, party=party, effective_date=effective_date
        )
        assessment = Assessment.objects.create(
            measure=measure,
            party=party,
            level=level,
            confidence=confidence,
            effective_date=effective_date,
            rationale=rationale.strip(),
            recorded_by=recorded_by,
            recorded_at=recorded_at or now,
            corrects=corrects,
            rationale_language=(
                detect_language(rationale) if rationale_language is None else normalise_tag(rationale_language)
            ),
        )
        assessment.citations.set(citations)
        search.index([assessment])
        if recorded_at is not None:
            # An import of past work: its time is not the newest recorded, which the team's pages'
            # Last-Modified reads (reading.caching), so the case is touched as any other write.
            touch_cases({measure.case_id})
        # Otherwise the case's data version stays: an assessment awaiting review changes nothing that
        # counts (AssessmentQuerySet.counting), so what readers and the public see is unchanged; the
        # team's pages, which list it, are stamped with the case's newest assessment as well
        # (AssessmentQuerySet.recording_stamp). A newly cited passage became evidence above
        # (save_evidence), and that touched the case: evidence is shown to everyone.
        AuditEntry.objects.record(
            action=AuditEntry.Action.RECORD,
            kind="assessment",
            obj=assessment,
            case=measure.case_id,
            user=recorded_by,
            detail=f"awaiting review{f'; corrects assessment {corrects.pk}' if corrects else ''}",
        )
    return assessment
