"""An assessment recorded to await review changes nothing that counts: readers' and the public's pages
stay in the cache (same ETag, no rendering), while the team's pages, their preview of pending work, the
review queue and search show it at once; its approval makes every page fresh."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from measures import services
from measures.models import Assessment, Case
from measures.roles import public_pointer_key
from tests import factories
from tests.helpers import without_csrf_tokens
from tests.scenarios import build_case

D = datetime.date
RATIONALE = "Withdrawal completed, says the ministry."


@pytest.fixture
def case(db):
    return build_case()


def logged_in(user):
    client = Client()
    client.force_login(user)
    client.get(reverse("login"))  # the CSRF cookie, as a browser has it after any page
    assert "csrftoken" in client.cookies
    return client


@pytest.fixture
def reader(reader_user):
    return logged_in(reader_user)


@pytest.fixture
def team(db):
    return logged_in(factories.analyst(username="team-reader"))


def record_pending(case, analyst_user, *, citations=None):
    """Pakistan's measure 1 judged fully done, citing a passage already evidence of it (nothing else new)."""
    measure = case.measures.get(number=1)
    return services.record_assessment(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level=Assessment.Level.FULL,
        rationale=RATIONALE,
        citations=citations or [measure.evidence.first().citation],
        recorded_by=analyst_user,
        effective_date=D(2024, 1, 27),
    )


def url(case, name, *args):
    return reverse(f"measures:{name}", args=[case.slug, *args])


READER_PAGES = [("dashboard", ()), ("measure_detail", (1,)), ("report", ())]


@pytest.mark.parametrize(("name", "args"), READER_PAGES)
def test_a_pending_assessment_leaves_the_readers_page_in_the_cache(
    reader, case, analyst_user, name, args, django_assert_max_num_queries
):
    page = url(case, name, *args)
    first = reader.get(page)
    assert first["X-Page-Cache"] == "miss"
    version = Case.objects.get(pk=case.pk).data_version

    record_pending(case, analyst_user)

    assert Case.objects.get(pk=case.pk).data_version == version
    # The report reads every case's data version (its key judgements compare the cases).
    with django_assert_max_num_queries(1 if name == "report" else 0):
        again = reader.get(page)
    assert again["X-Page-Cache"] == "hit"
    assert again["ETag"] == first["ETag"]
    assert without_csrf_tokens(again.content) == without_csrf_tokens(first.content)
    assert RATIONALE not in again.content.decode()
    assert reader.get(page, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_teams_pages_show_a_pending_assessment_at_once(team, case, analyst_user, django_assert_num_queries):
    preview = "?include_pending=1"
    pages = [url(case, "dashboard"), url(case, "dashboard") + preview, url(case, "measure_detail", 1) + preview]
    before = {page: team.get(page) for page in pages}
    # A cache hit for the team reads one row more than a reader's: the case's newest assessment.
    with django_assert_num_queries(1):
        hit = team.get(pages[0])
    assert hit["X-Page-Cache"] == "hit"

    record_pending(case, analyst_user)

    for page in pages:
        after = team.get(page, HTTP_IF_NONE_MATCH=before[page]["ETag"])
        assert after.status_code == 200, page
        assert after["X-Page-Cache"] == "miss", page
        assert after["ETag"] != before[page]["ETag"], page
        assert "Awaiting review (1)" in after.content.decode(), page
    assert "Preview:" in team.get(pages[1]).content.decode()
    assert RATIONALE in team.get(pages[2]).content.decode()  # the preview lists it in the measure's history


def test_the_review_queue_lists_a_pending_assessment_at_once(case, analyst_user):
    reviewer = logged_in(factories.reviewer(username="queue-reviewer", is_staff=True))
    queue = reverse("admin:measures_assessment_review")
    assert RATIONALE not in reviewer.get(queue).content.decode()
    record_pending(case, analyst_user)
    assert RATIONALE in reviewer.get(queue).content.decode()


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_decision_on_it_makes_every_page_fresh(reader, team, case, analyst_user, decision):
    pages = [url(case, name, *args) for name, args in READER_PAGES]
    assessment = record_pending(case, analyst_user)
    seen = {(who, page): client.get(page) for who, client in (("reader", reader), ("team", team)) for page in pages}

    reviewer = factories.reviewer(username="decider")
    if decision == "approve":
        services.approve_assessment(assessment=assessment, reviewer=reviewer)
    else:
        services.return_assessment(assessment=assessment, reviewer=reviewer, comment="Cite the ministry itself.")

    for (who, page), before in seen.items():
        after = (reader if who == "reader" else team).get(page, HTTP_IF_NONE_MATCH=before["ETag"])
        assert after.status_code == 200, (who, page)
        assert after["X-Page-Cache"] == "miss", (who, page)
        assert after["ETag"] != before["ETag"], (who, page)
    assert (RATIONALE in reader.get(url(case, "measure_detail", 1)).content.decode()) == (decision == "approve")


def test_a_pending_assessment_citing_a_new_passage_refreshes_every_page(reader, case, analyst_user):
    """The passage becomes evidence of the measure, which everyone sees: that write bumps as before."""
    page = url(case, "measure_detail", 1)
    first = reader.get(page)
    version = Case.objects.get(pk=case.pk).data_version
    source = factories.SourceFactory(full_text="The ministry confirmed the withdrawal.")
    citation = services.create_citation(case=case, source=source, quote="The ministry confirmed the withdrawal.")
    assert Case.objects.get(pk=case.pk).data_version == version + 1

    measure = case.measures.get(number=1)
    services.record_assessment(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level=Assessment.Level.FULL,
        rationale=RATIONALE,
        citations=[citation],
        evidence_stance="progress",
        recorded_by=analyst_user,
        effective_date=D(2024, 1, 27),
    )

    assert Case.objects.get(pk=case.pk).data_version == version + 2
    after = reader.get(page, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after["X-Page-Cache"] == "miss"
    assert "The ministry confirmed the withdrawal." in after.content.decode()
    assert RATIONALE not in after.content.decode()  # the judgement itself still awaits review


def test_an_anonymous_visitor_of_a_published_case_is_answered_as_before(
    client, case, analyst_user, django_capture_on_commit_callbacks
):
    case.visibility = Case.Visibility.PUBLISHED
    case.save(update_fields=["visibility"])
    with django_capture_on_commit_callbacks(execute=True):
        services.touch_cases({case.pk})
    page = url(case, "dashboard")
    first = client.get(page)
    assert first.status_code == 200
    pointer = cache.get(public_pointer_key(case.slug))
    assert pointer is not None

    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        record_pending(case, analyst_user)
    assert after_commit == []  # no pointer set anew, no change hook (alerts, warming) queued

    assert cache.get(public_pointer_key(case.slug)) == pointer
    again = client.get(page)
    assert again["ETag"] == first["ETag"]
    assert without_csrf_tokens(again.content) == without_csrf_tokens(first.content)
    assert "awaiting review" not in again.content.decode().lower()
    assert client.get(page, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_team_finds_a_pending_rationale_by_search_at_once(team, case, analyst_user):
    search = reverse("measures:search") + "?q=ministry+withdrawal"
    assert "search-hit-rationale" not in team.get(search).content.decode()
    record_pending(case, analyst_user)
    # The ranking kept for the cases' data version is not reused: the index holds the new rationale.
    found = team.get(search).content.decode()
    assert "1 result for" in found
    assert "search-hit-rationale" in found


def test_a_reader_never_finds_a_rationale_no_reviewer_approved(reader, team, case, analyst_user):
    search = reverse("measures:search") + "?q=ministry+withdrawal"
    returned = record_pending(case, analyst_user)
    services.return_assessment(assessment=returned, reviewer=factories.reviewer(username="returner"), comment="Why?")
    pending = record_pending(case, analyst_user)
    assert "2 results for" in team.get(search).content.decode()  # the team finds both
    page = reader.get(search).content.decode()
    assert "search-hit-rationale" not in page
    assert "Nothing found for" in page  # not even counted
    services.approve_assessment(assessment=pending, reviewer=factories.reviewer(username="approver"))
    page = reader.get(search).content.decode()
    assert "1 result for" in page
    assert f"#assessment-{pending.pk}" in page and f"#assessment-{returned.pk}" not in page
