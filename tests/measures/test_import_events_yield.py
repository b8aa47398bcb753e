"""An events import running beside other writers (SQLite: one writer holds the whole database) never
starves them: each batch holds the write lock briefly and the import pauses between batches
(measures.importing.events_write.PAUSE_SECONDS), so a save waiting for the lock gets it between two
batches instead of after the whole import. Counts and outcomes only, no timing: the saves meanwhile
must all be stored, none refused "database is locked"."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from measures.importing import events_write
from measures.importing.events_csv import import_events
from measures.models import Event
from tests import factories
from tests.helpers import csv_bytes

ROWS = 200
# The saving connection gives up after this long waiting for the lock (milliseconds): shorter than the
# project's busy timeout (tracker/settings.py) so the test is short, and still longer than any batch is sized to take.
SAVER_BUSY_TIMEOUT_MS = 2500


def rows(count):
    return [
        [f"Y{i}", f"2024-02-{1 + i % 28:02d}", "1", "Protests", "Government of Pakistan", "", f"Town {i}", "", "", ""]
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_saves_meanwhile_are_never_refused_busy_while_an_import_runs():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database: other saves never wait for an import")
    pakistan = factories.PartyFactory(name="Pakistan", code="PAK")
    case = factories.CaseFactory(assessed_parties=[pakistan])
    other = factories.EventFactory(case=case, title="An event an analyst edits", location="Taftan")
    finished, failures = threading.Event(), []

    def run_import():
        try:
            import_events(case, csv_bytes(rows(ROWS)))
        except Exception as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            finished.set()
            connections.close_all()

    importer = threading.Thread(target=run_import, name="import")
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {SAVER_BUSY_TIMEOUT_MS}")
    importer.start()
    stored, refused, saves = 0, 0, 0
    try:
        while not finished.is_set() or saves < 3:
            saves += 1
            try:
                with transaction.atomic():
                    Event.objects.filter(pk=other.pk).update(location=f"Taftan {saves}")
                stored += 1
            except OperationalError as exc:
                assert "locked" in str(exc)
                refused += 1
            finished.wait(0.05)
    finally:
        importer.join()
    assert failures == []
    assert case.events.exclude(pk=other.pk).count() == ROWS
    assert refused == 0 and stored == saves
    other.refresh_from_db()
    assert other.location == f"Taftan {saves}"


def test_the_import_pauses_between_batches_longer_than_a_waiting_writer_sleeps():
    # SQLite's busy handler retries a waiting writer's lock at most every tenth of a second: a longer pause
    # lets every waiting writer take the lock before the next batch.
    assert events_write.PAUSE_SECONDS > 0.1
    # …and a batch is sized to hold the lock well under the busy timeout.
    assert events_write.BATCH_SECONDS <= 0.5
