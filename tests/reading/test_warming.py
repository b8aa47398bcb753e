"""After a write, the tasks worker renders the case's default pages again (reading.views.warming): the
next anonymous visitor of a published case gets them from the page cache without the database, and a
reader's or the team's dashboard is served whole from the cache, and one with other page permissions
draws none of its shared parts (timeline, chart, calendar) again."""

import datetime
import importlib
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.tasks import task_backends
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Assessment, Case
from reading.caching.shared import sentinels
from reading.views import warming
from tests import factories

FRAGMENTS = {
    "measures/partials/events_timeline.html",
    "measures/partials/progress_chart.html",
    "measures/partials/commitment_calendar.html",
}


@pytest.fixture
def published(pakistan_iran, settings):
    settings.WARM_PAGES_AFTER_WRITES = True
    pakistan_iran.visibility = Case.Visibility.PUBLISHED
    pakistan_iran.save(update_fields=["visibility"])
    return pakistan_iran


def write(case, django_capture_on_commit_callbacks):
    """An analyst's assessment approved by a reviewer: two writes, each committed (the hooks run; the
    tests' task backend runs the task there and then, as the worker would after the commit)."""
    measure = case.measures.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        assessment = services.record_assessment(
            measure=measure,
            party=case.assessed_parties.get(code="PAK"),
            level=Assessment.Level.NOT_INITIATED,
            rationale="Recorded to be warmed.",
            citations=[measure.evidence.first().citation],
            recorded_by=factories.analyst(username="author"),
            effective_date=datetime.date(2024, 1, 29),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_assessment(assessment=assessment, reviewer=factories.reviewer(username="checker"))


def test_after_a_write_the_next_anonymous_visitor_is_served_from_the_cache(
    client, published, django_capture_on_commit_callbacks, django_assert_num_queries
):
    pages = [
        reverse("measures:dashboard", args=[published.slug]),
        reverse("measures:measure_detail", args=[published.slug, 1]),
        reverse("measures:event_list", args=[published.slug]),
        reverse("measures:source_list", args=[published.slug]),
    ]
    for page in pages:
        client.get(page)  # cached at the version before the write
    write(published, django_capture_on_commit_callbacks)
    for page in pages:
        with django_assert_num_queries(0):
            response = client.get(page)
        assert response.status_code == 200 and response["X-Page-Cache"] == "hit", page
    assert "Recorded to be warmed." in client.get(pages[1]).content.decode()


@pytest.mark.parametrize("role", ["reader", "analyst"])
def test_after_a_write_a_logged_in_dashboard_draws_none_of_its_shared_parts(
    client, published, role, django_capture_on_commit_callbacks
):
    user = getattr(factories, role)(username=f"the-{role}")
    write(published, django_capture_on_commit_callbacks)
    client.force_login(user)
    client.get(reverse("login"))  # the CSRF cookie, as any earlier page gives it
    response = client.get(reverse("measures:dashboard", args=[published.slug]))
    assert response.status_code == 200
    # The rendering the warming stored for the audience (the same permissions), personalised: nothing drawn.
    assert response["X-Page-Cache"] == "hit" and not response.templates
    assert f'<span class="user-name">the-{role}</span>' in response.content.decode()
    # Another account of the audience with other page permissions (reading.caching.shared) is rendered,
    # with none of the shared parts drawn again.
    other = factories.reviewer(username="other") if role == "analyst" else factories.reader(username="other")
    if role == "reader":
        other.user_permissions.add(Permission.objects.get(codename="add_citation", content_type__app_label="measures"))
    client.force_login(other)
    response = client.get(reverse("measures:dashboard", args=[published.slug]))
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    assert FRAGMENTS.isdisjoint(t.name for t in response.templates)
    assert "measures/dashboard.html" in {t.name for t in response.templates}


def test_a_case_is_queued_once_until_its_task_starts_which_renders_it_as_it_is_then(
    published, monkeypatch, django_assert_num_queries, settings
):
    settings.WARM_PAGES_INTERVAL_SECONDS = 0  # the spacing of warmings has tests of its own, below
    queued = []
    monkeypatch.setattr(warming, "warm_case", SimpleNamespace(enqueue=lambda *args: queued.append(args)))
    warming.case_changed([published.pk])
    services.touch_cases([published.pk])  # another write while the rendering waits: no second task
    with django_assert_num_queries(1):  # the version read; already queued
        warming.case_changed([published.pk])
    assert queued == [(published.pk, published.data_version)]
    monkeypatch.undo()
    assert warming.warm_case.call(published.pk, published.data_version) > 0  # the case as it is now
    monkeypatch.setattr(warming, "warm_case", SimpleNamespace(enqueue=lambda *args: queued.append(args)))
    warming.case_changed([published.pk])  # the task started: the next write queues the next rendering
    assert len(queued) == 2


def test_a_private_case_is_warmed_for_its_readers_only(client, pakistan_iran, settings):
    factories.reader(username="a-reader")
    rendered = warming.warm_case.call(pakistan_iran.pk, pakistan_iran.data_version)
    # A reader's dashboard, measure pages, report, event and source lists, matrix (two views) and data
    # package; no team, no public page.
    assert rendered == 5 + pakistan_iran.measures.count() + 2
    assert client.get(reverse("measures:dashboard", args=[pakistan_iran.slug])).status_code == 404


def test_after_a_write_a_readers_matrix_computes_no_column(
    client, published, django_capture_on_commit_callbacks, monkeypatch
):
    """The task renders the matrix too (levels and days): the written case's column is kept before any
    reader asks, so a reader's matrix after the write reads every column from the cache."""
    compare = importlib.import_module("measures.state.compare.matrix")
    computed = []
    real = compare.column_values

    def spy(columns, *args, **kwargs):
        computed.append(len(columns))
        return real(columns, *args, **kwargs)

    monkeypatch.setattr(compare, "column_values", spy)
    client.force_login(factories.reader(username="the-reader"))
    write(published, django_capture_on_commit_callbacks)
    assert computed  # the task computed the written case's column
    computed.clear()
    for query in ({}, {"view": "days"}):
        assert client.get(reverse("measures:matrix"), query).status_code == 200
    assert computed == []


@pytest.mark.parametrize("role", ["reader", "analyst"])
def test_after_a_write_the_data_package_is_kept_for_the_page_and_the_api(
    client, published, role, django_capture_on_commit_callbacks, monkeypatch
):
    """The task builds the case's package for each audience; a reader's download of it from the page or
    the read API, after the write, builds nothing and holds what the write recorded."""
    kept = importlib.import_module("measures.importing.datapackage.kept")
    built = []
    real = kept.build_package

    def spy(*args, **kwargs):
        built.append(kwargs["authors"])
        return real(*args, **kwargs)

    monkeypatch.setattr(kept, "build_package", spy)
    client.force_login(getattr(factories, role)(username=f"the-{role}"))
    write(published, django_capture_on_commit_callbacks)
    assert built  # the task built the written case's package
    built.clear()
    page = client.get(reverse("measures:case_package", args=[published.slug]))
    api = client.get(f"/api/v1/cases/{published.slug}/package.zip")
    assert page.status_code == api.status_code == 200
    assert built == []
    assert page.content == api.content
    with zipfile.ZipFile(io.BytesIO(page.content)) as archive:
        assert "Recorded to be warmed." in archive.read("data/assessments.csv").decode("utf-8-sig")


def test_after_an_approval_a_readers_measure_pages_and_report_are_served_from_the_cache(
    client, published, django_capture_on_commit_callbacks
):
    """Every measure page and the report page of the case, not only the dashboard: a reader's first
    visit of each after the approval renders no template, and shows what the approval made."""
    client.force_login(factories.reader(username="the-reader"))
    client.get(reverse("login"))  # the CSRF cookie, as any earlier page gives it
    write(published, django_capture_on_commit_callbacks)
    numbers = list(published.measures.order_by("number").values_list("number", flat=True))
    pages = [reverse("measures:measure_detail", args=[published.slug, n]) for n in numbers]
    pages += [reverse("measures:report", args=[published.slug]), reverse("measures:source_list", args=[published.slug])]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert response["X-Page-Cache"] == "hit" and not response.templates, page
        content = response.content.decode()
        assert not any(marker in content for marker in sentinels()), page  # personalised
        if "/report/" not in page:  # the report has no header: its "By" line names the reader
            assert '<span class="user-name">the-reader</span>' in content, page
    assert "Recorded to be warmed." in client.get(pages[0]).content.decode()


def test_the_team_is_warmed_its_dashboard_lists_and_matrix_not_its_measure_pages(pakistan_iran):
    factories.analyst(username="an-analyst")
    pages = warming._pages(pakistan_iran, "team")
    assert reverse("measures:dashboard", args=[pakistan_iran.slug]) in pages
    assert not any("/measures/" in page or "/report/" in page for page in pages)
    assert warming.warm_case.call(pakistan_iran.pk, pakistan_iran.data_version) == len(pages)


def test_readers_are_warmed_first(published):
    factories.analyst(username="an-analyst")
    factories.reader(username="a-reader")
    assert [audience for audience, _ in warming._audiences(published)] == ["reader", "public", "team"]


@pytest.fixture
def deferring(published, settings):
    """A task backend that keeps what is queued, with its run_after (as the worker's queue does)."""
    settings.WARM_PAGES_INTERVAL_SECONDS = 5
    with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
        yield task_backends["default"].results
    cache.delete(f"warm-pages-started:{published.pk}")


def test_a_burst_of_writes_is_warmed_once_per_interval(published, deferring, monkeypatch):
    """The first write after a quiet spell is warmed at once; the writes after its warming started wait
    for the end of the interval and share one warming; the writes while that one waits queue nothing."""
    warming.case_changed([published.pk])
    (first,) = deferring
    assert first.task.run_after is None  # at once: no warming started lately
    monkeypatch.setattr(warming, "_get", lambda url, user: SimpleNamespace(status_code=200))
    started = timezone.now()
    warming.warm_case.call(published.pk, published.data_version)  # the worker runs it
    for _ in range(3):  # approvals while it renders, and after
        services.touch_cases([published.pk])
        warming.case_changed([published.pk])
    assert len(deferring) == 2  # one more, for the three
    second = deferring[1]
    expected = started + datetime.timedelta(seconds=5)
    assert expected - datetime.timedelta(seconds=1) <= second.task.run_after <= expected + datetime.timedelta(seconds=1)


def test_after_the_interval_a_write_is_warmed_at_once(published, deferring, settings):
    cache.set(f"warm-pages-started:{published.pk}", timezone.now().timestamp() - 6, 60)
    warming.case_changed([published.pk])
    (queued,) = deferring
    assert queued.task.run_after is None


def test_without_an_interval_every_write_while_none_waits_is_warmed_at_once(published, deferring, settings):
    settings.WARM_PAGES_INTERVAL_SECONDS = 0
    cache.set(f"warm-pages-started:{published.pk}", timezone.now().timestamp(), 60)
    warming.case_changed([published.pk])
    (queued,) = deferring
    assert queued.task.run_after is None
