"""The case list: CASES_PER_PAGE cases a page, each with its progress, the cards of a page kept per data
version and audience (reading.caching.fragments), in a fixed number of queries however many cases."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from measures import services
from measures.models import Assessment, Case
from reading.views.cases import CASES_PER_PAGE
from tests import factories
from tests.helpers import without_csrf_tokens
from tests.scenarios import build_case

D = datetime.date
LIST = reverse("measures:case_list")


def card_names(response):
    assert response.status_code == 200
    return re.findall(r'<li class="case-card">\s*<h2><a href="[^"]*">([^<]*)</a>', response.content.decode())


@pytest.fixture
def many_cases(db):
    """CASES_PER_PAGE + 2 small cases, named so that the list's order (newest start first, then name) is known."""
    return [
        factories.CaseFactory(name=f"Crisis {number:02d}", slug=f"crisis-{number:02d}", start_date=D(2024, 1, 1))
        for number in range(CASES_PER_PAGE + 2)
    ]


def test_a_long_case_list_comes_a_page_at_a_time(reader_client, many_cases):
    first = reader_client.get(LIST)
    assert card_names(first) == [f"Crisis {n:02d}" for n in range(CASES_PER_PAGE)]
    page = first.content.decode()
    assert f"Cases 1–{CASES_PER_PAGE} of {CASES_PER_PAGE + 2} (page 1 of 2)" in page
    assert 'href="?page=2" rel="next"' in page
    second = reader_client.get(LIST + "?page=2")
    assert card_names(second) == [f"Crisis {n:02d}" for n in (CASES_PER_PAGE, CASES_PER_PAGE + 1)]
    assert 'href="?page=1" rel="prev"' in second.content.decode()


def test_the_pages_keep_the_date_and_a_bad_page_shows_the_first(reader_client, many_cases):
    page = reader_client.get(LIST + "?as_of=2024-02-01").content.decode()
    assert 'href="?as_of=2024-02-01&amp;page=2" rel="next"' in page
    bad = reader_client.get(LIST + "?page=9")
    assert card_names(bad)[0] == "Crisis 00"
    assert "There is no page 9 (the last is 2): showing the first page." in bad.content.decode()


def test_a_short_case_list_has_no_pager(reader_client, db):
    build_case()
    build_case(slug="second")
    assert 'class="pager"' not in reader_client.get(LIST).content.decode()


@pytest.mark.parametrize("extra", [0, 30])
def test_the_case_list_runs_a_fixed_number_of_queries(reader_client, django_assert_max_num_queries, extra):
    build_case(4)
    build_case(4, slug="another")
    for number in range(extra):
        factories.CaseFactory(name=f"Crisis {number:02d}", slug=f"crisis-{number:02d}")
    with django_assert_max_num_queries(10):
        assert reader_client.get(LIST).status_code == 200
    # Again, its cards kept: the cases and the stamp only.
    reader_client.cookies.pop("csrftoken", None)  # rendered again, not answered from the page cache
    with django_assert_max_num_queries(4):
        again = reader_client.get(LIST)
    assert len(card_names(again)) == min(2 + extra, CASES_PER_PAGE)


def test_the_kept_cards_follow_a_new_judgement(reader_client, db):
    case = build_case()
    build_case(slug="second")
    before = reader_client.get(LIST)
    reader_client.cookies.pop("csrftoken", None)
    assert without_csrf_tokens(reader_client.get(LIST).content) == without_csrf_tokens(before.content)
    measure = case.measures.order_by("number").first()
    reviewer = factories.reviewer(username="second-reader")
    for party in case.assessed_parties.all():
        assessment = services.record_assessment(
            measure=measure,
            party=party,
            level=Assessment.Level.FULL,
            effective_date=D(2024, 1, 26),
            rationale="Done in full.",
            citations=[case.citations.first()],
            recorded_by=factories.analyst(username=f"analyst-{party.pk}"),
        )
        services.approve_assessment(assessment=assessment, reviewer=reviewer, comment="Checked.")
    reader_client.cookies.pop("csrftoken", None)
    after = reader_client.get(LIST)
    assert without_csrf_tokens(after.content) != without_csrf_tokens(before.content)


def test_the_public_list_names_published_cases_only(reader_client, db):
    visitor = Client()
    published = build_case(slug="open")
    published.visibility = Case.Visibility.PUBLISHED
    published.save()
    other = build_case(slug="open-too")
    other.visibility = Case.Visibility.PUBLISHED
    other.save()
    private = build_case(slug="private")
    private.name = "Private crisis"
    private.save()
    assert "Private crisis" in card_names(reader_client.get(LIST))
    assert "Private crisis" not in card_names(visitor.get(LIST))


def test_a_case_unpublished_by_a_plain_save_leaves_the_public_list_at_once(db, django_capture_on_commit_callbacks):
    """`case.save()` in a shell, without the services: no data version moves, the cases token does."""
    visitor = Client()
    for slug in ("open", "closing"):
        case = build_case(slug=slug)
        case.name, case.visibility = f"Crisis {slug}", Case.Visibility.PUBLISHED
        case.save()
    assert set(card_names(visitor.get(LIST))) == set(card_names(visitor.get(LIST))) >= {"Crisis open", "Crisis closing"}
    with django_capture_on_commit_callbacks(execute=True):
        closing = Case.objects.get(slug="closing")
        closing.visibility = Case.Visibility.PRIVATE
        closing.save(update_fields=["visibility"])
    response = visitor.get(LIST)
    assert "Crisis closing" not in response.content.decode()


def test_the_cards_link_to_each_case_with_the_dates_asked_for(reader_client, db):
    """The date asked for and the date known on both carry to each case's dashboard (the tester's B8-10)."""
    for slug in ("first", "second"):
        build_case(slug=slug)
    page = reader_client.get(LIST, {"as_of": "2024-01-25", "known_on": "2024-01-24"}).content.decode()
    assert 'href="/cases/first/?as_of=2024-01-25&amp;known_on=2024-01-24"' in page
