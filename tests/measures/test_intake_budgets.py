"""Files with budgets: what a document unpacks to, its pages and its characters are bounded before the
costly reading, and a file over budget is refused with a message naming the budget."""

import io
import zipfile
import zlib

import pytest

from measures.intake import IntakeError, extract
from tests import documents


def pdf_bytes(pages=1, *, text="Both sides agreed to de-escalate.", padding=0):
    """A small valid PDF: `pages` pages each showing `text`; `padding` bytes of spaces added to each page's
    content stream, which is Flate-compressed (so a few KB can unpack to megabytes)."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for number in range(pages):
        page_id, content_id = 4 + 2 * number, 5 + 2 * number
        kids.append(f"{page_id} 0 R".encode())
        content = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() + b" " * padding)
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            + f"/Contents {content_id} 0 R >>".encode()
        )
        objects[content_id] = (
            f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode() + content + b"\nendstream"
        )
    objects[2] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + f"] /Count {pages} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for number in sorted(objects):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


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
    document = extract(pdf_bytes(3), name="statement.pdf")
    assert document.text.count("Both sides agreed to de-escalate.") == 3


def test_a_pdf_over_the_page_budget_is_refused_before_its_text_is_read(settings):
    """A 55 KB PDF of 300 dense pages took 36 s inside the request."""
    settings.SOURCE_MAX_PAGES = 20
    data = pdf_bytes(21)
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
    data = pdf_bytes(1, padding=3_000_000)
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
