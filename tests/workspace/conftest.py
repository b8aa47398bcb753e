"""Fixtures several of the workspace's test modules share. `parties` and `measure` build on the
module's own `case` fixture (each module's case starts on the day its scenarios need)."""

import pytest

from tests import factories


@pytest.fixture
def parties(case):
    """The case's assessed parties by code: {"PAK": Party, "IRN": Party}."""
    return {party.code: party for party in case.assessed_parties.all()}


@pytest.fixture
def measure(case):
    return factories.MeasureFactory(case=case, title="Restore diplomatic contact")
