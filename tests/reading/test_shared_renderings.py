"""Logged-in readers of one audience share a page's rendering at a data version (reading.caching.shared):
the second reader's first visit is a cache hit, named for them and with a CSRF token of their own;
the team, and readers whose permissions change the page, get their own renderings; ETags and 304s stay
per reader; anonymous visitors are answered as before."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from measures.models import Case, Source
from reading.caching import CACHE_PREFIX
from reading.caching.shared import PAGE_PERMISSIONS, sentinels
from tests import factories
from tests.helpers import csrf_tokens, without_csrf_tokens
from tests.scenarios import build_case


@pytest.fixture
def case(db):
    return build_case()


def signed_in(user):
    """A browser of `user`'s: logged in, with the CSRF cookie an earlier page gives it, CSRF enforced."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get(reverse("login"))
    assert settings.CSRF_COOKIE_NAME in browser.cookies
    return browser


def url_of(case, name="dashboard", *args):
    return reverse(f"measures:{name}", args=[case.slug, *args])


def assert_no_sentinel(content):
    for sentinel in sentinels():
        assert sentinel.encode() not in content


def assert_token_is_the_browsers(content, browser):
    """Every form's token masks this browser's CSRF secret (never the secret itself)."""
    secret = browser.cookies[settings.CSRF_COOKIE_NAME].value
    tokens = csrf_tokens(content)
    assert tokens
    for token in tokens:
        assert token != secret and secret not in token
        assert _unmask_cipher_token(token) == secret


@pytest.mark.parametrize(("name", "args"), [("dashboard", ()), ("measure_detail", (1,)), ("report", ())])
def test_a_second_reader_is_served_the_first_readers_rendering_with_their_own_name_and_token(
    case, name, args, django_assert_max_num_queries
):
    amina = signed_in(factories.reader(username="amina", first_name="Amina", last_name="Qureshi"))
    babak = signed_in(factories.reader(username="babak", first_name="Babak", last_name="Tehrani"))
    url = url_of(case, name, *args)

    first = amina.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert_no_sentinel(first.content)
    if name == "report":  # a document of its own (no site header, no form): it names who asked
        assert b"<dt>By</dt><dd>Amina Qureshi</dd>" in first.content
    else:
        assert b'<span class="user-name">amina</span>' in first.content
        assert_token_is_the_browsers(first.content, amina)

    # Nothing rendered for the second reader: the shared rendering, no query (the report reads every
    # case's data version, as its 304 does).
    with django_assert_max_num_queries(1 if name == "report" else 0):
        second = babak.get(url)
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert b"amina" not in second.content and b"Amina" not in second.content
    assert_no_sentinel(second.content)
    assert without_csrf_tokens(second.content).replace(b"babak", b"amina").replace(
        b"Babak Tehrani", b"Amina Qureshi"
    ) == without_csrf_tokens(first.content)
    if name == "report":
        assert b"<dt>By</dt><dd>Babak Tehrani</dd>" in second.content
        return
    assert b'<span class="user-name">babak</span>' in second.content
    assert_token_is_the_browsers(second.content, babak)
    assert not set(csrf_tokens(second.content)) & set(csrf_tokens(first.content))

    # The token served in the shared rendering logs the second reader out.
    logout = babak.post(reverse("logout"), {"csrfmiddlewaretoken": csrf_tokens(second.content)[0]})
    assert logout.status_code == 302
    assert "_auth_user_id" not in babak.session


def test_a_name_is_escaped_where_it_is_filled_in(case):
    first = signed_in(factories.reader(username="first"))
    odd = signed_in(factories.reader(username="o<b>dd", first_name="<i>Odd</i>"))
    first.get(url_of(case))
    page = odd.get(url_of(case))
    assert page["X-Page-Cache"] == "hit"
    assert b'<span class="user-name">o&lt;b&gt;dd</span>' in page.content and b"o<b>dd" not in page.content
    first.get(url_of(case, "report"))
    report = odd.get(url_of(case, "report"))
    assert report["X-Page-Cache"] == "hit"
    assert b"<dd>&lt;i&gt;Odd&lt;/i&gt;</dd>" in report.content and b"<i>Odd" not in report.content


def test_the_etag_is_each_readers_and_a_304_never_answers_for_another_reader(case, django_assert_max_num_queries):
    amina = signed_in(factories.reader(username="amina"))
    babak = signed_in(factories.reader(username="babak"))
    url = url_of(case)
    first = amina.get(url)
    second = babak.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert first["ETag"] != second["ETag"]

    # The other reader's ETag is not this reader's page: the page, with this reader's name, not a 304.
    crossed = babak.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert crossed.status_code == 200 and b'<span class="user-name">babak</span>' in crossed.content
    with django_assert_max_num_queries(0):
        assert babak.get(url, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304
    assert amina.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    # A new CSRF cookie (a new browser of the same reader) is another ETag too: its page holds its token.
    babak.cookies[settings.CSRF_COOKIE_NAME] = "b" * 32
    renewed = babak.get(url, HTTP_IF_NONE_MATCH=second["ETag"])
    assert renewed.status_code == 200 and renewed["X-Page-Cache"] == "hit"
    assert_token_is_the_browsers(renewed.content, babak)


def test_the_team_and_readers_never_share_a_rendering(case):
    reader = signed_in(factories.reader(username="amina"))
    analyst = signed_in(factories.analyst(username="anwar"))
    url = url_of(case, "measure_detail", 1)
    for_reader = reader.get(url)
    for_team = analyst.get(url)
    assert for_reader["X-Page-Cache"] == "miss" and for_team["X-Page-Cache"] == "miss"
    assert b"Record an assessment" in for_team.content and b"Workspace" in for_team.content
    assert b"Record an assessment" not in for_reader.content and b"Workspace" not in for_reader.content
    # Each is then served its audience's rendering.
    assert b"Record an assessment" not in signed_in(factories.reader(username="reza")).get(url).content
    other = signed_in(factories.analyst(username="alia")).get(url)
    assert other["X-Page-Cache"] == "hit" and b"Record an assessment" in other.content


def test_an_account_whose_permissions_change_the_page_gets_its_own_rendering(case):
    analyst = signed_in(factories.analyst(username="anwar"))
    reviewer = signed_in(factories.reviewer(username="rana"))
    url = url_of(case)
    assert analyst.get(url)["X-Page-Cache"] == "miss"
    # Both of the team, but the reviewer's page offers the review queue: a rendering of its own.
    assert reviewer.get(url)["X-Page-Cache"] == "miss"

    citing = factories.reader(username="citing")
    citing.user_permissions.add(Permission.objects.get(codename="add_citation", content_type__app_label="measures"))
    plain = signed_in(factories.reader(username="plain"))
    source_url = url_of(case, "source_detail", Source.objects.order_by("pk").first().pk)
    assert plain.get(source_url)["X-Page-Cache"] == "miss"
    own = signed_in(citing).get(source_url)
    assert own["X-Page-Cache"] == "miss"
    assert b"cite.js" in own.content
    assert b"cite.js" not in signed_in(factories.reader(username="other")).get(source_url).content


def test_every_permission_the_header_asks_for_is_in_the_key():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    asked = set(re.findall(r"perms\.(\w+\.\w+)", base))
    assert asked and asked <= set(PAGE_PERMISSIONS)


def test_anonymous_visitors_are_answered_as_before(case, client, django_assert_max_num_queries):
    Case.objects.filter(pk=case.pk).update(visibility=Case.Visibility.PUBLISHED)
    url = url_of(case)
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert b"Log in" in first.content and b"csrfmiddlewaretoken" not in first.content
    assert_no_sentinel(first.content)
    # Stored under its ETag (the stamp every anonymous visitor shares), as it always was.
    assert cache.get(CACHE_PREFIX + first["ETag"].strip('"'))["content"] == first.content
    with django_assert_max_num_queries(0):
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_a_request_without_the_browsers_csrf_cookie_is_rendered_and_its_rendering_shared(case):
    first = signed_in(factories.reader(username="first"))
    url = url_of(case)
    assert first.get(url)["X-Page-Cache"] == "miss"
    cookieless = Client()
    cookieless.force_login(factories.reader(username="cookieless"))
    for _ in range(2):  # no CSRF cookie kept between requests: each is rendered
        page = cookieless.get(url)
        assert page.status_code == 200 and page["X-Page-Cache"] == "miss"
        cookieless.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        assert b"cookieless" in page.content
        assert_no_sentinel(page.content)
    assert first.get(url)["X-Page-Cache"] == "hit"
