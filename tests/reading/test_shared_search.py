"""A reader's search through the page cache (reading.views.search._shared_search): one rendering per data
version, audience and page permissions, shared by readers and personalised per answer, that never
shows a reader a rationale awaiting review, another reader's name, the team's page, or the library
to an account that does not find it."""

import datetime

import pytest
from django.urls import reverse

from measures import search, services
from measures.models import Assessment
from reading.caching.shared import sentinels
from tests import factories
from tests.helpers import without_csrf_tokens

URL = reverse("measures:search")
WORD = "heliograph"  # in no other text of the tests' data


@pytest.fixture
def world(db):
    case = factories.CaseFactory(name="Crisis A", slug="crisis-a", start_date=datetime.date(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1, title="Ceasefire")
    source = factories.SourceFactory(full_text=f"Both sides agreed on a {WORD} line.")
    search.index([source])
    citation = services.create_citation(case=case, source=source, quote=f"a {WORD} line")
    return {"case": case, "measure": measure, "citation": citation}


def signed_in(client, user):
    client.force_login(user)
    client.get(reverse("login"))  # the CSRF cookie, as a browser has it: the page cache may answer
    return client


def pending(world, rationale):
    measure = world["measure"]
    return services.record_assessment(
        measure=measure,
        party=measure.case.assessed_parties.first(),
        level=Assessment.Level.MINIMAL,
        rationale=rationale,
        citations=[world["citation"]],
        evidence_stance="progress",
        recorded_by=factories.analyst(username="author"),
        effective_date=datetime.date(2024, 1, 5),
    )


def get(client, **query):
    response = client.get(URL, {"q": WORD, **query})
    assert response.status_code == 200
    return response, response.content.decode()


def test_a_second_reader_is_answered_from_the_cache_under_their_own_name(world, client):
    signed_in(client, factories.reader(username="first-reader", is_staff=False))
    response, _ = get(client)
    assert response["X-Page-Cache"] == "miss"
    signed_in(client, factories.reader(username="second-reader", is_staff=False))
    response, page = get(client)
    assert response["X-Page-Cache"] == "hit" and not response.templates
    assert '<span class="user-name">second-reader</span>' in page
    assert "first-reader" not in page and not any(marker in page for marker in sentinels())


def test_a_rationale_awaiting_review_never_reaches_a_readers_cached_search(world, client):
    """The team searches first (its page lists the rationale awaiting review), then a reader, then the
    reviewer approves it: the reader sees it only then."""
    pending_one = pending(world, f"The {WORD} line holds (awaiting review).")
    team = signed_in(client, factories.analyst(username="an-analyst"))
    _, page = get(team)
    assert "awaiting review" in page  # the team finds it
    reader = signed_in(client, factories.reader(username="a-reader", is_staff=False))
    _, page = get(reader)
    assert "awaiting review" not in page
    _, page = get(reader)  # from the cache now
    assert "awaiting review" not in page
    pending(world, f"A second {WORD} judgement (still awaiting).")  # moves no data version
    response, page = get(reader)
    assert response["X-Page-Cache"] == "hit" and "still awaiting" not in page
    services.approve_assessment(assessment=pending_one, reviewer=factories.reviewer(username="checker"))
    response, page = get(reader)
    assert response["X-Page-Cache"] == "miss"  # the approval moved the data version
    assert "awaiting review" in page and "still awaiting" not in page


def test_the_team_is_never_answered_from_a_readers_rendering(world, client):
    signed_in(client, factories.reader(username="a-reader", is_staff=False))
    get(client)
    get(client)
    pending(world, f"The {WORD} line holds (awaiting review).")
    signed_in(client, factories.analyst(username="an-analyst"))
    response, page = get(client)
    assert "awaiting review" in page and response.get("X-Page-Cache") is None


def test_the_library_is_shown_only_to_the_accounts_that_find_it(world, client):
    """A source no case cites is found by a reader with the workspace (staff status) only: a reader
    without it, answered after, never gets that rendering; a source added to the library makes the
    next search of a reader with the workspace new."""
    uncited = factories.SourceFactory(title="Memo", full_text=f"A {WORD} between commanders.")
    search.index([uncited])
    library_link = reverse("admin:measures_source_change", args=[uncited.pk])
    signed_in(client, factories.reader(username="with-workspace", is_staff=True))
    _, page = get(client)
    assert library_link in page
    response, page = get(client)
    assert response["X-Page-Cache"] == "hit" and library_link in page
    signed_in(client, factories.reader(username="outside", is_staff=False))
    _, page = get(client)
    assert library_link not in page
    added = factories.SourceFactory(title="Memo 2", full_text=f"Another {WORD}, between the navies.")
    search.index([added])
    signed_in(client, factories.reader(username="with-workspace-2", is_staff=True))
    response, page = get(client)
    assert response["X-Page-Cache"] == "miss"
    assert reverse("admin:measures_source_change", args=[added.pk]) in page


def test_other_words_and_refused_parameters(world, client):
    signed_in(client, factories.reader(username="a-reader", is_staff=False))
    get(client)
    response, _ = get(client, q="ceasefire")
    assert response["X-Page-Cache"] == "miss"  # another search, another rendering
    get(client, page="999")  # a page past the last: said, and never stored
    response, _ = get(client, page="999")
    assert response.get("X-Page-Cache") != "hit"
    # A parameter search does not read is set aside: the page of the address without it, from the cache.
    plain, _ = get(client)
    response = client.get(URL, {"q": WORD, "foo": "1"})
    assert response.get("X-Page-Cache") == "hit"
    assert without_csrf_tokens(response.content) == without_csrf_tokens(plain.content)
