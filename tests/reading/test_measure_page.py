import datetime

import pytest
from django.urls import reverse

from measures.models import Assessment, Evidence
from tests import factories
from tests.scenarios import build_case

Level = Assessment.Level
D = datetime.date


@pytest.fixture
def case(db):
    return build_case()


def measure_url(case, number, **params):
    url = reverse("measures:measure_detail", args=[case.slug, number])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def test_a_private_case_is_not_found_by_an_anonymous_visitor(client, case):
    # A private case is not revealed, not even by a login redirect (reading.access).
    assert client.get(measure_url(case, 1)).status_code == 404


def test_measure_page_shows_description_status_and_history_with_quotes(reader_client, case):
    measure = case.measures.get(number=1)
    measure.description = "Both sides talk <b>directly</b>."
    measure.save()
    response = reader_client.get(measure_url(case, 1, as_of="2024-01-31"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Both sides talk &lt;b&gt;directly&lt;/b&gt;." in content
    assert "Talks moved measure 1 for PAK." in content
    assert "recorded by builder" in content
    assert "agreed to de-escalate" in content  # the quoted passage
    source = measure.evidence.first().citation.source
    assert reverse("measures:source_detail", args=[case.slug, source.pk]) in content
    entries = response.context["entries"]
    # Newest first, numbered from the oldest; both parties' 17 January assessments were recorded together
    # (same rationale, citations and time): one entry naming both.
    assert [(e.number, e.party_names, e.assessment.effective_date) for e, _, _, _ in entries] == [
        (3, "Iran", D(2024, 1, 25)),
        (2, "Pakistan", D(2024, 1, 25)),
        (1, "Pakistan and Iran", D(2024, 1, 17)),
    ]
    assert [old for _, old, _, _ in entries] == ["Not initiated (0)", "Not initiated (0)", "Not yet assessed"]
    assert content.count("Strikes on measure 1.") == 1
    # Numbered once (the entry's number, not the list's markers too).
    assert '<span class="history-number">3.</span>' in content and 'history-number">4.' not in content
    assert 'value="3"' not in content


def test_measure_page_as_of_hides_later_assessments_and_evidence(reader_client, case):
    response = reader_client.get(measure_url(case, 1, as_of="2024-01-20"))
    content = response.content.decode()
    assert "Talks moved measure 1" not in content
    assert response.context["status"].joint_level == Level.NOT_INITIATED
    groups = dict(response.context["evidence_groups"])
    assert len(groups[Evidence.Stance.SETBACK]) == 1
    assert list(groups[Evidence.Stance.PROGRESS]) == []  # the talks of 22 January had not happened


def test_measure_page_groups_evidence_by_stance_and_lists_related_events(reader_client, case):
    response = reader_client.get(measure_url(case, 1, as_of="2024-01-31"))
    groups = dict(response.context["evidence_groups"])
    assert [len(groups[s]) for s in (Evidence.Stance.PROGRESS, Evidence.Stance.SETBACK, Evidence.Stance.CONTEXT)] == [
        1,
        1,
        0,
    ]
    titles = [event.title for event, _ in response.context["events"]]
    assert titles == ["Strike 1", "Talks 1"]
    content = response.content.decode()
    assert "Shows progress (1)" in content and "Shows setback (1)" in content


def test_measure_page_draws_one_step_chart_per_party_ending_at_the_level_in_force(reader_client, case):
    response = reader_client.get(measure_url(case, 1, as_of="2024-01-31"))
    charts = response.context["level_charts"]
    assert [chart.party.code for chart in charts] == ["IRN", "PAK"]
    assert [chart.current.level for chart in charts] == [Level.MINIMAL, Level.INTERMEDIATE]
    assert [step.level for step in charts[1].steps] == [Level.NOT_ASSESSED, Level.NOT_INITIATED, Level.INTERMEDIATE]
    assert response.content.decode().count('class="level-chart-svg"') == 2


def test_a_correction_on_the_same_day_replaces_the_earlier_assessment(reader_client, case):
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    earlier = measure.assessments.get(party=pak, effective_date=D(2024, 1, 25))
    factories.AssessmentFactory(
        measure=measure, party=pak, level=Level.FULL, effective_date=D(2024, 1, 25), corrects=earlier
    )
    response = reader_client.get(measure_url(case, 1, as_of="2024-01-31"))
    chart = response.context["level_charts"][1]
    assert chart.current.level == Level.FULL
    assert response.context["status"].cell_for(pak).level == Level.FULL
    content = response.content.decode()
    assert "corrects <a" in content and "the assessment effective 25 Jan 2024" in content
    entries = response.context["entries"]
    superseded = next(e for e, _, _, _ in entries if e.assessment.pk == earlier.pk)
    assert superseded.first.is_superseded and "Superseded" in content
    correction = next(e for e, _, _, _ in entries if e.first.is_correction)
    # Compared with the level it replaces (the corrected assessment's), not the one before that.
    assert correction.first.old_level == earlier.level
    assert correction.first.changes_level is (earlier.level != Level.FULL)


def test_unknown_measure_number_is_404(reader_client, case):
    assert reader_client.get(measure_url(case, 99)).status_code == 404


def test_bad_as_of_is_a_message_on_the_measure_page(reader_client, case):
    response = reader_client.get(measure_url(case, 1, as_of="2024-13-01"))
    assert response.status_code == 200
    assert "“As of” must be a date written YYYY-MM-DD" in response.content.decode()


@pytest.mark.parametrize("scale", [1, 4])
def test_measure_page_query_count_does_not_grow(reader_client, django_assert_max_num_queries, scale):
    case = build_case(scale)
    measure = case.measures.get(number=1)
    # More history on the measure itself, too.
    for day in range(scale):
        factories.AssessmentFactory(measure=measure, level=Level.MINIMAL, effective_date=D(2024, 1, 26 + day % 4))
    with django_assert_max_num_queries(21):  # the measure, then its state, then its commitments (5)
        response = reader_client.get(measure_url(case, 1, as_of="2024-01-31"))
    assert response.status_code == 200
