"""Settings from the environment: every bad value stops the process with one line naming the variable;
SQLite gets the same options however it is named; log lines print once."""

import runpy
from pathlib import Path

import pytest

from tests.helpers import run_manage

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE must be a time zone name"),
        ({"TIME_ZONE": "../../etc/passwd"}, "TIME_ZONE must be a time zone name"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not a database URL"),
        ({"SECURE_HSTS_SECONDS": "-5"}, "SECURE_HSTS_SECONDS must be at least 0"),
    ],
)
def test_a_bad_value_stops_with_a_message_naming_the_variable(env, message):
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Configuration error: ")


def test_log_level_is_read_without_regard_to_case():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.LOG_LEVEL)",
        env={"LOG_LEVEL": "info"},
    )
    assert result.stdout.strip() == "INFO", result.stderr


def test_each_log_line_prints_once_with_debug_on():
    code = "import logging; logging.getLogger('django.request').error('one line only')"
    result = run_manage("shell", "-v", "0", "-c", code, env={"DEBUG": "true", "LOG_LEVEL": "INFO"})
    assert result.stderr.count("one line only") == 1, result.stderr


def test_a_sqlite_database_url_gets_the_projects_sqlite_options(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0], "
        "connection.transaction_mode)"
    )
    result = run_manage("shell", "-v", "0", "-c", code, env={"DATABASE_URL": f"sqlite:///{tmp_path}/url.sqlite3"})
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"], result.stderr


def test_the_cache_keys_carry_the_identity_of_the_database(tmp_path):
    """Two instances sharing a cache never read each other's entries (tests/reading/test_published_hits.py
    shows what that would leak); the same database reached by two spellings shares them."""
    from tracker.databases import database_identity

    sqlite = "django.db.backends.sqlite3"
    one = database_identity({"ENGINE": sqlite, "NAME": tmp_path / "one.sqlite3"})
    assert one == database_identity({"ENGINE": sqlite, "NAME": str(tmp_path / "x" / ".." / "one.sqlite3")})
    assert one != database_identity({"ENGINE": sqlite, "NAME": tmp_path / "two.sqlite3"})
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "tracker", "HOST": "db", "PORT": "5432"}
    assert database_identity(postgres) != database_identity({**postgres, "HOST": "other"})
    assert database_identity(postgres) != database_identity({**postgres, "NAME": "tracker2"})
    assert len(one) == 12 and int(one, 16) >= 0


def test_the_settings_prefix_the_cache_with_the_database_identity(monkeypatch, tmp_path):
    """Read from the settings module run afresh (pytest-django renames the loaded settings' database)."""
    from tracker.databases import database_identity

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    names = {}
    for name in ("one.sqlite3", "two.sqlite3"):
        monkeypatch.setenv("SQLITE_NAME", str(tmp_path / name))
        fresh = runpy.run_path(str(ROOT / "tracker" / "settings.py"))
        names[name] = fresh["CACHES"]["default"]["KEY_PREFIX"]
        assert names[name] == database_identity(fresh["DATABASES"]["default"])
    assert names["one.sqlite3"] != names["two.sqlite3"]
