"""A logged-in reader's cached page and 304 cost no query (the session, the account with its
permissions and the case row come from the cache: measures.roles), and whatever changes who
may read what takes effect at the very next request: a role revoked, a group's permission removed,
an account deactivated, a case unpublished, a logout. Each test runs with the cache in memory and with
the file cache as deployed without REDIS_URL (tracker.filecache: entries answered from memory while
their files are unchanged)."""

import pathlib
import pickle
import zlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from measures.models import Case
from measures.roles import READER
from tests import factories
from tests.helpers import files_opened_by_the_file_cache, without_csrf_tokens
from tests.scenarios import build_case


@pytest.fixture(autouse=True, params=["memory", "file"])
def cache_backend(request, settings, tmp_path):
    if request.param == "file":
        settings.CACHES = {"default": {"BACKEND": "tracker.filecache.KeptFileBasedCache", "LOCATION": str(tmp_path)}}
    return request.param


@pytest.fixture
def case(db):
    return build_case()


@pytest.fixture
def reader(client, reader_user):
    client.force_login(reader_user)
    client.get(reverse("login"))  # the CSRF cookie, as a browser has it from an earlier page
    return client


def dashboard(case):
    return reverse("measures:dashboard", args=[case.slug])


def test_a_cached_page_and_a_304_cost_a_logged_in_reader_no_query(reader, case, django_assert_num_queries):
    url = dashboard(case)
    first = reader.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = reader.get(url)
    assert (
        hit.status_code == 200
        and hit["X-Page-Cache"] == "hit"
        and without_csrf_tokens(hit.content) == without_csrf_tokens(first.content)
    )
    with django_assert_num_queries(0):
        not_modified = reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304


def test_a_cached_page_opens_no_cache_file_for_a_logged_in_reader(
    reader, case, cache_backend, monkeypatch, django_assert_num_queries
):
    """The session, the account and its tokens, the case row and the page, each read before in this
    process, are answered from memory while their files are unchanged: no file opened, no query."""
    if cache_backend != "file":
        pytest.skip("the file cache only")
    url = dashboard(case)
    first = reader.get(url)
    assert reader.get(url)["X-Page-Cache"] == "hit"
    opened = files_opened_by_the_file_cache(monkeypatch)
    with django_assert_num_queries(0):
        hit = reader.get(url)
    assert hit["X-Page-Cache"] == "hit" and without_csrf_tokens(hit.content) == without_csrf_tokens(first.content)
    assert opened == []


def test_the_team_too(client, case, analyst_user, django_assert_num_queries):
    client.force_login(analyst_user)
    client.get(reverse("login"))
    url = reverse("measures:measure_detail", args=[case.slug, 1])
    first = client.get(url)
    # One: the case's newest assessment, which the team's pages list awaiting review while it bumps no
    # data version (reading.caching._with_recordings); the session, account and case come from the cache.
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_revoked_role_takes_effect_at_the_next_request(reader, case, reader_user):
    url = dashboard(case)
    assert reader.get(url).status_code == 200
    reader_user.groups.remove(Group.objects.get(name=READER))
    assert reader.get(url).status_code == 404  # an account without a role: a private case is not there
    Group.objects.get(name=READER).user_set.add(reader_user)
    assert reader.get(url).status_code == 200


def test_a_permission_taken_from_the_role_takes_effect_at_the_next_request(reader, case):
    url = dashboard(case)
    assert reader.get(url).status_code == 200
    Group.objects.get(name=READER).permissions.remove(Permission.objects.get(codename="view_case"))
    assert reader.get(url).status_code == 404


def test_a_deactivated_account_reads_nothing_at_the_next_request(reader, case, reader_user):
    url = dashboard(case)
    first = reader.get(url)
    reader_user.is_active = False
    reader_user.save()
    assert reader.get(url).status_code == 404
    assert reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_logging_out_takes_effect_at_the_next_request(reader, case):
    url = dashboard(case)
    first = reader.get(url)
    reader.post(reverse("logout"))
    assert reader.get(url).status_code == 404
    assert reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_unpublishing_takes_effect_at_the_next_request_for_an_account_without_a_role(client, case):
    """An account without a role reads published cases as the public does; its requests carry a
    session, so they go through the cached case row, not the anonymous visitors' pointer."""
    case.visibility = Case.Visibility.PUBLISHED
    case.save(update_fields=["visibility"])
    client.force_login(factories.UserFactory(username="no-role"))
    client.get(reverse("login"))
    url = dashboard(case)
    first = client.get(url)
    assert first.status_code == 200 and client.get(url)["X-Page-Cache"] == "hit"
    case.visibility = Case.Visibility.PRIVATE
    case.save(update_fields=["visibility"])
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_a_renamed_case_is_no_longer_found_at_its_old_address(reader, case):
    old = dashboard(case)
    assert reader.get(old).status_code == 200
    case.slug = "renamed"
    case.save(update_fields=["slug"])
    assert reader.get(old).status_code == 404
    assert reader.get(dashboard(case)).status_code == 200


def test_a_changed_password_ends_the_other_sessions(reader, case, reader_user):
    url = dashboard(case)
    assert reader.get(url).status_code == 200
    reader_user.set_password("a new one, long enough")
    reader_user.save()
    assert reader.get(url).status_code == 404  # the session's hash no longer matches: logged out


def test_the_cache_never_holds_a_password_hash(reader, case, reader_user, cache_backend, settings):
    """The cached account keeps every column but the password (measures.roles.CachedModelBackend): a
    cache server read by someone else gives no hash to crack."""
    from django.core.cache import cache

    url = dashboard(case)
    reader.get(url)
    assert reader.get(url)["X-Page-Cache"] == "hit"
    if cache_backend == "file":  # each file: the expiry pickled, then the value pickled and compressed
        stored = b""
        for path in pathlib.Path(settings.CACHES["default"]["LOCATION"]).iterdir():
            with path.open("rb") as file:
                pickle.load(file)
                stored += zlib.decompress(file.read())
    else:
        stored = b"".join(cache._cache.values())  # LocMemCache keeps each value pickled
    assert str(reader_user.pk).encode() in stored and reader_user.username.encode() in stored
    assert reader_user.password.encode() not in stored


def test_the_cached_account_checks_its_password_and_saves_without_losing_it(reader_user, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from measures.roles import CachedModelBackend

    backend = CachedModelBackend()
    backend.get_user(reader_user.pk)
    with django_assert_num_queries(0):
        cached = backend.get_user(reader_user.pk)
        assert cached.has_perm("measures.view_case") and cached.username == "reader"
    with django_assert_num_queries(1):  # the password, read when asked for
        assert cached.check_password("correct horse battery staple")
    cached = backend.get_user(reader_user.pk)
    cached.first_name = "Renamed"
    cached.save()
    stored = get_user_model().objects.get(pk=reader_user.pk)
    assert stored.first_name == "Renamed" and stored.check_password("correct horse battery staple")


def test_changing_ones_own_password_keeps_that_session_and_ends_the_others(client, admin_user):
    url = reverse("admin:index")
    other = Client()
    for browser in (client, other):
        browser.force_login(admin_user)
        assert browser.get(url).status_code == 200
        assert browser.get(url).status_code == 200  # the account from the cache
    answer = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "another horse, another staple",
            "new_password2": "another horse, another staple",
        },
    )
    assert answer.status_code == 302
    assert client.get(url).status_code == 200
    assert other.get(url).status_code == 302  # to the login page
