"""Adding a source from a document or pasted text in the admin: upload, review, save; the original
kept under MEDIA_ROOT with a safe name; bad uploads refused with nothing saved; the text editable
until the first citation."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures import services
from measures.models import Source
from tests import documents, factories
from workspace.forms import SourceForm
from workspace.intake import SourceUploadForm

pytestmark = pytest.mark.usefixtures("media_root")
INTAKE = "admin:measures_source_intake"


def upload(client, data, name):
    return client.post(reverse(INTAKE), {"file": SimpleUploadedFile(name, data), "text": ""})


def review_data(response, **changes):
    """The review form as the analyst submits it, with `changes`."""
    form = response.context["review"]
    data = {name: form[name].value() or "" for name in form.fields}
    if isinstance(data["published_on"], datetime.date):
        data["published_on"] = data["published_on"].isoformat()
    data.update(changes)
    return data


def stored_files(media_root):
    root = Path(media_root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_saved_news_page_is_reviewed_then_saved_with_its_original(analyst_client, media_root):
    page = documents.news_page()
    response = upload(analyst_client, page, "Pakistan, Iran agree to return envoys - Newspaper - DAWN.COM.html")
    assert response.status_code == 200
    # Shown for review: nothing saved yet.
    assert Source.objects.count() == 0
    review = response.context["review"]
    assert review["title"].value() == "Pakistan, Iran agree to return envoys"
    assert review["publisher"].value() == "Dawn"
    assert review["author"].value() == "Baqir Sajjad Syed"
    assert review["published_on"].value() == datetime.date(2024, 1, 22)
    assert documents.ARTICLE[0] in review["full_text"].value()
    assert "Filled in from what the document states" in response.content.decode()

    edited = review["full_text"].value() + "\n\nA line the analyst added."
    response = analyst_client.post(reverse(INTAKE), review_data(response, kind="news", full_text=edited))
    assert response.status_code == 302
    source = Source.objects.get()
    assert (source.title, source.publisher, source.author, source.published_on) == (
        "Pakistan, Iran agree to return envoys",
        "Dawn",
        "Baqir Sajjad Syed",
        datetime.date(2024, 1, 22),
    )
    assert source.full_text.endswith("A line the analyst added.")
    assert source.original_type == "html"
    assert source.original_name == "Pakistan, Iran agree to return envoys - Newspaper - DAWN.COM.html"
    assert source.original_size == len(page)
    # Stored under a random name of our making, with the staged copy gone.
    files = stored_files(media_root)
    assert files == [source.original_file.name]
    assert source.original_file.name.startswith(f"sources/{datetime.date.today():%Y}/")
    assert source.original_file.name.endswith(".html") and "DAWN" not in source.original_file.name
    assert Path(source.original_file.path).read_bytes() == page
    assert source.history.count() == 1


@pytest.mark.pdf
def test_a_pdf_statement_keeps_its_type_whatever_its_name(analyst_client):
    response = upload(analyst_client, documents.pdf_statement(), "statement.txt")
    assert response.context["review"]["title"].value() == "Press release: telephone call of the foreign ministers"
    response = analyst_client.post(reverse(INTAKE), review_data(response, kind="official"))
    source = Source.objects.get()
    assert source.original_type == "pdf" and source.original_file.name.endswith(".pdf")
    assert documents.ARTICLE[1] in source.full_text


def test_a_word_document_is_taken_and_its_file_date_only_hinted(analyst_client):
    response = upload(analyst_client, documents.word_document(), "statement.docx")
    assert response.context["review"]["published_on"].value() is None
    assert "created on" in response.content.decode()
    analyst_client.post(reverse(INTAKE), review_data(response, kind="official"))
    assert Source.objects.get().original_type == "docx"


def test_pasted_text_makes_a_source_without_a_file(analyst_client, media_root):
    response = analyst_client.post(reverse(INTAKE), {"text": "Envoys to return\n\nBoth sides agreed."})
    assert response.context["review"]["title"].value() == "Envoys to return"
    analyst_client.post(reverse(INTAKE), review_data(response, kind="news"))
    source = Source.objects.get()
    assert source.full_text == "Envoys to return\n\nBoth sides agreed." and not source.original_file
    assert stored_files(media_root) == []


def test_a_text_of_several_megabytes_is_reviewed_and_saved(analyst_client, media_root):
    # Over Django's default request limit of 2.5 MB, under the upload limit of 20 MB.
    text = ("A very long line of a border report with words. " * 30 + "\n\n") * 2200
    response = analyst_client.post(reverse(INTAKE), {"text": text})
    assert response.status_code == 200
    saved = analyst_client.post(reverse(INTAKE), review_data(response, kind="news", title="Border report"))
    assert saved.status_code == 302, saved.context["review"].errors if saved.context else saved
    assert len(Source.objects.get().full_text) > 3_000_000


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "statement.pdf", "damaged PDF"),
        (documents.empty_page(), "app.html", "holds no text we can find"),
        (documents.png_image(), "photo.pdf", "is a PNG image"),
        ("Café".encode("latin-1"), "notes.txt", "is not UTF-8 text"),
    ],
)
def test_a_bad_upload_is_refused_with_its_message_and_nothing_is_saved(analyst_client, media_root, data, name, message):
    response = upload(analyst_client, data, name)
    assert response.status_code == 200
    assert response.context["review"] is None
    page = response.content.decode()
    assert message in page and name in page and "Nothing was saved" in page
    assert Source.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_saved(analyst_client, media_root, settings):
    settings.SOURCE_UPLOAD_MAX_BYTES = 2000
    response = upload(analyst_client, documents.news_page(documents.ARTICLE * 3), "long.html")
    assert "the largest file a source may have is 2 KB" in response.content.decode()
    assert Source.objects.count() == 0 and stored_files(media_root) == []


class _DeclaredSize(SimpleUploadedFile):
    """An upload whose size is as declared, and which fails if read: the check must not read it."""

    def __init__(self, name, size):
        super().__init__(name, b"x")
        self.size = size

    def read(self, *args):
        raise AssertionError("a file over the limit was read")


def test_a_200_mb_file_is_refused_by_its_size_without_being_read(settings):
    settings.SOURCE_UPLOAD_MAX_BYTES = 20_000_000
    form = SourceUploadForm(data={"text": ""}, files={"file": _DeclaredSize("archive-scan.pdf", 200_000_000)})
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "“archive-scan.pdf” is 200 MB; the largest file a source may have is 20 MB. Nothing was saved. "
        "Save a smaller version (the article alone, or the pages you need)."
    ]


def test_a_file_and_pasted_text_together_or_neither_are_refused(analyst_client):
    neither = analyst_client.post(reverse(INTAKE), {"text": "  "})
    assert "Choose a document to upload, or paste the text." in neither.content.decode()
    both = analyst_client.post(reverse(INTAKE), {"file": SimpleUploadedFile("a.txt", b"hello"), "text": "hello"})
    assert "not both" in both.content.decode()
    assert Source.objects.count() == 0


def test_the_same_file_twice_is_refused_naming_the_source_it_is_already(analyst_client, media_root):
    page = documents.news_page()
    first = upload(analyst_client, page, "envoys.html")
    analyst_client.post(reverse(INTAKE), review_data(first, kind="news"))
    second = upload(analyst_client, page, "envoys-again.html")
    response = analyst_client.post(reverse(INTAKE), review_data(second, kind="news"))
    assert "already the original of the source “Pakistan, Iran agree to return envoys”" in response.content.decode()
    assert Source.objects.count() == 1
    assert len([f for f in stored_files(media_root) if f.startswith("sources/")]) == 1


def test_the_review_must_still_be_valid(analyst_client):
    response = upload(analyst_client, documents.news_page(), "envoys.html")
    response = analyst_client.post(reverse(INTAKE), review_data(response, kind="", title="", full_text=" "))
    errors = response.context["review"].errors
    assert {"kind", "title", "full_text"} <= set(errors)
    assert Source.objects.count() == 0


def test_another_users_staged_file_cannot_be_claimed(analyst_client, client):
    response = upload(analyst_client, documents.news_page(), "envoys.html")
    data = review_data(response, kind="news")
    client.force_login(factories.analyst(username="other-analyst"))
    response = client.post(reverse(INTAKE), data)
    assert "expired or is not yours" in response.content.decode()
    forged = client.post(reverse(INTAKE), {**data, "staged": data["staged"][:-3] + "abc"})
    assert "expired or is not yours" in forged.content.decode()
    assert Source.objects.count() == 0


def test_readers_cannot_add_sources(reader_client):
    assert reader_client.get(reverse(INTAKE)).status_code == 403
    assert upload(reader_client, documents.news_page(), "envoys.html").status_code == 403
    assert Source.objects.count() == 0


def test_the_source_list_links_to_adding_from_a_document(analyst_client):
    page = analyst_client.get(reverse("admin:measures_source_changelist")).content.decode()
    assert reverse(INTAKE) in page


# The text is editable until the first citation quotes it.


def test_the_text_of_an_uncited_source_can_be_edited_in_the_admin(analyst_client):
    source = factories.SourceFactory(full_text="First version.")
    form = SourceForm(
        data={
            "title": source.title,
            "kind": source.kind,
            "full_text": "Second version.",
            "seen_version": source.version,
        },
        instance=source,
    )
    assert form.is_valid(), form.errors


def test_the_text_of_a_cited_source_is_read_only_and_refused(analyst_client):
    citation = factories.CitationFactory()
    source = citation.source
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk]))
    assert "full_text" in page.context["adminform"].readonly_fields
    form = SourceForm(
        data={"title": source.title, "kind": source.kind, "full_text": "Rewritten.", "seen_version": source.version},
        instance=source,
    )
    assert not form.is_valid()
    assert "can no longer change: 1 citation quote it" in form.errors["full_text"][0]


def test_the_service_refuses_to_change_a_quoted_text_and_changes_an_unquoted_one(db):
    citation = factories.CitationFactory()
    with pytest.raises(services.ServiceError, match="can no longer change"):
        services.change_source_text(source=citation.source, full_text="Rewritten.")
    citation.source.refresh_from_db()
    assert citation.source.full_text != "Rewritten."
    free = factories.SourceFactory(full_text="Old.")
    assert services.change_source_text(source=free, full_text="New.\r\n").full_text == "New.\r\n"


def test_page_breaks_and_other_control_characters_in_a_document_become_paragraphs_or_go():
    from measures.intake import tidy_text

    text = "Page one ends.\x0cPage two\x0bbegins.\x85Next line.\x1eSection.\x07 Bell\x9b gone.\tTab kept."
    assert tidy_text(text) == "Page one ends.\n\nPage two\n\nbegins.\nNext line.\n\nSection. Bell gone.\tTab kept."
