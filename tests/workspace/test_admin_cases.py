"""The case form: the assessed parties and the start date stay consistent with the assessments."""

import datetime

from django.urls import reverse

from measures.models import Case
from tests import factories
from tests.helpers import change_form_data, change_url


def add_case(client, **fields):
    data = {
        "name": "Border crisis",
        "slug": "border-crisis",
        "summary": "",
        "start_date": "2024-01-01",
        "status": "active",
        "working_language": "en",  # the form's initial value, as a browser sends it
    }
    data.update(fields)
    return client.post(reverse("admin:measures_case_add"), data)


def test_analyst_adds_a_case_with_two_parties(analyst_client):
    parties = [factories.PartyFactory(), factories.PartyFactory()]
    response = add_case(analyst_client, assessed_parties=[p.pk for p in parties])
    assert response.status_code == 302
    assert set(Case.objects.get(slug="border-crisis").assessed_parties.all()) == set(parties)


def test_a_case_with_one_assessed_party_is_refused(analyst_client):
    response = add_case(analyst_client, assessed_parties=[factories.PartyFactory().pk])
    assert response.status_code == 200
    assert "Choose at least two assessed parties" in response.content.decode()
    assert not Case.objects.exists()


def test_a_party_with_assessments_cannot_be_removed_from_the_case(analyst_client):
    assessment = factories.AssessmentFactory()
    case = assessment.measure.case
    kept = case.assessed_parties.exclude(pk=assessment.party.pk).get()
    third = factories.PartyFactory()
    page = analyst_client.get(change_url(case))

    response = analyst_client.post(change_url(case), change_form_data(page, assessed_parties=[kept, third]))

    assert response.status_code == 200
    assert f"{assessment.party.name} already has assessments in this case" in response.content.decode()
    assert set(case.assessed_parties.all()) == {assessment.party, kept}


def test_the_case_cannot_start_after_an_assessment(analyst_client):
    assessment = factories.AssessmentFactory(effective_date=datetime.date(2024, 1, 20))
    case = assessment.measure.case
    page = analyst_client.get(change_url(case))

    response = analyst_client.post(change_url(case), change_form_data(page, start_date=datetime.date(2024, 2, 1)))

    assert "the case cannot start after it" in response.content.decode()
    case.refresh_from_db()
    assert case.start_date == datetime.date(2024, 1, 1)


# A measure's applicable parties (issue 8, point 11) --------------------------------------------------


def test_a_measure_applies_only_to_parties_its_case_assesses(analyst_client):
    measure = factories.MeasureFactory()
    case = measure.case
    pak = case.assessed_parties.order_by("name").first()
    outsider = factories.PartyFactory(name="United States")
    page = analyst_client.get(change_url(measure))

    response = analyst_client.post(change_url(measure), change_form_data(page, applicable_parties=[pak, outsider]))

    assert response.status_code == 200
    assert f"United States is not assessed in {case}" in response.content.decode()
    assert not measure.applicable_parties.exists()


def test_a_measure_narrowed_to_the_case_parties_is_saved(analyst_client):
    measure = factories.MeasureFactory()
    mediator = factories.PartyFactory(name="Türkiye")
    measure.case.assessed_parties.add(mediator)
    page = analyst_client.get(change_url(measure))

    response = analyst_client.post(change_url(measure), change_form_data(page, applicable_parties=[mediator]))

    assert response.status_code == 302
    assert list(measure.applicable_parties.all()) == [mediator]


def test_a_party_assessed_on_a_measure_stays_among_its_parties(analyst_client):
    assessment = factories.AssessmentFactory()
    measure = assessment.measure
    other = measure.case.assessed_parties.exclude(pk=assessment.party.pk).get()
    page = analyst_client.get(change_url(measure))

    response = analyst_client.post(change_url(measure), change_form_data(page, applicable_parties=[other]))

    assert response.status_code == 200
    assert f"{assessment.party.name} already has assessments of this measure" in response.content.decode()
    assert not measure.applicable_parties.exists()


def test_a_party_a_measure_applies_to_cannot_leave_the_case(analyst_client):
    measure = factories.MeasureFactory()
    case = measure.case
    first, second = case.assessed_parties.order_by("name")
    third = factories.PartyFactory()
    case.assessed_parties.add(third)
    measure.applicable_parties.set([first, third])
    page = analyst_client.get(change_url(case))

    response = analyst_client.post(change_url(case), change_form_data(page, assessed_parties=[first, second]))

    assert response.status_code == 200
    assert f"{third.name} is named among the parties a measure of this case applies to" in response.content.decode()
    assert set(case.assessed_parties.all()) == {first, second, third}
