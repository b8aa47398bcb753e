"""The test database: a copy of a migrated template, so that migrations run once, not once per process.

Migrating an empty database (every app's migrations, 89 with Django's own) is CPU work in Django's
migration state, the largest fixed cost of a pytest-xdist worker. `django_db_setup` (tests/conftest.py)
calls `copy_migrated_template()` instead: it copies a template database that was migrated once into
the process's test database (SQLite: the file; PostgreSQL: `CREATE DATABASE ... TEMPLATE`), then lets
Django run `migrate` on the copy as on an existing database (`keepdb`): nothing is left to apply, and
the post_migrate handlers (content types, permissions, the roles, the catalogue) run as after a
fresh migration.

The template is kept between runs and named after `template_key()`: a hash of every app's migration
files, of the project modules they import (read from their imports, recursively), of the settings
module, of this module, of the installed packages' versions, the database engine and its options
and SQLite's version. Any change to those builds a new template on the next run; `--create-db` builds
it again regardless. Only one process builds it (a lock: a file lock for SQLite, an advisory lock for
PostgreSQL), under another name first and renamed when complete, so that no process ever copies half
a template. The project's files are named in the key relative to the project, so checkouts of the same
code at other paths share a template. When a new one is built, PostgreSQL's templates of other keys are
removed, and SQLite's that no process copied for a day (each copy touches its template).

- SQLite: `.cache/test-databases/<key>.sqlite3` at the project root (`make clean` removes it).
- PostgreSQL: a database `test_<NAME>_template_<key>` on the server, beside the test databases.
"""

import ast
import contextlib
import copy
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_TEMPLATES = ROOT / ".cache" / "test-databases"
KEY_LENGTH = 16
UNUSED_SQLITE_TEMPLATE_SECONDS = 24 * 3600


def copy_migrated_template(*, rebuild=False, verbosity=0):
    """Make the default connection's test database (its TEST NAME, with pytest-xdist's suffix) a copy
    of the migrated template, building the template first when there is none for `template_key()`
    (or when `rebuild`). Call it with database access allowed, before `setup_databases(keepdb=True)`.
    Returns the template's name (a path for SQLite, a database name for PostgreSQL)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    engine = _engine(connection)
    key = template_key(connection.settings_dict)
    target = connection.creation._get_test_db_name()
    if engine.in_memory(target):
        raise RuntimeError("the test database must be a file or a server database, not SQLite in memory")
    with engine.lock(connection, key):
        template = engine.template_name(connection, key)
        if rebuild or not engine.exists(connection, template):
            if verbosity:
                sys.stderr.write(f"Migrating the template test database {template}...\n")
            engine.drop_others(connection, key)
            building = engine.building_name(template)
            engine.drop(connection, building)
            engine.create(connection, building)
            _migrate(connection, building)
            engine.drop(connection, template)
            engine.rename(connection, building, template)
        engine.copy(connection, template, target)
    return template


def template_key(settings_dict):
    """A hex digest of everything that makes one migrated template differ from another (see the module's
    docstring)."""
    from django.apps import apps

    digest = hashlib.sha256()

    def add(label, data):
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    files = set()
    for app in apps.get_app_configs():
        folder = _migrations_folder(app)
        if folder is None:
            continue
        migrations = sorted(folder.glob("*.py"))
        files.update(migrations)
        if Path(app.path).resolve().is_relative_to(ROOT):
            files.update(_project_imports(migrations))
    files.update({ROOT / "tracker" / "settings.py", Path(__file__).resolve()})
    for path in sorted(files):
        add(_label(path), path.read_bytes())
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    add("packages", "\n".join(packages).encode())
    add("engine", repr((settings_dict["ENGINE"], sorted(settings_dict.get("OPTIONS", {}).items()))).encode())
    add("sqlite", sqlite3.sqlite_version.encode())
    return digest.hexdigest()[:KEY_LENGTH]


def _label(path):
    """A file's name in the key: relative to the project for its own files, so that worktrees (checkouts
    at other paths) with the same files have the same key and share one template."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _migrations_folder(app):
    from django.db.migrations.loader import MigrationLoader

    module, _explicit = MigrationLoader.migrations_module(app.label)
    if module is None:
        return None
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _project_imports(paths):
    """The project's own modules (files under ROOT) that `paths` import, and those they import, recursively."""
    seen, todo = set(), list(paths)
    while todo:
        path = todo.pop()
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                parts = name.split(".")
                for end in range(1, len(parts) + 1):
                    found = _module_file(parts[:end])
                    if found and found not in seen:
                        seen.add(found)
                        todo.append(found)
    return seen


def _module_file(parts):
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file() and "tests" not in candidate.relative_to(ROOT).parts[:1]:
            return candidate
    return None


def _migrate(connection, name):
    """Run every migration on the database `name`, through a connection of its own that stands in for
    the default one in this thread (so that data migrations and post_migrate handlers that use the
    default connection write there too)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections

    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["NAME"] = name
    template = type(connection)(settings_dict, connection.alias)
    connection.close()
    connections[connection.alias] = template
    try:
        call_command("migrate", verbosity=0, interactive=False, database=connection.alias, run_syncdb=True)
    finally:
        template.close()
        connections[connection.alias] = connection
        ContentType.objects.clear_cache()


def _engine(connection):
    if connection.vendor == "sqlite":
        return SQLiteTemplates
    if connection.vendor == "postgresql":
        return PostgreSQLTemplates
    raise RuntimeError(f"no template test database for {connection.vendor}")


class SQLiteTemplates:
    @staticmethod
    def in_memory(name):
        return name == ":memory:" or "mode=memory" in str(name)

    @staticmethod
    def template_name(connection, key):
        return str(SQLITE_TEMPLATES / f"{key}.sqlite3")

    @staticmethod
    def building_name(template):
        return f"{template}.{os.getpid()}.building"

    @staticmethod
    @contextlib.contextmanager
    def lock(connection, key):
        SQLITE_TEMPLATES.mkdir(parents=True, exist_ok=True)
        with open(SQLITE_TEMPLATES / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def exists(connection, name):
        return Path(name).is_file()

    @staticmethod
    def create(connection, name):
        pass  # connecting creates the file

    @staticmethod
    def drop(connection, name):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)

    @classmethod
    def drop_others(cls, connection, key):
        # Other checkouts (another branch's migrations or settings) may still be copying theirs.
        unused_since = time.time() - UNUSED_SQLITE_TEMPLATE_SECONDS
        for path in SQLITE_TEMPLATES.glob("*.sqlite3"):
            if path.stem != key and path.stat().st_mtime < unused_since:
                cls.drop(connection, path)

    @staticmethod
    def rename(connection, old, new):
        # The connection that migrated it is closed: SQLite has written its WAL back into the file.
        os.replace(old, new)

    @classmethod
    def copy(cls, connection, template, target):
        connection.close()
        cls.drop(connection, target)
        shutil.copyfile(template, target)
        os.utime(template)  # in use: drop_others keeps it


class PostgreSQLTemplates:
    @staticmethod
    def in_memory(name):
        return False

    @staticmethod
    def template_name(connection, key):
        return f"test_{connection.settings_dict['NAME']}_template_{key}"

    @staticmethod
    def building_name(template):
        return f"{template}_building"

    @staticmethod
    @contextlib.contextmanager
    def lock(connection, key):
        # Advisory locks belong to the server, like the template; held by a session to the maintenance
        # database, which stays open while the template is built and copied.
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", ["tracker test template"])
            try:
                yield
            finally:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", ["tracker test template"])

    @staticmethod
    def _execute(connection, sql, params=None):
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    @classmethod
    def exists(cls, connection, name):
        return bool(cls._execute(connection, "SELECT 1 FROM pg_database WHERE datname = %s", [name]))

    @classmethod
    def create(cls, connection, name):
        suffix = connection.creation.sql_table_creation_suffix()
        cls._execute(connection, f"CREATE DATABASE {connection.ops.quote_name(name)} {suffix}")

    @classmethod
    def drop(cls, connection, name):
        cls._execute(connection, f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")

    @classmethod
    def drop_others(cls, connection, key):
        prefix = cls.template_name(connection, "")
        names = cls._execute(connection, "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix])
        for (name,) in names:
            if name != cls.template_name(connection, key):
                cls.drop(connection, name)

    @classmethod
    def rename(cls, connection, old, new):
        quote = connection.ops.quote_name
        cls._execute(connection, f"ALTER DATABASE {quote(old)} RENAME TO {quote(new)}")

    @classmethod
    def copy(cls, connection, template, target):
        connection.close()
        connection.close_pool()
        quote = connection.ops.quote_name
        cls.drop(connection, target)
        cls._execute(connection, f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")


def end_other_sessions():
    """Before the test database is dropped: on PostgreSQL, end every other session still open on it (a
    thread of a test, such as a report job's heartbeat, that kept its connection), which would make
    `DROP DATABASE` fail with "being accessed by other users"; then close this process's connections."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    connections.close_all()
