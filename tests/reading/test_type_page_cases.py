"""A type's page across many cases: the figures across cases count every case, the cases' own
sections come CASES_PER_PAGE at a time, every case one click away, in the same number of queries
whatever the number of cases (reading/views/matrix.py: measure_type)."""

import re

import pytest
from django.urls import reverse

from measures import services
from measures.models import Assessment, Evidence
from reading.views.matrix import CASES_PER_PAGE
from tests import factories
from tests.helpers import type_page_entries, without_csrf_tokens
from tests.scenarios import compared_case

Level = Assessment.Level
URL = reverse("measures:measure_type", args=["ceasefire"])


def many_cases(count):
    cases = [
        compared_case(f"Case {n:02d}", history=[("AA", Level.MINIMAL, 2), ("BB", Level.MINIMAL, 3)])
        for n in range(count)
    ]
    for case in cases:
        factories.EvidenceFactory(measure=case.measures.get())
    return cases


def shown(response):
    return [item.comparison.case.name for item in response.context["items"]]


def test_the_figures_count_every_case_and_the_sections_are_paged(reader_client, db):
    cases = many_cases(CASES_PER_PAGE + 3)
    first = reader_client.get(URL)
    content = first.content.decode()
    assert len(shown(first)) == CASES_PER_PAGE
    assert f"{len(cases)} of {len(cases)}" in content  # reached minimal: every case, not the page's
    assert f"Cases 1–{CASES_PER_PAGE} of {len(cases)}" in content
    following = re.search(r'href="\?([^"]*)" rel="next"', content).group(1).replace("&amp;", "&")
    second = reader_client.get(f"{URL}?{following}")
    assert len(shown(second)) == 3
    assert sorted(shown(first) + shown(second)) == sorted(case.name for case in cases)


def test_the_pages_keep_the_dates(reader_client, db):
    many_cases(CASES_PER_PAGE + 1)
    content = reader_client.get(URL, {"as_of": "2024-06-30"}).content.decode()
    following = re.search(r'href="\?([^"]*)" rel="next"', content).group(1).replace("&amp;", "&")
    assert sorted(following.split("&")) == ["as_of=2024-06-30", "page=2"]


@pytest.mark.parametrize("number", ["x", "0", "99"])
def test_a_page_that_is_none_is_a_message_and_the_first_page(reader_client, db, number):
    many_cases(2)
    response = reader_client.get(URL, {"page": number})
    assert response.status_code == 200
    assert "showing the first page" in response.content.decode()
    assert len(shown(response)) == 2


@pytest.mark.parametrize("count", [1, CASES_PER_PAGE + 5])
def test_a_page_of_cases_takes_as_many_queries_however_many_cases(
    reader_client, db, django_assert_max_num_queries, count
):
    many_cases(count)
    reader_client.get(URL)  # the cases' columns computed and kept, the session read
    reader_client.cookies.pop("csrftoken", None)  # rendered anew, not answered from the page cache
    with django_assert_max_num_queries(9):
        assert reader_client.get(URL).status_code == 200


def test_the_cases_sections_are_kept_until_a_case_changes(reader_client, db, django_assert_max_num_queries):
    """Rendered again, each case's section comes from the rendering kept for the data version: no passage
    is read and the page is the same; evidence recorded since is shown."""
    cases = many_cases(3)
    first = reader_client.get(URL)
    assert len(type_page_entries(first)) == 3
    reader_client.cookies.pop("csrftoken", None)  # rendered anew, not answered from the page cache
    with django_assert_max_num_queries(5):  # the stamp, the type, the cases and their parties, the measures
        again = reader_client.get(URL)
    assert type_page_entries(again) == []
    assert without_csrf_tokens(again.content) == without_csrf_tokens(first.content)
    measure = cases[0].measures.get()
    total = next(e["total"] for e in type_page_entries(first) if e["case"] == cases[0])
    services.attach_evidence(
        measure=measure, citation=factories.CitationFactory(case=cases[0]), stance=Evidence.Stance.PROGRESS
    )
    reader_client.cookies.pop("csrftoken", None)
    after = type_page_entries(reader_client.get(URL))
    assert len(after) == 3  # every section again: the page's data version moved
    assert next(e["total"] for e in after if e["case"] == cases[0]) == total + 1
