"""The original document of a source: served by a view to logged-in readers only, never as a
static file; HTML and Word files as downloads, sandboxed."""

import pytest
from django.urls import reverse

from measures import services
from measures.intake import Original, extract
from tests import documents, factories

pytestmark = pytest.mark.usefixtures("media_root")


def source_from(data, name):
    document = extract(data, name=name)
    return services.create_source(
        title=document.title or name,
        kind="news",
        full_text=document.text,
        original=Original(name=name, data=data, doc_type=document.doc_type),
    )


@pytest.mark.pdf
def test_a_reader_gets_the_pdf_as_uploaded(db, reader_client):
    data = documents.pdf_statement()
    source = source_from(data, "Statement 29 Jan.pdf")
    response = reader_client.get(reverse("measures:source_original", args=[source.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "Statement 29 Jan.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_uploaded_page_is_a_sandboxed_download_never_a_page_of_ours(db, reader_client):
    source = source_from(documents.news_page(), "envoys.html")
    response = reader_client.get(reverse("measures:source_original", args=[source.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_anonymous_visitors_are_sent_to_log_in_and_accounts_without_a_role_refused(db, client):
    source = source_from(documents.text_file(), "notes.txt")
    url = reverse("measures:source_original", args=[source.pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(factories.UserFactory(username="no-role"))
    assert client.get(url).status_code == 403


def test_a_source_without_a_file_or_with_a_missing_file_is_not_found(db, reader_client):
    plain = factories.SourceFactory()
    assert reader_client.get(reverse("measures:source_original", args=[plain.pk])).status_code == 404
    source = source_from(documents.text_file(), "notes.txt")
    source.original_file.storage.delete(source.original_file.name)
    assert reader_client.get(reverse("measures:source_original", args=[source.pk])).status_code == 404


def test_the_media_folder_is_not_served(db, reader_client, settings):
    source = source_from(documents.text_file(), "notes.txt")
    assert reader_client.get("/media/" + source.original_file.name).status_code == 404
    assert reader_client.get("/" + source.original_file.name).status_code == 404


def test_the_admin_links_the_original(db, analyst_client):
    source = source_from(documents.text_file(), "notes.txt")
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk])).content.decode()
    assert reverse("measures:source_original", args=[source.pk]) in page
    assert "notes.txt" in page
