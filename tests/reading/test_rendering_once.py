"""One rendering of a page at a time (reading.caching.flights): a reader asking for a page that another
request is rendering for the cache waits for that rendering and is served it, personalised, as a hit;
when that request stores nothing, the reader renders the page; a claim never outlives its request."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from reading.caching import flights
from reading.caching.shared import sentinels
from tests import factories


@pytest.fixture
def reader_page(client, pakistan_iran):
    client.force_login(factories.reader(username="the-reader"))
    client.get(reverse("login"))  # the CSRF cookie: the page cache may answer
    return reverse("measures:measure_detail", args=[pakistan_iran.slug, 3])


@pytest.fixture
def held_by_another(monkeypatch):
    """Every claim is found held by another request; `then` says what that request does while this one
    waits (called at the first pause, with the page's key)."""
    keys, sleeps = [], []

    def claimed_elsewhere(key):
        keys.append(key)
        cache.set(flights.CLAIM_PREFIX + key, 1, flights.CLAIM_SECONDS)
        return False

    def pause(seconds):
        sleeps.append(seconds)
        held_by_another.then(keys[-1])

    monkeypatch.setattr(flights, "claim", claimed_elsewhere)
    monkeypatch.setattr(flights.time, "sleep", pause)
    held_by_another.keys, held_by_another.sleeps = keys, sleeps
    return held_by_another


def test_a_reader_waits_for_the_rendering_another_request_is_making(client, reader_page, held_by_another):
    marks = sentinels()

    def stores(key):
        rendering = f"<p>made by the other request for {marks.username}</p>".encode()
        cache.set(key, {"content": rendering, "headers": {"Content-Type": "text/html; charset=utf-8"}}, 60)
        cache.delete(flights.CLAIM_PREFIX + key)

    held_by_another.then = stores
    response = client.get(reader_page)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
    assert response.content == b"<p>made by the other request for the-reader</p>"
    assert not response.templates and held_by_another.sleeps


def test_when_the_other_request_stores_nothing_the_reader_renders_the_page(client, reader_page, held_by_another):
    held_by_another.then = lambda key: cache.delete(flights.CLAIM_PREFIX + key)
    response = client.get(reader_page)
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    assert "measures/measure_detail.html" in {t.name for t in response.templates}


def test_a_request_never_served_from_the_cache_does_not_wait(client, pakistan_iran, held_by_another):
    client.force_login(factories.reader(username="no-csrf-cookie"))  # no CSRF cookie yet: rendered anew
    held_by_another.then = lambda key: pytest.fail("waited")
    response = client.get(reverse("measures:dashboard", args=[pakistan_iran.slug]))
    assert response.status_code == 200 and held_by_another.sleeps == []


def test_a_claim_ends_with_its_request(client, reader_page, monkeypatch):
    claimed = []
    real = flights.claim
    monkeypatch.setattr(flights, "claim", lambda key: claimed.append(key) or real(key))
    assert client.get(reader_page)["X-Page-Cache"] == "miss"
    assert claimed and cache.get(flights.CLAIM_PREFIX + claimed[0]) is None
    assert client.get(reader_page)["X-Page-Cache"] == "hit"  # stored under the key it claimed


def test_a_claim_ends_even_when_the_rendering_fails(client, reader_page, monkeypatch):
    claimed = []
    real = flights.claim
    monkeypatch.setattr(flights, "claim", lambda key: claimed.append(key) or real(key))

    def broken(*args, **kwargs):
        raise RuntimeError("the rendering failed")

    monkeypatch.setattr("reading.caching._render_for_audience", broken)
    with pytest.raises(RuntimeError):
        client.get(reader_page)
    assert claimed and cache.get(flights.CLAIM_PREFIX + claimed[0]) is None
