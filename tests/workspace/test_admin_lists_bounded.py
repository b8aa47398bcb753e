"""The workspace's lists show a page of 25 rows and search cases and parties as one types, so that a
list of a large organisation costs what one page shows; the review queue counts what waits once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.helpers import commit_in
from workspace.admin.base import LIST_PER_PAGE


@pytest.fixture
def analyst(client, db):
    client.force_login(factories.analyst(username="analyst"))
    return client


def changelist(client, model_name, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:measures_{model_name}_changelist"), params or {})
    assert response.status_code == 200
    return response, len(queries)


def test_a_list_holds_a_page_of_rows_and_links_to_the_next(analyst, db):
    case = factories.CaseFactory()
    for n in range(LIST_PER_PAGE + 1):
        factories.EventFactory(case=case, title=f"Listed event {n}")
    response, _ = changelist(analyst, "event")
    assert len(response.context["cl"].result_list) == LIST_PER_PAGE == 25
    assert "?p=2" in response.content.decode()
    second, _ = changelist(analyst, "event", {"p": 2})
    assert len(second.context["cl"].result_list) == 1


@pytest.mark.parametrize(
    ("model_name", "parameter", "row_case"),
    [
        ("event", "case__id__exact", lambda event: event.case_id),
        ("citation", "case__id__exact", lambda citation: citation.case_id),
        ("evidence", "measure__case__id__exact", lambda evidence: evidence.measure.case_id),
    ],
)
def test_a_list_searches_the_case_instead_of_listing_every_case(analyst, db, model_name, parameter, row_case):
    cases = [factories.CaseFactory(name=name) for name in ("Listed Alpha", "Listed Bravo", "Listed Charlie")]
    for case in cases:
        factories.EvidenceFactory(
            measure=factories.MeasureFactory(case=case),
            citation=factories.CitationFactory(case=case, event=factories.EventFactory(case=case)),
        )
    response, _ = changelist(analyst, model_name)
    page = response.content.decode()
    assert "Listed Bravo</a></li>" not in page  # no case listed in the sidebar
    assert f'name="{parameter}"' in page and "js/autocomplete-filter.js" in page

    # The admin's own parameter still filters (the links to a case's rows), and keeps the choice.
    response, _ = changelist(analyst, model_name, {parameter: cases[1].pk})
    assert {row_case(row) for row in response.context["cl"].result_list} == {cases[1].pk}
    assert f'<option value="{cases[1].pk}" selected>' in response.content.decode()
    # Without JavaScript the filter cannot search: the search box finds the rows by the case's name.
    searched, _ = changelist(analyst, model_name, {"q": "Charlie"})
    assert {row_case(row) for row in searched.context["cl"].result_list} == {cases[2].pk}


def test_the_event_list_searches_actors_instead_of_listing_every_party(analyst, db):
    case = factories.CaseFactory()
    parties = [factories.PartyFactory(name=f"Listed party {i}") for i in range(3)]
    events = [factories.EventFactory(case=case) for _ in parties]
    for event, party in zip(events, parties, strict=True):
        event.actors.add(party)
    response, _ = changelist(analyst, "event")
    page = response.content.decode()
    assert "Listed party 1</a></li>" not in page
    assert 'name="actors__id__exact"' in page
    response, _ = changelist(analyst, "event", {"actors__id__exact": parties[2].pk})
    assert list(response.context["cl"].result_list) == [events[2]]


@pytest.mark.parametrize("value", ["x", "-5", "99999999999999999999"])
def test_a_case_filter_refuses_what_is_not_an_id(analyst, db, value):
    for model_name, parameter in (("event", "case__id__exact"), ("evidence", "measure__case__id__exact")):
        response = analyst.get(reverse(f"admin:measures_{model_name}_changelist"), {parameter: value})
        assert response.status_code == 302 and "e=1" in response.url


def test_commitments_and_notifications_search_the_case(client, db):
    client.force_login(factories.administrator(username="admin"))
    for i in range(3):
        factories.CaseFactory(name=f"Listed case {i}")
    for model_name in ("commitment", "notification"):
        page = changelist(client, model_name)[0].content.decode()
        assert "Listed case 1</a></li>" not in page
        assert 'name="case__id__exact"' in page


def _pending_work(cases, authors, done=()):
    """One assessment awaiting review and one approved for each (case, author) pair not in `done`."""
    for case in cases:
        for author in authors:
            if (case, author) in done:
                continue
            measure = factories.MeasureFactory(case=case)
            factories.AssessmentFactory(measure=measure, recorded_by=author, approved=False)
            factories.AssessmentFactory(measure=measure, recorded_by=author)  # approved: not waiting


def test_the_review_queue_counts_what_waits_once_whatever_the_number_of_cases_and_authors(client, db):
    reviewer = factories.reviewer(username="reviewer")
    client.force_login(reviewer)
    url = reverse("admin:measures_assessment_review")
    cases, authors, counts = [], [], []
    for n in (1, 4):
        done = {(case, author) for case in cases for author in authors}
        cases += [factories.CaseFactory(name=f"Case {i}") for i in range(len(cases), n)]
        authors += [factories.analyst(username=f"author-{i}") for i in range(len(authors), n)]
        _pending_work(cases, authors, done)
        client.get(url)  # the session and the site's caches, once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
        assert response.context["total"] == n * n
        assert set(response.context["cases"]) == set(cases)
        assert response.context["batches"] == [(author, n) for author in authors]
        # Filtered by a case and an author: the figures follow the filters.
        one = client.get(url, {"case": cases[0].pk, "author": authors[0].pk})
        assert one.context["total"] == 1 and one.context["batches"] == []
        by_case = client.get(url, {"case": cases[0].pk})
        assert by_case.context["total"] == n
        assert by_case.context["batches"] == [(author, 1) for author in authors]
    assert counts[0] == counts[1]


def test_the_review_queue_leaves_the_reviewers_own_work_out_of_the_batches(client, db, settings):
    reviewer = factories.reviewer(username="reviewer")
    other = factories.analyst(username="other")
    client.force_login(reviewer)
    case = factories.CaseFactory()
    _pending_work([case], [reviewer, other])
    url = reverse("admin:measures_assessment_review")
    settings.ALLOW_SELF_APPROVAL = False
    response = client.get(url)
    assert response.context["total"] == 2
    assert response.context["batches"] == [(other, 1)]
    settings.ALLOW_SELF_APPROVAL = True
    assert client.get(url).context["batches"] == [(other, 1), (reviewer, 1)]


@pytest.mark.parametrize(
    ("model_name", "query", "said"),
    [
        ("event", "case__id__exact=x", "filtered by “case__id__exact=x” (“x” is not the id of a record)"),
        ("evidence", "measure__case__id__exact=-5", "filtered by “measure__case__id__exact=-5”"),
        ("event", "actors__id__exact=%00", "filtered by “actors__id__exact=&lt;U+0000&gt;”"),
        ("source", "nonsense=1", "filtered by “nonsense=1”"),
        ("source", "published_on__year=0", "filtered by “published_on__year=0”"),
        ("assessment", "kind__exact=zzz", "filtered by “kind__exact=zzz”"),
        ("commitment", "case__id__exact=abc", "filtered by “case__id__exact=abc”"),
    ],
)
def test_a_refused_filter_is_named_on_the_unfiltered_list_shown_instead(analyst, db, model_name, query, said):
    """Django shows the whole list at ?e=1 without a word; the analyst is told it is not the filtered one."""
    response = analyst.get(f"{reverse(f'admin:measures_{model_name}_changelist')}?{query}&o=1&q=")
    assert response.status_code == 302 and response.url.endswith("?e=1")
    page = analyst.get(response.url)
    text = page.content.decode()
    assert page.status_code == 200
    assert f"This list cannot be {said}" in text and "it is shown unfiltered." in text
    assert "o=1" not in text.split("cannot be", 1)[1].split("unfiltered", 1)[0]  # sorting and search are not filters


def test_the_review_queue_goes_through_the_assessments_once_for_its_figures_and_its_page(client, db):
    """Every assessment is looked at once (what waits, oldest first, as ids): the page's assessments are
    then read by id, not by a second pass over every assessment."""
    reviewer = factories.reviewer(username="reviewer")
    client.force_login(reviewer)
    cases = [factories.CaseFactory(name=f"Case {i}") for i in range(2)]
    _pending_work(cases, [factories.analyst(username=f"author-{i}") for i in range(2)])
    url = reverse("admin:measures_assessment_review")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    passes = [q["sql"] for q in queries if 'FROM "measures_review"' in q["sql"] and " IN (" not in q["sql"]]
    assert len(passes) == 1, passes
    assert response.context["total"] == 4
    assert len(response.context["items"]) == 4


@pytest.mark.parametrize("extra", [0, LIST_PER_PAGE + 5])
def test_the_commitment_list_sorts_narrow_rows_in_as_many_queries_however_many(client, db, extra):
    """The list sorts every commitment to show a page: sorted alone (not joined to their cases', measures'
    and anchor events' texts), the page's related rows read after it by id, as many queries however many."""
    client.force_login(factories.administrator(username="admin"))
    case = factories.CaseFactory(summary="A long summary of the case.")
    event = factories.EventFactory(case=case, title="The talks", date=datetime.date(2024, 1, 5))
    measure, citation = factories.MeasureFactory(case=case, number=1), factories.CitationFactory(case=case)
    world = (case, measure, citation, factories.analyst(username="analyst"))
    commit_in(world, "Talks resume", due_precision="after_event", anchor_event=event, within_days=10)
    for n in range(extra):
        commit_in(world, f"Step {n}", due_precision="day", due_on=datetime.date(2024, 2, 1))
    response, _ = changelist(client, "commitment")
    # Its due label reads the anchor event fetched after the sort (found by its text: where a date-less
    # commitment sorts among dated ones differs between databases).
    searched = changelist(client, "commitment", {"q": "Talks resume"})[0].content.decode()
    assert "within 10 days of The talks (by 15 Jan 2024)" in searched
    assert len(response.context["cl"].result_list) == min(1 + extra, LIST_PER_PAGE)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:measures_commitment_changelist"))
    sorted_rows = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and 'FROM "measures_commitment"' in q["sql"]]
    assert sorted_rows and all('"measures_case"."summary"' not in sql for sql in sorted_rows)
    assert len(queries) <= 8


def test_a_refused_filter_is_said_in_plain_words_and_a_long_value_shortened(analyst, db):
    url = reverse("admin:measures_event_changelist")
    page = analyst.get(f"{url}?foo=1", follow=True).content.decode()
    assert "(this list has no such filter)" in page and "Cannot resolve keyword" not in page
    page = analyst.get(f"{url}?date__year=abc", follow=True).content.decode()
    assert "(the value does not fit this filter)" in page and "expected a number" not in page
    page = analyst.get(f"{url}?kind={'x' * 3000}&foo=1", follow=True).content.decode()
    assert "x" * 3000 not in page and "…”" in page


def test_a_refused_filter_beside_e_1_goes_to_the_unfiltered_list_with_its_message(analyst, db):
    """Django renders its "Database error" page for a refused filter at `?e=1`; the message then showed
    on the next list the analyst opened, which was neither filtered nor refused."""
    url = reverse("admin:measures_event_changelist")
    response = analyst.get(f"{url}?foo=1&e=1")
    assert response.status_code == 302 and response.url == f"{url}?e=1"
    page = analyst.get(response.url).content.decode()
    assert "This list cannot be filtered by “foo=1”" in page
    assert "cannot be filtered" not in analyst.get(reverse("admin:measures_source_changelist")).content.decode()


@pytest.mark.parametrize(("query", "said"), [("case=abc", "No case has the id “abc”"), ("author=999999", "No account")])
def test_the_review_queue_says_a_filter_that_names_nothing(client, db, query, said):
    """The tester's B8-8: `?case=abc` showed the whole queue without a word."""
    client.force_login(factories.reviewer(username="reviewer"))
    page = client.get(f"{reverse('admin:measures_assessment_review')}?{query}").content.decode()
    assert said in page and "the queue is shown for every" in page
