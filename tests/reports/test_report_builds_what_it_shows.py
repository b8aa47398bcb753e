"""The report builds only what it shows: the levels' paths from values (only the assessments it names
are loaded), the commitments' statuses without the table's details when the table's rendering is
kept, the other cases compared from their values (none of their measures built), and the same
number of queries whatever the size of the case."""

import collections
import contextlib
import datetime
import re

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Assessment, Commitment
from measures.state import case_state, level_paths, newest_evidence, step_comparisons
from tests import factories
from tests.scenarios import COMPARED_START, build_case, compared_case

D = datetime.date
# The report drawn for the first time (one of them for the measures' evidence figures): see the last test.
QUERIES_DRAWN_FIRST = 29
Level = Assessment.Level


@contextlib.contextmanager
def objects_made():
    """A Counter of the model objects made inside the block, by model name."""
    made = collections.Counter()

    def count(sender, **kwargs):
        made[sender.__name__] += 1

    post_init.connect(count)
    try:
        yield made
    finally:
        post_init.disconnect(count)


def report_url(case, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("measures:report", args=[case.slug]) + (f"?{query}" if query else "")


@pytest.fixture
def long_history(db):
    """A measure assessed every day of December 2023 for one party (31 assessments), then reversed on
    10 January 2024 and restored on 20 January; the other party assessed once."""
    first, second = factories.PartyFactory(name="Aland"), factories.PartyFactory(name="Borduria")
    case = factories.CaseFactory(start_date=D(2023, 12, 1), assessed_parties=[first, second])
    measure = factories.MeasureFactory(case=case, number=1)
    levels = [Level.MINIMAL, Level.INTERMEDIATE]
    for day in range(1, 32):
        factories.AssessmentFactory(
            measure=measure, party=first, level=levels[day % 2], effective_date=D(2023, 12, day), citations=[]
        )
    factories.AssessmentFactory(measure=measure, party=second, level=Level.FULL, effective_date=D(2023, 12, 1))
    for level, day in ((Level.REVERSED, 10), (Level.FULL, 20)):
        factories.AssessmentFactory(measure=measure, party=first, level=level, effective_date=D(2024, 1, day))
    return case, measure, first


def test_the_state_of_a_period_loads_only_the_assessments_its_paths_name(long_history):
    """Over 5–31 January: the baseline of each party (31 December's, 1 December's), the two changes of
    the period, and the two in force (one of them a change): five objects, not the 34 on record;
    the paths are those `level_paths` reads from every assessment as objects."""
    case, measure, first = long_history
    with objects_made() as made:
        state = case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 5), details=False)
    assert made["Assessment"] == 4  # the in-force Full of the first party is its last change
    expected = level_paths(case, since=D(2024, 1, 5), as_of=D(2024, 1, 31))[measure.pk]
    row = state.rows[0]
    assert row.path.joint == expected.joint
    for party, path, _ in expected.parties:
        got = row.path.of(party)
        assert [(s.date, s.level, s.old_level, s.assessment.pk) for s in got.changes] == [
            (s.date, s.level, s.old_level, s.assessment.pk) for s in path.changes
        ]
        assert got.baseline == path.baseline
        assert got.baseline_assessment.pk == path.baseline_assessment.pk
    cell = next(cell for cell in row.cells if cell.party == first)
    assert cell.assessment.level == Level.FULL
    assert [s.level for s in cell.path.changes] == [Level.REVERSED, Level.FULL]
    # Citations come loaded with every assessment read (for the notes and the changes' grouping).
    assert all("citations" in s.assessment._prefetched_objects_cache for s in cell.path.changes)


def test_step_comparisons_build_none_of_the_other_cases_measures(db):
    """The other cases are compared from their kept values (the first day each reached a level): only
    the case's own measures are built, and the verdict is the same."""
    quick = compared_case("Quick", history=[("AA", Level.MINIMAL, 1), ("BB", Level.MINIMAL, 1)])
    others = [
        compared_case(name, history=[("AA", Level.MINIMAL, days), ("BB", Level.MINIMAL, days)])
        for name, days in (("Five", 5), ("Ten", 10), ("Twenty", 20))
    ]
    with objects_made() as made:
        found = step_comparisons(quick, [quick, *others], as_of=COMPARED_START + datetime.timedelta(days=30))
    assert made["Measure"] == 1
    assert [(c.level, c.days, c.verdict, c.others.shortest, c.others.longest) for c in found] == [
        (Level.MINIMAL, 1, "faster", 5, 20)
    ]


def test_the_report_reads_the_commitments_table_only_when_it_draws_it(client, pakistan_iran):
    """The first reader's page draws the commitment calendar's table (who stated each commitment, the
    citations of its outcome, per party); the next reader's page takes the kept table and reads the
    commitments' statuses only, for the key judgements' sentence and the timeline's due dates."""
    assert Commitment.objects.filter(case=pakistan_iran).exists()
    url = report_url(pakistan_iran, as_of="2024-01-31", since="2024-01-15")
    pages = []
    for name in ("first-reader", "second-reader"):
        client.force_login(factories.reader(username=name))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        pages.append((response.content.decode(), [q["sql"] for q in queries.captured_queries]))
    (first_page, first_sql), (second_page, second_sql) = pages
    assert any("measures_commitment_parties" in sql for sql in first_sql)
    assert not any("measures_commitment_parties" in sql for sql in second_sql)
    assert len(second_sql) < len(first_sql)
    # The sentence and the due dates, read from the statuses alone, are the same on both pages.
    for pattern in (r'<p class="commitment-sentence">.*?</p>', r"<title>Due .*?</title>"):
        assert re.findall(pattern, first_page, re.S) == re.findall(pattern, second_page, re.S)
    assert re.findall(r"<title>Due .*?</title>", second_page)


@pytest.mark.parametrize("scale", [1, 4])
def test_the_report_costs_the_same_queries_at_one_and_four_times_the_case(
    reader_client, django_assert_num_queries, scale
):
    """Drawn for the first time (nothing kept): the case, the reader and their permissions (4), every
    case's data version, the state over the period (6), the quoted evidence (2), the events of the
    period with their actors and sources (3), the commitments' statuses, the steps announced for
    later, the events for the summary, when it was last reviewed, the comparison with the other cases
    (6), then the table of commitments and the progress chart, drawn (2; the case has no commitment).
    The same number at four times the size."""
    case = build_case(scale, shared_passage=True)
    with django_assert_num_queries(QUERIES_DRAWN_FIRST):
        response = reader_client.get(report_url(case, as_of="2024-01-31", since="2024-01-20"))
    assert response.status_code == 200
    assert len(response.context["report"].sections) == 3 * scale


def test_the_newest_evidence_of_a_case_s_measures_is_the_same_when_the_case_is_given(pakistan_iran):
    """The report names the case to `newest_evidence` (its citations only are read): the same choice."""
    ids = list(pakistan_iran.measures.values_list("pk", flat=True))
    for as_of, limit in ((D(2024, 1, 20), 2), (D(2024, 1, 29), 3)):
        plain = newest_evidence(ids, as_of=as_of, limit=limit)
        named = newest_evidence(ids, as_of=as_of, limit=limit, case=pakistan_iran)
        assert {pk: [item.pk for item in items] for pk, items in named.items()} == {
            pk: [item.pk for item in items] for pk, items in plain.items()
        }
        assert any(len(items) == limit for items in plain.values())
