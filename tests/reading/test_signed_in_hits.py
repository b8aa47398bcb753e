"""A logged-in reader's cache hit and 304, answered before the session, the account and the case are
loaded (reading.middleware.SignedInPageCacheMiddleware, reading.caching.sessions), and never once
anything about the session, the account, its roles or the case changed: a logout, a session flushed
elsewhere or expired, a role or a permission taken, an account deactivated or demoted, a password
changed, a case unpublished or a share link expired (those two read as the public, never early), a
write. Each test runs with the cache in memory and with the file cache as deployed without REDIS_URL.
Whether a request took the early path is seen from the account it did not load
(measures.roles.CachedModelBackend.get_user, which every other logged-in request calls)."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from measures import roles, services
from measures.models import Case
from reading.caching.sessions import reader_renderings
from tests import factories
from tests.helpers import csrf_tokens, without_csrf_tokens
from tests.scenarios import build_case


@pytest.fixture(autouse=True, params=["memory", "file"])
def cache_backend(request, settings, tmp_path):
    if request.param == "file":
        settings.CACHES = {"default": {"BACKEND": "tracker.filecache.KeptFileBasedCache", "LOCATION": str(tmp_path)}}
    reader_renderings.clear()
    yield request.param
    reader_renderings.clear()


@pytest.fixture
def accounts_loaded(monkeypatch):
    """How many times the account of a session was loaded (0: the request was answered early)."""
    calls = []
    get_user = roles.CachedModelBackend.get_user

    def spy(self, user_id):
        calls.append(user_id)
        return get_user(self, user_id)

    monkeypatch.setattr(roles.CachedModelBackend, "get_user", spy)
    return calls


@pytest.fixture
def case(db):
    return build_case()


def logged_in(user, client=None):
    client = client or Client()
    client.force_login(user)
    client.get(reverse("login"))  # the CSRF cookie, as a browser has it from an earlier page
    return client


@pytest.fixture
def reader(reader_user):
    return logged_in(reader_user)


def dashboard(case):
    return reverse("measures:dashboard", args=[case.slug])


def early(client, url, accounts_loaded, **headers):
    """The answer to `client`'s GET of `url`, asserting it was answered early: no account loaded, no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = len(accounts_loaded)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url, **headers)
    assert len(accounts_loaded) == before, "the account was loaded: the normal path answered"
    assert len(queries) == 0, [q["sql"] for q in queries]
    return answer


def primed(client, url, accounts_loaded):
    """`url` rendered for `client`, then answered early from the cache; returns the rendering."""
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    hit = early(client, url, accounts_loaded)
    assert hit.status_code == 200 and hit["X-Page-Cache"] == "hit"
    assert without_csrf_tokens(hit.content) == without_csrf_tokens(first.content)  # each answer's token masked anew
    return first


# The speed path --------------------------------------------------------------------------------


def test_a_readers_hit_and_304_load_no_session_no_account_and_make_no_query(
    reader, case, accounts_loaded, django_assert_num_queries
):
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    with django_assert_num_queries(0):
        not_modified = early(reader, url, accounts_loaded, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified["ETag"] == first["ETag"]
    head = early(reader, url, accounts_loaded, REQUEST_METHOD="HEAD")
    assert head.status_code == 200


def test_an_early_answer_carries_the_headers_of_a_rendered_page(reader, case, accounts_loaded):
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    hit = early(reader, url, accounts_loaded)
    for name in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Type", "X-Frame-Options"):
        assert hit[name] == first[name], name
    assert "Content-Security-Policy" in hit or "Content-Security-Policy-Report-Only" in hit
    assert hit["Content-Length"] == str(len(hit.content))
    for _ in range(2):  # the second 304's headers are the first's, built once
        not_modified = early(reader, url, accounts_loaded, HTTP_IF_NONE_MATCH=first["ETag"])
        assert not_modified.status_code == 304
        for name in ("ETag", "Last-Modified", "Cache-Control", "Vary", "X-Frame-Options"):
            assert not_modified[name] == first[name], name


def test_the_report_is_answered_early_too(reader, case, accounts_loaded):
    # The report compares the case with every case: its stamp names every case's version too.
    primed(reader, reverse("measures:report", args=[case.slug]), accounts_loaded)


def test_the_teams_pages_take_the_normal_path_for_the_newest_assessment(
    client, case, analyst_user, accounts_loaded, django_assert_num_queries
):
    """The team's pages list what awaits review, which moves no data version: their stamp names the
    case's newest assessment (one query), so the team is answered from the cache by the normal path."""
    team = logged_in(analyst_user, client)
    url = reverse("measures:measure_detail", args=[case.slug, 1])
    first = team.get(url)
    assert first["X-Page-Cache"] == "miss"
    loaded = len(accounts_loaded)
    hit = team.get(url)
    assert hit["X-Page-Cache"] == "hit" and without_csrf_tokens(hit.content) == without_csrf_tokens(first.content)
    assert len(accounts_loaded) > loaded  # the normal path: the session and the account were read
    with django_assert_num_queries(1):
        assert team.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_page_answered_early_holds_a_csrf_token_its_session_accepts(reader_user, case, accounts_loaded):
    browser = Client(enforce_csrf_checks=True)
    logged_in(reader_user, browser)
    url = dashboard(case)
    primed(browser, url, accounts_loaded)
    page = early(browser, url, accounts_loaded).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert browser.get(url).status_code == 404  # logged out: a private case is not there


def test_another_browser_of_the_same_account_gets_the_page_with_its_own_token(
    reader_user, reader, case, accounts_loaded
):
    """The rendering is shared (reading.caching.shared), the CSRF token and the ETag are each browser's:
    another session's first request is answered from the cache with a token its own cookie accepts."""
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    other = logged_in(reader_user, Client(enforce_csrf_checks=True))
    page = other.get(url)
    assert page["X-Page-Cache"] == "hit" and page["ETag"] != first["ETag"]
    assert other.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200  # never the other's 304
    token = csrf_tokens(page.content)[0]
    assert other.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_write_makes_a_new_page_at_once(reader, case, accounts_loaded):
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    services.touch_cases({case.pk})
    after = reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


# Whatever changes who reads what takes effect at the next request ---------------------------------


def test_logging_out(reader, case, accounts_loaded):
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    reader.post(reverse("logout"))
    assert reader.get(url).status_code == 404
    assert reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_a_session_flushed_elsewhere(reader, case, accounts_loaded):
    """Another request of the same session logs out (its session deleted: cache and database)."""
    from importlib import import_module

    from django.conf import settings

    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    session_key = reader.cookies[settings.SESSION_COOKIE_NAME].value
    import_module(settings.SESSION_ENGINE).SessionStore(session_key).flush()
    assert reader.get(url).status_code == 404
    assert reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_a_session_expired(reader, case, accounts_loaded):
    """Its expiry passed: the session cache's entry is gone (its timeout was the session's age) and the
    database's row has expired."""
    from importlib import import_module

    from django.conf import settings

    url = dashboard(case)
    primed(reader, url, accounts_loaded)
    session_key = reader.cookies[settings.SESSION_COOKIE_NAME].value
    cache.delete(import_module(settings.SESSION_ENGINE).SessionStore.cache_key_prefix + session_key)
    Session.objects.filter(pk=session_key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert reader.get(url).status_code == 404


def test_a_role_removed(reader, case, reader_user, accounts_loaded):
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    reader_user.groups.remove(Group.objects.get(name=roles.READER))
    assert reader.get(url).status_code == 404
    assert reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_a_permission_taken_from_the_role(reader, case, accounts_loaded):
    url = dashboard(case)
    primed(reader, url, accounts_loaded)
    Group.objects.get(name=roles.READER).permissions.remove(Permission.objects.get(codename="view_case"))
    assert reader.get(url).status_code == 404


def test_an_account_deactivated(reader, case, reader_user, accounts_loaded):
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    reader_user.is_active = False
    reader_user.save()
    assert reader.get(url).status_code == 404
    assert reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_a_password_changed(reader, case, reader_user, accounts_loaded):
    url = dashboard(case)
    first = primed(reader, url, accounts_loaded)
    reader_user.set_password("a new one, long enough")
    reader_user.save()
    assert reader.get(url).status_code == 404  # the session's hash no longer matches: logged out
    assert reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_an_analyst_demoted_to_reader_never_gets_the_teams_page(client, case, analyst_user, accounts_loaded):
    team = logged_in(analyst_user, client)
    url = dashboard(case)
    first = team.get(url)
    assert team.get(url)["X-Page-Cache"] == "hit"
    analyst_user.groups.set([Group.objects.get(name=roles.READER)])
    again = team.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert again["X-Page-Cache"] == "miss"  # rendered for a reader, not the team's from the cache


def test_a_case_unpublished_for_an_account_without_a_role(case, accounts_loaded):
    """An account without a role reads as the public does: never answered early, and an unpublished
    case is gone at the next request."""
    case.visibility = Case.Visibility.PUBLISHED
    case.save(update_fields=["visibility"])
    browser = logged_in(factories.UserFactory(username="no-role"))
    url = dashboard(case)
    first = browser.get(url)
    loaded = len(accounts_loaded)
    assert browser.get(url)["X-Page-Cache"] == "hit" and len(accounts_loaded) > loaded
    case.visibility = Case.Visibility.PRIVATE
    case.save(update_fields=["visibility"])
    assert browser.get(url).status_code == 404
    assert browser.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_a_share_link_expired(client, case, accounts_loaded, monkeypatch):
    """A share link's holder reads as the public does (their session holds the link): never answered
    early, and refused once the link has expired."""
    case.visibility = Case.Visibility.SHARED
    case.save(update_fields=["visibility"])
    link = services.create_share_link(
        case=case, created_by=factories.administrator(username="adm"), expires_on=timezone.localdate()
    )
    client.get(link.get_absolute_url())
    client.get(reverse("login"))
    url = dashboard(case)
    assert client.get(url).status_code == 200 and client.get(url)["X-Page-Cache"] == "hit"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert client.get(url).status_code == 404


def test_a_message_waiting_is_shown_by_the_normal_path(reader, case, accounts_loaded):
    url = dashboard(case)
    primed(reader, url, accounts_loaded)
    reader.cookies["messages"] = "something to say"
    loaded = len(accounts_loaded)
    reader.get(url)
    assert len(accounts_loaded) > loaded


# Revalidation by date alone --------------------------------------------------------------------


def test_a_date_alone_never_revalidates_another_audiences_copy(client, case, analyst_user):
    """The team's copy of a published page, then a logout: the public's page has the same
    Last-Modified, so If-Modified-Since alone would answer 304 and keep the team's copy on screen."""
    case.visibility = Case.Visibility.PUBLISHED
    case.save(update_fields=["visibility"])
    url = dashboard(case)
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"  # the anonymous visitors' page, from the cache
    team = logged_in(analyst_user, client)
    teams_copy = team.get(url)
    team.post(reverse("logout"))
    answer = team.get(url, HTTP_IF_MODIFIED_SINCE=teams_copy["Last-Modified"])
    assert answer.status_code == 200 and answer["ETag"] != teams_copy["ETag"]
    anonymous = Client().get(url, HTTP_IF_MODIFIED_SINCE=teams_copy["Last-Modified"])
    assert anonymous.status_code == 200


def test_a_new_secret_key_or_a_backend_removed_takes_the_normal_path(reader, case, accounts_loaded, settings):
    """Django verifies a session's hash with SECRET_KEY and its backend against the settings: neither is
    assumed from an entry written before they changed."""
    url = dashboard(case)
    primed(reader, url, accounts_loaded)
    settings.SECRET_KEY = "another-" + "y" * 50
    loaded = len(accounts_loaded)
    reader.get(url)
    assert len(accounts_loaded) > loaded
    early(reader, url, accounts_loaded)  # the normal path wrote the entry again, under the new key
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
    assert reader.get(url).status_code == 404  # Django logs out a session of a backend no longer listed


def test_an_early_answer_names_its_own_reader_never_the_one_who_made_the_rendering(reader, case, accounts_loaded):
    url = dashboard(case)
    primed(reader, url, accounts_loaded)
    other = logged_in(factories.reader(username="second-reader"))
    assert other.get(url)["X-Page-Cache"] == "hit"  # the normal path, which remembers the session
    page = early(other, url, accounts_loaded)
    assert b"second-reader" in page.content and b'class="user-name">reader<' not in page.content
