"""Settings from the environment: every bad value stops the process with one line naming the variable;
SQLite gets the same options however it is named; log lines print once."""

import pytest

from tests.helpers import run_manage


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
