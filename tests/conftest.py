import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from measures.importing import import_case
from tests import databases, factories
from tests.helpers import CHECK_PROFILE, QUICK_EXAMPLES, ROOT, START, examples, kept_until_the_end

# `make check` runs fewer Hypothesis examples (tests.helpers.examples); the profile makes Hypothesis say so
# in pytest's header (with -v), and caps a test that names no number of its own the same way.
if QUICK_EXAMPLES:
    settings.register_profile(CHECK_PROFILE, max_examples=examples(settings.default.max_examples))
    settings.load_profile(CHECK_PROFILE)

# pytest-django's live_server and Playwright's sync API share one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CASE_FILE = ROOT / "fixtures" / "pakistan-iran-2024.json"
ARTIFACTS = ROOT / "test-artifacts"


def pytest_configure(config):
    from django.conf import settings

    # Real password hashing costs ~0.3 s a user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rendered pages are cached per test, in memory (tests/reading/test_page_cache.py covers the cache).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Background tasks run inside the request (tests/reports/test_report_jobs.py also runs them through the
    # database backend), and stored reports go to a temporary directory.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.WARM_PAGES_AFTER_WRITES = False  # tests/reading/test_warming.py turns it on
    settings.WARM_REPORT_PDFS_AFTER_WRITES = False  # tests/reports/test_report_warming.py turns it on
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="tracker-test-media-")


@pytest.fixture(autouse=True)
def _empty_page_cache():
    from django.core.cache import cache

    from reading.caching import published_renderings
    from reading.caching.columns import kept_columns
    from tracker.filecache import kept_files

    cache.clear()
    published_renderings.clear()
    kept_files.clear()
    kept_columns.clear()
    yield


@pytest.fixture
def case_data():
    return json.loads(CASE_FILE.read_text(encoding="utf-8"))


# The Pakistan–Iran case takes seconds to load. `pakistan_iran` loads it once per test process (each
# xdist worker), in a transaction that stays open until the process's last test and is then rolled
# back; each test runs in a savepoint inside it (pytest-django's `db`), so whatever a test writes is
# undone after it and the next test sees the case as loaded. pytest_collection_modifyitems below runs
# the tests that use it after all others, so that no other test ever sees the case, and refuses it to
# transactional tests (live server, other connections, backups): those take `pakistan_iran_committed`,
# loaded for each test. (Loaded once per module, it cost `make check` a third of its time.)


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


def _uses_shared_case(item):
    return "_pakistan_iran_loaded" in getattr(item, "fixturenames", ())


# Fixtures whose rows are kept for several tests (kept_until_the_end): refused to transactional tests.
KEPT_ROWS = {"_pakistan_iran_loaded", "cases_at_two_sizes", "kept_world", "demo_data_at_10"}


def _uses_kept_rows(item):
    return bool(KEPT_ROWS & set(getattr(item, "fixturenames", ())))


def _serialized_rollback(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("serialized_rollback")) or (
        "django_db_serialized_rollback" in getattr(item, "fixturenames", ())
    )


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's test database, replaced: a copy of a template migrated once (tests/databases.py),
    not a database migrated by each process. `--create-db` migrates the template again. Nothing is
    serialized: no test uses serialized_rollback (pytest_collection_modifyitems refuses it)."""
    from django.db import DEFAULT_DB_ALIAS
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        databases.copy_migrated_template(rebuild=request.config.getvalue("create_db"), verbosity=verbosity)
        config = setup_databases(
            verbosity=verbosity, interactive=False, keepdb=True, aliases={DEFAULT_DB_ALIAS}, serialized_aliases=set()
        )
    yield
    with django_db_blocker.unblock():
        databases.end_other_sessions()
        teardown_databases(config, verbosity=verbosity)  # the copy is removed


def pytest_collection_modifyitems(config, items):
    if serialized := [item.nodeid for item in items if _serialized_rollback(item)]:
        raise pytest.UsageError(
            "the test database is copied from a template and never serialized (tests/databases.py): "
            f"serialized_rollback is not available ({', '.join(serialized)})"
        )
    if wrong := [item.nodeid for item in items if _uses_kept_rows(item) and _transactional(item)]:
        raise pytest.UsageError(
            "pakistan_iran (and every fixture of KEPT_ROWS) is shared by several tests and never committed: "
            f"a transactional test takes pakistan_iran_committed or builds its own rows ({', '.join(wrong)})"
        )
    # pytest-django has put the tests in Django's order (plain database tests, then transactional ones,
    # then the rest). Those of the shared case go after all of them, in that order: a stable sort. xdist
    # hands each worker its tests in this order, so a worker loads the case once, after its other tests.
    items.sort(key=_uses_shared_case)


@pytest.fixture(scope="session")
def _pakistan_iran_loaded(django_db_setup, django_db_blocker):
    """The primary key of the Pakistan–Iran case, loaded for the test process in a transaction rolled
    back after its last test."""
    with kept_until_the_end(
        django_db_blocker, lambda: import_case(json.loads(CASE_FILE.read_text(encoding="utf-8"))).case.pk
    ) as pk:
        yield pk


@pytest.fixture
def pakistan_iran(_pakistan_iran_loaded, db):
    """The Pakistan–Iran case, loaded from fixtures/ as `make run` loads it (once per process, see above);
    a fresh instance for each test."""
    from measures.models import Case

    return Case.objects.get(pk=_pakistan_iran_loaded)


@pytest.fixture
def pakistan_iran_committed(transactional_db, case_data):
    """The Pakistan–Iran case loaded for one test and committed, so that other connections see it: for
    live-server, threaded and backup tests."""
    return import_case(case_data).case


@pytest.fixture
def history_world(db):
    """A case with two parties, two measures, a citation and an analyst, for random histories of
    assessments (tests.helpers.build)."""
    case = factories.CaseFactory(start_date=START)
    parties = list(case.assessed_parties.order_by("name"))
    measures = [factories.MeasureFactory(case=case, number=n) for n in (1, 2)]
    citation = factories.CitationFactory(case=case)
    user = factories.analyst(username="property")
    return case, parties, measures, citation, user


@pytest.fixture
def reader_user(db):
    return factories.reader(username="reader")


@pytest.fixture
def analyst_user(db):
    return factories.analyst(username="analyst")


@pytest.fixture
def admin_user(db):
    return factories.administrator(username="administrator")


@pytest.fixture
def reader_client(client, reader_user):
    client.force_login(reader_user)
    return client


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client


# Browser tests: Debian's Chromium, never a downloaded browser. They are transactional without
# serialized_rollback: the flush after each sends post_migrate, which creates the roles again
# (measures.apps); a serialized rollback would insert them again under their first ids, and collide with
# those an earlier flush recreated.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def artifacts_dir():
    """Where browser tests leave screenshots for people to look at (not checked in)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def login(live_server):
    """Log a Playwright page in through the real login form."""

    def _login(page, username, password="correct horse battery staple"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return _login


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script (installed from npm by `make test` into .cache/, AXE_CORE_JS), for browser tests only."""
    path = Path(os.environ.get("AXE_CORE_JS") or ROOT / ".cache/axe-core/node_modules/axe-core/axe.min.js")
    if not path.is_absolute():
        path = ROOT / path
    if not path.exists():
        pytest.fail(f"axe-core is not installed at {path}: run `make test` (or `make {path.relative_to(ROOT)}`).")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """Run axe-core in a Playwright page: returns its violations as readable lines (empty when none).

    The script is evaluated by the test through the browser's debugging protocol, so it is never
    served by the application and the page's CSP does not apply to it.
    """

    def _run(page):
        page.evaluate(axe_source)
        violations = page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
            "`${v.id} (${v.impact}): ${v.help}; ${v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(' | ')}`))"
        )
        return violations

    return _run


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded originals go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
