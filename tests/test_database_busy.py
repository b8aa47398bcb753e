"""SQLite locked past its busy timeout (a large import holding the write lock): the analyst is told to
try again, with nothing saved, instead of getting a server error."""

import sqlite3

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
