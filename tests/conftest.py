import json
import os
import tempfile
from pathlib import Path

import pytest

from measures.importing import import_case
from tests import factories

# pytest-django's live_server and Playwright's sync API share one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CASE_FILE = ROOT / "fixtures" / "pakistan-iran-2024.json"
ARTIFACTS = ROOT / "test-artifacts"


def pytest_configure(config):
    from django.conf import settings

    # Real password hashing costs ~0.3 s a user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rendered pages are cached per test, in memory (tests/test_page_cache.py covers the cache).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Background tasks run inside the request (tests/test_report_jobs.py also runs them through the
    # database backend), and stored reports go to a temporary directory.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="tracker-test-media-")


@pytest.fixture(autouse=True)
def _empty_page_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def case_data():
    return json.loads(CASE_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def pakistan_iran(db, case_data):
    """The Pakistan–Iran case, loaded from fixtures/ as `make run` loads it."""
    return import_case(case_data).case


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


# Browser tests: Debian's Chromium, never a downloaded browser.
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
