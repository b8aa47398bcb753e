"""Files with budgets: what a document unpacks to, its pages and its characters are bounded before the
costly reading, and a file over budget is refused with a message naming the budget."""

import io
import zipfile

import pytest

from measures.intake import IntakeError, extract
from tests import documents


def inflated_word_document(extra_bytes):
    """A real Word document whose document.xml is padded with `extra_bytes` of spaces (compresses to little)."""
    source = zipfile.ZipFile(io.BytesIO(documents.word_document()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * extra_bytes, 1)
            package.writestr(info.filename, data)
    return out.getvalue()


def test_a_small_pdf_within_its_budgets_is_read():
    document = extract(documents.pdf_bytes(3), name="statement.pdf")
    assert document.text.count("Both sides agreed to de-escalate.") == 3


def test_a_pdf_over_the_page_budget_is_refused_before_its_text_is_read(settings):
    """A 55 KB PDF of 300 dense pages took 36 s inside the request."""
    settings.SOURCE_MAX_PAGES = 20
    data = documents.pdf_bytes(21)
    assert len(data) < 10_000
    with pytest.raises(IntakeError) as refusal:
        extract(data, name="dense.pdf")
    assert str(refusal.value).startswith(
        "“dense.pdf” has more than 20 pages; the budget is 20 pages (SOURCE_MAX_PAGES)."
    )
    assert "Nothing was saved" in str(refusal.value)


def test_a_pdf_whose_streams_unpack_over_budget_is_refused(settings):
    """A 1.5 MB PDF whose stream inflated to 1.5 GB took 2.9 GB of memory."""
    settings.SOURCE_UNPACKED_MAX_BYTES = 1_000_000
    data = documents.pdf_bytes(1, padding=3_000_000)
    assert len(data) < 20_000
    with pytest.raises(
        IntakeError, match=r"unpacks to more than 1 MB; the budget is 1 MB \(SOURCE_UNPACKED_MAX_BYTES\)"
    ):
        extract(data, name="bomb.pdf")


def test_a_word_document_whose_xml_inflates_over_budget_is_refused(settings):
    """A 0.5 MB Word file whose XML inflated to 150 MB took 198 s and 1.4 GB (the old limit was 10× the
    upload limit: 200 MB)."""
    settings.SOURCE_UPLOAD_MAX_BYTES = 20_000_000
    settings.SOURCE_UNPACKED_MAX_BYTES = 50_000_000
    data = inflated_word_document(60_000_000)
    assert len(data) < 1_000_000
    with pytest.raises(IntakeError) as refusal:
        extract(data, name="inflated.docx")
    assert str(refusal.value).startswith("“inflated.docx” unpacks to 60")
    assert "MB; the budget is 50 MB (SOURCE_UNPACKED_MAX_BYTES). Nothing was saved." in str(refusal.value)


def test_a_document_over_the_character_budget_is_refused(settings):
    settings.SOURCE_MAX_CHARACTERS = 10_000
    text = ("A line of a border report with words. " * 20 + "\n\n") * 20  # about 16,000 characters
    with pytest.raises(
        IntakeError, match=r"characters of text; the budget is 10,000 characters \(SOURCE_MAX_CHARACTERS\)"
    ):
        extract(text.encode(), name="long.txt")
    assert extract(text[:9000].encode(), name="short.txt").text
