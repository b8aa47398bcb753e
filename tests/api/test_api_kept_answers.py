"""The API's measures of a case, computed once per data version and kept for every caller who may read
the case alike (api.conditional.kept): after the access check, approved judgements only, a refusal
never kept, a new answer after each approval."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures import services
from measures.models import Case
from measures.state import case as case_module
from tests import factories

D = datetime.date


def url(case):
    return f"/api/v1/cases/{case.slug}/measures/"


@pytest.fixture
def computed(monkeypatch):
    """How many times the case's state was computed for an answer."""
    calls = []
    real = case_module.case_state

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("api.endpoints.cases.case_state", spy)
    return calls


def record(case, rationale, level="full"):
    measure = case.measures.get(number=5)
    return services.record_assessment(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level=level,
        effective_date=D(2024, 1, 29),
        rationale=rationale,
        citations=[measure.evidence.first().citation],
        recorded_by=factories.analyst(username="author"),
    )


def rationales(response):
    return {party["rationale"] for measure in response.data["results"] for party in measure["parties"]}


def test_a_second_reader_gets_the_kept_answer_and_an_approval_makes_a_new_one(
    api, pakistan_iran, reader_token, computed
):
    other = services.create_api_token(user=factories.reader(username="other-reader"), name="other")[1]
    first = api.get(url(pakistan_iran), token=reader_token)
    assert first.status_code == 200 and computed == [1]
    second = api.get(url(pakistan_iran), token=other)
    assert second.data == first.data and computed == [1]
    assert second["ETag"] != first["ETag"]  # each caller's own
    pending = record(pakistan_iran, "Awaiting review (kept-answer test).")
    assert "Awaiting review (kept-answer test)." not in rationales(api.get(url(pakistan_iran), token=other))
    assert computed == [1]  # a recording awaiting review moves no data version, and shows in no answer
    services.approve_assessment(assessment=pending, reviewer=factories.reviewer(username="checker"))
    after = api.get(url(pakistan_iran), token=reader_token)
    assert computed == [1, 1] and "Awaiting review (kept-answer test)." in rationales(after)


def test_the_team_sees_approved_judgements_only_as_readers_do(api, pakistan_iran, reader_token, analyst_token):
    record(pakistan_iran, "Awaiting review (kept-answer test).")
    team = api.get(url(pakistan_iran), token=analyst_token)
    reader = api.get(url(pakistan_iran), token=reader_token)
    assert team.data == reader.data
    assert "Awaiting review (kept-answer test)." not in rationales(reader)


def test_an_answer_kept_for_readers_never_reaches_the_public_of_a_private_case(api, pakistan_iran, reader_token):
    assert api.get(url(pakistan_iran), token=reader_token).status_code == 200
    assert api.get(url(pakistan_iran)).status_code == 401
    nobody = services.create_api_token(user=factories.UserFactory(username="no-role"), name="none")[1]
    assert api.get(url(pakistan_iran), token=nobody).status_code == 403


def test_an_unpublished_case_is_refused_to_the_public_at_once(api, pakistan_iran, computed):
    pakistan_iran.visibility = Case.Visibility.PUBLISHED
    pakistan_iran.save()
    assert api.get(url(pakistan_iran)).status_code == 200
    assert api.get(url(pakistan_iran)).status_code == 200 and computed == [1]
    # Unpublished by a plain save (no data version moved): the access check comes first.
    Case.objects.filter(pk=pakistan_iran.pk).update(visibility=Case.Visibility.PRIVATE)
    pakistan_iran.refresh_from_db()
    pakistan_iran.save()  # the case's cached rows follow a save
    assert api.get(url(pakistan_iran)).status_code == 401


def test_a_refused_parameter_is_never_kept(api, pakistan_iran, reader_token):
    assert api.get(url(pakistan_iran), token=reader_token, as_of="2000-01-01").status_code == 400
    assert api.get(url(pakistan_iran), token=reader_token, as_of="2000-01-01").status_code == 400
    assert api.get(url(pakistan_iran), token=reader_token, as_of="2024-01-25").status_code == 200


def test_the_kept_answer_costs_fewer_queries(api, pakistan_iran, reader_token):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url(pakistan_iran), token=reader_token).status_code == 200
        return len(queries)

    assert count() > count()
