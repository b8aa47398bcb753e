"""Who may open the reading pages and reports: every role; not anonymous visitors, nor accounts without a role."""

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def pages(pakistan_iran):
    case = pakistan_iran
    event = case.events.first()
    source = case.citations.first().source
    return [
        reverse("measures:case_list"),
        reverse("measures:dashboard", args=[case.slug]),
        reverse("measures:measure_detail", args=[case.slug, 1]),
        reverse("measures:event_list", args=[case.slug]),
        reverse("measures:event_detail", args=[case.slug, event.pk]),
        reverse("measures:source_list", args=[case.slug]),
        reverse("measures:source_detail", args=[case.slug, source.pk]),
        reverse("measures:report", args=[case.slug]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, pages):
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login")), page


def test_an_account_without_a_role_is_refused(client, pages):
    client.force_login(factories.UserFactory(username="no-role", is_staff=False))
    for page in pages:
        assert client.get(page).status_code == 403, page


@pytest.mark.parametrize("make_user", [factories.reader, factories.analyst, factories.administrator])
def test_every_role_reads_every_page(client, pages, make_user):
    client.force_login(make_user())
    for page in pages:
        response = client.get(page, follow=True)
        assert response.status_code == 200, page
