"""Keeping a case's imported events in step with their dataset (ACLED revises and deletes events): the
rows of an export matched to the stored events, what changed, and what the dataset deleted.

- A row matches the stored event with its external id (ACLED's event_id_cnty), else with its key (an
  event imported before ids were stored, or a row without an id, by its digest).
- A matched row whose `timestamp` is not newer than the stored event's leaves it as it is (the
  analyst's edits since the import stay); otherwise every field the dataset gives that differs, and the
  actors, are updated to the row, and the row's timestamp is kept on the event.
- Removals: the events a deletion list names, and, when the export is complete (`sync`), the imported
  events (those with an external id, or a key an import gave: `acled-…`, `csv-…`) it no longer holds.
  An event that a citation reports is evidence: it is kept and listed as such, never removed.
"""

from dataclasses import dataclass

from measures import services

# What an import writes on an event: the fields an update may change.
FEED_FIELDS = (
    "date",
    "date_precision",
    "end_date",
    "title",
    "summary",
    "kind",
    "direction",
    "location",
    "fatalities",
    "external_id",
    "external_timestamp",
)
IMPORT_KEY_PREFIXES = ("acled-", "csv-")


@dataclass
class EventUpdate:
    """A stored event and the dataset's newer version of it: `fields` {name: new value} that differ,
    `old` their stored values, `actor_codes` the new actors' codes (None when they do not change)."""

    line: int
    event: object
    fields: dict
    old: dict
    actor_codes: list | None
    old_actor_codes: list

    @property
    def changes(self):
        """[(field, stored value, new value)], actors included, for previews and the command's report."""
        changed = [(name, self.old[name], value) for name, value in self.fields.items()]
        if self.actor_codes is not None:
            changed.append(("actors", ", ".join(self.old_actor_codes), ", ".join(self.actor_codes)))
        return changed


def imported(event):
    """Whether an event came from an import (it has a dataset id, or a key an import gives)."""
    return bool(event.external_id) or event.key.startswith(IMPORT_KEY_PREFIXES)


class StoredEvents:
    """The case's stored events, for matching an export's rows against (two queries)."""

    def __init__(self, case):
        self.events = list(case.events.prefetch_related("actors").order_by("date", "pk"))
        self.by_external = {event.external_id: event for event in self.events if event.external_id}
        self.by_key = {event.key: event for event in self.events if event.key}
        self.matched = set()

    def find(self, event):
        if event.external_id and event.external_id in self.by_external:
            return self.by_external[event.external_id]
        return self.by_key.get(event.key)

    def place(self, event, result):
        """Put the row's `event` (unsaved, with `.line` and `.actor_codes`) in `result`: new, already
        there, or an update of the stored event it matches."""
        stored = self.find(event)
        if stored is None:
            result.new.append(event)
            return
        self.matched.add(stored.pk)
        if (
            event.external_timestamp is not None
            and stored.external_timestamp is not None
            and event.external_timestamp <= stored.external_timestamp
        ):
            result.existing.append((event.line, stored))
            return
        names = [name for name in FEED_FIELDS if getattr(event, name) != getattr(stored, name)]
        # A row without an id or a timestamp says nothing about them: the stored ones stay.
        names = [name for name in names if name not in ("external_id", "external_timestamp") or getattr(event, name)]
        old_codes = sorted(party.code for party in stored.actors.all())
        new_codes = sorted(event.actor_codes)
        if not names and old_codes == new_codes:
            result.existing.append((event.line, stored))
            return
        result.updated.append(
            EventUpdate(
                line=event.line,
                event=stored,
                fields={name: getattr(event, name) for name in names},
                old={name: getattr(stored, name) for name in names},
                actor_codes=new_codes if new_codes != old_codes else None,
                old_actor_codes=old_codes,
            )
        )

    def removals(self, result, *, sync, deletion_ids):
        """Fill `result.removed`, `result.kept` and `result.unknown_deletions` (module docstring); returns
        the problems that refuse the import: an id both in the export and in the deletion list."""
        candidates, problems = {}, []
        for line, external_id in deletion_ids:
            stored = self.by_external.get(external_id) or self.by_key.get(f"acled-{external_id}"[:100])
            if stored is None:
                result.unknown_deletions.append((line, external_id))
            elif stored.pk in self.matched:
                problems.append(
                    f"deletion list, line {line}: “{external_id}” is also a row of the export; take it out of one"
                )
            else:
                candidates[stored.pk] = stored
        if sync:
            for stored in self.events:
                if imported(stored) and stored.pk not in self.matched:
                    candidates[stored.pk] = stored
        cited = services.cited_events(list(candidates)) if candidates else {}
        for stored in self.events:
            if stored.pk not in candidates:
                continue
            if stored.pk in cited:
                result.kept.append((stored, cited[stored.pk]))
            else:
                result.removed.append(stored)
        return problems
