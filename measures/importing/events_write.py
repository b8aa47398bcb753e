"""Writing a checked events import (measures.importing.events_csv) in batches, each one short transaction,
so that an import of thousands of events never holds the database's write lock for long (on SQLite one
writer holds the whole database, and analysts' saves wait at most its busy timeout, SQLITE_OPTIONS). Each batch is
sized to hold the lock about BATCH_SECONDS, and the import pauses PAUSE_SECONDS after each one, so that
the saves waiting meanwhile take the lock before the next batch does: without the pause, a commit
handed the lock straight to the next batch, and 15 of 25 saves made during an 8,000-row import were
refused "busy" after waiting out the busy timeout (docs/invariants.md, *The staged events import*). Each batch is all of
it or none of it; a batch refused at write time stops the import there, and the refusal names the lines
written before it and every line not written. A batch that could not even start because other writers
held the lock past the busy timeout (nothing of it written) is tried again after a pause, up to
LOCKED_RETRIES times.
"""

import time

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, transaction

from measures import services
from measures.lib import acting

# How long one write transaction should hold the lock (seconds). An event costs what its row, history,
# actors' history, audit entries and search index cost: tens of milliseconds on SQLite (measured in
# docs/invariants.md, *The staged events import*), and more on a busy machine. So the size
# of a batch is not fixed: the first takes FIRST_BATCH events, and each next one as many as the last
# one's pace fits in BATCH_SECONDS (timed from when it holds the lock), never more than MAX_BATCH.
BATCH_SECONDS = 0.25
FIRST_BATCH = 10
MAX_BATCH = 200
# The pause after each batch (seconds). A writer waiting for SQLite's lock sleeps between its tries, at
# most a tenth of a second at a time (SQLite's default busy handler): a longer pause lets each waiting
# save take the lock before the next batch asks for it.
PAUSE_SECONDS = 0.15
# How many times a batch is tried again when it could not start within the busy timeout.
LOCKED_RETRIES = 5
clock = time.monotonic
pause = time.sleep


def next_batch_size(size, seconds):
    """The size of the next batch after one of `size` events took `seconds`: as many as fit in
    BATCH_SECONDS at that pace (at most twice as many, and 1 to MAX_BATCH)."""
    if seconds <= 0:
        return min(MAX_BATCH, size * 2)
    return max(1, min(MAX_BATCH, size * 2, int(size * BATCH_SECONDS / seconds)))


class BatchRefused(Exception):
    """A batch was refused at write time; `problems` says why, what was written and what was not."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


class Written:
    """What the committed batches of an import wrote, across its attempts."""

    def __init__(self):
        self.new, self.updated, self.removed, self.batches = [], [], [], 0

    def count(self):
        return len(self.new) + len(self.updated) + len(self.removed)

    def summary(self):
        if not self.batches:
            return "Nothing was imported."
        lines = sorted([event.line for event in self.new] + [update.line for update in self.updated])
        return (
            f"Written before that, in {self.batches} batches: {len(self.new)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed (lines {line_ranges(lines) or 'none'})."
        )

    def merged_into(self, result):
        """`result` (the last comparison) counting what earlier attempts wrote as this import's own."""
        ours = {event.pk for event in self.new} | {update.event.pk for update in self.updated}
        result.existing = [(line, event) for line, event in result.existing if event.pk not in ours]
        result.new, result.updated, result.removed = self.new, self.updated, self.removed
        result.batches = self.batches
        return result


def line_ranges(lines):
    """[2, 3, 4, 7] -> "2–4, 7"."""
    spans = []
    for line in lines:
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _locked(exc):
    """Whether `exc` is SQLite's "database is locked": the batch waited the busy timeout and wrote nothing."""
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def write(case, result, written, *, progress=None):
    """Write `result` (checked, not a dry run) in batches sized to take about BATCH_SECONDS each, each in
    its own transaction (services.save_imported_events) followed by a pause of PAUSE_SECONDS, then the
    import's audit entry. Adds what each batch wrote to `written` and then calls `progress(done, total)`
    (events written by this import so far, earlier attempts included, and in all), if given. Raises
    IntegrityError (the batch rolled back) for a key another import took meanwhile; BatchRefused, naming
    what was written and what was not, for any other refusal of a batch (a lock still held by others
    after LOCKED_RETRIES tries included)."""
    work = (
        [("new", event) for event in result.new]
        + [("update", update) for update in result.updated]
        + [("remove", event) for event in result.removed]
    )
    # Recorded in the audit log as an import, by whoever runs it (the admin page's user, a command's --user).
    with acting.acting(path=acting.IMPORT, keep_user=True):
        start, size, locked = 0, FIRST_BATCH, 0
        before = written.count()
        while start < len(work):
            batch = work[start : start + size]
            new = [item for what, item in batch if what == "new"]
            updates = [item for what, item in batch if what == "update"]
            removals = [item for what, item in batch if what == "remove"]
            try:
                # The batch's transaction is opened here, so that its time counts from when it has the lock
                # (on SQLite, BEGIN IMMEDIATE waits for it): waiting behind colleagues' saves must not
                # shrink the next batch.
                with transaction.atomic():
                    began = clock()
                    services.save_imported_events(
                        case=case,
                        new=[(event, event.actor_codes) for event in new],
                        updates=[(update.event, update.fields, update.actor_codes) for update in updates],
                        removals=removals,
                        record=False,
                    )
                    held = clock() - began
            except IntegrityError:
                for event in new:  # rolled back: not stored after all
                    event.pk = None
                raise
            except (ValidationError, services.ServiceError, DatabaseError) as exc:
                for event in new:
                    event.pk = None
                if _locked(exc) and locked < LOCKED_RETRIES:
                    locked += 1
                    pause(PAUSE_SECONDS * 2**locked)
                    continue
                raise BatchRefused(_refusal(exc, work[start:], written)) from None
            size = next_batch_size(len(batch), held)
            locked = 0
            written.new += new
            written.updated += updates
            written.removed += removals
            written.batches += 1
            start += len(batch)
            if progress is not None:
                progress(written.count(), before + len(work))
            pause(PAUSE_SECONDS)
        if written.batches:
            services.record_event_import(
                case=case, added=len(written.new), updated=len(written.updated), removed=len(written.removed)
            )


def _refusal(exc, unwritten, written):
    """The problems of a batch refused at write time: why, what was written, and every row that was not."""
    if isinstance(exc, ValidationError):
        # A refusal of a field (message_dict) or of the whole batch (messages): both are ServiceErrors.
        why = (
            [" ".join(messages) for messages in exc.message_dict.values()]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
    elif isinstance(exc, DatabaseError):
        why = [f"the database refused the write ({exc}); try again in a moment"]
    else:
        why = [str(exc)]
    lines = sorted(item.line for what, item in unwritten if what != "remove")
    removals = [item for what, item in unwritten if what == "remove"]
    not_written = f"Not written: lines {line_ranges(lines) or 'none'}"
    if removals:
        not_written += "; removals of " + ", ".join(f"“{event.title}”" for event in removals)
    return [
        *why,
        f"{written.summary()} {not_written}. Import the same file again to complete it: what is stored is "
        "recognised as already there.",
    ]
