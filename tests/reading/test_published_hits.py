"""What an anonymous visitor's cache hit of a published page costs and carries
(reading.middleware.PublishedPageCacheMiddleware, reading.caching.published_response): its length and
the CSP middleware's headers; with the file cache (the default without REDIS_URL), the case's
published-version pointer read from memory while its file is unchanged (tracker.filecache), and read
again as soon as any process changes it."""

import datetime

import pytest
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.db.models import F
from django.urls import reverse
from django.utils.csp import CSP

from measures import roles, services
from measures.models import Assessment, Case
from tests import factories
from tests.helpers import files_opened_by_the_file_cache


@pytest.fixture
def published(pakistan_iran):
    pakistan_iran.visibility = Case.Visibility.PUBLISHED
    pakistan_iran.save(update_fields=["visibility"])
    services.touch_cases({pakistan_iran.pk})
    return pakistan_iran


@pytest.fixture
def file_cache(settings, tmp_path):
    """The file cache in a folder of the test's own, as deployed without REDIS_URL; returns Django's
    FileBasedCache on the same folder: another server process."""
    settings.CACHES = {"default": {"BACKEND": "tracker.filecache.KeptFileBasedCache", "LOCATION": str(tmp_path)}}
    return FileBasedCache(str(tmp_path), {})


def dashboard(case):
    return reverse("measures:dashboard", args=[case.slug])


def test_a_cached_published_page_says_its_length(client, published):
    """Without Content-Length the server sends the page in chunks (a rendered page gets it from
    CommonMiddleware, which comes after the page cache's middleware)."""
    url = dashboard(published)
    first = client.get(url)
    hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Length"] == first["Content-Length"] == str(len(hit.content))


def test_a_cached_published_page_carries_the_csp_headers_of_a_rendered_one(client, published, settings):
    settings.SECURE_CSP_REPORT_ONLY = {"default-src": [CSP.SELF], "report-uri": "/csp-reports/"}
    url = dashboard(published)
    first = client.get(url)
    hit = client.get(url)
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert hit["X-Page-Cache"] == "hit" and not_modified.status_code == 304
    for answer in (hit, not_modified):
        assert answer["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert answer["Content-Security-Policy-Report-Only"] == first["Content-Security-Policy-Report-Only"]


def test_a_policy_with_a_nonce_gives_a_cached_page_the_header_of_a_rendered_one(client, published, settings):
    """The CSP middleware puts a nonce in the header only for a rendering that used one, which a stored
    page never is: the header built once is the middleware's."""
    settings.SECURE_CSP = {**settings.SECURE_CSP, "script-src": [CSP.SELF, CSP.NONCE]}
    url = dashboard(published)
    first = client.get(url)
    hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_hit_reads_no_file_cache_entry_while_nothing_changed(
    client, published, file_cache, monkeypatch, django_assert_num_queries
):
    url = dashboard(published)
    first = client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    reads = files_opened_by_the_file_cache(monkeypatch)
    with django_assert_num_queries(0):
        hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit" and hit.content == first.content
    assert reads == []


def test_the_pointer_changed_by_another_process_is_read_again_at_once(
    client, published, file_cache, django_capture_on_commit_callbacks
):
    url = reverse("measures:measure_detail", args=[published.slug, 1])
    measure = published.measures.get(number=1)
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    # A write elsewhere: approved there, its new version set in the pointer's file.
    assessment = services.record_assessment(
        measure=measure,
        party=published.assessed_parties.get(code="PAK"),
        level=Assessment.Level.NOT_INITIATED,
        rationale="Approved on another server.",
        citations=[measure.evidence.first().citation],
        recorded_by=factories.analyst(username="elsewhere"),
        effective_date=datetime.date(2024, 1, 29),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_assessment(assessment=assessment, reviewer=factories.reviewer(username="rev"))
    assert "Approved on another server." in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"

    # Marked not published by another process, then published again there: seen at the next read.
    key = services.public_pointer_key(published.slug)
    pointer = cache.get(key)
    file_cache.set(key, services.NOT_PUBLISHED, None)
    assert cache.get(key) == services.NOT_PUBLISHED
    file_cache.set(key, pointer, None)
    assert cache.get(key) == pointer
    assert client.get(url)["X-Page-Cache"] == "hit"

    # Its pointer's file removed (culled, or the cache emptied): not read from memory any more.
    file_cache.delete(key)
    assert cache.get(key) is None

    with django_capture_on_commit_callbacks(execute=True):
        published.visibility = Case.Visibility.PRIVATE
        published.save(update_fields=["visibility"])
    assert client.get(url).status_code == 404


def test_a_pointer_set_before_migrate_or_flush_is_never_read(client, published):
    """After migrate or flush the database under the cache may be another one (a backup restored; the
    bench's databases of each scale, whose largest case has the same address): a pointer set from the
    one before must not answer for it. Here the rows change without the services, as another database
    would have them; measures.roles.forget_all is what post_migrate runs."""
    url = dashboard(published)
    first = client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    Case.objects.filter(pk=published.pk).update(data_version=F("data_version") + 7)
    assert client.get(url)["ETag"] == first["ETag"]  # a write outside the services is not seen (roles.py)
    roles.forget_all()
    after = client.get(url)
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def test_a_page_found_in_the_cache_puts_a_missing_pointer_back(client, published, django_assert_num_queries):
    """The report page (stamped with every case's version too) found in the shared cache by the view,
    its pointer gone (evicted): the pointer is set again, so that the next visitor is answered before
    the session and the database, not by the view at every request."""
    url = reverse("measures:report", args=[published.slug])
    first = client.get(url)
    cache.delete(services.public_pointer_key(published.slug))
    found = client.get(url)
    assert found["X-Page-Cache"] == "hit" and found["ETag"] == first["ETag"]
    with django_assert_num_queries(0):
        hit = client.get(url)
    assert hit.status_code == 200 and hit.content == first.content


def test_an_instance_on_another_database_never_reads_the_pages_of_this_one(client, published, settings, tmp_path):
    """Two deployments given one cache folder (or one Redis): each key carries its database's identity
    (tracker.databases.database_identity as the cache's KEY_PREFIX), so the other instance, whose
    database may hold a private case at the same address, renders its own answer instead of this one's."""
    here = {"BACKEND": "tracker.filecache.KeptFileBasedCache", "LOCATION": str(tmp_path), "KEY_PREFIX": "here"}
    settings.CACHES = {"default": here}
    url = dashboard(published)
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    settings.CACHES = {"default": {**here, "KEY_PREFIX": "another-database"}}
    published.visibility = Case.Visibility.PRIVATE  # as that database holds it
    published.save(update_fields=["visibility"])
    answer = client.get(url)
    assert answer.status_code == 404 and "X-Page-Cache" not in answer
