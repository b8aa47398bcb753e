"""The period's shared rules (measures.state.period): its name, its default, the date before a case began."""

import datetime

import pytest

from measures.state import RECENT, WHOLE_CRISIS, before_start_message, default_since, reporting_period
from tests import factories

D = datetime.date


def test_a_period_has_one_name():
    assert reporting_period(since=D(2024, 1, 23), as_of=D(2024, 1, 29)).text == "23–29 Jan 2024"
    assert reporting_period(since=D(2024, 1, 29), as_of=D(2024, 1, 29)).text == "29 Jan 2024"
    assert reporting_period(since=D(2023, 12, 30), as_of=D(2024, 1, 2)).text == "30 Dec 2023 – 2 Jan 2024"


@pytest.mark.parametrize(
    ("status", "end", "as_of", "since", "kind", "other_since"),
    [
        # A closed case: the whole crisis, from its start; the last seven days are offered instead.
        ("closed", D(2024, 1, 29), D(2024, 1, 29), D(2024, 1, 16), WHOLE_CRISIS, D(2024, 1, 23)),
        ("closed", D(2024, 1, 29), D(2024, 1, 20), D(2024, 1, 16), WHOLE_CRISIS, D(2024, 1, 16)),
        # An active case: the last seven days, never before its start; the whole crisis offered instead.
        ("active", None, D(2024, 3, 1), D(2024, 2, 24), RECENT, D(2024, 1, 16)),
        ("active", None, D(2024, 1, 18), D(2024, 1, 16), RECENT, D(2024, 1, 16)),
    ],
)
def test_the_default_period_is_the_whole_crisis_once_it_is_closed(db, status, end, as_of, since, kind, other_since):
    case = factories.CaseFactory(start_date=D(2024, 1, 16), status=status, end_date=end)
    default = default_since(case, as_of)
    assert (default.since, default.kind, default.other_since) == (since, kind, other_since)
    assert default.label == {WHOLE_CRISIS: "the whole crisis", RECENT: "the last 7 days"}[kind]


def test_without_a_case_the_default_is_the_last_seven_days():
    default = default_since(None, D(2024, 3, 1))
    assert (default.since, default.kind) == (D(2024, 2, 24), RECENT)


def test_an_as_of_date_before_the_case_gets_one_message(db):
    case = factories.CaseFactory(start_date=D(2024, 1, 16))
    assert before_start_message(case, D(2024, 1, 16)) is None
    assert before_start_message(case, D(2024, 1, 1)) == (
        "The as-of date (1 Jan 2024) is before the case began (16 Jan 2024): choose a date from 16 Jan 2024 on."
    )
