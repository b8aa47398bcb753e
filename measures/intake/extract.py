"""Text and metadata from an uploaded document: an HTML page saved by a browser, a PDF, a Word
document (.docx) or a UTF-8 text file.

The type is decided by the bytes, never by the file's name: a PDF starts with ``%PDF-``, a Word
document is a ZIP package holding ``word/document.xml``, an HTML page has HTML markup near its start,
and anything else must decode as UTF-8 to count as text. The libraries that read each type:
trafilatura (HTML main text, title, author, site name, date), pdfminer.six (PDF text in layout
paragraphs, document information), python-docx (paragraphs and tables, core properties).

Every refusal is an ``IntakeError`` whose message names the file and says what to do.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from measures.lib.text import tidy_text

HTML = "html"
PDF = "pdf"
DOCX = "docx"
TEXT = "text"
TYPE_LABELS = {HTML: "HTML page", PDF: "PDF", DOCX: "Word document", TEXT: "text file"}
CONTENT_TYPES = {
    HTML: "text/html; charset=utf-8",
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    TEXT: "text/plain; charset=utf-8",
}
EXTENSIONS = {HTML: "html", PDF: "pdf", DOCX: "docx", TEXT: "txt"}

# Budgets of the extraction (settings: SOURCE_UNPACKED_MAX_BYTES, SOURCE_MAX_PAGES, SOURCE_MAX_CHARACTERS): a
# small file can unpack to gigabytes (a Word document's XML, a PDF's compressed streams) or hold hundreds of
# dense pages; each is checked before the costly part of the reading, and the refusal names the budget.
_HTML_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|title|article|p|div)\b", re.IGNORECASE)
# Signatures of common files that are none of ours, to name them in the refusal.
_KNOWN_SIGNATURES = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document (.doc, .xls): save it as .docx or PDF"),
    (b"{\\rtf", "an RTF document: save it as .docx or PDF"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]


class IntakeError(ValueError):
    """An upload that cannot be taken; the message names it and says why, for the analyst."""


@dataclass
class ExtractedDocument:
    """What a document yields: its main text (paragraphs separated by a blank line) and what it
    states about itself. Empty strings and None where the document says nothing.
    `date_hint` is a date the file's properties give (creation date of a PDF or Word file): shown
    to the analyst, never filled in as the publication date, which it often is not."""

    doc_type: str
    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_on: datetime.date | None = None
    date_hint: datetime.date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def type_label(self):
        return TYPE_LABELS[self.doc_type]


def max_upload_bytes():
    return settings.SOURCE_UPLOAD_MAX_BYTES


def _over_budget(name, what, budget, setting):
    return IntakeError(
        f"“{name}” {what}; the budget is {budget} ({setting}). Nothing was saved. Save a smaller version "
        "(the article alone, or the pages you need), or paste the text you need."
    )


def human_size(size):
    """1536 -> '1.5 KB'; sizes in decimal units as file managers show them."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1000
    return None  # pragma: no cover


def check_size(name, size):
    """Refuse an upload over SOURCE_UPLOAD_MAX_BYTES (from its declared size, before reading it)."""
    limit = max_upload_bytes()
    if size > limit:
        raise IntakeError(
            f"“{name}” is {human_size(size)}; the largest file a source may have is {human_size(limit)}. "
            "Nothing was saved. Save a smaller version (the article alone, or the pages you need)."
        )
    if size == 0:
        raise IntakeError(f"“{name}” is empty. Nothing was saved.")


def sniff(data):
    """The document type of `data` (bytes) by its content: 'pdf', 'docx', 'html' or 'text'.

    Raises IntakeError (without the file's name: the caller adds it) for anything else."""
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = set(package.namelist())
        except zipfile.BadZipFile:
            raise IntakeError("is a damaged ZIP archive, not a document we can read.") from None
        if "word/document.xml" in names:
            return DOCX
        if any(name.startswith("xl/") for name in names):
            raise IntakeError("is an Excel workbook, not a document: events come in through the event import.")
        raise IntakeError("is a ZIP archive, not a Word document, PDF, HTML page or text file.")
    for signature, what in _KNOWN_SIGNATURES:
        if data.startswith(signature):
            raise IntakeError(f"is {what}, not a Word document (.docx), PDF, HTML page or text file.")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_MARKUP.search(stripped[:4096]) and stripped.startswith(b"<"):
        return HTML
    if b"\x00" in data[:8192]:
        raise IntakeError("is a binary file, not a Word document (.docx), PDF, HTML page or text file.")
    return TEXT


def extract(data, *, name):
    """Sniff `data` (the bytes of a file called `name`) and extract its text and metadata.

    Returns an ExtractedDocument whose text is not empty. Raises IntakeError naming the file when
    the type is not one we take, the file is damaged, or no text can be found in it."""
    check_size(name, len(data))
    try:
        doc_type = sniff(data)
    except IntakeError as exc:
        raise IntakeError(f"“{name}” {exc} Nothing was saved.") from None
    extractor = {HTML: _from_html, PDF: _from_pdf, DOCX: _from_docx, TEXT: _from_text}[doc_type]
    document = extractor(data, name)
    limit = settings.SOURCE_MAX_CHARACTERS
    if len(document.text) > 2 * limit:  # before tidying, which would cost its own copies
        raise _over_budget(
            name, f"holds over {2 * limit:,} characters of text", f"{limit:,} characters", "SOURCE_MAX_CHARACTERS"
        )
    document.text = tidy_text(document.text)
    if len(document.text) > limit:
        raise _over_budget(
            name, f"holds {len(document.text):,} characters of text", f"{limit:,} characters", "SOURCE_MAX_CHARACTERS"
        )
    if not document.text:
        raise IntakeError(
            f"“{name}” holds no text we can find ({TYPE_LABELS[doc_type]}). Nothing was saved. "
            + _NO_TEXT_ADVICE[doc_type]
        )
    return document


def from_pasted_text(text):
    """An ExtractedDocument for text pasted into the form (title from its first line)."""
    text = tidy_text(text)
    if not text:
        raise IntakeError("The pasted text is empty. Nothing was saved.")
    return ExtractedDocument(doc_type=TEXT, text=text, title=_first_line_title(text))


_NO_TEXT_ADVICE = {
    HTML: "The page may build its text with scripts: save it from the browser as “Web page, complete” "
    "once the article shows, or paste the article's text.",
    PDF: "It may be a scan (pictures of pages): paste the text instead, or add a PDF with a text layer.",
    DOCX: "Paste the text instead.",
    TEXT: "Paste the text instead.",
}


def _first_line_title(text):
    first = text.split("\n", 1)[0].strip()
    return first[:300] if len(first) <= 300 else ""


def _clean(value, limit):
    value = re.sub(r"\s+", " ", str(value or "")).strip()
    return value[:limit]


def _from_text(data, name):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IntakeError(
            f"“{name}” is not UTF-8 text (byte {exc.start + 1} cannot be read as UTF-8). Nothing was saved. "
            "Save it again as UTF-8 (in most editors: Save as… → Encoding: UTF-8), or paste its text."
        ) from None
    return ExtractedDocument(doc_type=TEXT, text=text, title=_first_line_title(tidy_text(text)))


def _from_html(data, name):
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            # Only dates the page states in its markup or text, not guesses from its URL or copyright line.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except MemoryError:  # the sandbox's memory budget: refused as such (measures.intake.sandbox)
        raise
    except Exception as exc:  # trafilatura raises lxml and its own errors on broken markup
        raise IntakeError(f"“{name}” could not be read as an HTML page ({exc}). Nothing was saved.") from None
    if document is None:
        return ExtractedDocument(doc_type=HTML, text="")
    text = (document.text or "").replace("\n", "\n\n")
    published_on = None
    if document.date:
        try:
            published_on = datetime.date.fromisoformat(document.date[:10])
        except ValueError:
            published_on = None
    return ExtractedDocument(
        doc_type=HTML,
        text=text,
        title=_clean(document.title, 300),
        author=_clean(document.author, 200),
        publisher=_clean(document.sitename, 200),
        published_on=published_on,
    )


def _pdf_date(value):
    """A PDF date string (D:20240129093000+05'00') as a date, or None."""
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(value or ""))
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None


def _pdf_string(value):
    from pdfminer.utils import decode_text

    if isinstance(value, bytes):
        return decode_text(value)
    return str(value or "")


def _from_pdf(data, name):
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        parser = PDFParser(io.BytesIO(data))
        pdf = PDFDocument(parser)
        info = {key: resolve1(value) for key, value in (pdf.info[0] if pdf.info else {}).items()}
        _check_pdf_budgets(pdf, name)
        text = extract_text(io.BytesIO(data), laparams=LAParams(), maxpages=settings.SOURCE_MAX_PAGES)
    except IntakeError:
        raise
    except PDFPasswordIncorrect:
        raise IntakeError(
            f"“{name}” is a password-protected PDF. Nothing was saved. Save an unprotected copy, or paste its text."
        ) from None
    except MemoryError:  # the sandbox's memory budget: refused as such (measures.intake.sandbox)
        raise
    except Exception as exc:  # pdfminer raises many kinds of errors on damaged files
        raise IntakeError(
            f"“{name}” is a damaged PDF that cannot be read ({type(exc).__name__}). Nothing was saved. "
            "Download or save it again, or paste its text."
        ) from None
    return ExtractedDocument(
        doc_type=PDF,
        text=_pdf_paragraphs(text),
        title=_clean(_pdf_string(info.get("Title")), 300),
        author=_clean(_pdf_string(info.get("Author")), 200),
        date_hint=_pdf_date(info.get("CreationDate")),
    )


def _check_pdf_budgets(pdf, name):
    """Raise IntakeError when the PDF has more than SOURCE_MAX_PAGES pages, or when its Flate-compressed
    streams unpack to more than SOURCE_UNPACKED_MAX_BYTES (counted by unpacking them piecewise, never
    holding more than a piece: pdfminer would unpack each whole, in memory)."""
    import zlib

    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    pages_budget = settings.SOURCE_MAX_PAGES
    pages = 0
    for _ in PDFPage.create_pages(pdf):
        pages += 1
        if pages > pages_budget:
            raise _over_budget(
                name, f"has more than {pages_budget:,} pages", f"{pages_budget:,} pages", "SOURCE_MAX_PAGES"
            )
    budget = settings.SOURCE_UNPACKED_MAX_BYTES
    unpacked = 0
    seen = set()
    for xref in pdf.xrefs:
        for objid in xref.get_objids():
            if objid in seen:
                continue
            seen.add(objid)
            try:
                obj = pdf.getobj(objid)
            except MemoryError:  # the sandbox's memory budget: refused as such (measures.intake.sandbox)
                raise
            except Exception:  # a damaged object: pdfminer's own reading decides
                continue
            if not isinstance(obj, PDFStream) or not obj.get_filters():
                continue
            if obj.get_filters()[0][0] not in LITERALS_FLATE_DECODE:
                continue
            inflater = zlib.decompressobj()
            pending = obj.rawdata or b""
            try:
                while pending and unpacked <= budget:
                    piece = inflater.decompress(pending, 1 << 20)
                    unpacked += len(piece)
                    pending = inflater.unconsumed_tail
            except zlib.error:
                continue
            if unpacked > budget:
                raise _over_budget(
                    name,
                    f"unpacks to more than {human_size(budget)}",
                    human_size(budget),
                    "SOURCE_UNPACKED_MAX_BYTES",
                )


def _pdf_paragraphs(text):
    """pdfminer's text boxes are separated by blank lines; within one, lines are wrapped by the
    layout. Wrapped lines are joined with a space, so that each paragraph is one line of the text.
    A line ending in a hyphen is joined without a space and the hyphen is kept ("Amir-Abdollahian",
    "de-escalate"), unless the document elsewhere spells the word whole and never with the hyphen
    ("reaffir-" + "med" where "reaffirmed" occurs): a hyphen is only dropped on the document's word."""
    blocks = []
    for block in re.split(r"\n\s*\n|\f", text.replace("\r", "")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            blocks.append(lines)
    # The words as printed whole somewhere (the line-end splits themselves left out).
    words = set(re.findall(r"\w+(?:-\w+)*", re.sub(r"-\n", " ", text)))
    paragraphs = []
    for lines in blocks:
        joined = lines[0]
        for line in lines[1:]:
            split = re.search(r"(\w+)-$", joined)
            if split is None:
                joined += " " + line
                continue
            head, tail = split.group(1), re.match(r"\w*", line).group()
            if tail and f"{head}{tail}" in words and f"{head}-{tail}" not in words:
                joined = joined[:-1] + line
            else:
                joined += line
        paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def _from_docx(data, name):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        unpacked = sum(info.file_size for info in package.infolist())
    budget = settings.SOURCE_UNPACKED_MAX_BYTES
    if unpacked > budget:
        raise _over_budget(name, f"unpacks to {human_size(unpacked)}", human_size(budget), "SOURCE_UNPACKED_MAX_BYTES")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise IntakeError(
            f"“{name}” is a damaged Word document ({type(exc).__name__}). Nothing was saved. "
            "Open it in Word or LibreOffice and save it again, or paste its text."
        ) from None
    except MemoryError:  # the sandbox's memory budget: refused as such (measures.intake.sandbox)
        raise
    except Exception as exc:  # lxml errors on damaged XML parts
        raise IntakeError(f"“{name}” is a damaged Word document ({exc}). Nothing was saved.") from None
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text.strip() and (not cells or cells[-1] != cell.text.strip()):  # merged cells repeat
                    cells.append(cell.text.strip())
            if cells:
                paragraphs.append(" | ".join(cells))
    properties = document.core_properties
    created = properties.created
    return ExtractedDocument(
        doc_type=DOCX,
        text="\n\n".join(paragraphs),
        title=_clean(properties.title, 300),
        author=_clean(properties.author, 200),
        date_hint=created.date() if created else None,
    )
