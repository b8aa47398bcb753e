"""The state read for levels and directions only (`case_state(changes=False)`, the API's measure list):
the same figures as the full reading, from the assessments that count read as values, with no
assessment loaded but those in force; and "contested" read from the dates the level in force cites."""

import datetime

import pytest
from django.db.models.signals import post_init
from hypothesis import given
from hypothesis import strategies as st

from measures.models import Assessment
from measures.state import case_state
from tests import factories
from tests.helpers import PROPERTIES, START, build, days, histories, in_savepoint
from tests.scenarios import build_case

Level = Assessment.Level
D = datetime.date


def figures(state):
    """Everything a reading of levels and directions shows, per row and cell (the API's measure list)."""
    rows = []
    for row in state.rows:
        cells = [
            (
                cell.party.pk,
                cell.applies,
                cell.level,
                cell.assessment.pk if cell.assessment else None,
                cell.previous_level,
                cell.direction,
                cell.moved,
                cell.contested,
            )
            for cell in row.cells
        ]
        rows.append(
            (
                row.measure.pk,
                row.joint_level,
                row.previous_joint_level,
                row.direction,
                row.moved,
                row.lowest_level,
                row.reversal_text,
                row.confidence,
                row.latest_evidence,
                row.citation_count,
                row.stale,
                row.no_evidence,
                row.contested,
                cells,
            )
        )
    return rows, state.progress, state.party_progress


@PROPERTIES
@given(
    history=histories,
    since=st.one_of(st.none(), days),
    length=st.integers(0, 10),
    known_on=st.one_of(st.none(), days),
)
def test_levels_only_give_the_figures_of_the_full_state(history_world, history, since, length, known_on):
    def check():
        build(history_world, history)
        case = history_world[0]
        since_date = START + datetime.timedelta(days=since) if since is not None else None
        as_of = (since_date or START) + datetime.timedelta(days=length)
        known = START + datetime.timedelta(days=known_on) if known_on is not None else None
        dates = {"as_of": as_of, "since": since_date, "known_on": known}
        full = case_state(case, details=False, **dates)
        levels_only = case_state(case, details=False, changes=False, **dates)
        assert figures(levels_only) == figures(full)

    in_savepoint(check)


@pytest.mark.parametrize("since", [None, D(2024, 1, 16)])
def test_levels_only_match_the_full_state_on_a_generated_case(db, since):
    case = build_case(3)
    dates = {"as_of": D(2024, 1, 29), "since": since}
    assert figures(case_state(case, details=False, changes=False, **dates)) == figures(
        case_state(case, details=False, **dates)
    )


def test_levels_only_load_no_assessment_but_those_in_force(db):
    # Over a period, every assessment that counted was loaded as a model object (with its author and
    # review) to read its level: most of the API's measure list's time at 100× the data.
    case = build_case(3)
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance.pk)

    post_init.connect(count, sender=Assessment)
    try:
        state = case_state(case, as_of=D(2024, 1, 29), since=D(2024, 1, 16), details=False, changes=False)
    finally:
        post_init.disconnect(count, sender=Assessment)
    in_force = {cell.assessment.pk for row in state.rows for cell in row.cells if cell.assessment}
    assert in_force and sorted(loaded) == sorted(in_force)
    assert any(row.moved for row in state.rows)
    assert all(cell.previous is None for row in state.rows for cell in row.cells)


def test_a_state_of_levels_only_refuses_to_list_changes(db):
    case = build_case(1)
    state = case_state(case, as_of=D(2024, 1, 29), since=D(2024, 1, 16), changes=False)
    with pytest.raises(ValueError, match="levels and directions only"):
        _ = state.changes
    with pytest.raises(ValueError, match="levels and directions only"):
        _ = state.net_changes


@pytest.mark.parametrize("changes", [True, False])
def test_contested_reads_the_newest_date_the_level_in_force_cites(db, changes):
    # The cited passages are dated by their source's publication (no event) and one is undated: the
    # basis is the newest dated one (10 Jan), not the assessment's effective date (20 Jan).
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    party = case.assessed_parties.order_by("name").first()
    dated = factories.CitationFactory(case=case, source__published_on=D(2024, 1, 10))
    older = factories.CitationFactory(case=case, source__published_on=D(2024, 1, 5))
    undated = factories.CitationFactory(case=case, source__published_on=None)
    factories.AssessmentFactory(
        measure=measure,
        party=party,
        level=Level.FULL,
        effective_date=D(2024, 1, 20),
        citations=[dated, older, undated],
    )
    setback = factories.EventFactory(case=case, date=D(2024, 1, 15))
    factories.EvidenceFactory(measure=measure, citation__case=case, citation__event=setback, stance="setback")
    cell = case_state(case, as_of=D(2024, 1, 25), details=False, changes=changes).rows[0].cell_for(party)
    assert cell.contested
    later = factories.CitationFactory(case=case, source__published_on=D(2024, 1, 16))
    cell.assessment.citations.add(later)
    cell = case_state(case, as_of=D(2024, 1, 25), details=False, changes=changes).rows[0].cell_for(party)
    assert not cell.contested
