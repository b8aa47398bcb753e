"""Reading pages carry ETag and Last-Modified from the case's data version, answer 304 to a matching
conditional GET, and serve an unchanged page from the cache; every write moves the version on."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Assessment, Case
from tests import factories
from tests.helpers import without_csrf_tokens
from tests.scenarios import build_case

D = datetime.date


@pytest.fixture
def case(db):
    return build_case()


@pytest.fixture
def reader(client, reader_user):
    client.force_login(reader_user)
    client.get(reverse("login"))  # sets the CSRF cookie, as any earlier page does in a browser
    assert "csrftoken" in client.cookies
    return client


PAGES = [
    ("dashboard", []),
    ("measure_detail", [1]),
    ("event_list", []),
    ("source_list", []),
    ("report", []),
]


def page_url(case, name, args):
    return reverse(f"measures:{name}", args=[case.slug, *args])


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_reading_pages_answer_a_matching_conditional_get_with_304(
    reader, case, name, args, django_assert_max_num_queries
):
    url = page_url(case, name, args)
    first = reader.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]

    # Session, account, role and case from the cache (measures.roles): no query, nothing
    # rendered. The report reads every case's data version, since its key judgements compare the case
    # with the others.
    with django_assert_max_num_queries(1 if name == "report" else 0):
        again = reader.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]

    # A date alone says nothing of whom the copy was made for: the ETag does (conditional_response).
    assert reader.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    both = {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"], "HTTP_IF_NONE_MATCH": first["ETag"]}
    assert reader.get(url, **both).status_code == 304
    assert reader.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize(("name", "args"), [*PAGES, ("case_package", [])])
def test_if_none_match_star_is_304_for_a_page_that_exists(reader, client, case, name, args):
    # `*` matches any current representation (RFC 9110, 13.1.2): rendered, then from the cache, then
    # for an anonymous visitor of a published case.
    url = page_url(case, name, args)
    first = reader.get(url, HTTP_IF_NONE_MATCH="*")
    assert first.status_code == 304 and first["ETag"] and first.content == b""
    assert reader.get(url).status_code == 200
    assert reader.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304


@pytest.mark.parametrize(
    ("name", "args", "query", "status"),
    [
        ("measure_detail", [99], {}, 404),
        ("case_package", [], {"as_of": "1990-01-01"}, 400),
    ],
)
def test_if_none_match_star_never_hides_that_there_is_no_such_page(reader, case, name, args, query, status):
    assert reader.get(page_url(case, name, args), query, HTTP_IF_NONE_MATCH="*").status_code == status


def test_an_unchanged_page_is_served_from_the_cache(reader, case, django_assert_max_num_queries):
    url = page_url(case, "dashboard", [])
    first = reader.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_max_num_queries(0):
        second = reader.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert without_csrf_tokens(second.content) == without_csrf_tokens(first.content)
    assert second["ETag"] == first["ETag"]


def test_the_export_keeps_its_file_name_when_served_from_the_cache(reader, case):
    url = page_url(case, "dashboard", []) + "?_export=csv"
    first = reader.get(url)
    second = reader.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Content-Type"] == first["Content-Type"]
    assert without_csrf_tokens(second.content) == without_csrf_tokens(first.content)


def test_a_query_that_means_another_date_is_not_served_another_dates_page(reader, case):
    # Django reads the last of repeated values: these two ask for different dates, and a key that
    # sorted the values served the first one's file to the second.
    early, late = (case.start_date + datetime.timedelta(days=n) for n in (1, 3))
    url = page_url(case, "dashboard", [])
    first = reader.get(f"{url}?as_of={early}&as_of={late}&_export=csv")
    second = reader.get(f"{url}?as_of={late}&as_of={early}&_export=csv")
    assert f"{late}.csv" in first["Content-Disposition"]
    assert f"{early}.csv" in second["Content-Disposition"]
    assert second["X-Page-Cache"] == "miss"
    # A value holding "&" and "=" is one value, not two parameters.
    assert reader.get(f"{url}?as_of={early}%26_export%3Dcsv").get("Content-Disposition") is None


@pytest.mark.parametrize("query", ["as_of=nonsense", "level=sideways", "as_of=2024-01-20&level=%00"])
def test_a_page_with_a_value_it_refuses_is_rendered_but_not_stored(reader, case, query):
    """Refused values, a new one each time, cannot fill the page cache and evict the pages readers ask
    for: a page that refused a parameter is rendered each time, never stored."""
    url = f"{page_url(case, 'dashboard', [])}?{query}"
    for _ in range(2):
        response = reader.get(url)
        assert response.status_code == 200
        assert not response.has_header("X-Page-Cache")
    applied = f"{page_url(case, 'dashboard', [])}?as_of=2024-01-20&level=minimal&sort=-title"
    assert [reader.get(applied)["X-Page-Cache"] for _ in range(2)] == ["miss", "hit"]


@pytest.mark.parametrize(
    ("page", "query"),
    [("dashboard", "level=sideways-{}"), ("event_list", "kind=zz{}"), ("event_list", "direction=x{}")],
)
def test_a_refused_value_keeps_no_fragment_either(reader, case, page, query):
    """The fragments a page keeps by its query (the event list's rows and timeline, the dashboard's
    filter form) are not kept for a value the page refused: a new junk value each time fills nothing."""
    from django.core.cache import cache

    url = page_url(case, page, [])
    reader.get(url)  # the page and its fragments for the plain address
    stored = []
    real_set = cache.set
    cache.set = lambda key, *args, **kwargs: (stored.append(key), real_set(key, *args, **kwargs))[1]
    try:
        for i in range(3):
            assert reader.get(f"{url}?{query.format(i)}").status_code == 200
    finally:
        del cache.set
    assert not [key for key in stored if key.startswith("fragment:")]


@pytest.mark.parametrize("junk", ["utm_source=newsletter&utm_medium=mail", "foo=1", "fbclid=%00x", "level2=full"])
def test_a_parameter_no_page_reads_is_set_aside_and_the_page_served_from_the_cache(reader, case, junk):
    """`?utm_source=…` changes nothing on the page: it is answered as the address without it (from the
    cache, the same rendering), never rendered cold, and never stores a second entry."""
    url = f"{page_url(case, 'dashboard', [])}?as_of=2024-01-20&level=minimal"
    plain = reader.get(url)
    assert plain["X-Page-Cache"] == "miss"
    for _ in range(2):
        tagged = reader.get(f"{url}&{junk}")
        assert tagged.status_code == 200 and tagged["X-Page-Cache"] == "hit"
        assert without_csrf_tokens(tagged.content) == without_csrf_tokens(plain.content)
        assert tagged["ETag"] == plain["ETag"]
    # Rendered first with the junk, the page is the plain one all the same: nothing of it is in the page.
    other = f"{page_url(case, 'dashboard', [])}?as_of=2024-01-21"
    first = reader.get(f"{other}&{junk}")
    assert first["X-Page-Cache"] == "miss"
    assert junk.split("&", 1)[0].split("=", 1)[0] + "=" not in first.content.decode()
    assert reader.get(other)["X-Page-Cache"] == "hit"


def test_a_parameter_a_page_reads_is_never_set_aside(reader, case):
    """What matters to the page keys its rendering: another level's page is never served for it."""
    base = f"{page_url(case, 'dashboard', [])}?as_of=2024-01-20"
    minimal = reader.get(f"{base}&level=minimal")
    assert minimal["X-Page-Cache"] == "miss"
    full = reader.get(f"{base}&level=full&utm_source=x")
    assert full["X-Page-Cache"] == "miss" and full["ETag"] != minimal["ETag"]
    assert without_csrf_tokens(full.content) != without_csrf_tokens(minimal.content)


def test_the_parameters_a_stored_page_may_carry_are_every_form_field_it_reads():
    from reading.caching import READ_PARAMETERS
    from reading.filters import EventFilterForm, MatrixFilterForm, MeasureFilterForm
    from reading.forms import PeriodForm

    for form in (PeriodForm, EventFilterForm, MatrixFilterForm, MeasureFilterForm):
        assert set(form.base_fields) <= READ_PARAMETERS, form


def test_the_query_key_tells_apart_what_django_reads_differently():
    from django.http import QueryDict

    from measures.lib.ids import query_key

    assert query_key(QueryDict("b=1&a=2")) == query_key(QueryDict("a=2&b=1"))
    assert query_key(QueryDict("a=1&a=2")) != query_key(QueryDict("a=2&a=1"))
    assert query_key(QueryDict("a=1%26b%3D2")) != query_key(QueryDict("a=1&b=2"))
    assert query_key(QueryDict("page=2&a=1"), leave_out=("page",)) == query_key(QueryDict("a=1"))


def test_a_new_assessment_keeps_the_readers_etag_and_its_approval_changes_the_page(reader, case, analyst_user):
    """Awaiting review, it counts for nothing a reader sees (tests/reading/test_pending_work_cache.py)."""
    url = page_url(case, "dashboard", [])
    before = reader.get(url)
    measure = case.measures.get(number=1)
    citation = measure.evidence.first().citation
    assessment = services.record_assessment(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level=Assessment.Level.FULL,
        rationale="Fully done.",
        citations=[citation],
        recorded_by=analyst_user,
        effective_date=D(2024, 1, 27),
    )
    assert reader.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    measure_page = page_url(case, "measure_detail", [1])
    assert "Fully done." not in reader.get(measure_page).content.decode()  # awaiting review
    services.approve_assessment(assessment=assessment, reviewer=factories.reviewer(username="rev"))
    after = reader.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after["X-Page-Cache"] == "miss"
    assert "Fully done." in reader.get(measure_page).content.decode()


def test_service_writes_bump_the_data_version(case):
    measure = case.measures.get(number=1)
    source = factories.SourceFactory(full_text="Troops were pulled back.")
    version = Case.objects.get(pk=case.pk).data_version
    citation = services.create_citation(case=case, source=source, quote="Troops were pulled back.")
    assert Case.objects.get(pk=case.pk).data_version == version + 1
    services.attach_evidence(citation=citation, measure=measure, stance="progress")
    assert Case.objects.get(pk=case.pk).data_version == version + 2


def test_an_admin_edit_of_a_shared_party_bumps_every_case_that_shows_it(case, admin_client_for_party):
    other = build_case(slug="other")  # the same PAK and IRN parties
    party = case.assessed_parties.get(code="PAK")
    versions = dict(Case.objects.values_list("pk", "data_version"))
    response = admin_client_for_party.post(
        reverse("admin:measures_party_change", args=[party.pk]),
        {"name": "Islamic Republic of Pakistan", "code": "PAK", "kind": "state", "seen_version": party.version},
    )
    assert response.status_code == 302
    now = dict(Case.objects.values_list("pk", "data_version"))
    assert now[case.pk] == versions[case.pk] + 1
    assert now[other.pk] == versions[other.pk] + 1


def test_an_admin_edit_shows_at_once_on_a_cached_page(reader, case, analyst_user):
    from django.test import Client

    analyst = Client()
    analyst.force_login(analyst_user)
    url = page_url(case, "event_list", [])
    reader.get(url)
    assert reader.get(url)["X-Page-Cache"] == "hit"
    event = case.events.get(title="Strike 1")
    response = analyst.post(
        reverse("admin:measures_event_change", args=[event.pk]),
        {
            "case": case.pk,
            "date": "17/01/2024",
            "date_precision": "day",
            "title": "Strike on the border post",
            "summary": "",
            "kind": "military",
            "direction": "escalatory",
            "actors": [p.pk for p in event.actors.all()],
            "location": "",
            "seen_version": event.version,
            "citations-TOTAL_FORMS": 0,
            "citations-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = reader.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert "Strike on the border post" in page.content.decode()


def test_each_reader_gets_their_own_page(case, client, reader_user):
    url = page_url(case, "dashboard", [])
    client.force_login(reader_user)
    client.get(reverse("login"))
    mine = client.get(url)
    other = factories.reader(username="second-reader")
    client.force_login(other)
    client.get(reverse("login"))
    theirs = client.get(url)
    assert theirs["ETag"] != mine["ETag"]
    assert "second-reader" in theirs.content.decode()


def test_the_page_changes_with_the_day_even_without_new_data(reader, case, monkeypatch):
    url = page_url(case, "dashboard", [])
    today = reader.get(url)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert reader.get(url, HTTP_IF_NONE_MATCH=today["ETag"]).status_code == 200


def test_no_answer_at_all_to_someone_who_may_not_read(client, case, db):
    client.force_login(factories.UserFactory(username="no-role"))
    assert client.get(page_url(case, "dashboard", []), HTTP_IF_NONE_MATCH="*").status_code == 404


@pytest.fixture
def admin_client_for_party(client, db):
    client.force_login(factories.analyst(username="party-editor"))
    return client
