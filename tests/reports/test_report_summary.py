"""The status report is a summary: each measure quotes its newest passages (state.newest_evidence), up to
reports.build.QUOTED_PER_MEASURE, says how many it leaves to the measure page, and costs the same
number of queries whatever the number of passages."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Evidence
from measures.state import newest_evidence
from reports.build import QUOTED_PER_MEASURE, build_report
from tests import factories
from tests.scenarios import build_case

D = datetime.date
Stance = Evidence.Stance
FIRST_DAY = D(2024, 1, 2)


def add_passages(measure, count, *, first_day=FIRST_DAY, stance=Stance.PROGRESS, prefix="Passage"):
    """`count` passages of evidence for `measure`, one a day from `first_day`, each from its own source."""
    made = []
    for n in range(count):
        source = factories.SourceFactory(published_on=first_day + datetime.timedelta(days=n))
        citation = factories.CitationFactory(case=measure.case, source=source, quote=f"{prefix} {n + 1} of {count}.")
        made.append(factories.EvidenceFactory(measure=measure, citation=citation, stance=stance))
    return made


@pytest.fixture
def long_measure(db):
    """A measure with an old setback, then QUOTED_PER_MEASURE + 5 newer passages of progress."""
    case = factories.CaseFactory(start_date=D(2023, 12, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    setback = add_passages(measure, 1, first_day=D(2023, 12, 20), stance=Stance.SETBACK, prefix="Setback")
    progress = add_passages(measure, QUOTED_PER_MEASURE + 5)
    return measure, setback[0], progress


def test_newest_evidence_keeps_the_newest_and_the_newest_of_each_stance(long_measure):
    measure, setback, progress = long_measure
    chosen = newest_evidence([measure.pk], as_of=D(2024, 3, 1), limit=QUOTED_PER_MEASURE)[measure.pk]
    # Newest first: the QUOTED_PER_MEASURE newest progress passages, then the only setback, older.
    assert [item.pk for item in chosen] == [item.pk for item in reversed(progress)][:QUOTED_PER_MEASURE] + [setback.pk]


def test_newest_evidence_counts_by_the_as_of_date_and_puts_undated_passages_last(db):
    measure = factories.MeasureFactory(case=factories.CaseFactory())
    dated = add_passages(measure, 3, first_day=D(2024, 1, 10))
    undated_source = factories.SourceFactory(published_on=None)
    undated = factories.EvidenceFactory(
        measure=measure, citation=factories.CitationFactory(case=measure.case, source=undated_source)
    )
    chosen = newest_evidence([measure.pk], as_of=D(2024, 1, 11), limit=5)[measure.pk]
    # Dated 12 January: not yet evidence on the 11th. The undated one counts from its record date (today).
    assert [item.pk for item in chosen] == [dated[1].pk, dated[0].pk]
    chosen = newest_evidence([measure.pk], as_of=datetime.date.today(), limit=5)[measure.pk]
    assert [item.pk for item in chosen] == [dated[2].pk, dated[1].pk, dated[0].pk, undated.pk]


def test_newest_evidence_refuses_a_limit_below_one(db):
    with pytest.raises(ValueError, match="at least 1"):
        newest_evidence([1], as_of=D(2024, 1, 1), limit=0)


def test_the_report_quotes_the_newest_passages_and_says_how_many_more_are_on_the_measure_page(
    reader_client, long_measure
):
    measure, setback, progress = long_measure
    case = measure.case
    response = reader_client.get(reverse("measures:report", args=[case.slug]) + "?as_of=2024-03-01&since=2024-02-01")
    (section,) = response.context["report"].sections
    quoted = [quoted.evidence.pk for quoted in section.quotes]
    # Oldest first, as a section reads: the setback, then the newest passages of progress.
    assert quoted == [setback.pk] + [item.pk for item in progress[-QUOTED_PER_MEASURE:]]
    assert section.not_quoted == 5
    html = response.content.decode()
    for item in progress[:5]:
        assert item.citation.quote not in html
    measure_page = reverse("measures:measure_detail", args=[case.slug, measure.number])
    assert f'5 more passages of evidence on <a href="{measure_page}?as_of=2024-03-01&amp;since=2024-02-01"' in html
    assert f"it quotes in full the {QUOTED_PER_MEASURE} newest passages of evidence" in html
    package = reverse("measures:case_package", args=[case.slug])
    assert f'<a href="{package}?as_of=2024-03-01">data package</a>' in html


def test_a_measure_with_few_passages_quotes_them_all_and_names_nothing_left_out(reader_client, db):
    case = build_case(shared_passage=True)
    report = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 20))
    for section in report.sections:
        assert section.not_quoted == 0
        assert len(section.quotes) == section.status.citation_count
    html = reader_client.get(reverse("measures:report", args=[case.slug]) + "?as_of=2024-01-31").content.decode()
    assert "more passage" not in html


def report_queries(client, case):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("measures:report", args=[case.slug]) + "?as_of=2024-03-01&since=2024-02-01")
    assert response.status_code == 200
    return len(queries)


def test_the_report_costs_the_same_queries_whatever_the_number_of_passages(reader_client, db):
    """3 passages a measure, then 40: the same number of queries (the passages are chosen in SQL)."""
    parties = [factories.PartyFactory(), factories.PartyFactory()]
    first, small, large = (factories.CaseFactory(start_date=D(2023, 12, 1), assessed_parties=parties) for _ in "abc")
    for case, count in ((first, 3), (small, 3), (large, 40)):
        for number in (1, 2):
            measure = factories.MeasureFactory(case=case, number=number)
            add_passages(measure, count, stance=Stance.PROGRESS)
            add_passages(measure, 2, first_day=D(2023, 12, 5), stance=Stance.SETBACK, prefix="Setback")
    report_queries(reader_client, first)  # the first rendering of the process reads what it keeps
    assert report_queries(reader_client, large) == report_queries(reader_client, small)


def test_the_report_page_keeps_its_commitment_calendar_and_progress_chart_for_the_next_reader(client, pakistan_iran):
    """Drawn from the case's data and the report's dates alone, they are rendered once per data
    version and audience (reading.caching.fragments.cached_fragment); the next reader's page holds the same."""
    url = reverse("measures:report", args=[pakistan_iran.slug]) + "?as_of=2024-01-31&since=2024-01-15"
    pages = []
    for name in ("first-reader", "second-reader"):
        client.force_login(factories.reader(username=name))
        response = client.get(url)
        assert response.status_code == 200
        pages.append((response, {t.name for t in response.templates}))
    for partial in ("measures/partials/commitment_calendar.html", "measures/partials/progress_chart.html"):
        assert partial in pages[0][1]
        assert partial not in pages[1][1]
    assert (
        pages[0][0].content.count(b'class="progress-chart') == pages[1][0].content.count(b'class="progress-chart') > 0
    )
    calendars = [
        re.search(r'<section class="report-section" id="commitments">.*?</section>', r.content.decode(), re.S)
        for r, _ in pages
    ]
    assert calendars[0].group(0) == calendars[1].group(0)
    assert 'class="commitments-table"' in calendars[0].group(0)
