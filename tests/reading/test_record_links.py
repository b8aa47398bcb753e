"""From reading to recording: analysts (and only they) find "Record an assessment" where they read."""

import pytest
from django.urls import reverse

from measures.models import Measure
from tests import factories
from tests.scenarios import build_case


@pytest.fixture
def case(db):
    return build_case()


def assess_url(measure, party=None):
    url = reverse("admin:measures_measure_assess", args=[measure.pk])
    return f"{url}?party={party.pk}" if party else url


def test_analyst_sees_record_links_for_each_measure_and_party_on_the_dashboard(analyst_client, case):
    page = analyst_client.get(reverse("measures:dashboard", args=[case.slug])).content.decode()

    for measure in case.measures.all():
        assert f'href="{assess_url(measure)}"' in page
        for party in case.assessed_parties.all():
            assert f'href="{assess_url(measure, party).replace("&", "&amp;")}"' in page
    assert page.count("Record an assessment") >= case.measures.count()
    assert f'href="{reverse("admin:index")}"' in page  # the workspace, from the header


def test_analyst_sees_record_links_on_the_measure_page(analyst_client, case):
    measure = case.measures.get(number=1)
    page = analyst_client.get(reverse("measures:measure_detail", args=[case.slug, 1])).content.decode()

    assert f'href="{assess_url(measure)}"' in page
    for party in case.assessed_parties.all():
        assert f'href="{assess_url(measure, party)}"' in page
        assert f'Record an assessment<span class="visually-hidden"> for {party.name}</span>' in page


@pytest.mark.parametrize("name", ["dashboard", "measure_detail"])
def test_reader_sees_no_record_link_and_no_workspace_link(reader_client, case, name):
    args = [case.slug] if name == "dashboard" else [case.slug, 1]
    page = reader_client.get(reverse(f"measures:{name}", args=args)).content.decode()

    assert "Record an assessment" not in page
    assert "/assess/" not in page
    assert f'href="{reverse("admin:index")}"' not in page


def test_exports_carry_no_record_links(analyst_client, case):
    response = analyst_client.get(reverse("measures:dashboard", args=[case.slug]) + "?_export=csv")
    text = response.content.decode()
    assert "Record" not in text and "/assess/" not in text


def test_admin_index_offers_adding_an_assessment_to_analysts(analyst_client, case):
    index = analyst_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:measures_assessment_add")}"' in index


def test_adding_an_assessment_chooses_the_measure_then_opens_its_assess_page(analyst_client, case):
    measure = case.measures.get(number=2)
    add = reverse("admin:measures_assessment_add")

    chooser = analyst_client.get(add)
    assert chooser.status_code == 200
    assert f'<option value="{measure.pk}">' in chooser.content.decode()

    response = analyst_client.get(add, {"measure": measure.pk})
    assert response.status_code == 302
    assert response.url == assess_url(measure)


def test_adding_an_assessment_with_an_unknown_measure_says_so(analyst_client, case):
    response = analyst_client.get(reverse("admin:measures_assessment_add"), {"measure": "999999"})
    assert response.status_code == 200
    assert "Choose one of the measures of a case." in response.content.decode()


def test_reader_cannot_add_an_assessment_in_the_admin(reader_client, case):
    index = reader_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:measures_assessment_add") not in index
    assert reader_client.get(reverse("admin:measures_assessment_add")).status_code == 403
    assert Measure.objects.count() == case.measures.count()


def test_administrator_may_add_too(client, case):
    client.force_login(factories.administrator(username="boss"))
    assert client.get(reverse("admin:measures_assessment_add")).status_code == 200
