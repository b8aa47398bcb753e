"""The subscriptions page, the signed one-click unsubscribe link (no login, cannot be forged), the Atom feed."""

import base64
import json

import pytest
from django.urls import reverse

from alerts.tokens import unsubscribe_token
from measures import services
from measures.models import Case, Subscription
from tests import factories


def test_a_reader_follows_a_case_from_the_subscriptions_page(pakistan_iran, client):
    reader = factories.reader(username="follower", email="follower@example.org")
    client.force_login(reader)
    page = client.get(reverse("alerts:subscriptions") + "?case=pakistan-iran-2024")
    assert page.status_code == 200
    assert "Every case I may read" in page.content.decode()
    response = client.post(
        reverse("alerts:subscriptions"),
        {"action": "add", "new-scope": "pakistan-iran-2024", "new-contested": "on", "new-weekly_digest": "on"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=reader)
    assert (subscription.case, subscription.contested, subscription.weekly_digest, subscription.level_changed) == (
        pakistan_iran,
        True,
        True,
        False,
    )
    page = client.get(reverse("alerts:subscriptions"))
    assert "Pakistan–Iran crisis, January 2024" in page.content.decode()


def test_asking_for_nothing_is_refused_with_a_message(pakistan_iran, client):
    reader = factories.reader(username="follower")
    client.force_login(reader)
    response = client.post(reverse("alerts:subscriptions"), {"action": "add", "new-scope": "pakistan-iran-2024"})
    assert response.status_code == 200
    assert "Choose at least one thing to be told" in response.content.decode()
    assert not Subscription.objects.exists()


def test_someone_elses_subscription_cannot_be_changed(pakistan_iran, client):
    owner = factories.reader(username="owner")
    subscription = services.subscribe(user=owner, case=pakistan_iran)
    client.force_login(factories.reader(username="other"))
    client.post(reverse("alerts:subscriptions"), {"action": "unsubscribe", "subscription": subscription.pk})
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_unsubscribe_link_works_without_logging_in(pakistan_iran, client):
    subscription = services.subscribe(user=factories.reader(username="follower"), case=pakistan_iran)
    url = reverse("alerts:unsubscribe", args=[unsubscribe_token(subscription)])
    page = client.get(url)  # a GET (a link checker, a preview) only asks
    assert page.status_code == 200 and "Stop the mails" in page.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", without a session or a CSRF token.
    client.handler.enforce_csrf_checks = True
    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert client.post(url).status_code == 200  # again: nothing left to do, no error


def test_an_unsubscribe_link_cannot_be_forged(pakistan_iran, client):
    mine = services.subscribe(user=factories.reader(username="me"), case=pakistan_iran)
    theirs = services.subscribe(user=factories.reader(username="them"), case=pakistan_iran)
    token = unsubscribe_token(mine)
    payload, stamp, signature = token.rsplit(":", 2)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert mine.pk in data
    other = base64.urlsafe_b64encode(
        json.dumps([theirs.pk if v == mine.pk else v for v in data], separators=(",", ":")).encode()
    )
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # a changed signature
        f"{other.decode().rstrip('=')}:{stamp}:{signature}",  # another subscription's id with my signature
        "WzEsMV0:1xaPrI:notasignature",
        "",
    ]
    for bad in forged:
        if not bad:
            continue
        assert client.post(reverse("alerts:unsubscribe", args=[bad])).status_code == 404
    assert Subscription.objects.count() == 2


def test_the_feed_is_for_readers_of_the_case_only(pakistan_iran, client):
    url = reverse("alerts:case_feed", args=["pakistan-iran-2024"])
    assert client.get(url).status_code == 404  # anonymous: says nothing
    client.force_login(factories.UserFactory(username="no-role"))
    assert client.get(url).status_code == 404
    client.force_login(factories.reader(username="reader"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Ambassadors return to Islamabad and Tehran" in body
    assert "Kept: Ambassadors return" in body
    assert "Diplomatic engagement" in body


def test_the_feed_takes_a_readers_signed_key_for_feed_readers(pakistan_iran, client):
    from alerts.tokens import feed_token

    reader = factories.reader(username="reader")
    url = reverse("alerts:case_feed", args=["pakistan-iran-2024"])
    assert client.get(url, {"token": feed_token(reader)}).status_code == 200
    assert client.get(url, {"token": feed_token(reader) + "x"}).status_code == 404
    former = factories.UserFactory(username="former")
    assert client.get(url, {"token": feed_token(former)}).status_code == 404


@pytest.mark.parametrize("value", ["abc", "²", "1\x00", "99999999999999999999", "-1", ""])
@pytest.mark.parametrize("action", ["unsubscribe", "save"])
def test_a_malformed_subscription_id_changes_nothing_and_is_no_server_error(db, client, action, value):
    owner = factories.reader(username="owner")
    client.force_login(owner)
    response = client.post(reverse("alerts:subscriptions"), {"action": action, "subscription": value})
    assert response.status_code in (200, 302)
    assert not Subscription.objects.exists()


def test_an_account_that_may_read_no_case_cannot_subscribe_and_is_told_why(pakistan_iran, client):
    """An account without a role reads what the public reads (measures.roles.readable_cases): with no
    case published it may read none, so there is nothing to follow; the page says so (403)."""
    norole = factories.UserFactory(username="norole")
    client.force_login(norole)
    page = client.get(reverse("alerts:subscriptions"))
    assert page.status_code == 403
    assert "Your account may read no case, so there is nothing to follow." in page.content.decode()
    response = client.post(
        reverse("alerts:subscriptions"), {"action": "add", "new-scope": "all", "new-level_changed": "on"}
    )
    assert response.status_code == 403
    assert not Subscription.objects.exists()
    with pytest.raises(services.ServiceError, match="nothing to follow"):
        services.subscribe(user=norole, case=None)
    assert not Subscription.objects.exists()


def test_an_account_without_a_role_follows_the_published_cases_as_it_reads_them(pakistan_iran, client):
    Case.objects.filter(pk=pakistan_iran.pk).update(visibility=Case.Visibility.PUBLISHED)
    client.force_login(factories.UserFactory(username="norole"))
    page = client.get(reverse("alerts:subscriptions"))
    assert page.status_code == 200
    assert "Pakistan–Iran crisis, January 2024" in page.content.decode()
