"""A page an account may not open answers 403 with the site's page saying why and what to ask for
(templates/403.html), not Django's bare "403 Forbidden"; it names nothing the page holds."""

from django.urls import reverse

from tests import factories


def test_an_account_without_a_role_is_told_why_it_may_not_search(client, db):
    factories.CaseFactory(slug="private-case", name="Secret talks")
    client.force_login(factories.UserFactory(username="norole", is_staff=False))
    response = client.get(reverse("measures:search"), {"q": "Iran"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page and "Your account may not open this page." in page
    assert "ask an administrator to give your account the role it needs" in page
    assert "Secret talks" not in page
