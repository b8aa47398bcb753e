"""Text and metadata from uploaded documents (measures.intake.extract), and the refusals of what
cannot be taken: each names the file and says what to do."""

import datetime
import io

import pytest

from measures.intake import IntakeError, extract, from_pasted_text, sniff
from tests import documents


def test_a_saved_news_page_gives_its_article_and_what_it_states_about_itself():
    document = extract(documents.news_page(), name="dawn-envoys.html")
    assert document.doc_type == "html"
    assert (document.title, document.publisher, document.author, document.published_on) == (
        "Pakistan, Iran agree to return envoys",
        "Dawn",
        "Baqir Sajjad Syed",
        datetime.date(2024, 1, 22),
    )
    paragraphs = document.text.split("\n\n")
    assert documents.ARTICLE[0] in paragraphs
    assert documents.ARTICLE[2] in paragraphs
    # Navigation, footer and scripts are not the article.
    assert "Sport" not in document.text and "Copyright" not in document.text and "analytics" not in document.text


def test_a_page_in_another_charset_is_read_in_its_charset():
    page = documents.news_page(
        ["Talks hosted by Türkiye resumed after the Iranian strike on Panjgur, officials said."] * 2,
        charset="iso-8859-1",
    )
    assert "Türkiye" in extract(page, name="page.htm").text


@pytest.mark.pdf
def test_a_pdf_statement_gives_its_paragraphs_title_and_author():
    document = extract(documents.pdf_statement(), name="statement.pdf")
    assert document.doc_type == "pdf"
    assert document.title == "Press release: telephone call of the foreign ministers"
    assert document.author == "Ministry of Foreign Affairs"
    paragraphs = document.text.split("\n\n")
    # Lines wrapped by the page layout are joined again: each paragraph is one line of text.
    assert documents.ARTICLE[1] in paragraphs
    assert document.published_on is None  # a PDF's creation date is not its publication date


def test_a_word_document_gives_its_paragraphs_tables_and_properties_but_not_its_file_date_as_published():
    document = extract(documents.word_document(), name="statement.docx")
    assert document.doc_type == "docx"
    assert (document.title, document.author) == (
        "Statement on the foreign ministers' call",
        "Ministry of Foreign Affairs",
    )
    assert document.text.split("\n\n")[:2] == ["Statement", documents.ARTICLE[0]]
    assert "Issued | Islamabad" in document.text
    assert document.published_on is None
    assert document.date_hint is not None  # shown to the analyst as a hint only


def test_a_text_file_with_byte_order_mark_and_windows_line_ends_is_tidied_not_changed():
    data = "\ufeff".encode() + documents.text_file()
    document = extract(data, name="notes.txt")
    assert document.doc_type == "text"
    assert document.title == "Pakistan, Iran agree to return envoys"
    assert "\r" not in document.text and "\ufeff" not in document.text
    assert document.text.split("\n\n")[1] == documents.ARTICLE[0]


def test_pasted_text_is_tidied_and_titled_from_its_first_line():
    document = from_pasted_text("  \n\nTitle line\r\n\r\n\r\n\r\nBody  \n")
    assert (document.title, document.text) == ("Title line", "Title line\n\nBody")


@pytest.mark.parametrize(
    ("make", "name", "expected"),
    [
        pytest.param(documents.pdf_statement, "statement.txt", "pdf", marks=pytest.mark.pdf),
        (documents.news_page, "article.pdf", "html"),
        (documents.word_document, "statement.pdf", "docx"),
        (documents.text_file, "statement.docx", "text"),
    ],
)
def test_the_type_comes_from_the_content_not_the_name(make, name, expected):
    assert sniff(make()) == expected
    assert extract(make(), name=name).doc_type == expected


def _encrypted_pdf():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(documents.pdf_statement())))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _textless_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip_archive():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\n" + b"\x00garbage" * 40,
            "statement.pdf",
            "damaged PDF",
        ),
        pytest.param(lambda: documents.pdf_statement()[:400], "cut-short.pdf", "damaged PDF", marks=pytest.mark.pdf),
        pytest.param(_encrypted_pdf, "locked.pdf", "password-protected PDF", marks=pytest.mark.pdf),
        (_textless_pdf, "scan.pdf", "holds no text we can find (PDF)"),
        (documents.empty_page, "app.html", "holds no text we can find (HTML page)"),
        (documents.png_image, "photo.pdf", "is a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.doc", "old-style Office document"),
        (_zip_archive, "archive.docx", "is a ZIP archive, not a Word document"),
        (b"PK\x03\x04 this is not really a zip", "broken.docx", "damaged ZIP archive"),
        ("Café in Zürich".encode("latin-1"), "latin1.txt", "is not UTF-8 text"),
        (b"text\x00with\x00nul\x00bytes", "data.bin", "binary file"),
        (b"", "empty.txt", "is empty"),
        (b"\n \n\t\n", "blank.txt", "holds no text"),
    ],
)
def test_what_cannot_be_taken_is_refused_with_a_message_naming_the_file(data, name, message):
    data = data() if callable(data) else data
    with pytest.raises(IntakeError) as refused:
        extract(data, name=name)
    assert f"“{name}”" in str(refused.value)
    assert message in str(refused.value)
    assert "Nothing was saved" in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.SOURCE_UPLOAD_MAX_BYTES = 20_000_000
    with pytest.raises(IntakeError, match="“big.pdf” is 200 MB; the largest file a source may have is 20 MB"):
        from measures.intake import check_size

        check_size("big.pdf", 200_000_000)


def test_pdf_line_end_hyphens_are_kept_unless_the_document_spells_the_word_whole():
    from measures.intake.extract import _pdf_paragraphs

    text = (
        "The commanders reaffir-\nmed the understanding, and Amir-\nAbdollahian\nflew in.\n\n"
        "They reaffirmed it. Both agreed to de-\nescalate.\n\f"
    )
    assert _pdf_paragraphs(text) == (
        "The commanders reaffirmed the understanding, and Amir-Abdollahian flew in.\n\n"
        "They reaffirmed it. Both agreed to de-escalate."
    )
