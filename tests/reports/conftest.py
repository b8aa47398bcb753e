"""Fixtures of the report's tests."""

import datetime

import pytest

from measures import services
from tests import factories
from tests.helpers import HINDI, URDU


@pytest.fixture
def multilingual_case(db):
    """A case quoting Urdu and Hindi passages (the report's scripts, the PDF's fonts and isolates)."""
    case = factories.CaseFactory(name="India–Pakistan crisis, 2025", start_date=datetime.date(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1, title="Crisis communication channels")
    factories.EventFactory(case=case, date=datetime.date(2024, 1, 20), title=f"{URDU} اور سرحد پر کشیدگی کم")
    for title, text in (("Jang", f"{URDU}۔"), ("Dainik Jagran", f"{HINDI}।")):
        source = factories.SourceFactory(title=title, full_text=text, publisher=title)
        quote = URDU if title == "Jang" else HINDI
        citation = services.create_citation(case=case, source=source, quote=quote)
        services.attach_evidence(citation=citation, measure=measure, stance="progress")
    return case
