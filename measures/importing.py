"""Import a case from its JSON description (fixtures/<slug>.json), through the services.

The import is all or nothing, and it never overwrites: a case whose slug exists is left as the
analysts have it, parties and sources already known are reused as they are.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from . import services
from .models import Case, Event, Measure, Party, Source

FORMAT = "deescalation-tracker/case@1"
IMPORT_USERNAME = "case-import"


class CaseFileError(ValueError):
    """The file is not a valid case description; the message names the item at fault."""


@dataclass(frozen=True)
class ImportResult:
    case: Case
    created: bool
    counts: dict


def _get(item, key, where, default=...):
    if key in item:
        return item[key]
    if default is ...:
        raise CaseFileError(f"{where}: missing “{key}”")
    return default


def _date(value, where):
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CaseFileError(f"{where}: “{value}” is not a date (YYYY-MM-DD)") from None


def _saved(obj, where):
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise CaseFileError(f"{where}: {_messages(exc)}") from None
    obj.save()
    return obj


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def import_user():
    """The account that imported assessments are recorded by: inactive, it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=IMPORT_USERNAME, defaults={"is_active": False, "first_name": "Case", "last_name": "import"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def import_case(data, *, recorded_by=None):
    """Create the case described by `data` (a parsed JSON document) unless its slug exists."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CaseFileError(f"not a case file: expected “format”: “{FORMAT}”")
    case_data = _get(data, "case", "file")
    slug = _get(case_data, "slug", "case")
    existing = Case.objects.filter(slug=slug).first()
    if existing is not None:
        return ImportResult(existing, created=False, counts={})

    with transaction.atomic():
        recorded_by = recorded_by or import_user()
        parties = _import_parties(_get(data, "parties", "file"))
        case = _import_case(case_data, parties)
        measures = {}
        for i, item in enumerate(_get(data, "measures", "file")):
            where = f"measure #{i + 1}"
            measure = Measure(
                case=case,
                number=_get(item, "number", where),
                title=_get(item, "title", where),
                slug=_get(item, "slug", where),
                description=_get(item, "description", where),
            )
            measures[measure.number] = _saved(measure, f"measure {measure.number}")
        sources = {_get(item, "key", "source"): _import_source(item) for item in _get(data, "sources", "file")}
        events = {}
        for item in _get(data, "events", "file"):
            key = _get(item, "key", "event")
            events[key] = _import_event(item, case, parties, f"event {key}")
        citations, evidence_count = _import_citations(_get(data, "citations", "file"), case, sources, events, measures)
        assessment_count = 0
        for i, item in enumerate(_get(data, "assessments", "file")):
            where = f"assessment #{i + 1}"
            _import_assessment(item, measures, parties, citations, recorded_by, where)
            assessment_count += 1
    counts = {
        "measures": len(measures),
        "sources": len(sources),
        "events": len(events),
        "citations": len(citations),
        "evidence": evidence_count,
        "assessments": assessment_count,
    }
    return ImportResult(case, created=True, counts=counts)


def _import_parties(items):
    parties = {}
    for item in items:
        code = _get(item, "code", "party")
        party = Party.objects.filter(code=code).first()
        if party is None:
            party = _saved(
                Party(code=code, name=_get(item, "name", f"party {code}"), kind=_get(item, "kind", f"party {code}")),
                f"party {code}",
            )
        parties[code] = party
    return parties


def _party(parties, code, where):
    if code not in parties:
        raise CaseFileError(f"{where}: unknown party “{code}”")
    return parties[code]


def _import_case(item, parties):
    case = _saved(
        Case(
            slug=item["slug"],
            name=_get(item, "name", "case"),
            summary=_get(item, "summary", "case", ""),
            start_date=_date(_get(item, "start_date", "case"), "case start_date"),
        ),
        "case",
    )
    assessed = [_party(parties, code, "case assessed_parties") for code in _get(item, "assessed_parties", "case")]
    if len(assessed) < 2:
        raise CaseFileError("case: at least two assessed parties are needed")
    case.assessed_parties.set(assessed)
    return case


def _import_source(item):
    key = item["key"]
    fields = {
        "title": _get(item, "title", f"source {key}"),
        "publisher": _get(item, "publisher", f"source {key}", ""),
        "published_on": _date(_get(item, "published_on", f"source {key}", None), f"source {key}"),
    }
    source = Source.objects.filter(**fields).first()
    if source is not None:
        return source
    return _saved(
        Source(
            **fields,
            author=_get(item, "author", f"source {key}", ""),
            url=_get(item, "url", f"source {key}", ""),
            kind=_get(item, "kind", f"source {key}"),
            full_text=_get(item, "full_text", f"source {key}", ""),
        ),
        f"source {key}",
    )


def _import_event(item, case, parties, where):
    event = _saved(
        Event(
            case=case,
            date=_date(_get(item, "date", where), where),
            date_precision=_get(item, "date_precision", where, Event.Precision.DAY),
            title=_get(item, "title", where),
            summary=_get(item, "summary", where, ""),
            kind=_get(item, "kind", where),
            direction=_get(item, "direction", where),
            location=_get(item, "location", where, ""),
        ),
        where,
    )
    event.actors.set([_party(parties, code, where) for code in _get(item, "actors", where, [])])
    return event


def _import_citations(items, case, sources, events, measures):
    citations = {}
    evidence_count = 0
    for item in items:
        key = _get(item, "key", "citation")
        where = f"citation {key}"
        if key in citations:
            raise CaseFileError(f"{where}: the key is used twice")
        source_key = _get(item, "source", where)
        event_key = _get(item, "event", where, None)
        if source_key not in sources:
            raise CaseFileError(f"{where}: unknown source “{source_key}”")
        if event_key is not None and event_key not in events:
            raise CaseFileError(f"{where}: unknown event “{event_key}”")
        try:
            citation = services.create_citation(
                case=case,
                source=sources[source_key],
                quote=_get(item, "quote", where),
                locator=_get(item, "locator", where, ""),
                event=events.get(event_key),
            )
            for link in _get(item, "evidence", where, []):
                number = _get(link, "measure", where)
                if number not in measures:
                    raise CaseFileError(f"{where}: unknown measure {number}")
                services.attach_evidence(
                    citation=citation,
                    measure=measures[number],
                    stance=_get(link, "stance", where),
                    note=link.get("note", ""),
                )
                evidence_count += 1
        except ValidationError as exc:
            raise CaseFileError(f"{where}: {_messages(exc)}") from None
        citations[key] = citation
    return citations, evidence_count


def _import_assessment(item, measures, parties, citations, recorded_by, where):
    number = _get(item, "measure", where)
    if number not in measures:
        raise CaseFileError(f"{where}: unknown measure {number}")
    unknown = [key for key in _get(item, "citations", where, []) if key not in citations]
    if unknown:
        raise CaseFileError(f"{where}: unknown citations {', '.join(unknown)}")
    recorded_at = _get(item, "recorded_at", where, None)
    if recorded_at is not None:
        parsed = parse_datetime(recorded_at)
        if parsed is None or parsed.tzinfo is None:
            raise CaseFileError(f"{where}: recorded_at “{recorded_at}” is not a date-time with a time zone")
        recorded_at = parsed
    try:
        return services.record_assessment(
            measure=measures[number],
            party=_party(parties, _get(item, "party", where), where),
            level=_get(item, "level", where),
            confidence=_get(item, "confidence", where, "medium"),
            effective_date=_date(_get(item, "effective_date", where), where),
            rationale=_get(item, "rationale", where),
            citations=[citations[key] for key in item.get("citations", [])],
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
    except ValidationError as exc:
        raise CaseFileError(f"{where} (measure {number}, {item.get('party')}): {_messages(exc)}") from None
