"""The `commitments` section of a case file: checked, loaded through the services, exported.

A commitment is matched by its key in the case; one already stored is counted (its outcomes in the
file that are not stored yet, matched by outcome and recorded time, are added: judgements are
append-only). Loading goes through `services.record_commitment` and `services.judge_commitment`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from measures import services
from measures.models import Commitment


def reference_problems(data):
    """[message with path] for the commitments' references to what the file declares."""
    parties = {item["code"] for item in data.get("parties", [])}
    measures = {item["number"] for item in data.get("measures", [])}
    events = {item["key"] for item in data.get("events", [])}
    citations = {item["key"] for item in data.get("citations", [])}
    problems, seen = [], {}
    for i, item in enumerate(data.get("commitments", [])):
        where = f"commitments[{i}]"
        if item["key"] in seen:
            problems.append(f"{where}.key: “{item['key']}” is already used by commitments[{seen[item['key']]}]")
        seen.setdefault(item["key"], i)
        if item["measure"] not in measures:
            problems.append(f"{where}.measure: unknown measure {item['measure']}")
        for j, code in enumerate(item["parties"]):
            if code not in parties:
                problems.append(f"{where}.parties[{j}]: unknown party “{code}” (declare it under “parties”)")
        if item.get("anchor_event") and item["anchor_event"] not in events:
            problems.append(f"{where}.anchor_event: unknown event “{item['anchor_event']}”")
        for j, key in enumerate(item["stated_by"]):
            if key not in citations:
                problems.append(f"{where}.stated_by[{j}]: unknown citation “{key}”")
        for k, outcome in enumerate(item.get("outcomes", [])):
            for j, key in enumerate(outcome.get("citations", [])):
                if key not in citations:
                    problems.append(f"{where}.outcomes[{k}].citations[{j}]: unknown citation “{key}”")
    return problems


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _messages(exc, where):
    return [
        f"{where}.{name}: {' '.join(msgs)}" if name != "__all__" else f"{where}: {' '.join(msgs)}"
        for name, msgs in exc.message_dict.items()
    ]


def load_commitments(loader, error_class):
    """Load the file's commitments into `loader.case` (a casefile._Loader that has loaded the rest).
    Raises `error_class` (CaseFileError) with every message's path; counts in loader.result."""
    stored = {c.key: c for c in Commitment.objects.filter(case=loader.case).exclude(key="")}
    for i, item in enumerate(loader.data.get("commitments", [])):
        where = f"commitments[{i}]"
        commitment = stored.get(item["key"])
        recorded_at = parse_datetime(item["recorded_at"]) if item.get("recorded_at") else None
        if commitment is None:
            try:
                commitment = services.record_commitment(
                    case=loader.case,
                    measure=loader.measures[item["measure"]],
                    parties=[loader.parties[code] for code in item["parties"]],
                    what=item["what"],
                    due_precision=item["due_precision"],
                    due_on=_date(item.get("due_on")),
                    due_until=_date(item.get("due_until")),
                    anchor_event=loader.events.get(item.get("anchor_event")),
                    within_days=item.get("within_days"),
                    due_text=item.get("due_text", ""),
                    announced_on=_date(item.get("announced_on")),
                    citations=[loader.citations[key] for key in item["stated_by"]],
                    recorded_by=loader.recorded_by,
                    recorded_at=recorded_at,
                    key=item["key"],
                )
            except ValidationError as exc:
                raise error_class(_messages(exc, where)) from None
            loader.result.added["commitments"] += 1
            known = set()
        else:
            loader.result.existing["commitments"] += 1
            known = {(o.outcome, o.recorded_at) for o in commitment.outcomes.all()}
        for k, outcome in enumerate(item.get("outcomes", [])):
            at = parse_datetime(outcome["recorded_at"]) if outcome.get("recorded_at") else None
            if (outcome["outcome"], at) in known:
                loader.result.existing["commitment outcomes"] += 1
                continue
            try:
                services.judge_commitment(
                    commitment=commitment,
                    outcome=outcome["outcome"],
                    occurred_on=_date(outcome.get("occurred_on")),
                    confidence=outcome.get("confidence", "medium"),
                    rationale=outcome["rationale"],
                    citations=[loader.citations[key] for key in outcome.get("citations", [])],
                    recorded_by=loader.recorded_by,
                    recorded_at=at,
                )
            except ValidationError as exc:
                raise error_class(_messages(exc, f"{where}.outcomes[{k}]")) from None
            loader.result.added["commitment outcomes"] += 1


def export_commitments(case, *, citation_key, event_key, timestamp):
    """The case's commitments as case-file items, in key order, every judgement in recording order."""
    commitments = (
        Commitment.objects.filter(case=case)
        .select_related("measure", "anchor_event")
        .prefetch_related("parties", "stated_by", "outcomes__citations")
    )
    items = []
    for c in commitments:
        items.append(
            {
                "key": c.key or f"commitment-{c.pk}",
                "measure": c.measure.number,
                "parties": sorted(p.code for p in c.parties.all()),
                "what": c.what,
                "due_precision": c.due_precision,
                "due_on": c.due_on.isoformat() if c.due_on else None,
                "due_until": c.due_until.isoformat() if c.due_until else None,
                "anchor_event": event_key.get(c.anchor_event_id) if c.anchor_event_id else None,
                "within_days": c.within_days,
                "due_text": c.due_text,
                "announced_on": c.announced_on.isoformat(),
                "stated_by": sorted(citation_key[x.pk] for x in c.stated_by.all()),
                "recorded_at": timestamp(c.recorded_at),
                "outcomes": [
                    {
                        "outcome": o.outcome,
                        "occurred_on": o.occurred_on.isoformat() if o.occurred_on else None,
                        "confidence": o.confidence,
                        "rationale": o.rationale,
                        "citations": sorted(citation_key[x.pk] for x in o.citations.all()),
                        "recorded_at": timestamp(o.recorded_at),
                    }
                    for o in sorted(c.outcomes.all(), key=lambda o: (o.recorded_at, o.pk))
                ],
            }
        )
    return sorted(items, key=lambda item: item["key"])
