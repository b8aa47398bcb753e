"""A case's status and end date agree: closed with the date the crisis ended, active without one."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from measures.models import Case
from tests import factories
from tests.helpers import change_form_data, change_url

D = datetime.date


def test_an_active_case_with_an_end_date_is_refused(db):
    case = factories.CaseFactory.build(status=Case.Status.ACTIVE, end_date=D(2024, 1, 29))
    with pytest.raises(ValidationError) as excinfo:
        case.clean()
    assert excinfo.value.message_dict["end_date"] == [
        "An active case has no end date: clear the end date to follow the case again, or keep it closed."
    ]


def test_a_closed_case_switched_back_to_active_keeps_its_end_date_until_the_analyst_clears_it(admin_client):
    case = factories.CaseFactory(status=Case.Status.CLOSED, end_date=D(2024, 1, 29))
    page = admin_client.get(change_url(case))
    response = admin_client.post(change_url(case), change_form_data(page, status="active"))
    assert response.status_code == 200
    assert "An active case has no end date" in response.context["adminform"].form.errors["end_date"][0]
    case.refresh_from_db()
    assert (case.status, case.end_date) == (Case.Status.CLOSED, D(2024, 1, 29))

    response = admin_client.post(change_url(case), change_form_data(page, status="active", end_date=""))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.end_date) == (Case.Status.ACTIVE, None)
