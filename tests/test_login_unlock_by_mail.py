"""A user locked out of logging in (django-axes) lifts the lock with a link mailed to the account's address:
signed, valid UNLOCK_LINK_MINUTES, once; the page's answer is the same whether the account exists or not;
the lift is written to the audit log and the log "measures.accounts", as an administrator's is."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.core import mail, signing
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from alerts.tokens import unlock_token
from measures.models import AuditEntry
from measures.services.accounts import lift_login_lock
from tests import factories

PASSWORD = "correct horse battery staple"


@pytest.fixture
def amina(db):
    return factories.analyst(username="amina", email="amina@example.org")


def lock(client, settings, username="amina"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR="192.0.2.10")


def log_in(client, address="198.51.100.4"):
    return client.post(reverse("login"), {"username": "amina", "password": PASSWORD}, REMOTE_ADDR=address)


def ask(client, username):
    return client.post(reverse("alerts:unlock_request"), {"username": username}, follow=True)


def link_in(message):
    return re.search(r"https?://\S+/accounts/unlock/\S+/", message.body).group(0)


def path_of(url):
    return urlsplit(url).path


def test_a_locked_out_user_lifts_the_lock_with_the_mailed_link(client, amina, settings, caplog):
    settings.SITE_URL = "https://tracker.example.org"
    lock(client, settings)
    locked = log_in(client)
    assert locked.status_code == 429
    assert reverse("alerts:unlock_request") + "?username=amina" in locked.content.decode()

    page = ask(client, "amina")

    assert page.status_code == 200
    assert "If an account has that username" in page.content.decode()
    (message,) = mail.outbox
    assert message.to == ["amina@example.org"]
    assert "“amina”" in message.body and "within 60 minutes" in message.body
    url = link_in(message)
    assert url.startswith("https://tracker.example.org/accounts/unlock/")
    # Opening the link (as a mail scanner would) lifts nothing; its button does.
    confirm = client.get(path_of(url))
    assert confirm.status_code == 200 and "Lift the lock" in confirm.content.decode()
    assert log_in(client).status_code == 429
    with caplog.at_level("WARNING", logger="measures.accounts"):
        done = client.post(path_of(url))
    assert done.status_code == 200 and "The lock is lifted" in done.content.decode()
    assert "Login lock of “amina” lifted by the link mailed to the account's address" in caplog.text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNLOCK)
    assert (entry.user, entry.kind, entry.object_id, entry.path) == (amina, "account", str(amina.pk), "login")
    assert "mailed" in entry.detail
    assert log_in(client).status_code == 302


def test_the_link_works_once(client, amina, settings):
    lock(client, settings)
    ask(client, "amina")
    url = path_of(link_in(mail.outbox[0]))
    assert client.post(url).status_code == 200
    again = client.post(url)
    assert again.status_code == 400
    assert "already used" in again.content.decode()
    assert client.get(url).status_code == 400
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNLOCK).count() == 1


def test_a_link_for_an_earlier_lock_or_password_lifts_nothing(client, amina, settings):
    lock(client, settings)
    ask(client, "amina")
    url = path_of(link_in(mail.outbox[0]))
    amina.set_password("a new password of hers")
    amina.save()
    assert client.post(url).status_code == 400
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLOCK).exists()


def test_the_link_expires(client, amina, settings, monkeypatch):
    settings.UNLOCK_LINK_MINUTES = 5
    lock(client, settings)
    url = reverse("alerts:unlock", args=[unlock_token(amina)])
    assert client.get(url).status_code == 200
    later = signing.time.time() + 5 * 60 + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(url)
    assert response.status_code == 400 and "older than 5 minutes" in response.content.decode()
    assert log_in(client).status_code == 429


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps([1, "0" * 32], salt="alerts.unsubscribe", compress=True),  # another of our links
        signing.dumps([1, "0" * 32], salt="alerts.unlock", key="not our secret key", compress=True),
    ],
    ids=["not a token", "another of our links", "signed with another key"],  # signed values hold the time
)
def test_a_link_we_did_not_sign_lifts_nothing(client, amina, settings, token):
    lock(client, settings)
    assert client.post(reverse("alerts:unlock", args=[token])).status_code == 400
    assert log_in(client).status_code == 429


def test_the_answer_never_tells_whether_an_account_exists(client, amina, settings):
    factories.analyst(username="no-address", email="")
    factories.analyst(username="gone", email="gone@example.org", is_active=False)
    factories.analyst(username="not-locked", email="free@example.org")
    for username in ("no-address", "gone"):
        lock(client, settings, username)

    answers = {
        username: ask(client, username) for username in ("nobody-by-that-name", "no-address", "gone", "not-locked")
    }

    assert mail.outbox == []
    assert {r.status_code for r in answers.values()} == {200}
    texts = {re.sub(r'value="[^"]*"', "", r.content.decode()) for r in answers.values()}
    assert len(texts) == 1  # the same page, word for word (the CSRF token aside)


def test_asking_again_and_again_sends_one_mail(client, amina, settings):
    lock(client, settings)
    for _ in range(5):
        ask(client, "amina")
    assert len(mail.outbox) == 1


def test_the_administrators_lift_is_in_the_audit_log_too(client, amina, settings):
    lock(client, settings)
    administrator = factories.administrator(username="root")
    client.force_login(administrator)
    client.post(reverse("admin:auth_user_changelist"), {"action": "lift_login_lock", "_selected_action": [amina.pk]})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNLOCK)
    assert (entry.user, entry.object_id, entry.path) == (administrator, str(amina.pk), "admin")
    assert entry.detail.startswith("by root;")


def test_one_address_asks_for_at_most_ten_links_an_hour_whatever_the_usernames(client, amina, settings):
    lock(client, settings)
    answers = [ask(client, f"someone-{n}").status_code for n in range(10)]
    assert answers == [200] * 10
    refused = client.post(reverse("alerts:unlock_request"), {"username": "amina"})
    assert refused.status_code == 429
    assert "Too many requests for unlock links from your address" in refused.content.decode()
    assert mail.outbox == []
    # Another address has its own share.
    other = client.post(reverse("alerts:unlock_request"), {"username": "amina"}, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302 and len(mail.outbox) == 1


def test_a_locked_address_alone_is_explained_and_no_mailed_link_is_offered(client, amina, settings):
    # Five wrong passwords for another account from this address lock the address for every account:
    # amina's mailed link could not lift that (it lifts her username's lock), so it is not offered.
    factories.UserFactory(username="norole", is_staff=False)
    lock(client, settings, username="norole")
    locked = log_in(client, address="192.0.2.10")
    content = locked.content.decode()
    assert locked.status_code == 429
    assert "Logins from your address are locked" in content and "not only yours" in content
    assert "This lock ends by itself at" in content and "A link by mail lifts a lock on an account" in content
    assert reverse("alerts:unlock_request") not in content


def test_a_locked_username_is_offered_the_link_without_an_address_lock(client, amina, settings):
    lock(client, settings)  # from 192.0.2.10
    content = log_in(client, address="198.51.100.4").content.decode()
    assert reverse("alerts:unlock_request") + "?username=amina" in content
    assert "Logins from your address are locked" not in content


def test_a_lock_without_cool_off_says_an_administrator_lifts_the_address(client, amina, settings):
    settings.AXES_COOLOFF_TIME = None
    factories.UserFactory(username="norole", is_staff=False)
    lock(client, settings, username="norole")
    content = log_in(client, address="192.0.2.10").content.decode()
    assert "This lock lasts until an administrator lifts it" in content


def test_the_mailed_link_lifts_the_account_lock_and_leaves_the_address_lock(client, amina, settings):
    # Five wrong passwords for amina from one address lock her account and that address. Her link lifts
    # her account's lock only: the address stays locked, for her and every other account, until its
    # cool-off ends; from another address she logs in.
    factories.analyst(username="amina2", email="amina2@example.org", password=PASSWORD)
    lock(client, settings)  # from 192.0.2.10
    assert log_in(client, address="192.0.2.10").status_code == 429
    ask(client, "amina")
    assert client.post(path_of(link_in(mail.outbox[0]))).status_code == 200

    other = {"username": "amina2", "password": PASSWORD}
    assert client.post(reverse("login"), other, REMOTE_ADDR="192.0.2.10").status_code == 429
    assert log_in(client, address="192.0.2.10").status_code == 429
    assert AccessAttempt.objects.filter(ip_address="192.0.2.10").aggregate(n=Sum("failures_since_start"))["n"] == 5

    assert log_in(client, address="198.51.100.4").status_code == 302
    client.logout()
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(1))
    assert client.post(reverse("login"), other, REMOTE_ADDR="192.0.2.10").status_code == 302


def test_lifting_two_accounts_by_mail_from_one_address_keeps_both_counts(client, amina, settings):
    amina2 = factories.analyst(username="amina2", email="amina2@example.org")
    for username in ("amina", "amina", "amina2", "amina2"):  # below the limit: every failure recorded
        client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR="192.0.2.10")
    assert lift_login_lock(user=amina, by=None, mailed=True) == 1
    assert lift_login_lock(user=amina2, by=None, mailed=True) == 1
    (kept,) = AccessAttempt.objects.all()
    assert (kept.username, kept.ip_address, kept.failures_since_start) == (None, "192.0.2.10", 4)


def test_the_lockout_page_says_when_the_accounts_lock_ends(client, amina, settings):
    lock(client, settings)  # from 192.0.2.10
    content = log_in(client, address="198.51.100.4").content.decode()
    ends = AccessAttempt.objects.get(username="amina").attempt_time + settings.AXES_COOLOFF_TIME
    assert "The account “amina” is locked: 5 wrong passwords were given for it." in content
    assert f"This lock ends by itself at {ends:%H:%M} UTC" in content


def test_the_lockout_page_does_not_say_an_account_without_failures_is_locked(client, amina, settings):
    factories.UserFactory(username="norole", is_staff=False)
    lock(client, settings, username="norole")
    content = log_in(client, address="192.0.2.10").content.decode()
    assert "The account “amina” is locked" not in content and "for “amina”" not in content
    assert "The account “amina” itself is not locked: it can log in from another address." in content
