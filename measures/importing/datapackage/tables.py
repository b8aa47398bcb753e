"""The rows of a data package's tables, from the state layer: the same figures as the dashboard
(`case_state`), the measure pages' history (`assessment_history`) and the record lists
(`state.records`), as of and as known on the dates asked."""

import datetime
import json

from django.utils import timezone

from measures.models import Assessment
from measures.state import (
    assessment_history,
    case_citations,
    case_events,
    case_evidence,
    case_parties,
    case_sources,
    case_state,
    commitment_calendar,
    evidence_dating,
    history_row,
)


def _codes(parties):
    return ";".join(sorted(party.code for party in parties))


def timestamp(value):
    """A datetime in UTC, ISO 8601 with "Z" (as the case files write them); None stays None."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def case_rows(case, *, as_of, as_of_rule, known_on, authors=True):
    """{table name: [row dict]} of one case (sources and parties too, which cases share), as of `as_of`
    as known on `known_on` (None: everything on record); `authors` False leaves `recorded_by` empty
    (a package for the public names no one). A fixed number of queries whatever its size."""
    state = case_state(case, as_of=as_of, known_on=known_on, details=False)
    parties = list(case_parties(case))
    rows = {
        "cases": [
            {
                "slug": case.slug,
                "name": case.name,
                "start_date": case.start_date,
                "status": case.status,
                "end_date": case.end_date,
                "working_language": case.working_language,
                "assessed_parties": _codes(state.parties),
                "as_of": as_of,
                "as_of_rule": as_of_rule,
                "known_on": known_on,
            }
        ],
        "parties": [{"code": p.code, "name": p.name, "kind": p.kind} for p in parties],
        "measures": [],
        "state": [],
    }
    for status in state.rows:
        measure, latest = status.measure, status.latest_evidence
        rows["measures"].append(
            {
                "case": case.slug,
                "number": measure.number,
                "slug": measure.slug,
                "title": measure.title,
                "description": measure.description,
                "applicable_parties": _codes(cell.party for cell in status.applicable_cells),
                "joint_level": status.joint_level,
                "joint_score": Assessment.SCORES.get(status.joint_level),
                "confidence": status.confidence,
                "latest_evidence": latest.date if latest else None,
                "latest_evidence_precision": latest.precision if latest else None,
                "citation_count": status.citation_count,
                "stale": status.stale,
                "no_evidence": status.no_evidence,
                "contested": status.contested,
            }
        )
        for cell in status.cells:
            assessment = cell.assessment
            rows["state"].append(
                {
                    "case": case.slug,
                    "measure": measure.number,
                    "party": cell.party.code,
                    "applies": cell.applies,
                    "level": cell.level,
                    "score": Assessment.SCORES.get(cell.level),
                    "confidence": assessment.confidence if assessment else None,
                    "effective_date": assessment.effective_date if assessment else None,
                    "assessment": assessment.pk if assessment else None,
                    "contested": cell.contested,
                }
            )
    rows["assessments"] = [
        {**row, "case": case.slug, "citations": ";".join(str(pk) for pk in row["citations"])}
        for row in (
            history_row(change, authors=authors) for change in assessment_history(case, as_of=as_of, known_on=known_on)
        )
    ]
    rows["events"] = [
        {
            "id": event.pk,
            "case": case.slug,
            "event_id_cnty": event.external_id,
            "date": event.date,
            "date_precision": event.date_precision,
            "end_date": event.end_date,
            "title": event.title,
            "summary": event.summary,
            "kind": event.kind,
            "direction": event.direction,
            "actors": _codes(event.actors.all()),
            "location": event.location,
            "fatalities": event.fatalities,
            "recorded_at": event.recorded_at,
            "source_timestamp": event.external_timestamp,
        }
        for event in case_events(case, as_of=as_of, known_on=known_on).with_actors().order_by("pk")
    ]
    rows["sources"] = [
        {
            "id": source.pk,
            "title": source.title,
            "label": source.label,
            "publisher": source.publisher,
            "author": source.author,
            "url": source.url,
            "published_on": source.published_on,
            "date_precision": source.date_precision,
            "kind": source.kind,
            "language": source.language,
            "recorded_at": source.recorded_at,
            "full_text": source.full_text,
        }
        for source in case_sources(case, as_of=as_of, known_on=known_on).order_by("pk")
    ]
    citations = (
        case_citations(case, as_of=as_of, known_on=known_on).with_source().defer("source__full_text").order_by("pk")
    )
    rows["citations"] = [citation_row(case, citation) for citation in citations]
    rows["evidence"] = [
        {
            "id": item.pk,
            "case": case.slug,
            "measure": item.measure.number,
            "citation": item.citation_id,
            "stance": item.stance,
            "note": item.note,
            "recorded_at": item.recorded_at,
        }
        for item in case_evidence(case, as_of=as_of, known_on=known_on).select_related("measure").order_by("pk")
    ]
    rows["commitments"] = commitment_rows(case, as_of=as_of, known_on=known_on)
    return rows


def commitment_rows(case, *, as_of, known_on):
    """The rows of the commitments table: the commitment calendar of the state layer (the dashboard's)."""
    rows = []
    for entry in commitment_calendar(case, as_of=as_of, known_on=known_on).entries:
        commitment, outcome = entry.commitment, entry.outcome
        window = commitment.window() or (None, None)
        rows.append(
            {
                "id": commitment.pk,
                "case": case.slug,
                "measure": commitment.measure.number,
                "parties": _codes(commitment.parties.all()),
                "what": commitment.what,
                "due_precision": commitment.due_precision,
                "due_from": window[0],
                "due_by": window[1],
                "due_text": commitment.due_text,
                "announced_on": commitment.announced_on,
                "stated_by": ";".join(str(c.pk) for c in commitment.stated_by.all()),
                "standing": entry.status,
                "occurred_on": outcome.occurred_on if outcome else None,
                "days_late": (entry.days_late or None) if outcome else None,
                "outcome_confidence": outcome.confidence if outcome else None,
                "outcome_rationale": outcome.rationale if outcome else None,
                "outcome_citations": ";".join(str(c.pk) for c in outcome.citations.all()) if outcome else None,
                "outcome_recorded_at": outcome.recorded_at if outcome else None,
                "recorded_at": commitment.recorded_at,
            }
        )
    return sorted(rows, key=lambda row: row["id"])


def citation_row(case, citation):
    dating = evidence_dating(citation)
    spans = citation.spans or []
    return {
        "id": citation.pk,
        "case": case.slug,
        "source": citation.source_id,
        "event": citation.event_id,
        "passage": citation.passage,
        "quote": citation.quote,
        "language": citation.language,
        "translation": citation.translation,
        "translator": citation.translator,
        "translated_on": citation.translated_on,
        "locator": citation.locator,
        "paragraph": citation.paragraph,
        "start": spans[0][0] if spans else None,
        "end": spans[-1][1] if spans else None,
        "spans": json.dumps(spans) if spans else None,
        "evidence_date": dating.date if dating else None,
        "recorded_at": citation.recorded_at,
    }


def default_as_of(case, as_of):
    """(as-of date, rule in words) for `case`: `as_of` as given, else the case's default (today for an
    active case, its end date for a closed one), as the pages say it."""
    if as_of is not None:
        return as_of, "given"
    day = case.default_as_of(timezone.localdate())
    if case.is_closed and day == case.end_date:
        return day, "the end of the case, since it is closed"
    return day, "today, since the case is active"
