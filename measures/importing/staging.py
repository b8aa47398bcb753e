"""Loading a case file into SQLite without holding the database's write lock for the whole load.

SQLite lets one writer at a time hold the database; the busy timeout (`SQLITE_OPTIONS`) is how
long the others wait before "database is locked". Loading a large case through the services takes
tens of seconds (every item is validated, every quote matched, history written), so a load in one
transaction made analysts' saves fail. A staged load keeps the write lock for well under a second and
stays all or nothing:

1. Snapshot: the database is copied into a temporary file with SQLite's online backup API (a read:
   writers go on meanwhile, WAL mode).
2. Reserve ids: one short transaction moves every AUTOINCREMENT table's sequence past a block of ids
   (sized from the file), so rows the load creates cannot collide with rows analysts create meanwhile.
   The copy's sequences start at the block.
3. Stage: the ordinary load (`import_case`, through the services, every check and trigger) runs on the
   copy, with the copy as Django's default database; triggers on the copy log every row inserted and
   every stored row updated, in order. Any refusal ends here: the copy is thrown away, nothing of the
   database changed but skipped ids.
4. Apply: one transaction on the database replays the log: each stored row the load updated must be
   as it was at the snapshot (else "changed while the file was loading": nothing is applied), each
   inserted row is copied in the order it was created (the database's own triggers check it again),
   updated rows take their final values, and the case's data version is bumped.

Only SQLite needs this, and only outside a transaction: PostgreSQL locks rows, not the database, and a
caller already inside a transaction (a test) cannot hand the lock back. Both load in one transaction.
"""

import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.db.utils import load_backend

from measures import search, services
from measures.importing.casefile import ImportResult, import_case, import_user
from measures.importing.schema import CaseFileError, validate_case_data
from measures.models import Case, Source

LOG_TABLE = "staging_log"
SEARCH_TABLE = "measures_searchindex"
# Counters, not content: bumped by every write (version: the admin's concurrent-edit check, also by
# triggers when a source gains a citation; data_version: the reading pages' cache). Writes meanwhile
# that only bump them are no conflict; the apply bumps them again itself.
COUNTERS = {"version", "data_version", "data_changed_at"}


def import_case_staged(data, *, update=False, recorded_by=None):
    """`import_case` (same arguments, result and CaseFileError) holding SQLite's write lock only for
    the final copy (module docstring). Falls back to `import_case` on another database or inside a
    transaction. Raises CaseFileError also when a stored row the load changes was changed by someone
    else while the file was loading (load it again)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return import_case(data, update=update, recorded_by=recorded_by)
    validate_case_data(data)
    existing = Case.objects.filter(slug=data["case"]["slug"]).first()
    if existing is not None and not update:
        return ImportResult(existing, created=False)
    recorded_by = recorded_by or import_user()  # on the database, so that the copy has it too
    with tempfile.TemporaryDirectory(prefix="case-staging-") as directory:
        copy = Path(directory) / "staging.sqlite3"
        snapshot(copy)
        blocks = reserve_ids(block_size(data))
        prepare_copy(copy, blocks)
        with default_database(copy), services.change_hooks_off():
            result = import_case(data, update=update, recorded_by=recorded_by, index=False)
        apply_copy(copy, blocks, case_pk=result.case.pk)
    result.case = Case.objects.get(pk=result.case.pk)
    # The search index is not copied (its tables are left out of the write log): index what was loaded.
    with transaction.atomic():
        search.index_case(result.case, sources=Source.objects.filter(pk__in=result.source_ids))
    return result


def block_size(data):
    """Ids to reserve in each table: more than the rows the file can create in any one table. Every
    row the load creates comes from one item, list entry or value of the file, so twice their number
    (plus room) bounds it; a load that would pass it is refused (`apply_copy`)."""

    def count(value):
        if isinstance(value, dict):
            return 1 + sum(count(v) for v in value.values())
        if isinstance(value, list):
            return 1 + sum(count(v) for v in value)
        return 1

    return 2 * count(data) + 100


def snapshot(copy):
    """Copy the database into the file `copy` (SQLite online backup; a read, writers are not held)."""
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _tables(cursor, schema="main"):
    """{table: (primary key column or None, [columns], autoincrement?)} of the database's own tables.

    The search index (an FTS5 table and its shadow tables) is left out: it is derived data, which a
    trigger cannot log (SQLite puts none on a virtual table); the load indexes what it wrote once the
    copy is applied."""
    cursor.execute(
        f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        f"AND name != '{LOG_TABLE}' AND name NOT LIKE '{SEARCH_TABLE}%'"
    )
    tables = {}
    for name, sql in cursor.fetchall():
        cursor.execute(f'PRAGMA {schema}.table_info("{name}")')
        info = cursor.fetchall()
        keys = [row[1] for row in info if row[5]]
        key = (
            keys[0]
            if len(keys) == 1 and info[[row[1] for row in info].index(keys[0])][2].upper() == "INTEGER"
            else None
        )
        tables[name] = (key, [row[1] for row in info], "AUTOINCREMENT" in (sql or "").upper())
    return tables


def _measures_tables():
    """The tables a load writes: the measures app's, with their history and many-to-many tables, and the
    accounts' (a file naming an author this database lacks creates an inactive account for them)."""
    tables = {model._meta.db_table for model in apps.get_app_config("measures").get_models(include_auto_created=True)}
    return tables | {get_user_model()._meta.db_table}


def reserve_ids(size):
    """Move the sequence of every table a load writes `size` ids on, in one short transaction.
    Returns {table: (last id before the block, last id of the block)}."""
    blocks, ours = {}, _measures_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (key, _, autoincrement) in _tables(cursor).items():
            if table not in ours or not autoincrement or key is None:
                continue
            cursor.execute(f'SELECT max("{key}") FROM "{table}"')
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0)
            if row:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + size, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + size])
            blocks[table] = (start, start + size)
    return blocks


def _content(columns):
    return [column for column in columns if column not in COUNTERS]


def _row_text(columns, prefix):
    """An SQL expression giving a row's content (counters left out) as one comparable text
    (quote() takes every type, blobs too)."""
    return " || ',' || ".join(f'quote({prefix}"{column}")' for column in _content(columns))


def prepare_copy(copy, blocks):
    """In the copy: sequences at the start of each block, and triggers logging every write in order."""
    db = sqlite3.connect(copy, isolation_level=None)
    try:
        db.execute("BEGIN")
        for table, (start, _) in blocks.items():
            if not db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", [start, table]).rowcount:
                db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, start])
        db.execute(
            f"CREATE TABLE {LOG_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, "
            "tbl TEXT NOT NULL, pk INTEGER, old TEXT)"
        )
        for table, (key, columns, _) in _tables(db.cursor()).items():
            new, old = (f'NEW."{key}"', f'OLD."{key}"') if key else ("NULL", "NULL")
            db.execute(
                f'CREATE TRIGGER "staging_insert_{table}" AFTER INSERT ON "{table}" BEGIN '
                f"INSERT INTO {LOG_TABLE} (op, tbl, pk) VALUES ('insert', '{table}', {new}); END"
            )
            db.execute(
                f'CREATE TRIGGER "staging_update_{table}" AFTER UPDATE ON "{table}" BEGIN '
                f"INSERT INTO {LOG_TABLE} (op, tbl, pk, old) VALUES ('update', '{table}', {old}, "
                f"{_row_text(columns, 'OLD.')}); END"
            )
            db.execute(
                f'CREATE TRIGGER "staging_delete_{table}" AFTER DELETE ON "{table}" BEGIN '
                f"INSERT INTO {LOG_TABLE} (op, tbl, pk) VALUES ('delete', '{table}', {old}); END"
            )
        db.execute("COMMIT")
    finally:
        db.close()


@contextmanager
def default_database(path):
    """Run the ORM (the services, history, everything using Django's default database) on the SQLite
    file `path`, in this thread, for the duration of the block."""
    original = connections["default"]
    backend = load_backend(original.settings_dict["ENGINE"])
    staging = backend.DatabaseWrapper({**original.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = staging
    try:
        yield
    finally:
        staging.close()
        connections["default"] = original


def apply_copy(copy, blocks, *, case_pk):
    """Replay the copy's write log on the database in one transaction (module docstring, step 4).
    Raises CaseFileError, with nothing applied, if a stored row the load changed was changed meanwhile
    or the load used more ids than reserved; DatabaseError if the database refuses a row."""
    with connection.cursor() as cursor:
        cursor.execute("ATTACH DATABASE %s AS staging", [str(copy)])
        try:
            with transaction.atomic():
                _replay(cursor, blocks)
                services.touch_cases([case_pk])
        finally:
            cursor.execute("DETACH DATABASE staging")


def _replay(cursor, blocks):
    tables = _tables(cursor, "staging")
    cursor.execute(f"SELECT op, tbl, pk, old FROM staging.{LOG_TABLE} ORDER BY seq")
    log = cursor.fetchall()
    inserted = {(table, pk) for op, table, pk, _ in log if op == "insert"}
    problems, updated = [], {}
    for op, table, pk, old in log:
        key, columns, _ = tables[table]
        if op == "delete" or key is None or pk is None:
            problems.append(f"the load would {op} a row of {table}, which loading a case file never does")
        elif op == "insert" and table not in blocks:
            problems.append(f"the load would add a row to {table}, which loading a case file never does")
        elif op == "insert" and not blocks[table][0] < pk <= blocks[table][1]:
            problems.append(f"the load created more rows of {table} than ids were reserved for it")
        elif op == "update" and (table, pk) not in inserted and (table, pk) not in updated:
            updated[(table, pk)] = old
    for (table, pk), old in updated.items():
        key, columns, _ = tables[table]
        cursor.execute(f'SELECT {_row_text(columns, "")} FROM main."{table}" WHERE "{key}" = %s', [pk])
        now = cursor.fetchone()
        if now is None or now[0] != old:
            problems.append(
                f"{_named(table, pk)} was changed by someone else while the file was loading: load it again"
            )
    if problems:
        raise CaseFileError(sorted(set(problems)))
    for op, table, pk, _ in log:
        if op == "insert":
            key = tables[table][0]
            cursor.execute(f'INSERT INTO main."{table}" SELECT * FROM staging."{table}" WHERE "{key}" = %s', [pk])
    for table, pk in updated:
        key, columns, _ = tables[table]
        names = ", ".join(f'"{column}"' for column in _content(columns))
        bump = ', "version" = "version" + 1' if "version" in columns else ""
        cursor.execute(
            f'UPDATE main."{table}" SET ({names}) = (SELECT {names} FROM staging."{table}" WHERE "{key}" = %s)'
            f'{bump} WHERE "{key}" = %s',
            [pk, pk],
        )


def _named(table, pk):
    """ "the party 3" for ("measures_party", 3): what a user calls the row."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            return f"the {model._meta.verbose_name} {pk}"
    return f"row {pk} of {table}"
