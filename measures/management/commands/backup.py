"""Back up the whole database to one file, consistently, while the application keeps running.

SQLite: the online backup API (sqlite3.Connection.backup) copies the database page by page into a new
SQLite file; writers may go on meanwhile and the copy is one consistent state. The result is an
ordinary SQLite database: restoring is copying it into place while the server is stopped.

PostgreSQL: pg_dump in its custom format (one consistent snapshot); restore with pg_restore into an
empty database. See README "Backup and restore".

Unlike dumpdata/loaddata, both keep every column exactly (timestamps to the microsecond) and write
nothing else (no history rows stamped at restore time).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def backup_sqlite(target):
    """Copy the SQLite database in use into the new file `target` (a Path) with the online backup API."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        with destination:
            connection.connection.backup(destination)
    finally:
        destination.close()


def pg_environment(settings_dict):
    """libpq environment variables for the database of `settings_dict` (Django's DATABASES entry)."""
    env = {**os.environ}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def backup_postgresql(target):
    """pg_dump --format=custom of the database in use into `target`. Raises CommandError when pg_dump
    is missing or fails (its message included)."""
    if shutil.which("pg_dump") is None:
        raise CommandError("pg_dump is not installed (Debian: postgresql-client); nothing was written.")
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)],
        env=pg_environment(connection.settings_dict),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")


class Command(BaseCommand):
    help = "Back up the database to FILE while the application runs (SQLite: a database file; PostgreSQL: pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file to write; it must not exist yet.")

    def handle(self, *args, file, **options):
        if file.exists():
            raise CommandError(f"{file} exists already: choose a new name, nothing was written.")
        if not file.parent.is_dir():
            raise CommandError(f"{file.parent} is not a directory: nothing was written.")
        vendor = connection.vendor
        if vendor == "sqlite":
            backup_sqlite(file)
        elif vendor == "postgresql":
            backup_postgresql(file)
        else:
            raise CommandError(f"No backup procedure for {vendor}.")
        self.stdout.write(self.style.SUCCESS(f"Backed up the {vendor} database to {file}."))
