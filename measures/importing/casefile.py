"""Import a case from its case file (fixtures/<slug>.json), through the services.

The file is first checked whole (`schema.validate_case_data`): nothing is written unless it passes.
The import is all or nothing, and it never overwrites: a case whose slug exists is left as the
analysts have it; parties and sources already known are reused, and a party stored under another
name is refused unless the file says to rename it (`"rename": true`).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from .. import dates, services
from ..models import Case, Event, Measure, Party, Source
from .schema import FORMAT, CaseFileError, parse_date, validate_case_data

__all__ = ["FORMAT", "IMPORT_USERNAME", "CaseFileError", "ImportResult", "import_case", "import_user"]

IMPORT_USERNAME = "case-import"


@dataclass(frozen=True)
class ImportResult:
    case: Case
    created: bool
    counts: dict


def _messages(exc, where):
    if hasattr(exc, "message_dict"):
        return [
            f"{where if field == NON_FIELD_ERRORS else f'{where}.{field}'}: {' '.join(msgs)}"
            for field, msgs in exc.message_dict.items()
        ]
    return [f"{where}: {' '.join(exc.messages)}"]


def _saved(obj, where):
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise CaseFileError(_messages(exc, where)) from None
    obj.save()
    return obj


def import_user():
    """The account that imported assessments are recorded by: inactive, it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=IMPORT_USERNAME, defaults={"is_active": False, "first_name": "Case", "last_name": "import"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def party_problems(items):
    """What stops the file's parties from matching the stored ones: [message with path].

    A code stored under another name (or kind) is refused unless the item says `"rename": true`; a name
    that another code already has is always refused (party names are unique).
    """
    stored = {party.code: party for party in Party.objects.filter(code__in=[item["code"] for item in items])}
    by_name = dict(Party.objects.filter(name__in=[item["name"] for item in items]).values_list("name", "code"))
    problems = []
    for i, item in enumerate(items):
        party = stored.get(item["code"])
        if party is not None and not item.get("rename"):
            if party.name != item["name"]:
                problems.append(
                    f"parties[{i}].name: the party “{item['code']}” is stored as “{party.name}”, the file calls it "
                    f'“{item["name"]}”: use the stored name, or add "rename": true to rename it'
                )
            if party.kind != item["kind"]:
                problems.append(
                    f"parties[{i}].kind: the party “{item['code']}” is stored as “{party.kind}”, the file says "
                    f'“{item["kind"]}”: use the stored kind, or add "rename": true to change it'
                )
        owner = by_name.get(item["name"])
        if owner is not None and owner != item["code"]:
            problems.append(f"parties[{i}].name: “{item['name']}” is already the name of the party “{owner}”")
    return problems


def import_case(data, *, recorded_by=None):
    """Create the case described by `data` (a parsed case file) unless its slug exists.

    Returns ImportResult(case, created, counts). Raises CaseFileError, each message naming the item
    by its path in the file (`events[3].date`), and writes nothing in that case.
    """
    validate_case_data(data)
    slug = data["case"]["slug"]
    existing = Case.objects.filter(slug=slug).first()
    if existing is not None:
        return ImportResult(existing, created=False, counts={})
    problems = party_problems(data.get("parties", []))
    if problems:
        raise CaseFileError(problems)

    with transaction.atomic():
        recorded_by = recorded_by or import_user()
        parties = _import_parties(data.get("parties", []))
        case = _import_case(data["case"], parties)
        measures = {}
        for i, item in enumerate(data.get("measures", [])):
            measure = Measure(
                case=case,
                number=item["number"],
                title=item["title"],
                slug=item["slug"],
                description=item["description"],
            )
            measures[measure.number] = _saved(measure, f"measures[{i}]")
            measure.applicable_parties.set([parties[code] for code in item.get("applicable_parties", [])])
        sources = {item["key"]: _import_source(item, f"sources[{i}]") for i, item in enumerate(data.get("sources", []))}
        events = {
            item["key"]: _import_event(item, case, parties, f"events[{i}]")
            for i, item in enumerate(data.get("events", []))
        }
        citations, evidence_count = _import_citations(data.get("citations", []), case, sources, events, measures)
        assessments = data.get("assessments", [])
        for i, item in enumerate(assessments):
            _import_assessment(item, measures, parties, citations, recorded_by, f"assessments[{i}]")
    counts = {
        "measures": len(measures),
        "sources": len(sources),
        "events": len(events),
        "citations": len(citations),
        "evidence": evidence_count,
        "assessments": len(assessments),
    }
    return ImportResult(case, created=True, counts=counts)


def _import_parties(items):
    parties = {}
    for i, item in enumerate(items):
        party = Party.objects.filter(code=item["code"]).first()
        if party is None:
            party = _saved(Party(code=item["code"], name=item["name"], kind=item["kind"]), f"parties[{i}]")
        elif item.get("rename") and (party.name, party.kind) != (item["name"], item["kind"]):
            party.name, party.kind = item["name"], item["kind"]
            _saved(party, f"parties[{i}]")
        parties[item["code"]] = party
    return parties


def _import_case(item, parties):
    case = _saved(
        Case(
            slug=item["slug"],
            name=item["name"],
            summary=item.get("summary", ""),
            start_date=parse_date(item["start_date"]),
            status=item.get("status", Case.Status.ACTIVE),
            end_date=parse_date(item.get("end_date")),
        ),
        "case",
    )
    case.assessed_parties.set([parties[code] for code in item["assessed_parties"]])
    return case


def _import_source(item, where):
    published = parse_date(item.get("published_on"))
    precision = item.get("date_precision", Source.DatePrecision.DAY if published else Source.DatePrecision.UNKNOWN)
    fields = {
        "title": item["title"],
        "publisher": item.get("publisher", ""),
        "published_on": dates.last_possible_day(published, precision),
    }
    source = Source.objects.filter(**fields).first()
    if source is not None:
        return source
    return _saved(
        Source(
            **fields,
            date_precision=precision,
            author=item.get("author", ""),
            url=item.get("url", ""),
            kind=item["kind"],
            full_text=item.get("full_text", ""),
            **_recorded_at(item),
        ),
        where,
    )


def _import_event(item, case, parties, where):
    event = _saved(
        Event(
            case=case,
            date=parse_date(item["date"]),
            date_precision=item.get("date_precision", Event.Precision.DAY),
            end_date=parse_date(item.get("end_date")),
            fatalities=item.get("fatalities"),
            title=item["title"],
            summary=item.get("summary", ""),
            kind=item["kind"],
            direction=item["direction"],
            location=item.get("location", ""),
            **_recorded_at(item),
        ),
        where,
    )
    event.actors.set([parties[code] for code in item.get("actors", [])])
    return event


def _import_citations(items, case, sources, events, measures):
    citations = {}
    evidence_count = 0
    for i, item in enumerate(items):
        where = f"citations[{i}]"
        try:
            citation = services.create_citation(
                case=case,
                source=sources[item["source"]],
                quote=item["quote"],
                locator=item.get("locator", ""),
                event=events.get(item.get("event")),
                recorded_at=_recorded_at(item).get("recorded_at"),
            )
        except ValidationError as exc:
            raise CaseFileError(_messages(exc, where)) from None
        for j, link in enumerate(item.get("evidence", [])):
            try:
                services.attach_evidence(
                    citation=citation,
                    measure=measures[link["measure"]],
                    stance=link["stance"],
                    note=link.get("note", ""),
                    recorded_at=citation.recorded_at,
                )
            except ValidationError as exc:
                raise CaseFileError(_messages(exc, f"{where}.evidence[{j}]")) from None
            evidence_count += 1
        citations[item["key"]] = citation
    return citations, evidence_count


def _recorded_at(item):
    """{"recorded_at": datetime} when the item gives when it was put on record, else {} (now)."""
    value = item.get("recorded_at")
    return {"recorded_at": parse_datetime(value)} if value else {}


def _import_assessment(item, measures, parties, citations, recorded_by, where):
    recorded_at = item.get("recorded_at")
    try:
        return services.record_assessment(
            measure=measures[item["measure"]],
            party=parties[item["party"]],
            level=item["level"],
            confidence=item.get("confidence", "medium"),
            effective_date=parse_date(item["effective_date"]),
            rationale=item["rationale"],
            citations=[citations[key] for key in item.get("citations", [])],
            # A cited passage not yet evidence of the measure becomes evidence with this stance.
            evidence_stance=item.get("evidence_stance"),
            recorded_by=recorded_by,
            recorded_at=parse_datetime(recorded_at) if recorded_at else None,
        )
    except ValidationError as exc:
        raise CaseFileError(_messages(exc, where)) from None
