"""Progress over time, per party and joint (issue 8, point 7): the series agrees with the dashboard's
figures on every day, costs a constant number of queries, and is drawn as SVG on the dashboard and in
the report."""

import datetime
import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from measures.state import Level, case_state, progress_series
from reading import charts
from reports.build import build_report
from reports.render import render_report_pdf
from tests import factories
from tests.helpers import PROPERTIES, START, build, days, histories, in_savepoint
from tests.scenarios import build_case

D = datetime.date
Level = Level


def day_range(first, last):
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def value_on(series, day):
    """The point in force on `day`: the series is a step function between its points."""
    return [point for point in series if point.date <= day][-1]


@pytest.mark.parametrize("scale", [1, 4])
def test_series_agrees_with_case_state_and_costs_constant_queries(db, django_assert_num_queries, scale):
    case = build_case(scale)
    with django_assert_num_queries(4):
        series = progress_series(case, start=D(2024, 1, 16), end=D(2024, 1, 31))
    # Event-driven: the start, each day an assessment took effect, the end.
    assert [p.date for p in series] == [D(2024, 1, 16), D(2024, 1, 17), D(2024, 1, 25), D(2024, 1, 31)]
    for day in day_range(D(2024, 1, 16), D(2024, 1, 31)):
        point, state = value_on(series, day), case_state(case, as_of=day)
        assert point.joint == state.progress, day
        assert [(party.pk, p) for party, p in point.parties] == [(party.pk, p) for party, p in state.party_progress]


def test_series_reuses_the_state_parties_and_measures_in_one_query(db, django_assert_num_queries):
    case = build_case(3)
    state = case_state(case, as_of=D(2024, 1, 31))
    with django_assert_num_queries(1):
        series = progress_series(
            case, end=state.as_of, parties=state.parties, measures=[row.measure for row in state.rows]
        )
    assert series[-1].joint == state.progress


@pytest.mark.parametrize("known_on", [None, D(2024, 1, 17), D(2024, 1, 20), D(2024, 1, 23)])
def test_pakistan_iran_series_agrees_with_the_dashboard_every_day_as_known_on(pakistan_iran, known_on):
    series = progress_series(pakistan_iran, known_on=known_on)
    assert series[0].date == D(2024, 1, 16) and series[-1].date == D(2024, 1, 29)  # closed: start to end date
    for day in day_range(D(2024, 1, 16), D(2024, 1, 29)):
        state = case_state(pakistan_iran, as_of=day, known_on=known_on)
        point = value_on(series, day)
        assert (point.joint, [p for _, p in point.parties]) == (state.progress, [p for _, p in state.party_progress])


def test_a_correction_replaces_the_corrected_level_from_the_day_it_was_recorded(db):
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    pak, irn = case.assessed_parties.order_by("name")
    measure = factories.MeasureFactory(case=case, number=1)
    citation = factories.CitationFactory(case=case)
    user = factories.analyst(username="corrector")

    def assess(party, level, recorded, corrects=None):
        return factories.AssessmentFactory(
            measure=measure,
            party=party,
            level=level,
            effective_date=D(2024, 1, 5),
            recorded_at=datetime.datetime(2024, 1, recorded, 12, tzinfo=datetime.UTC),
            recorded_by=user,
            citations=[citation],
            corrects=corrects,
        )

    wrong = assess(pak, Level.FULL, 5)
    assess(irn, Level.FULL, 5)
    assess(pak, Level.MINIMAL, 9, corrects=wrong)
    before = progress_series(case, end=D(2024, 1, 10), known_on=D(2024, 1, 8))
    after = progress_series(case, end=D(2024, 1, 10))
    assert before[-1].joint.percent == 100  # as known on 8 January: full for both
    assert after[-1].joint.percent == 33  # the correction (minimal) for Pakistan, joint is the lower


def test_a_party_the_measure_does_not_apply_to_is_left_out(db):
    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    a, b = case.assessed_parties.order_by("name")
    mediator = factories.PartyFactory(code="USA", name="United States")
    case.assessed_parties.add(mediator)
    talks = factories.MeasureFactory(case=case, number=1)
    talks.applicable_parties.set([a, b])
    citation = factories.CitationFactory(case=case)
    for party in (a, b):
        factories.AssessmentFactory(
            measure=talks, party=party, level=Level.FULL, effective_date=D(2024, 1, 2), citations=[citation]
        )
    point = progress_series(case, end=D(2024, 1, 3))[-1]
    assert point.joint.percent == 100
    assert dict((party.code, p.percent) for party, p in point.parties)["USA"] is None


@PROPERTIES
@given(history=histories, end=days, known=st.one_of(st.none(), days))
def test_every_point_equals_the_case_state_on_its_day(history_world, history, end, known):
    def check():
        build(history_world, history)
        case = history_world[0]
        end_date = START + datetime.timedelta(days=end)
        known_on = None if known is None else START + datetime.timedelta(days=known)
        series = progress_series(case, start=START, end=end_date, known_on=known_on)
        assert series[0].date == START and series[-1].date == end_date
        assert [p.date for p in series] == sorted({p.date for p in series})
        for point in series:
            state = case_state(case, as_of=point.date, known_on=known_on)
            assert point.joint == state.progress
            assert [p for _, p in point.parties] == [p for _, p in state.party_progress]

    in_savepoint(check)


def test_chart_draws_a_line_per_party_and_one_joint(db):
    case = build_case(1)
    chart = charts.progress_chart(progress_series(case, start=D(2024, 1, 16), end=D(2024, 1, 31)))
    assert [line.name for line in chart.lines] == ["Joint", "Iran", "Pakistan"]
    assert [line.last.percent for line in chart.lines] == [33, 33, 67]
    assert len({line.dash for line in chart.lines}) == 3  # told apart without colour
    # Nothing is scored on 16 January: each line starts on the 17th, at 0 %, and rises on the 25th.
    joint = chart.lines[0].path.split()
    assert joint[0].startswith("M") and float(joint[0][1:]) > chart.left
    assert len(chart.lines[0].dots) == 2  # 0 % from the 17th, 33 % from the 25th
    assert chart.description == (
        "Progress from 16 Jan 2024 to 31 Jan 2024: joint not scored to 33%; Iran not scored to 33%; "
        "Pakistan not scored to 67%."
    )


def test_no_chart_before_the_case_began(db):
    case = build_case(1)
    state = case_state(case, as_of=D(2024, 1, 10))
    assert charts.case_progress_chart(state) is None


def test_dashboard_shows_the_chart_with_its_figures(reader_client, db):
    case = build_case(1)
    content = reader_client.get(reverse("measures:dashboard", args=[case.slug]) + "?as_of=2024-01-31").content.decode()
    assert 'class="chart progress-chart"' in content
    assert "Progress over time" in content
    assert len(re.findall(r'<path class="progress-line"', content)) == 3
    assert "The chart’s figures as a table" in content
    assert re.search(r"<th scope=\"row\">25 Jan 2024</th><td class=\"number\">33%", content)


def test_dashboard_chart_follows_known_on(reader_client, pakistan_iran):
    url = reverse("measures:dashboard", args=[pakistan_iran.slug])
    # The chart drawn for the page (the dashboard keeps its drawing per data version and period).
    full = reader_client.get(url).context["chart"]
    early = reader_client.get(url + "?known_on=2024-01-20").context["chart"]
    assert full.points[-1].date == early.points[-1].date == D(2024, 1, 29)
    assert early.points[-1].joint != full.points[-1].joint


def test_report_shows_the_chart_in_its_summary(reader_client, pakistan_iran):
    url = reverse("measures:report", args=[pakistan_iran.slug]) + "?as_of=2024-01-29&since=2024-01-23"
    response = reader_client.get(url)
    content = response.content.decode()
    summary = content[content.index('id="summary"') : content.index('id="measures"')]
    assert 'class="chart progress-chart"' in summary
    assert "The chart’s figures as a table" not in summary  # the printed report has the chart only
    chart = response.context["report"].progress_chart
    assert chart.points[0].date == pakistan_iran.start_date and chart.points[-1].date == D(2024, 1, 29)


@pytest.mark.pdf
def test_the_pdf_draws_the_chart(pakistan_iran):
    import io

    from pypdf import PdfReader

    report = build_report(pakistan_iran, as_of=D(2024, 1, 29), since=D(2024, 1, 23))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_report_pdf(report))).pages)
    assert "Progress over time" in text
    assert "Joint: 56% Iran: 56% Pakistan: 56%" in re.sub(r"\s+", " ", text)
