"""Events brought in from a conflict-event dataset (measures.importing.events_csv): added, updated to the
dataset's newer version, and removed when the dataset deleted them, in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from measures import search
from measures.models import AuditEntry, Citation, Party
from measures.services.base import ServiceError, touch_cases

IMPORT_REASON = "Imported from a conflict-event dataset"


def _checked(event, where):
    """Run the model's own checks on an event about to be written (the form's rules)."""
    try:
        event.clean_fields(exclude=["case"])
        event.clean()
    except ValidationError as exc:
        raise ServiceError({f"{where}.{name}": messages for name, messages in exc.message_dict.items()}) from None


def cited_events(events):
    """{event id: how many citations report it} for those of `events` that citations report (one query)."""
    counts = Citation.objects.filter(event__in=events).order_by().values("event").annotate(n=Count("pk"))
    return {row["event"]: row["n"] for row in counts}


def save_imported_events(*, case, new=(), updates=(), removals=(), record=True):
    """Write what an event import found (or one batch of it: measures.importing.events_write), all of it
    or nothing, in one transaction, and return (added, updated, removed) counts.

    - `new`: [(unsaved Event of `case`, [party codes of its actors])];
    - `updates`: [(stored Event of `case`, {field: new value}, [party codes] or None to keep its actors)]:
      the fields the dataset's newer version changed (its version and history record the change);
    - `removals`: [stored Event of `case`]: events the dataset deleted. An event that a citation reports
      is evidence and is never removed: refused (ServiceError naming it), as deleting it in the admin is.

    Every event passes the model's checks (ServiceError naming it otherwise); the search index follows
    (measures.search); the case's data version is bumped once, and the import is one entry of the audit
    log (besides its events' own), unless `record` is false: a batched import records itself once, at
    its end (record_event_import).
    """
    with transaction.atomic():
        parties = {party.code: party for party in Party.objects.all()}
        foreign = [event for event, *_ in (*new, *updates) if event.case_id != case.pk]
        foreign += [event for event in removals if event.case_id != case.pk]
        if foreign:
            raise ServiceError({"event": f"{len(foreign)} of the events belong to another case than “{case}”."})
        cited = cited_events([event.pk for event in removals])
        if cited:
            named = "; ".join(f"“{e.title}” ({cited[e.pk]} citations)" for e in removals if e.pk in cited)
            raise ServiceError({"event": f"Events that citations report are evidence and stay: {named}."})
        for event, codes in new:
            _checked(event, f"event {event.key}")
            event._change_reason = IMPORT_REASON
            event.save()
            event.actors.set([parties[code] for code in codes])
        for event, fields, codes in updates:
            for name, value in fields.items():
                setattr(event, name, value)
            _checked(event, f"event {event.pk}")
            event.version += 1
            event._change_reason = IMPORT_REASON
            event.save()
            if codes is not None:
                event.actors.set([parties[code] for code in codes])
        search.index([event for event, *_ in (*new, *updates)])
        search.unindex(list(removals))
        for event in removals:
            event._change_reason = "Deleted from its conflict-event dataset"
            event.delete()
        if new or updates or removals:
            touch_cases({case.pk})
        if record:
            record_event_import(case=case, added=len(new), updated=len(updates), removed=len(removals))
    return len(new), len(updates), len(removals)


def record_event_import(*, case, added, updated, removed):
    """The audit log's one entry for an events import into `case` (counts of events), by whoever runs it."""
    with transaction.atomic():
        AuditEntry.objects.record(
            action=AuditEntry.Action.IMPORT,
            kind="event",
            object_repr=f"{added + updated} events",
            case=case,
            detail=f"{added} added, {updated} updated, {removed} removed",
        )
