"""Small, real-ish documents made in the tests: a news page as a browser saves it, a PDF statement
(made with WeasyPrint), a Word document (made with python-docx) and a text file."""

import io
import zlib

ARTICLE = [
    "Pakistan and Iran agreed on Monday that their ambassadors would return to their posts by "
    "January 26, the foreign office said after the two foreign ministers spoke by telephone.",
    "The two ministers also agreed that Iranian Foreign Minister Hossein Amir-Abdollahian would visit "
    "Islamabad on January 29 at the invitation of his Pakistani counterpart.",
    "Both sides stressed the need for close cooperation on counter-terrorism and for respecting each "
    "other's sovereignty and territorial integrity.",
]


def news_page(paragraphs=ARTICLE, *, charset="utf-8"):
    """An article page as a browser saves it: navigation, the article with its metadata, a footer."""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}">
<title>Pakistan, Iran agree to return envoys | Dawn</title>
<meta property="og:title" content="Pakistan, Iran agree to return envoys">
<meta property="og:site_name" content="Dawn">
<meta name="author" content="Baqir Sajjad Syed">
<meta property="article:published_time" content="2024-01-22T10:00:00+05:00">
<script>window.analytics = [];</script>
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Pakistan, Iran agree to return envoys</h1>
{body}</article>
<footer>Copyright 2024 Dawn. All rights reserved.</footer>
</body></html>""".encode(charset)


def empty_page():
    """A page whose text is built by scripts: no text in the saved file."""
    return (
        b"<!DOCTYPE html><html><head><title></title><script src='app.js'></script></head>"
        b"<body><div id='root'></div></body></html>"
    )


def pdf_statement(paragraphs=ARTICLE, *, title="Press release: telephone call of the foreign ministers"):
    import weasyprint

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f"<html><head><title>{title}</title><meta name='author' content='Ministry of Foreign Affairs'></head>"
        f"<body><h1>Press release</h1>{body}</body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def word_document(paragraphs=ARTICLE, *, title="Statement on the foreign ministers' call"):
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Ministry of Foreign Affairs"
    document.add_heading("Statement", level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Issued"
    table.rows[0].cells[1].text = "Islamabad"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def text_file(paragraphs=ARTICLE, *, title="Pakistan, Iran agree to return envoys"):
    return ("\r\n\r\n".join([title, *paragraphs]) + "\r\n").encode("utf-8")


def png_image():
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_bytes(pages=1, *, text="Both sides agreed to de-escalate.", padding=0, stream=None):
    """A small valid PDF: `pages` pages each showing `text`; `padding` bytes of spaces added to each page's
    content stream, which is Flate-compressed (so a few KB can unpack to megabytes); or `stream`, a page's
    content stream already compressed (to make one that unpacks to gigabytes without holding them)."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for number in range(pages):
        page_id, content_id = 4 + 2 * number, 5 + 2 * number
        kids.append(f"{page_id} 0 R".encode())
        content = (
            stream
            if stream is not None
            else zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() + b" " * padding)
        )
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
