"""Personal API tokens: created on the user's own page and shown once, stored as a hash, listed, revoked."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from measures import services
from measures.models import ApiToken
from tests import factories


def test_a_token_is_stored_as_its_sha256_and_shown_once(reader_user):
    token, secret = services.create_api_token(user=reader_user, name=" R scripts ")
    assert secret.startswith("dtk_") and len(secret) == 47
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.name == "R scripts" and token.shown == secret[:10]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}
    assert services.user_for_api_token(secret) == (reader_user, token.pk)


@pytest.mark.parametrize(("name", "says"), [("  ", "Name the token"), ("a\x0bb", "control character")])
def test_a_token_needs_a_plain_name(reader_user, name, says):
    with pytest.raises(services.ServiceError, match=says):
        services.create_api_token(user=reader_user, name=name)
    assert not ApiToken.objects.exists()


def test_a_user_has_at_most_twenty_active_tokens(reader_user):
    for n in range(services.accounts.MAX_ACTIVE_TOKENS):
        services.create_api_token(user=reader_user, name=f"token {n}")
    with pytest.raises(services.ServiceError, match="20 active tokens"):
        services.create_api_token(user=reader_user, name="one more")
    services.revoke_api_token(user=reader_user, token_id=ApiToken.objects.first().pk)
    services.create_api_token(user=reader_user, name="one more")


def test_only_the_owner_revokes_a_token(reader_user, analyst_user):
    token, secret = services.create_api_token(user=reader_user, name="mine")
    with pytest.raises(services.ServiceError, match="You have no such token"):
        services.revoke_api_token(user=analyst_user, token_id=token.pk)
    assert services.user_for_api_token(secret) is not None
    services.revoke_api_token(user=reader_user, token_id=token.pk)
    assert services.user_for_api_token(secret) is None


def test_a_use_is_noted_at_most_once_an_hour(reader_user, django_assert_num_queries):
    token, secret = services.create_api_token(user=reader_user, name="mine")
    with django_assert_num_queries(2):  # the lookup, and the note of the first use
        services.user_for_api_token(secret)
    with django_assert_num_queries(1):
        services.user_for_api_token(secret)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(hours=2))
    with django_assert_num_queries(2):
        services.user_for_api_token(secret)


@pytest.mark.parametrize("secret", ["", "dtk_", "x" * 500, "dtk_" + "a" * 300, None, "Bearer dtk_abc"])
def test_anything_but_an_active_token_is_nobody(db, secret):
    assert services.user_for_api_token(secret) is None


def test_the_tokens_page_creates_shows_once_lists_and_revokes(reader_client, reader_user):
    page = reader_client.get("/account/api-tokens/")
    assert page.status_code == 200 and "You have no token yet." in page.content.decode()
    created = reader_client.post("/account/api-tokens/", {"name": "Laptop"})
    html = created.content.decode()
    secret = next(part for part in html.split('"') if part.startswith("dtk_"))
    assert "shown this once" in html and "no-store" in created["Cache-Control"]
    assert services.user_for_api_token(secret)[0] == reader_user
    listed = reader_client.get("/account/api-tokens/").content.decode()
    assert secret not in listed and f"{secret[:10]}…" in listed and "Laptop" in listed
    token = ApiToken.objects.get()
    revoked = reader_client.post(f"/account/api-tokens/{token.pk}/revoke/", follow=True)
    assert "is revoked" in revoked.content.decode() and "Revoked" in revoked.content.decode()
    assert services.user_for_api_token(secret) is None


def test_the_tokens_page_refuses_an_empty_name_and_others_tokens(reader_client, analyst_user):
    refused = reader_client.post("/account/api-tokens/", {"name": ""})
    assert refused.status_code == 200 and "field-error" in refused.content.decode()
    assert not ApiToken.objects.exists()
    theirs, secret = services.create_api_token(user=analyst_user, name="theirs")
    answer = reader_client.post(f"/account/api-tokens/{theirs.pk}/revoke/", follow=True)
    assert "You have no such token." in answer.content.decode()
    assert services.user_for_api_token(secret) is not None
    assert "theirs" not in reader_client.get("/account/api-tokens/").content.decode()


def test_the_tokens_page_needs_a_login_and_a_role(client, db):
    assert client.get("/account/api-tokens/").status_code == 302
    client.force_login(factories.UserFactory(username="no-role"))
    assert client.get("/account/api-tokens/").status_code == 403
    assert client.get("/account/api-tokens/1/revoke/").status_code == 403
