"""Fixtures shared by the domain's tests."""

import datetime

import pytest

from tests import factories


@pytest.fixture
def commitment_world(db):
    """(case, measure, citation, analyst) for the commitments' tests: a case from 1 January 2024 with
    one measure and one citation to state commitments from (tests.helpers.commit_in)."""
    case = factories.CaseFactory(start_date=datetime.date(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    citation = factories.CitationFactory(case=case)
    return case, measure, citation, factories.analyst(username="analyst")
