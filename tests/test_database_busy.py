"""SQLite locked past its busy timeout (a large import holding the write lock): the analyst is told to
try again, with nothing saved, instead of getting a server error."""

import sqlite3
import threading

import pytest
from django.db import connection
from django.urls import reverse

from measures.models import Evidence
from tests import factories


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_a_write_while_the_database_is_locked_is_answered_busy(transactional_db, client, settings):
    citation = factories.CitationFactory()
    measure = factories.MeasureFactory(case=citation.case)
    client.force_login(factories.analyst(username="waiting"))
    connection.close()
    settings.DATABASES["default"]["OPTIONS"] = {**settings.DATABASES["default"]["OPTIONS"], "timeout": 0.2}
    importer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # what load_case's transaction holds
    try:
        response = client.post(
            reverse("admin:measures_evidence_add"),
            {"measure": measure.pk, "citation": citation.pk, "stance": "progress"},
        )
    finally:
        importer.execute("ROLLBACK")
        importer.close()
        connection.close()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "nothing of it was saved" in response.text
    assert not Evidence.objects.exists()


# Longer than the busy timeout was when a colleague's save could be refused (tracker/settings.py), and
# shorter than the one it has now: what a save waits, on a loaded machine, behind the saves of every
# other thread of the server (docs/invariants.md, "The busy timeout").
COLLEAGUES_TURN_SECONDS = 6


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_a_save_behind_the_other_threads_saves_waits_its_turn_and_is_stored(
    transactional_db, client, settings, monkeypatch
):
    """The stress run's 503s: an assessment refused "busy" while the server's other threads took their
    turns with the write lock (no long writer: load_case is staged). The save waits and is stored."""
    citation = factories.CitationFactory()
    measure = factories.MeasureFactory(case=citation.case)
    client.force_login(factories.analyst(username="waiting"))
    connection.close()
    options = {**connection.settings_dict["OPTIONS"], "timeout": settings.SQLITE_OPTIONS["timeout"]}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    assert settings.SQLITE_OPTIONS["timeout"] > COLLEAGUES_TURN_SECONDS
    colleagues = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
    colleagues.execute("BEGIN IMMEDIATE")  # the others' saves, one after the other, as one long turn
    released = threading.Timer(COLLEAGUES_TURN_SECONDS, lambda: colleagues.execute("COMMIT"))
    released.start()
    try:
        response = client.post(
            reverse("admin:measures_evidence_add"),
            {"measure": measure.pk, "citation": citation.pk, "stance": "progress"},
        )
    finally:
        released.join()
        colleagues.close()
        connection.close()
    assert response.status_code == 302, response.status_code
    assert Evidence.objects.filter(measure=measure, citation=citation).count() == 1
