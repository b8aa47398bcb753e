"""The dashboard keeps what does not change between its renderings of one period (reading.caching): the
case's state, read from values, and the "What changed" and "Who lags" sections and its filters,
per data version and audience. Another sorting or filter of the same period reads no assessment, in
the same number of queries whatever the size of the case; the page is the one drawn afresh."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures import services
from reading.views import cases
from tests import factories
from tests.scenarios import build_case

PERIOD = "?as_of=2024-01-31&since=2024-01-20"


def _get(client, url):
    """A rendering, not the page cache's copy: the page cache answers only a browser with its CSRF cookie."""
    client.cookies.pop("csrftoken", None)
    response = client.get(url)
    assert response.status_code == 200
    return response


def _tables(queries):
    return {table for query in queries for table in re.findall(r'FROM "(\w+)"', query["sql"])}


def _without_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def test_another_rendering_of_the_period_reads_no_assessment_in_the_same_queries_at_any_size(db, client):
    client.force_login(factories.reader(username="reader"))
    counts = []
    for scale in (1, 4):
        case = build_case(scale, slug=f"crisis-{scale}")
        url = f"/cases/{case.slug}/{PERIOD}"
        _get(client, url)  # draws "What changed" (the state read with the changes' assessments), keeps both
        with CaptureQueriesContext(connection) as queries:
            page = _get(client, url + "&sort=-title")
        assert not _tables(queries) & {"measures_assessment", "measures_measure", "measures_citation"}
        assert "Who lags" in page.content.decode() and 'class="changes"' in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("kept_by", ["the first rendering", "a rendering from values"])
def test_the_page_from_the_kept_state_is_the_page_drawn_afresh(db, client, monkeypatch, kept_by):
    if kept_by == "a rendering from values":  # as when the first rendering's state was evicted
        monkeypatch.setattr(cases, "_levels_only", lambda state: None)
    client.force_login(factories.analyst(username="analyst"))
    case = build_case(2)
    for query in (PERIOD + "&sort=-direction", PERIOD + "&include_pending=1&level=minimal", "?sort=flags"):
        url = f"/cases/{case.slug}/{query}"
        fresh = _get(client, url)  # nothing kept for this period yet: every part read and drawn
        _get(client, url + "&party=")  # another rendering of the period
        with CaptureQueriesContext(connection) as queries:
            kept = _get(client, url)
        # (The team's review panel counts what awaits review: its own queries, on every rendering.)
        assert "measures_measure" not in _tables(queries)
        assert _without_token(kept) == _without_token(fresh)


def test_a_write_reads_the_state_again(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(1)
    url = f"/cases/{case.slug}/{PERIOD}"
    _get(client, url)
    _get(client, url)
    services.touch_cases([case.pk])  # what every write through the services does
    with CaptureQueriesContext(connection) as queries:
        _get(client, url + "&sort=-title")
    assert "measures_assessment" in _tables(queries)


def test_the_rows_download_of_a_kept_period_reads_no_assessment_and_lists_the_same_rows(db, client):
    client.force_login(factories.reader(username="reader"))
    case = build_case(2)
    url = f"/cases/{case.slug}/{PERIOD}&sort=-title"
    fresh = client.get(url + "&_export=csv").content  # nothing kept yet
    _get(client, f"/cases/{case.slug}/{PERIOD}")  # the page keeps the period's state
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url + "&_export=csv").content
    assert not _tables(queries) & {"measures_measure", "measures_assessment"}
    assert kept == fresh and kept.count(b"\n") == 1 + 6
