"""`manage.py backup` and the documented restore give back every row exactly (timestamps to the
microsecond) and write no history rows: SQLite through its online backup API, PostgreSQL through
pg_dump and pg_restore into an empty database."""

import shutil
import sqlite3
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from measures.management.commands.backup import pg_environment
from measures.models import Source
from tests import factories


def rows(cursor, tables):
    """Every row of `tables`, as the database driver returns them, in an order that depends on the rows
    alone: by the first column only, the rows of a history table (several per record, the record's id
    first) would come in whatever order each database stored them."""
    found = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')
        found[table] = sorted(cursor.fetchall(), key=repr)
    return found


@pytest.fixture
def data(pakistan_iran_committed):
    """The Pakistan–Iran case, committed (the backup reads it from outside the test's connection),
    and an edit, so that history has rows to compare."""
    source = Source.objects.first()
    source.author = "Corrected author"
    source.save()
    factories.analyst(username="restorer")
    return pakistan_iran_committed


def test_backup_refuses_to_overwrite_a_file(db, tmp_path):
    existing = tmp_path / "backup"
    existing.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(existing))
    assert existing.read_text() == "keep me"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite procedure")
def test_a_sqlite_backup_restores_every_row_exactly(data, tmp_path):
    target = tmp_path / "backup.sqlite3"
    call_command("backup", str(target), stdout=open("/dev/null", "w"))
    tables = connection.introspection.table_names()
    # Both read raw, as stored (Django's connection would parse the timestamps).
    original_db, restored_db = sqlite3.connect(connection.settings_dict["NAME"]), sqlite3.connect(target)
    # Restoring is putting the file in place: open it as the database.
    original, restored = rows(original_db.cursor(), tables), rows(restored_db.cursor(), tables)
    original_db.close()
    restored_db.close()
    assert restored == original
    assert len(original["measures_assessment"]) > 20 and original["measures_historicalsource"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL procedure")
def test_a_postgresql_backup_restores_every_row_exactly(data, tmp_path):
    psycopg = pytest.importorskip("psycopg")
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    target = tmp_path / "backup.pgdump"
    call_command("backup", str(target), stdout=open("/dev/null", "w"))
    tables = connection.introspection.table_names()
    # Both read through a plain psycopg connection (Django's own hands JSON columns back unparsed).
    params = {key: value for key, value in connection.get_connection_params().items() if key != "context"}
    with psycopg.connect(**params) as original_db:
        original = rows(original_db.cursor(), tables)
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS tracker_restore_test")
        cursor.execute("CREATE DATABASE tracker_restore_test")
    try:
        env = pg_environment({**connection.settings_dict, "NAME": "tracker_restore_test"})
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", "tracker_restore_test", str(target)],
            env=env,
            check=True,
            capture_output=True,
        )
        with psycopg.connect(**{**params, "dbname": "tracker_restore_test"}) as restored_db:
            restored = rows(restored_db.cursor(), tables)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS tracker_restore_test")
    assert restored == original
    assert len(original["measures_assessment"]) > 20 and original["measures_historicalsource"]
