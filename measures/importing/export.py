"""Write a case as a case file, in the format `load_case` reads (docs/case-files.md): everything the
loader reads, assessments with their authors (by user name) and the assessment each correction
corrects, events with the id and timestamp of the dataset they were imported from.

Loading the export into an empty database and exporting again gives the same file: every value is
written as stored, items in an order that depends only on their content and keys, and keys that
loading stores (events and citations keep the key they were loaded with; one created in the admin is
written `event-<id>` / `citation-<id>`; sources, shared by cases, get a key from their title).
"""

import datetime
import json

from django.core.exceptions import ObjectDoesNotExist
from django.utils.text import slugify

from measures.importing.commitments import export_commitments
from measures.importing.schema import FORMAT
from measures.models import Assessment, Citation, Evidence, Party


def _date(value):
    return value.isoformat() if value is not None else None


def _timestamp(value):
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def export_case(case):
    """The case as case-file data (a dict ready for json.dumps), with every assessment of its history,
    the time each was recorded and its review (who approved or returned it, when, with what comment).
    A fixed number of queries whatever the size of the case."""
    measures = list(case.measures.select_related("type").prefetch_related("applicable_parties").order_by("number"))
    events = sorted(case.events.prefetch_related("actors"), key=lambda e: (e.date, e.key or f"event-{e.pk}", e.pk))
    citations = list(
        Citation.objects.filter(case=case)
        .select_related("source", "event")
        .prefetch_related("evidence__measure")
        .order_by("pk")
    )
    assessments = list(
        Assessment.objects.filter(measure__case=case)
        .select_related("measure", "party", "recorded_by", "corrects", "review__reviewer")
        .prefetch_related("citations")
        .order_by("recorded_at", "measure__number", "party__code", "effective_date", "pk")
    )
    assessed = sorted(case.assessed_parties.values_list("code", flat=True))

    sources = sorted({c.source for c in citations}, key=lambda s: (s.published_on or datetime.date.min, s.title, s.pk))
    source_keys = {}
    for source in sources:
        base = "s-" + (slugify(source.title)[:50].strip("-") or "source")
        key, n = base, 2
        while key in source_keys.values():
            key, n = f"{base}-{n}", n + 1
        source_keys[source.pk] = key
    event_key = {e.pk: e.key or f"event-{e.pk}" for e in events}
    citation_key = {c.pk: c.key or f"citation-{c.pk}" for c in citations}
    citations.sort(key=lambda c: citation_key[c.pk])

    party_codes = set(assessed)
    for event in events:
        party_codes.update(p.code for p in event.actors.all())
    party_codes.update(a.party.code for a in assessments)
    parties = Party.objects.filter(code__in=party_codes).order_by("code")

    return {
        "format": FORMAT,
        "parties": [_party(p) for p in parties],
        "case": {
            "slug": case.slug,
            "name": case.name,
            "summary": case.summary,
            "start_date": _date(case.start_date),
            "status": case.status,
            "end_date": _date(case.end_date),
            "working_language": case.working_language,
            "assessed_parties": assessed,
        },
        "measures": [
            {
                "number": m.number,
                "title": m.title,
                "slug": m.slug,
                "description": m.description,
                "requirement": citation_key.get(m.requirement_id),
                "type": m.type.slug if m.type else None,
                "applicable_parties": sorted(p.code for p in m.applicable_parties.all()),
            }
            for m in measures
        ],
        "sources": [
            {
                "key": source_keys[s.pk],
                "title": s.title,
                "label": s.label,
                "publisher": s.publisher,
                "author": s.author,
                "url": s.url,
                "published_on": _date(s.published_on),
                "date_precision": s.date_precision,
                "kind": s.kind,
                "language": s.language,
                "full_text": s.full_text,
                "recorded_at": _timestamp(s.recorded_at),
            }
            for s in sources
        ],
        "events": [
            {
                "key": event_key[e.pk],
                "date": _date(e.date),
                "date_precision": e.date_precision,
                "end_date": _date(e.end_date),
                "title": e.title,
                "summary": e.summary,
                "kind": e.kind,
                "direction": e.direction,
                "actors": sorted(p.code for p in e.actors.all()),
                "location": e.location,
                "fatalities": e.fatalities,
                **({"external_id": e.external_id} if e.external_id else {}),
                **({"external_timestamp": _timestamp(e.external_timestamp)} if e.external_timestamp else {}),
                "recorded_at": _timestamp(e.recorded_at),
            }
            for e in events
        ],
        "citations": [
            {
                "key": citation_key[c.pk],
                "source": source_keys[c.source_id],
                "quote": c.quote,
                "locator": c.locator,
                "event": event_key.get(c.event_id),
                "language": c.language,
                **_translation(c),
                "evidence": [
                    {
                        "measure": ev.measure.number,
                        "stance": ev.stance,
                        "note": ev.note,
                        "recorded_at": _timestamp(ev.recorded_at),
                    }
                    for ev in sorted(c.evidence.all(), key=_evidence_order)
                ],
                "recorded_at": _timestamp(c.recorded_at),
            }
            for c in citations
        ],
        "assessments": [
            {
                "measure": a.measure.number,
                "party": a.party.code,
                "level": a.level,
                "confidence": a.confidence,
                "effective_date": _date(a.effective_date),
                "recorded_at": _timestamp(a.recorded_at),
                "rationale": a.rationale,
                "rationale_language": a.rationale_language,
                "citations": sorted(citation_key[c.pk] for c in a.citations.all()),
                "recorded_by": a.recorded_by.get_username(),
                **({"corrects": _named_assessment(a.corrects)} if a.corrects_id else {}),
                **_review(a),
            }
            for a in assessments
        ],
        **_commitments(case, citation_key, event_key),
    }


def _commitments(case, citation_key, event_key):
    """{"commitments": [...]} when the case has any (a file without them stays as it was)."""
    items = export_commitments(case, citation_key=citation_key, event_key=event_key, timestamp=_timestamp)
    return {"commitments": items} if items else {}


def _named_assessment(assessment):
    """An assessment as a correction names it: its effective date and recorded time (its measure and
    party are the correction's own)."""
    return {"effective_date": _date(assessment.effective_date), "recorded_at": _timestamp(assessment.recorded_at)}


def _party(party):
    item = {"code": party.code, "name": party.name, "kind": party.kind}
    names = [name for name in party.names if name != party.name]
    if names:
        item["other_names"] = names
    return item


def _translation(citation):
    """A citation's translation, with who made it and when: only for a citation that has one."""
    if not citation.translation:
        return {}
    return {
        "translation": citation.translation,
        "translator": citation.translator,
        "translated_on": _date(citation.translated_on),
    }


def _review(assessment):
    """{"review": {...}} for an assessment a reviewer decided on, else {} (it awaits review)."""
    try:
        review = assessment.review
    except ObjectDoesNotExist:
        return {}
    written = {
        "decision": review.decision,
        "by": review.reviewer.get_username() if review.reviewer else None,
        "at": _timestamp(review.decided_at),
    }
    if review.comment:
        written["comment"] = review.comment
    return {"review": written}


def _evidence_order(evidence: Evidence):
    return evidence.measure.number


def dumps(data):
    """The case-file text of `data`: UTF-8 JSON, two-space indents, a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
