"""Publication: a published case is read by anyone at the same addresses, approved judgements only and no
names; a case shared by link opens with a valid link only; a private one does not exist for outsiders.
A page made for the team never reaches a reader or the public, nor the other way round; a published page
for an anonymous visitor comes from the page cache without the session or the database."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from measures import services
from measures.models import Assessment, Case, ShareLink
from tests import factories

D = datetime.date
Level = Assessment.Level


def publish(case, visibility=Case.Visibility.PUBLISHED):
    case.visibility = visibility
    case.save(update_fields=["visibility"])
    services.touch_cases({case.pk})
    return case


def case_pages(case):
    event = case.events.first()
    source = case.citations.first().source
    return [
        reverse("measures:dashboard", args=[case.slug]),
        reverse("measures:measure_detail", args=[case.slug, 1]),
        reverse("measures:event_list", args=[case.slug]),
        reverse("measures:event_detail", args=[case.slug, event.pk]),
        reverse("measures:source_list", args=[case.slug]),
        reverse("measures:source_detail", args=[case.slug, source.pk]),
        reverse("measures:report", args=[case.slug]),
    ]


@pytest.fixture
def published(pakistan_iran):
    return publish(pakistan_iran)


@pytest.fixture
def pending(pakistan_iran):
    """An analyst's judgement awaiting review that would lower Pakistan's level on measure 1."""
    measure = pakistan_iran.measures.get(number=1)
    return services.record_assessment(
        measure=measure,
        party=pakistan_iran.assessed_parties.get(code="PAK"),
        level=Level.NOT_INITIATED,
        rationale="Pending judgement nobody approved yet.",
        citations=[measure.evidence.first().citation],
        recorded_by=factories.analyst(username="pending-author"),
        effective_date=D(2024, 1, 29),
    )


# Published -------------------------------------------------------------------------------------


def test_anyone_reads_a_published_case_at_the_same_addresses_without_names(client, published):
    for page in case_pages(published):
        response = client.get(page)
        assert response.status_code == 200, page
        content = response.content.decode()
        assert "Last reviewed" in content, page
        for name in ("case-import", "recorded by", "Log out"):
            assert name not in content, (page, name)
    report = client.get(reverse("measures:report", args=[published.slug])).content.decode()
    assert "<dt>By</dt>" not in report and "Last reviewed" in report
    listing = client.get(reverse("measures:case_list"), follow=True)
    assert published.name in listing.content.decode()


def test_a_published_page_says_when_the_case_was_last_reviewed(client, published, pending):
    services.approve_assessment(assessment=pending, reviewer=factories.reviewer(username="rev"))
    page = client.get(reverse("measures:dashboard", args=[published.slug])).content.decode()
    assert f'Last reviewed <time datetime="{timezone.localtime(pending.review.decided_at).isoformat()}' in page


def test_a_return_does_not_tell_the_public_that_a_review_happened(client, published, pending, analyst_user):
    """ "Last reviewed" is the last approval: a return changes nothing the public sees (nor the report's)."""
    before = client.get(reverse("measures:dashboard", args=[published.slug])).content.decode()
    services.record_review(
        assessment=pending, decision="returned", reviewer=factories.reviewer(username="rev"), comment="Cite it."
    )
    after = client.get(reverse("measures:dashboard", args=[published.slug])).content.decode()
    assert "Last reviewed" in after
    stamp = before.split("Last reviewed", 1)[1].split("</p>", 1)[0]
    assert after.split("Last reviewed", 1)[1].split("</p>", 1)[0] == stamp
    report = client.get(reverse("measures:report", args=[published.slug]))
    assert report.context["report"].last_reviewed != pending.review.decided_at


@pytest.mark.pdf
def test_anyone_gets_the_pdf_of_a_published_case_naming_no_one(client, published):
    from io import BytesIO

    from pypdf import PdfReader

    response = client.get(reverse("measures:report_pdf", args=[published.slug]), follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Last reviewed" in text and "case-import" not in text
    job = published.report_jobs.get()
    assert job.audience == "public" and job.requested_by is None


def test_a_public_reader_never_opens_the_pdf_made_for_accounts(client, published, reader_user):
    job = published.report_jobs.create(
        data_version=published.data_version, as_of=D(2024, 1, 29), since=D(2024, 1, 22), paper="a4", audience="account"
    )
    assert client.get(reverse("measures:report_job", args=[published.slug, job.pk])).status_code == 404
    client.force_login(reader_user)
    assert client.get(reverse("measures:report_job", args=[published.slug, job.pk])).status_code == 200


def test_a_private_case_is_not_listed_to_the_public_beside_a_published_one(client, published, db):
    secret = factories.CaseFactory(name="Secret crisis", slug="secret-crisis")
    listing = client.get(reverse("measures:case_list"), follow=True).content.decode()
    assert "Secret crisis" not in listing
    assert client.get(reverse("measures:dashboard", args=[secret.slug])).status_code == 404


# What counts -----------------------------------------------------------------------------------


def test_a_pending_assessment_never_changes_a_readers_or_the_publics_pages(client, published, pending, reader_user):
    reader = Client()
    reader.force_login(reader_user)
    for visitor in (client, reader):
        for page in case_pages(published):
            content = visitor.get(page).content.decode()
            assert "Pending judgement nobody approved yet." not in content, page
            assert "Awaiting review" not in content and "pending-author" not in content, page
        dashboard = visitor.get(reverse("measures:dashboard", args=[published.slug]), {"as_of": "2024-01-29"})
        assert dashboard.context["state"].rows[0].cell_for(pending.party).level != Level.NOT_INITIATED
        export = visitor.get(reverse("measures:dashboard", args=[published.slug]), {"_export": "csv"})
        assert "Pending judgement" not in export.content.decode("utf-8-sig")
    # A preview asked for by someone not of the team changes nothing either.
    url = reverse("measures:dashboard", args=[published.slug])
    asked = reader.get(url, {"include_pending": "1"})
    assert asked.context["state"].include_pending is False
    assert "Pending judgement" not in asked.content.decode()


def test_the_team_sees_it_marked_pending_and_may_preview_it(client, published, pending, analyst_user):
    client.force_login(analyst_user)
    url = reverse("measures:dashboard", args=[published.slug])
    page = client.get(url)
    content = page.content.decode()
    assert "Awaiting review (1)" in content and "pending-author" in content and "Pending review" in content
    assert page.context["state"].rows[0].cell_for(pending.party).level != Level.NOT_INITIATED
    preview = client.get(url, {"include_pending": "1"})
    assert preview.context["state"].rows[0].cell_for(pending.party).level == Level.NOT_INITIATED
    assert "Preview:" in preview.content.decode()
    # The export counts approved judgements only, preview or not.
    export = client.get(url, {"include_pending": "1", "_export": "csv"}).content.decode("utf-8-sig")
    assert "Pending judgement" not in export
    measure = client.get(reverse("measures:measure_detail", args=[published.slug, 1]), {"include_pending": "1"})
    assert "Pending judgement nobody approved yet." in measure.content.decode()


def test_a_team_page_is_never_served_to_a_reader_or_the_public_from_the_cache(
    client, published, pending, analyst_user, reader_user
):
    url = reverse("measures:dashboard", args=[published.slug])
    team = Client()
    team.force_login(analyst_user)
    team.get(reverse("login"))  # the CSRF cookie, so that the team's page is stored
    assert "Awaiting review" in team.get(url).content.decode()
    assert "Awaiting review" not in client.get(url).content.decode()
    reader = Client()
    reader.force_login(reader_user)
    reader.get(reverse("login"))
    assert "Awaiting review" not in reader.get(url).content.decode()
    # and the other way round: the public page first, then the team's.
    other = reverse("measures:event_list", args=[published.slug])
    assert "Log in" in client.get(other).content.decode()
    assert "Log in" not in team.get(other).content.decode()


# The page cache for anonymous visitors ----------------------------------------------------------


def test_a_published_page_is_served_to_an_anonymous_visitor_without_the_database(
    client, published, django_assert_num_queries
):
    url = reverse("measures:dashboard", args=[published.slug])
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second["X-Page-Cache"] == "hit" and second.content == first.content
    assert not_modified.status_code == 304
    assert second["ETag"] == first["ETag"] and "private" in second["Cache-Control"]


def test_a_campaigns_parameters_do_not_make_an_anonymous_visitors_page_a_cold_render(
    client, published, django_assert_num_queries
):
    """A link shared with `?utm_source=…` is the page without it: answered from the cache, before the
    session and the database, as the plain address is; and a first visit through it stores the plain page."""
    url = reverse("measures:dashboard", args=[published.slug])
    first = client.get(f"{url}?utm_source=newsletter&utm_campaign=ceasefire")
    assert first["X-Page-Cache"] == "miss" and "utm_" not in first.content.decode()
    with django_assert_num_queries(0):
        again = client.get(f"{url}?utm_source=other")
        plain = client.get(url)
    assert again["X-Page-Cache"] == plain["X-Page-Cache"] == "hit"
    assert again.content == plain.content == first.content


def test_a_write_or_unpublishing_reaches_the_anonymous_visitor_at_once(
    client, published, pending, django_capture_on_commit_callbacks
):
    url = reverse("measures:measure_detail", args=[published.slug, 1])
    assert "Pending judgement" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_assessment(assessment=pending, reviewer=factories.reviewer(username="rev"))
    assert "Pending judgement nobody approved yet." in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publish(published, Case.Visibility.PRIVATE)
    assert client.get(url).status_code == 404


def test_a_logged_in_visitor_never_gets_the_anonymous_page(client, published, reader_user):
    url = reverse("measures:dashboard", args=[published.slug])
    client.get(url)
    client.force_login(reader_user)
    response = client.get(url)
    assert response.get("X-Page-Cache") != "hit" and "reader" in response.content.decode()


# Shared by link --------------------------------------------------------------------------------


@pytest.fixture
def shared(pakistan_iran):
    return publish(pakistan_iran, Case.Visibility.SHARED)


def share_link(case, **kwargs):
    kwargs.setdefault("expires_on", timezone.localdate() + datetime.timedelta(days=7))
    return services.create_share_link(case=case, created_by=factories.administrator(username="adm"), **kwargs)


def test_a_shared_case_opens_with_its_link_only(client, shared):
    dashboard = reverse("measures:dashboard", args=[shared.slug])
    assert client.get(dashboard).status_code == 404
    link = share_link(shared, note="For the partner institute")
    response = client.get(link.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == dashboard
    for page in case_pages(shared):
        content = client.get(page).content.decode()
        assert "Last reviewed" in content and "case-import" not in content, page
        assert "Shared read-only" in content or page.endswith("/report/"), page
    assert Client().get(dashboard).status_code == 404  # another browser, without the link


def test_each_links_holder_is_told_the_expiry_of_their_own_link(shared):
    """The page names the link's expiry date, so a rendering kept for one link's holders is never
    served to another's."""
    dashboard = reverse("measures:dashboard", args=[shared.slug])
    soon = share_link(shared, expires_on=timezone.localdate() + datetime.timedelta(days=7))
    later = share_link(shared, expires_on=timezone.localdate() + datetime.timedelta(days=90))
    for link in (soon, later, soon):
        browser = Client()
        browser.get(link.get_absolute_url())
        for _ in range(2):  # rendered, then from the cache
            content = browser.get(dashboard).content.decode()
            assert f"valid until {date_format(link.expires_on)}" in content


def test_an_expired_or_revoked_link_is_refused(client, shared, monkeypatch):
    link = share_link(shared, expires_on=timezone.localdate())
    dashboard = reverse("measures:dashboard", args=[shared.slug])
    client.get(link.get_absolute_url())
    assert client.get(dashboard).status_code == 200
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    expired = client.get(link.get_absolute_url())
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert shared.name not in expired.content.decode()
    assert client.get(dashboard).status_code == 404
    monkeypatch.undo()

    other = share_link(shared)
    browser = Client()
    browser.get(other.get_absolute_url())
    assert browser.get(dashboard).status_code == 200
    services.revoke_share_link(link=other, revoked_by=factories.administrator(username="adm"))
    assert browser.get(dashboard).status_code == 404
    assert browser.get(other.get_absolute_url()).status_code == 410


def test_a_link_stops_when_the_case_is_no_longer_shared_and_a_forged_one_is_unknown(client, shared):
    link = share_link(shared)
    client.get(link.get_absolute_url())
    publish(shared, Case.Visibility.PRIVATE)
    assert client.get(reverse("measures:dashboard", args=[shared.slug])).status_code == 404
    assert client.get(link.get_absolute_url()).status_code == 410
    forged = link.token[:-2] + ("AA" if not link.token.endswith("AA") else "BB")
    assert client.get(reverse("measures:shared_link", args=[forged])).status_code == 404


def test_share_links_are_refused_for_a_case_not_shared_and_a_past_date(pakistan_iran):
    with pytest.raises(services.ServiceError, match="set its visibility"):
        share_link(pakistan_iran)
    publish(pakistan_iran, Case.Visibility.SHARED)
    with pytest.raises(services.ServiceError, match="already past"):
        share_link(pakistan_iran, expires_on=D(2024, 1, 1))
    assert not ShareLink.objects.exists()


def test_a_case_unpublished_outside_the_services_is_no_longer_served_from_the_cache(
    client, published, django_capture_on_commit_callbacks
):
    """`case.save()` in a shell or a command, without services.touch_cases: the Case's own signal."""
    url = reverse("measures:dashboard", args=[published.slug])
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        published.visibility = Case.Visibility.PRIVATE
        published.save(update_fields=["visibility"])
    assert client.get(url).status_code == 404


def test_a_page_rendered_before_unpublishing_cannot_serve_it_again(
    client, published, django_capture_on_commit_callbacks
):
    """A rendering that read the case while it was published, and stores its pointer after the case
    was unpublished (cache.add, as reading.caching.cached_page does), finds the case marked not
    published: the anonymous visitor gets 404, not that rendering."""
    from django.core.cache import cache

    url = reverse("measures:dashboard", args=[published.slug])
    client.get(url)
    key = services.public_pointer_key(published.slug)
    pointer = cache.get(key)
    with django_capture_on_commit_callbacks(execute=True):
        publish(published, Case.Visibility.PRIVATE)
    cache.add(key, pointer)  # the late rendering's pointer
    assert client.get(url).status_code == 404


def test_a_rendering_kept_in_the_process_is_served_only_while_the_case_is_published(
    client, published, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """reading.caching.published_renderings keeps the renderings served in this process; whether the
    case is published, and at which version, is still read from the shared cache at each request."""
    from django.core.cache import cache

    url = reverse("measures:dashboard", args=[published.slug])
    first = client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    cache.delete("page:" + first["ETag"].strip('"'))  # the shared cache's copy gone: this process has its own
    with django_assert_num_queries(0):
        kept = client.get(url)
    assert kept["X-Page-Cache"] == "hit" and kept.content == first.content
    assert kept["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert kept["Cache-Control"] == first["Cache-Control"] and kept["Vary"] == first["Vary"]
    with django_capture_on_commit_callbacks(execute=True):
        publish(published, Case.Visibility.PRIVATE)
    assert client.get(url).status_code == 404


def test_the_published_report_is_served_to_an_anonymous_visitor_without_the_database(
    client, published, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The report page compares the case with every published case: served from the cache while no
    case was saved or written, through the every-case entry (reading.caching.published_response)."""
    url = reverse("measures:report", args=[published.slug])
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second["X-Page-Cache"] == "hit" and second.content == first.content
    assert not_modified.status_code == 304
    # Another case saved (published, say): every case's entry is read again, the report rendered again.
    factories.CaseFactory(name="Another crisis", slug="another-crisis", visibility=Case.Visibility.PUBLISHED)
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        publish(published, Case.Visibility.PRIVATE)
    assert client.get(url).status_code == 404
