"""Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for a username (from anywhere)
or from an address (for any usernames), the right one is refused too, on the site's login page and the
admin's, until the lock expires (attempts during it do not restart it) or an administrator lifts it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from measures.lib.addresses import parse_networks
from tests import factories

PASSWORD = "correct horse battery staple"
LOGIN_PAGES = ["login", "admin:login"]


@pytest.fixture
def analyst(db):
    return factories.analyst(username="amina")


def attempt(client, login_page, password, address="192.0.2.10"):
    return client.post(reverse(login_page), {"username": "amina", "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("login_page", LOGIN_PAGES)
def test_the_right_password_is_refused_after_too_many_wrong_ones(client, analyst, settings, login_page):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, login_page, "wrong").status_code == 200
    assert attempt(client, login_page, "wrong").status_code == 429  # the last allowed failure locks
    response = attempt(client, login_page, PASSWORD)
    assert response.status_code == 429
    assert "Too many login attempts" in response.text
    assert "ask an administrator to lift the lock" in response.text
    assert "_auth_user_id" not in client.session
    # When to try again, in seconds: the whole cool-off, counted from this latest attempt.
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))


def test_a_lock_without_cool_off_gives_no_time_to_retry(client, analyst, settings):
    settings.AXES_COOLOFF_TIME = None  # LOGIN_LOCKOUT_MINUTES=0: until an administrator lifts it
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "login", "wrong")
    response = attempt(client, "login", PASSWORD)
    assert response.status_code == 429
    assert not response.has_header("Retry-After")


@pytest.mark.parametrize("login_page", LOGIN_PAGES)
def test_fewer_wrong_passwords_do_not_lock(client, analyst, settings, login_page):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, login_page, "wrong")
    assert attempt(client, login_page, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(analyst.pk)


def test_a_username_is_locked_from_every_address(client, analyst, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "login", "wrong", address=f"203.0.113.{number}")  # a guesser moving around
    assert attempt(client, "login", PASSWORD, address="198.51.100.7").status_code == 429


def test_spraying_one_password_over_many_accounts_locks_the_address(client, analyst, settings):
    """Spraying (one address, many accounts) was never throttled: each username had its own count."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": f"user{number}", "password": "Winter2026!"}, REMOTE_ADDR="192.0.2.66"
        )
    assert attempt(client, "login", PASSWORD, address="192.0.2.66").status_code == 429
    # The analyst's own address is not the sprayer's: she logs in.
    assert attempt(client, "login", PASSWORD, address="198.51.100.7").status_code == 302


def _age_attempts(minutes):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_attempts_during_a_lock_do_not_restart_it(client, analyst, settings):
    """One request every 14 minutes kept any account locked: each attempt restarted the cool-off."""
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "login", "wrong")
    _age_attempts(14)
    during = attempt(client, "login", "wrong")
    assert during.status_code == 429  # still locked, 14 minutes on…
    assert 0 < int(during["Retry-After"]) <= 60  # …for what is left of the 15, not 15 more
    _age_attempts(2)  # 16 minutes after the failure that locked it, 2 after the last attempt
    assert attempt(client, "login", PASSWORD).status_code == 302


def test_the_forwarded_address_counts_only_from_a_listed_proxy(client, analyst, settings):
    """Behind a reverse proxy all users shared one address; and a header anyone can send must not
    let a guesser pick a fresh address for each attempt."""
    settings.TRUSTED_PROXY_NETWORKS = parse_networks(["10.0.0.0/8"])
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"user{number}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="192.0.2.66",
        )
    through_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # Another client behind the same proxy is not the sprayer.
    assert attempt_with(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.9", **through_proxy) == 302
    client.logout()
    assert attempt_with(client, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.66", **through_proxy) == 429
    # From a peer that is not a listed proxy the header is ignored: its own address counts.
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"other{number}", "password": "wrong"},
            REMOTE_ADDR="192.0.2.99",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    assert attempt_with(client, PASSWORD, REMOTE_ADDR="192.0.2.99", HTTP_X_FORWARDED_FOR="198.51.100.8") == 429


def attempt_with(client, password, **meta):
    return client.post(reverse("login"), {"username": "amina", "password": password}, **meta).status_code


def test_an_administrator_lifts_the_lock_from_the_users_list_and_it_is_logged(client, analyst, settings, caplog):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "login", "wrong")
    administrator = factories.administrator(username="root")
    client.force_login(administrator)
    with caplog.at_level("WARNING", logger="measures.accounts"):
        response = client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "lift_login_lock", "_selected_action": [analyst.pk]},
        )
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(analyst.pk))
    assert (entry.user, "Lifted the login lock" in entry.get_change_message()) == (administrator, True)
    assert "Login lock of “amina” lifted by root" in caplog.text
    client.logout()
    assert attempt(client, "login", PASSWORD).status_code == 302


def test_an_analyst_cannot_lift_locks(client, analyst, settings):
    client.force_login(factories.analyst(username="other"))
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "lift_login_lock", "_selected_action": [analyst.pk]}
    )
    assert response.status_code == 403
    assert not LogEntry.objects.exists()


def test_an_administrator_lifts_the_lock(client, analyst, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "admin:login", "wrong")
    assert attempt(client, "admin:login", PASSWORD).status_code == 429
    call_command("axes_reset_username", "amina", stdout=open("/dev/null", "w"))
    assert attempt(client, "admin:login", PASSWORD).status_code == 302


def test_the_lockout_pages_log_in_link_does_not_lead_back_to_the_login_page_after_logging_in(client, analyst, settings):
    """The header's "Log in" link on the login page (and so on the lockout page) keeps the page's own
    `next` rather than naming the login page itself; elsewhere it names the page it is on."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "login", "wrong")
    locked = client.post(
        reverse("login") + "?next=/matrix/", {"username": "amina", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert locked.status_code == 429
    assert 'class="login-link" href="/accounts/login/?next=/matrix/"' in locked.text
    assert 'class="login-link" href="/accounts/login/"' in client.get(reverse("login")).text
    assert "next=/accounts/login/" not in locked.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "javascript:alert(1)"])
def test_the_log_in_link_never_repeats_a_next_that_leaves_the_site(client, analyst, settings, target):
    """Django's login view refuses to redirect there; the header's link does not offer it either, on the
    login page and on the lockout page."""
    page = client.get(reverse("login"), {"next": target})
    assert 'class="login-link" href="/accounts/login/"' in page.text
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "login", "wrong")
    locked = client.post(reverse("login"), {"username": "amina", "password": PASSWORD, "next": target})
    assert locked.status_code == 429
    assert 'class="login-link" href="/accounts/login/"' in locked.text
    assert "evil.example" not in locked.text and "javascript" not in locked.text
