"""Bad parameters get a 400 problem naming the parameter, never a server error: dates, cursors, page
sizes, unknown parameters, by hand and fuzzed (Hypothesis, bounded and derandomized: FUZZ_EXAMPLES)."""

import base64
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import examples

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 8)
FUZZ = settings(
    max_examples=examples(EXAMPLES * 5),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASE = "/api/v1/cases/pakistan-iran-2024"
LISTS = {
    f"{BASE}/measures/": ("as_of", "since", "known_on"),
    f"{BASE}/measures/3/": ("as_of", "since", "known_on"),
    f"{BASE}/assessments/": ("as_of", "known_on", "cursor", "page_size", "updated_since", "measure", "party"),
    f"{BASE}/events/": ("as_of", "known_on", "cursor", "page_size", "updated_since"),
    f"{BASE}/sources/": ("as_of", "known_on", "cursor", "page_size", "updated_since"),
    f"{BASE}/citations/": ("as_of", "known_on", "cursor", "page_size", "updated_since"),
    f"{BASE}/evidence/": ("as_of", "known_on", "cursor", "page_size", "updated_since"),
    f"{BASE}/parties/": ("cursor", "page_size", "updated_since"),
    f"{BASE}/deleted/": ("cursor", "page_size", "updated_since"),
    f"{BASE}/package.zip": ("as_of", "known_on"),
    "/api/v1/cases/": ("cursor", "page_size", "updated_since"),
}
NASTY = [
    "",
    " ",
    "x",
    "0",
    "-1",
    "1.5",
    "1e3",
    "99999999999999999999",
    "2024-02-30",
    "2024-13-01",
    "24-01-20",
    "2024-1-2",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2024-01-20T00:00:00",
    "2024-01-20T00:00:00Z",
    "1705708800",
    "\x00",
    "é",
    "١٢",
    "eyJsaXN0IjoiZXZlbnRzIiwiYWZ0ZXIiOlsxXX0",  # an events cursor
    "eyJsaXN0IjoiZXZlbnRzIiwiYWZ0ZXIiOlsieCJdfQ",  # a cursor holding the wrong type
    "%%%",
    "x" * 400,
]


def problem(answer, parameter):
    assert answer.status_code == 400, (answer.status_code, answer.content[:300])
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.data["status"] == 400 and answer.data["type"].endswith("#problem-invalid-parameter")
    named = [error["parameter"] for error in answer.data["errors"]]
    assert parameter in named, named
    return next(error["detail"] for error in answer.data["errors"] if error["parameter"] == parameter)


@pytest.mark.parametrize(
    ("parameter", "value", "says"),
    [
        ("as_of", "2024-02-30", "is not a day that exists (YYYY-MM-DD); “2024-02-30” was given"),
        ("as_of", "20 January 2024", "must be a date written YYYY-MM-DD, e.g. 2024-01-20"),
        ("as_of", "1899-12-31", "cannot be before 1900"),
        ("as_of", "2999-01-01", "cannot be more than a year in the future"),
        ("as_of", "2023-12-31", "is before the case began (16 Jan 2024)"),
        ("since", "2024-01-25", "cannot be after the as-of date (2024-01-20)"),
        ("known_on", "yesterday", "must be a date written YYYY-MM-DD"),
        ("asof", "2024-01-20", "is not a parameter of this address (it takes: as_of, known_on, since)"),
    ],
)
def test_bad_dates_and_unknown_parameters_are_named(pakistan_iran, api, reader_token, parameter, value, says):
    params = {"as_of": "2024-01-20"} if parameter in ("since",) else {}
    answer = api.get(f"{BASE}/measures/", token=reader_token, **params, **{parameter: value})
    assert says in problem(answer, parameter)


@pytest.mark.parametrize(
    ("parameter", "value", "says"),
    [
        ("page_size", "0", "must be from 1 to 1000"),
        ("page_size", "1001", "must be from 1 to 1000"),
        ("page_size", "ten", "must be a whole number from 1 to 1000"),
        ("cursor", "not-a-cursor", "is not a cursor of this list"),
        ("cursor", "eyJsaXN0IjoiZXZlbnRzIiwiYWZ0ZXIiOlsxXX0", "is not a cursor of this list"),  # another list's
        ("updated_since", "2024-01-20T10:00:00", "needs a time zone"),
        ("updated_since", "last week", "must be an ISO 8601 date and time with a time zone"),
        ("measure", "0", "must be a measure's number"),
        ("party", "pak", "must be a party's code"),
        ("fields", "level", "is not a parameter of this address"),
    ],
)
def test_bad_paging_and_filters_are_named(pakistan_iran, api, reader_token, parameter, value, says):
    answer = api.get(f"{BASE}/assessments/", token=reader_token, **{parameter: value})
    assert says in problem(answer, parameter)


def test_every_problem_is_listed_at_once(pakistan_iran, api, reader_token):
    answer = api.get(f"{BASE}/events/", token=reader_token, as_of="x", page_size="0", bogus="1")
    assert answer.status_code == 400
    assert [error["parameter"] for error in answer.data["errors"]] == ["bogus"]  # unknown names come first
    answer = api.get(f"{BASE}/events/", token=reader_token, as_of="x", page_size="0")
    assert sorted(error["parameter"] for error in answer.data["errors"]) == ["as_of", "page_size"]
    assert "`as_of` must be a date" in answer.data["detail"] and "`page_size` must be from 1" in answer.data["detail"]


def test_a_bad_path_number_is_a_problem_too(pakistan_iran, api, reader_token):
    for address in (f"{BASE}/measures/0/", f"{BASE}/measures/99999999/", f"{BASE}/events/99999999999999999999999/"):
        answer = api.get(address, token=reader_token)
        assert answer.status_code in (400, 404) and answer["Content-Type"] == "application/problem+json", address


@FUZZ
@given(
    address=st.sampled_from(sorted(LISTS)),
    data=st.data(),
)
def test_fuzzed_parameters_get_an_answer_or_a_problem_never_a_server_error(
    pakistan_iran, api, reader_token, address, data
):
    names = st.sampled_from([*LISTS[address], "bogus", "as_of", "cursor"])
    values = st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
    params = data.draw(st.dictionaries(names, values, max_size=4))
    answer = api.get(address, token=reader_token, **params)
    assert answer.status_code in (200, 400), (address, params, answer.status_code)
    if answer.status_code == 400:
        assert answer["Content-Type"] == "application/problem+json" and answer.data["errors"]


def test_a_forged_cursor_or_id_beyond_64_bits_is_a_problem_not_an_overflow(pakistan_iran, api, reader_token):
    forged = base64.urlsafe_b64encode(json.dumps({"list": "events", "after": [10**30]}).encode()).decode()
    assert "is not a cursor of this list" in problem(
        api.get(f"{BASE}/events/", token=reader_token, cursor=forged), "cursor"
    )
    answer = api.get(f"{BASE}/events/{10**30}/", token=reader_token)
    assert "must be a record's id" in problem(answer, "event_id")
