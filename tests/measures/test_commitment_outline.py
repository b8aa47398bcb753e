"""The commitment calendar read as values (`commitment_outline`): the same commitments in the same
order with the same outcome in force as `commitment_calendar`, whose date rules (`due_window`,
`outcome_effective_on` in measures/models/commitments.py) both read, in two queries whatever the
number of commitments."""

import datetime

import pytest

from measures import services
from measures.state import commitment_calendar, commitment_outline
from tests import factories
from tests.helpers import commit_in

D = datetime.date


@pytest.fixture
def world(commitment_world):
    return commitment_world


def _judge(world, commitment, outcome, occurred_on=None, **more):
    _, _, citation, analyst = world
    return services.judge_commitment(
        commitment=commitment,
        outcome=outcome,
        occurred_on=occurred_on,
        rationale="Judged.",
        citations=[citation],
        recorded_by=analyst,
        **more,
    )


def _as_calendar_says(case, as_of):
    return [
        (entry.commitment.pk, entry.commitment.recorded_at, entry.outcome and entry.outcome.pk)
        for entry in commitment_calendar(case, as_of=as_of).entries
    ]


def _as_outline_says(case, as_of):
    return [(line.commitment_id, line.recorded_at, line.outcome_id) for line in commitment_outline(case, as_of=as_of)]


def test_the_outline_has_the_calendars_commitments_order_and_outcomes_in_force(world):
    case = world[0]
    talks = factories.EventFactory(case=case, date=D(2024, 1, 5), end_date=D(2024, 1, 7))
    kept = commit_in(world, "Return the envoys", due_precision="day", due_on=D(2024, 1, 12))
    _judge(world, kept, "kept", occurred_on=D(2024, 1, 11))
    # "Not kept" holds from the day after the deadline: of a range, of N days after an event.
    missed = commit_in(world, "Open the border", due_precision="range", due_on=D(2024, 1, 8), due_until=D(2024, 1, 9))
    _judge(world, missed, "not_kept")
    after = commit_in(world, "Resume flights", due_precision="after_event", anchor_event=talks, within_days=10)
    _judge(world, after, "not_kept")
    # A later judgement holding from a later day leaves the earlier one in force until then.
    changed = commit_in(world, "Reopen the consulate", due_precision="day", due_on=D(2024, 1, 20))
    first = _judge(world, changed, "withdrawn", occurred_on=D(2024, 1, 15))
    _judge(world, changed, "kept", occurred_on=D(2024, 1, 19), corrects=None)
    commit_in(world, "Talks at some point", due_precision="unstated")
    commit_in(world, "Meet in February", due_precision="month", due_on=D(2024, 2, 1), due_until=D(2024, 2, 29))
    for as_of in (D(2024, 1, 10), D(2024, 1, 16), D(2024, 1, 17), D(2024, 1, 18), D(2024, 1, 19), D(2024, 3, 1)):
        assert _as_outline_says(case, as_of) == _as_calendar_says(case, as_of), as_of
    outline = {line.commitment_id: line.outcome_id for line in commitment_outline(case, as_of=D(2024, 1, 17))}
    assert outline[changed.pk] == first.pk and outline[after.pk] is None  # due until 17 January
    assert outline[missed.pk] is not None and outline[kept.pk] is not None


@pytest.mark.parametrize("count", [3, 12])
def test_the_outline_runs_two_queries_whatever_the_number_of_commitments(world, django_assert_num_queries, count):
    case = world[0]
    for n in range(count):
        step = commit_in(world, f"Step {n}", due_precision="day", due_on=D(2024, 1, 3 + n))
        _judge(world, step, "kept", occurred_on=step.due_on)
    with django_assert_num_queries(2):
        outline = commitment_outline(case, as_of=D(2024, 3, 1))
    assert len(outline) == count and all(line.outcome_id for line in outline)
