"""A type's page across many cases: the figures across cases count every case, the cases' own
sections come CASES_PER_PAGE at a time, every case one click away, in the same number of queries
whatever the number of cases (reading/views/matrix.py: measure_type)."""

import re

import pytest
from django.urls import reverse

from measures.models import Assessment
from reading.views.matrix import CASES_PER_PAGE
from tests import factories
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
    return [entry["case"].name for entry in response.context["entries"]]


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
