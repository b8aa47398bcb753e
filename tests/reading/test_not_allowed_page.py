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


def test_a_logged_in_account_the_admin_refuses_gets_the_not_allowed_page_not_the_admins_login(client, db):
    """/admin/ sends an account without staff status to the admin's login address; there it is told why
    (403, the site's page) instead of being asked for another account's password."""
    client.force_login(factories.UserFactory(username="norole", is_staff=False))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page and "Your account may not open this page." in page
    assert "are not authorized" not in page and 'name="password"' not in page


def test_the_admins_login_still_serves_visitors_and_lets_the_team_in(client, admin_user):
    login = client.get("/admin/login/")
    assert login.status_code == 200 and 'name="password"' in login.content.decode()
    client.force_login(admin_user)
    assert client.get("/admin/login/")["Location"] == "/admin/"
