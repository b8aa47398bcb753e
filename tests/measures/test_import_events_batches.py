"""The events import writes in batches (measures.importing.events_write): a large file in several short
transactions, each all or nothing; a batch refused at write time names what was written and every row
that was not, and importing the file again completes it."""

import pytest
from django.db import OperationalError

from measures import services
from measures.importing import events_write
from measures.importing.events_csv import EventFileError, import_events
from measures.models import AuditEntry, Event
from tests.helpers import csv_bytes

# A large file, with the cap on a batch's size lowered to SMALL_MAX_BATCH: batches reach the cap and the file
# takes several of them, as a file of thousands of rows does with MAX_BATCH, in a fraction of the writes.
ROW_COUNT = 300
SMALL_MAX_BATCH = 50


def rows(count=ROW_COUNT):
    """`count` ACLED-style rows with ids Q0…: protests in towns, dated over February 2024 (line = index + 2)."""
    return [
        [f"Q{i}", f"2024-02-{1 + i % 28:02d}", "1", "Protests", "Government of Pakistan", "", f"Town {i}", "", "", ""]
        for i in range(count)
    ]


@pytest.fixture(autouse=True)
def pauses(monkeypatch):
    """The pauses the import makes between batches (not slept here: tests/measures/test_import_events_yield.py
    runs them for real beside another writer)."""
    made = []
    monkeypatch.setattr(events_write, "pause", made.append)
    return made


@pytest.fixture
def batches(monkeypatch):
    """The sizes of the batches written (one services.save_imported_events call, one transaction, each)."""
    sizes = []
    save = services.save_imported_events

    def counting(**kwargs):
        written = save(**kwargs)
        sizes.append(sum(written))
        return written

    monkeypatch.setattr(events_write.services, "save_imported_events", counting)
    return sizes


@pytest.fixture
def pace(monkeypatch):
    """A clock on which writing an event takes `pace["seconds"]` (events_write times its batches with it)."""
    pace = {"seconds": 0.01, "now": 0.0}
    save = events_write.services.save_imported_events

    def paced(**kwargs):
        written = save(**kwargs)
        pace["now"] += pace["seconds"] * sum(written)
        return written

    monkeypatch.setattr(events_write, "clock", lambda: pace["now"])
    monkeypatch.setattr(events_write.services, "save_imported_events", paced)
    return pace


def test_a_large_file_is_written_in_several_short_transactions(pakistan_iran, batches, monkeypatch):
    monkeypatch.setattr(events_write, "MAX_BATCH", SMALL_MAX_BATCH)
    before = Event.objects.count()
    result = import_events(pakistan_iran, csv_bytes(rows()))
    assert len(result.new) == ROW_COUNT and Event.objects.count() == before + ROW_COUNT
    assert result.batches == len(batches) >= ROW_COUNT // SMALL_MAX_BATCH
    assert sum(batches) == ROW_COUNT and max(batches) <= SMALL_MAX_BATCH
    # One audit entry for the import, not one per batch.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT, kind="event")
    assert entry.detail == f"{ROW_COUNT} added, 0 updated, 0 removed"


def test_each_batch_takes_as_many_events_as_fit_in_a_quarter_second_at_the_last_ones_pace(
    pakistan_iran, pace, batches, monkeypatch
):
    monkeypatch.setattr(events_write, "MAX_BATCH", 64)
    pace["seconds"] = 1 / 64  # 16 events fit in BATCH_SECONDS
    import_events(pakistan_iran, csv_bytes(rows(120)))
    assert batches == [10, 16, 16, 16, 16, 16, 16, 14]
    batches.clear()
    pace["seconds"] = 0.0001  # a fast machine: the batches grow, twice as large each time, up to MAX_BATCH
    import_events(pakistan_iran, csv_bytes(rows(420)[120:]))
    assert batches == [10, 20, 40, 64, 64, 64, 38]


def test_a_re_import_with_one_changed_and_one_deleted_event_is_batched_too(pakistan_iran, batches):
    import_events(pakistan_iran, csv_bytes(rows(120)))
    assert len(batches) > 1 and sum(batches) == 120
    changed = rows(120)
    changed[7][6] = "Another town"
    del changed[30]
    batches.clear()
    result = import_events(pakistan_iran, csv_bytes(changed), sync=True)
    assert [update.event.external_id for update in result.updated] == ["Q7"]
    assert [event.external_id for event in result.removed] == ["Q30"]
    assert len(result.existing) == 118 and batches == [2] and result.batches == 1  # the first batch takes 10
    assert pakistan_iran.events.get(external_id="Q7").location == "Another town"
    assert not pakistan_iran.events.filter(external_id="Q30").exists()


def test_a_batch_refused_at_write_time_names_what_was_written_and_every_row_that_was_not(pakistan_iran, monkeypatch):
    monkeypatch.setattr(events_write, "next_batch_size", lambda size, seconds: 40)
    monkeypatch.setattr(events_write, "FIRST_BATCH", 40)
    save = services.save_imported_events
    calls = []

    def refusing_the_third(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            kwargs["new"][-1][0].title = ""  # 39 written, then the last refused by its checks: all rolled back
        return save(**kwargs)

    monkeypatch.setattr(events_write.services, "save_imported_events", refusing_the_third)
    before = Event.objects.count()
    with pytest.raises(EventFileError) as refused:
        import_events(pakistan_iran, csv_bytes(rows(100)))
    message = "\n".join(refused.value.problems)
    # Lines 2–81 (the first two batches) were written; the third batch (lines 82–101) was not, nothing of it.
    assert "Written before that, in 2 batches: 80 added, 0 updated, 0 removed (lines 2–81)" in message
    assert "Not written: lines 82–101" in message and "Import the same file again" in message
    assert Event.objects.count() == before + 80
    assert not pakistan_iran.events.filter(external_id="Q80").exists()

    monkeypatch.setattr(events_write.services, "save_imported_events", save)
    again = import_events(pakistan_iran, csv_bytes(rows(100)))
    assert len(again.new) == 20 and len(again.existing) == 80
    assert Event.objects.count() == before + 100


def test_a_dry_run_of_a_large_file_writes_nothing(pakistan_iran, batches):
    result = import_events(pakistan_iran, csv_bytes(rows(500)), dry_run=True)
    assert len(result.new) == 500 and result.batches == 0 and batches == []


def test_the_next_batch_size_follows_the_pace_within_bounds():
    assert events_write.next_batch_size(10, 1.0) == 2  # a quarter second's worth
    assert events_write.next_batch_size(10, 0.0) == 20  # no time measured: twice as many
    assert events_write.next_batch_size(400, 0.01) == events_write.MAX_BATCH
    assert events_write.next_batch_size(1, 30.0) == 1


def test_the_import_pauses_after_each_batch_so_waiting_writers_take_the_lock(pakistan_iran, batches, pauses):
    import_events(pakistan_iran, csv_bytes(rows(100)))
    assert len(pauses) == len(batches) > 1
    assert set(pauses) == {events_write.PAUSE_SECONDS}


def test_a_batch_that_could_not_take_the_lock_is_tried_again_after_a_longer_pause(pakistan_iran, monkeypatch, pauses):
    save = services.save_imported_events
    tries = []

    def locked_twice(**kwargs):
        tries.append(len(kwargs["new"]))
        if len(tries) <= 2:
            raise OperationalError("database is locked")
        return save(**kwargs)

    monkeypatch.setattr(events_write.services, "save_imported_events", locked_twice)
    result = import_events(pakistan_iran, csv_bytes(rows(30)))
    assert len(result.new) == 30 and pakistan_iran.events.filter(external_id__startswith="Q").count() == 30
    assert tries[:3] == [10, 10, 10]  # the same first batch, three times
    assert pauses[:2] == [events_write.PAUSE_SECONDS * 2, events_write.PAUSE_SECONDS * 4]


def test_a_lock_held_by_others_past_every_retry_stops_the_import_naming_what_was_not_written(
    pakistan_iran, monkeypatch, pauses
):
    def always_locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(events_write.services, "save_imported_events", always_locked)
    with pytest.raises(EventFileError) as refused:
        import_events(pakistan_iran, csv_bytes(rows(30)))
    message = "\n".join(refused.value.problems)
    assert "database is locked" in message and "Not written: lines 2–31" in message
    assert len(pauses) == events_write.LOCKED_RETRIES
