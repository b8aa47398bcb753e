"""What names one database among others, for the settings."""

import hashlib
from pathlib import Path


def database_identity(database):
    """A 12-character hex digest naming the database a `DATABASES` entry (a dict with ENGINE, NAME and
    optionally HOST and PORT) points to: its engine, server and name, a SQLite file by its absolute
    path. Two settings that reach the same database give the same identity; any other database, another.
    Used as the cache's KEY_PREFIX (tracker/settings.py)."""
    name = database.get("NAME") or ""
    if database["ENGINE"] == "django.db.backends.sqlite3" and str(name) != ":memory:":
        name = Path(name).resolve()
    parts = [database["ENGINE"], str(database.get("HOST") or ""), str(database.get("PORT") or ""), str(name)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]
