"""The test database is a copy of a template migrated once (tests/databases.py): the copy is complete,
and the template's key follows what the migrations depend on."""

import os
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import databases
from tests.helpers import ROOT


@pytest.mark.django_db
def test_the_copy_has_every_migration_applied_and_what_post_migrate_creates():
    from django.contrib.auth.models import Group, Permission

    from measures.models import MeasureType
    from measures.roles import ROLES

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    assert Permission.objects.filter(codename="add_assessment").exists()
    assert MeasureType.objects.exists()


def test_the_key_covers_the_project_modules_the_migrations_import(tmp_path):
    migration = tmp_path / "0001_example.py"
    migration.write_text("import measures.lib.text\nfrom measures.roles import ensure_roles\n", encoding="utf-8")

    found = databases._project_imports([migration])

    assert ROOT / "measures" / "roles.py" in found
    assert ROOT / "measures" / "lib" / "text.py" in found
    assert ROOT / "measures" / "lib" / "words.py" in found  # imported by measures.lib.text
    assert ROOT / "measures" / "__init__.py" in found
    assert not [path for path in found if path.is_relative_to(ROOT / "tests")]


def test_the_key_changes_with_a_migration_file_and_with_the_database_options(monkeypatch, tmp_path):
    settings_dict = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"timeout": 5}}
    key = databases.template_key(settings_dict)
    assert databases.template_key(settings_dict) == key
    assert databases.template_key({**settings_dict, "OPTIONS": {"timeout": 6}}) != key

    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_initial.py").write_text("operations = []\n", encoding="utf-8")
    real_folder = databases._migrations_folder
    monkeypatch.setattr(
        databases, "_migrations_folder", lambda app: folder if app.label == "measures" else real_folder(app)
    )
    changed = databases.template_key(settings_dict)
    assert changed != key
    (folder / "0001_initial.py").write_text("operations = []  # edited\n", encoding="utf-8")
    assert databases.template_key(settings_dict) not in {key, changed}


def test_the_key_names_the_projects_files_relative_to_it_so_checkouts_elsewhere_share_a_template():
    assert databases._label(ROOT / "tracker" / "settings.py") == "tracker/settings.py"
    assert (
        databases._label(ROOT / "measures" / "migrations" / "0001_initial.py") == "measures/migrations/0001_initial.py"
    )
    outside = Path("/usr/lib/python3/dist-packages/example.py")
    assert databases._label(outside) == str(outside)


def test_a_template_of_another_key_is_kept_while_used_and_dropped_after_a_day_unused(tmp_path, monkeypatch):
    monkeypatch.setattr(databases, "SQLITE_TEMPLATES", tmp_path)
    used, unused = tmp_path / "aaaa.sqlite3", tmp_path / "bbbb.sqlite3"
    for path in (used, unused):
        path.write_bytes(b"")
    old = time.time() - databases.UNUSED_SQLITE_TEMPLATE_SECONDS - 60
    os.utime(unused, (old, old))
    databases.SQLiteTemplates.drop_others(None, "cccc")
    assert used.exists() and not unused.exists()
