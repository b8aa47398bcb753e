"""Who may open the reading pages and reports of a private case: every role; for anyone else (an anonymous
visitor, an account without a role) the case does not exist (404, the answer for a case that does not),
and the case list never names it."""

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def pages(pakistan_iran):
    case = pakistan_iran
    event = case.events.first()
    source = case.citations.first().source
    return [
        reverse("measures:dashboard", args=[case.slug]),
        reverse("measures:measure_detail", args=[case.slug, 1]),
        reverse("measures:event_list", args=[case.slug]),
        reverse("measures:event_detail", args=[case.slug, event.pk]),
        reverse("measures:source_list", args=[case.slug]),
        reverse("measures:source_detail", args=[case.slug, source.pk]),
        reverse("measures:report", args=[case.slug]),
        reverse("measures:report_pdf", args=[case.slug]),
    ]


ROLES = [factories.reader, factories.analyst, factories.reviewer, factories.administrator]


def test_a_private_case_does_not_exist_for_anonymous_visitors(client, pages, pakistan_iran):
    missing = client.get(reverse("measures:dashboard", args=["no-such-case"]))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 404, page
        assert pakistan_iran.name not in response.content.decode()
        # Nothing tells it from a case that is not there (but the address the login links return to).
        assert response.content.replace(page.encode(), b"") == missing.content.replace(b"/cases/no-such-case/", b"")
    # With no published case, the case list is the login page.
    response = client.get(reverse("measures:case_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_private_case_does_not_exist_for_an_account_without_a_role(client, pages, pakistan_iran):
    client.force_login(factories.UserFactory(username="no-role", is_staff=False))
    for page in pages:
        assert client.get(page).status_code == 404, page
    listing = client.get(reverse("measures:case_list"))
    assert listing.status_code == 200 and pakistan_iran.name not in listing.content.decode()


@pytest.mark.parametrize("make_user", ROLES)
def test_every_role_reads_every_page(client, pages, pakistan_iran, make_user):
    """Every page but the PDF, which test_every_role_gets_the_pdf_report renders (marked `pdf`)."""
    client.force_login(make_user())
    pdf = reverse("measures:report_pdf", args=[pakistan_iran.slug])
    assert pdf in pages
    for page in [reverse("measures:case_list"), *(page for page in pages if page != pdf)]:
        response = client.get(page, follow=True)
        assert response.status_code == 200, page


@pytest.mark.pdf
@pytest.mark.parametrize("make_user", ROLES)
def test_every_role_gets_the_pdf_report(client, pakistan_iran, make_user):
    client.force_login(make_user())
    response = client.get(reverse("measures:report_pdf", args=[pakistan_iran.slug]), follow=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("cases", ["none", "private only"])
def test_an_account_without_a_role_is_told_it_has_no_access_yet_not_that_there_is_no_case(client, db, cases):
    """Whether private cases exist or not, the page is the same: it says the account reads none yet and
    whom to ask, never "No case yet" (which would tell it the tracker is empty)."""
    if cases == "private only":
        factories.CaseFactory(slug="private-case", name="Secret talks")
    client.force_login(factories.UserFactory(username="norole", is_staff=False))
    response = client.get(reverse("measures:case_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your account has no access to any case yet." in page
    assert "ask an administrator of this tracker to give your account the role it needs" in page
    assert "No case yet" not in page and "Secret talks" not in page and "as_of" not in page


def test_an_account_with_a_role_is_told_when_there_is_no_case_yet(reader_client):
    page = reader_client.get(reverse("measures:case_list")).content.decode()
    assert "No case yet. An analyst can add one in the workspace." in page
    assert "no access to any case" not in page
