"""Project set-up: settings, roles created by migration, demo accounts."""

import io
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from measures.roles import ADMINISTRATOR, ANALYST, READER, REVIEWER, ROLES
from tests.helpers import ROOT, run_manage

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "tracker.example.org",
    # Alerts and digests need a mail server in production (check --deploy refuses the console backend).
    "EMAIL_HOST": "smtp.example.org",
}


def test_deploy_checks_are_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", env={"DEBUG": "false", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "perhaps"}, "DEBUG must be true or false"),
        ({"STALE_AFTER_DAYS": "soon"}, "STALE_AFTER_DAYS must be a whole number"),
        ({"STALE_AFTER_DAYS": "0"}, "STALE_AFTER_DAYS must be at least 1"),
    ],
)
def test_bad_settings_fail_loudly(env, message):
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_csp_header_is_strict(client):
    response = client.get("/admin/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    assert mode == "wal"
    # A file, so that the live server's threads each get their own connection.
    assert not connection.is_in_memory_db()
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


def assert_roles_hold_their_permissions():
    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    reader, analyst, administrator = codenames(READER), codenames(ANALYST), codenames(ADMINISTRATOR)
    assert {"view_measure", "view_assessment", "view_historicalmeasure"} <= reader
    assert not any(code.startswith(("add_", "change_", "delete_")) for code in reader)
    assert {"add_assessment", "change_citation", "add_evidence", "delete_evidence"} <= analyst
    assert not {"change_assessment", "delete_assessment", "delete_measure", "delete_case"} & analyst
    assert {"add_user", "change_group"} <= administrator


def test_roles_exist_with_their_permissions(db):
    assert_roles_hold_their_permissions()


def test_roles_come_back_when_the_database_is_emptied(transactional_db):
    """`manage.py flush` (and a transactional test's teardown) empties every table, groups included;
    post_migrate creates the roles again, so no later request or test finds a deployment without them."""
    call_command("flush", interactive=False, verbosity=0)
    assert_roles_hold_their_permissions()


def test_migrate_leaves_an_administrators_changes_to_a_role(db):
    reader = Group.objects.get(name=READER)
    reader.permissions.remove(*reader.permissions.filter(codename="view_source"))
    call_command("migrate", verbosity=0)
    assert not Group.objects.get(name=READER).permissions.filter(codename="view_source").exists()
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)


def test_demo_accounts_are_created_once(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("ensure_demo_accounts", stdout=out)
    User = get_user_model()
    assert {u.username: [g.name for g in u.groups.all()] for u in User.objects.all()} == {
        "admin": [ADMINISTRATOR],
        "analyst": [ANALYST],
        "reviewer": [REVIEWER],
        "reader": [READER],
    }
    assert User.objects.get(username="reader").check_password("reader-demo-2024")
    reader = User.objects.get(username="reader")
    reader.set_password("changed-by-reader")
    reader.save()
    call_command("ensure_demo_accounts", stdout=out)
    assert "exists: left unchanged" in out.getvalue()
    assert User.objects.get(username="reader").check_password("changed-by-reader")


def test_demo_accounts_are_refused_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development only"):
        call_command("ensure_demo_accounts")
    assert get_user_model().objects.count() == 0


def test_the_wsgi_entry_point_loads_weasyprint_at_start():
    """So that the first PDF after a restart does not also pay for loading Pango. In a fresh interpreter:
    this test process has imported WeasyPrint already."""
    code = "import sys, tracker.wsgi; print('weasyprint' in sys.modules)"
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.stdout.strip() == "True", result.stderr


def _gunicorn_config():
    """The repository's gunicorn.conf.py as gunicorn reads it (its own loader and validators)."""
    from gunicorn.app.base import Application
    from gunicorn.config import Config

    config = Config()
    for name, value in Application.get_config_from_filename(None, str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_gunicorn_workers_each_listen_on_their_own_socket():
    """SO_REUSEPORT per worker: the kernel spreads new connections over the workers. On one shared
    socket a gthread worker accepts connections while its threads are busy, and the keep-alive
    connections of a crowd piled onto one worker (docs/performance.md, “Figures behind the code”)."""
    config = _gunicorn_config()
    assert config.worker_class_str == "gthread"
    assert config.reuse_port is True
    assert config.workers >= 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT balances connections on Linux")
def test_gunicorn_with_the_repositorys_settings_answers_from_both_workers(tmp_path):
    """New connections to gunicorn run with gunicorn.conf.py and two workers are answered by both (a page
    naming the process that answered it), within 400 connections once the first is answered (a worker
    that boots later than the other gets none before it listens): each worker binds its own socket and
    takes its share. (Idle workers sharing one socket pass this too; the setting itself is the test above.)"""
    import http.client
    import socket
    import time

    (tmp_path / "pid_app.py").write_text(
        "import os\n\n\ndef app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [str(os.getpid()).encode()]\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "2"]
    command += ["--bind", f"127.0.0.1:{port}", "--pythonpath", str(tmp_path), "pid_app:app"]
    env = {**os.environ, "GUNICORN_ACCESS_LOG": "/dev/null", "GUNICORN_LOG_LEVEL": "warning"}
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, start_new_session=True)
    try:
        answered_by, deadline = [], time.monotonic() + 30
        while len(set(answered_by)) < 2 and len(answered_by) < 400 and time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/")
                answered_by.append(connection.getresponse().read())
            except OSError:
                time.sleep(0.1)  # not listening yet
            finally:
                connection.close()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert answered_by, "gunicorn never answered"
    assert len(set(answered_by)) == 2, f"{len(answered_by)} connections, all answered by one worker"
