"""Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords, the right one is refused too,
on the site's login page and the admin's, until the lock expires or an administrator lifts it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

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


def test_the_lock_holds_for_one_username_from_one_address(client, analyst, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "login", "wrong")
    assert attempt(client, "login", PASSWORD).status_code == 429
    # The analyst, from her own computer, is not locked out by someone guessing elsewhere.
    assert attempt(client, "login", PASSWORD, address="198.51.100.7").status_code == 302


def test_an_administrator_lifts_the_lock(client, analyst, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "admin:login", "wrong")
    assert attempt(client, "admin:login", PASSWORD).status_code == 429
    call_command("axes_reset_username", "amina", stdout=open("/dev/null", "w"))
    assert attempt(client, "admin:login", PASSWORD).status_code == 302
