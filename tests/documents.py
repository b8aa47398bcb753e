"""Small, real-ish documents made in the tests: a news page as a browser saves it, a PDF statement
(made with WeasyPrint), a Word document (made with python-docx) and a text file."""

import io

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
