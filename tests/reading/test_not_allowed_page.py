"""A page an account may not open answers 403 with the site's page saying why and what to ask for
(templates/403.html), not Django's bare "403 Forbidden"; it names nothing the page holds."""

import re

import pytest
from django.urls import reverse

from measures.models import Case
from tests import factories


def test_an_account_without_a_role_is_told_why_it_may_not_search(client, db):
    factories.CaseFactory(slug="private-case", name="Secret talks")
    client.force_login(factories.UserFactory(username="norole", is_staff=False))
    response = client.get(reverse("measures:search"), {"q": "Iran"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page and "Your account may not open this page." in page
    assert "ask an administrator to give your account the role it needs" in page
    # What is closed to it, not the comparison of cases, which it opens for the published cases.
    assert "the comparison of cases, which shows those" in page and "pages about every case" not in page
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


def _header(page):
    return re.search(r'<header class="site-header">.*?</header>', page, re.S).group()


@pytest.mark.parametrize("published", [False, True])
def test_the_not_allowed_page_offers_an_account_without_a_role_only_what_it_may_use(client, db, published):
    """Searching is for accounts with a role: the header offers no search box to an account without
    one, on the 403 page or any other. The matrix is offered when it would answer: while a case is
    published (the published cases are what such an account reads)."""
    visibility = Case.Visibility.PUBLISHED if published else Case.Visibility.PRIVATE
    factories.CaseFactory(slug="the-case", name="The case", visibility=visibility)
    client.force_login(factories.UserFactory(username="norole", is_staff=False))
    response = client.get(reverse("measures:search"), {"q": "Iran"})
    assert response.status_code == 403
    header = _header(response.content.decode())
    assert 'role="search"' not in header and reverse("measures:search") not in header
    assert (reverse("measures:matrix") in header) is published
    assert client.get(reverse("measures:matrix")).status_code == (200 if published else 403)
    assert "norole" in header and "Log out" in header
    assert reverse("measures:case_list") in response.content.decode()


def test_an_account_with_a_role_is_offered_the_search_and_the_matrix(reader_client):
    factories.CaseFactory(slug="the-case", name="The case")
    header = _header(reader_client.get(reverse("measures:search"), {"q": "Iran"}).content.decode())
    assert 'role="search"' in header and reverse("measures:matrix") in header


def test_a_reader_without_the_workspace_is_told_what_it_may_do_and_whom_to_ask(client, db):
    """A reader without staff status refused the workspace reads "may not open this page" beside the
    role it has: it is told plainly that it reads every case, what it lacks, and whom to ask."""
    client.force_login(factories.reader(username="outside", is_staff=False))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "it reads the cases, but has no access to the workspace." in page
    assert "With your account you may read every case" in page
    assert "ask an administrator of this tracker to give your account access to the workspace" in page
    assert "An account without a role reads the published cases only" not in page


def test_a_reader_in_the_workspace_refused_an_editing_page_is_told_which_role_does_it(client, db):
    client.force_login(factories.reader(username="inside", is_staff=True))
    response = client.get(reverse("admin:measures_event_add"))
    assert response.status_code == 403
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "its role does not do what the page does." in page
    assert "Adding and editing records is for analysts" in page
