"""Every address of the API runs the same number of queries for a case ten times larger (and the case
list and the data packages for more cases), within a stated bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import kept_until_the_end
from tests.scenarios import build_case

# (address, most queries): the token's (1), the reader's permissions (2), the case's (1), then the list's own.
CASE_LIST = ("/api/v1/cases/", 7)
ADDRESSES = [
    ("/api/v1/cases/{slug}/", 5),
    ("/api/v1/cases/{slug}/parties/", 6),
    ("/api/v1/cases/{slug}/measures/?as_of=2024-01-29&since=2024-01-20", 10),
    ("/api/v1/cases/{slug}/measures/2/?as_of=2024-01-29", 11),
    ("/api/v1/cases/{slug}/assessments/", 8),
    ("/api/v1/cases/{slug}/events/", 6),
    ("/api/v1/cases/{slug}/events/{event}/", 6),
    ("/api/v1/cases/{slug}/sources/", 5),
    ("/api/v1/cases/{slug}/sources/{source}/", 5),
    ("/api/v1/cases/{slug}/citations/", 5),
    ("/api/v1/cases/{slug}/evidence/", 5),
    ("/api/v1/cases/{slug}/deleted/", 7),
    ("/api/v1/cases/{slug}/package.zip", 20),
]


def places(case):
    return {
        "slug": case.slug,
        "event": case.events.order_by("pk").first().pk,
        "source": case.citations.first().source_id,
    }


def queries(api, token, address):
    with CaptureQueriesContext(connection) as captured:
        answer = api.get(address, token=token)
    assert answer.status_code == 200, (address, answer.content[:300])
    return len(captured)


@pytest.fixture(scope="class")
def cases_at_two_sizes(django_db_setup, django_db_blocker):
    """(small, large): build_case at 1 and 10, built once for the tests of a class and rolled back after
    them (tests.helpers.kept_until_the_end)."""
    with kept_until_the_end(
        django_db_blocker, lambda: (build_case(1, slug="small"), build_case(10, slug="large"))
    ) as built:
        yield built


class TestEveryAddressOfACase:
    """The two cases are built once for the tests of this class, which only read them."""

    @pytest.mark.parametrize(("address", "most"), ADDRESSES, ids=[address for address, _ in ADDRESSES])
    def test_queries_do_not_grow_with_the_case(self, db, cases_at_two_sizes, api, reader_token, address, most):
        small, large = cases_at_two_sizes
        api.get("/api/v1/cases/", token=reader_token)  # the token's first use is noted once (an update)
        counted_small = queries(api, reader_token, address.format(**places(small)))
        counted_large = queries(api, reader_token, address.format(**places(large)))
        assert counted_small == counted_large <= most, (counted_small, counted_large)


def test_the_case_list_does_not_grow_with_the_cases(db, api, reader_token):
    address, most = CASE_LIST
    build_case(1, slug="small")
    api.get(address, token=reader_token)  # the token's first use is noted once (an update)
    counted_small = queries(api, reader_token, address)
    build_case(10, slug="large")
    counted_large = queries(api, reader_token, address)
    assert counted_small == counted_large <= most, (counted_small, counted_large)


@pytest.mark.parametrize("scale", [1, 10])
def test_the_package_of_every_case_runs_a_fixed_number_of_queries_per_case(db, api, reader_token, scale):
    build_case(1, slug="first")
    build_case(scale, slug="second")
    api.get("/api/v1/cases/", token=reader_token)
    assert queries(api, reader_token, "/api/v1/package.zip") == 36  # 6, then 15 per case (commitments: 1 when none)


def test_the_assessment_list_loads_the_citations_of_its_page_only(db, api, reader_token):
    # A large case's history was loaded with every assessment's citations and their sources, as model
    # objects, to show a page of it: most of the list's time at 100× the demo data.
    case = build_case(10, slug="large")
    api.get("/api/v1/cases/", token=reader_token)
    with CaptureQueriesContext(connection) as captured:
        answer = api.get(f"/api/v1/cases/{case.slug}/assessments/?page_size=2", token=reader_token)
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == 2 and all(row["citations"] for row in results)
    (citations,) = [q["sql"] for q in captured if "measures_assessmentcitation" in q["sql"]]
    shown = {str(row["id"]) for row in results}
    assert set(citations.split("IN (")[1].split(")")[0].replace(" ", "").split(",")) == shown


def test_the_measure_list_over_a_period_leaves_the_changes_citations_unloaded(db, api, reader_token):
    # It shows levels and directions, never the list of changes: loading the citations of every
    # assessment in force during the period took most of its time at 100× the demo data.
    case = build_case(3, slug="large")
    api.get("/api/v1/cases/", token=reader_token)
    with CaptureQueriesContext(connection) as captured:
        answer = api.get(f"/api/v1/cases/{case.slug}/measures/?as_of=2024-01-29&since=2024-01-16", token=reader_token)
    assert answer.status_code == 200
    assert {row["direction"] for row in answer.json()["results"]} - {None}
    cited = [q["sql"] for q in captured if "measures_assessmentcitation" in q["sql"]]
    # Only the newest date the levels in force cite (for "contested"), a subquery of their own query.
    assert len(cited) == 1 and "_prefetch_related_val_assessment_id" not in cited[0]
