"""The status report as a PDF: contents, pages, paper, rendering, and a WeasyPrint that never reaches the network."""

import datetime
import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from measures.models import Evidence
from reports import render
from reports.build import build_report
from reports.render import pdf_stylesheet, static_files_fetcher
from reports.templatetags.report_text import unquoted
from tests import factories


def get_pdf(client, case, **params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    response = client.get(reverse("measures:report_pdf", args=[case.slug]) + "?" + query)
    assert response.status_code == 200, response.content[:500]
    return response


@pytest.fixture(scope="module")
def made_pdfs():
    """The module's PDFs of the Pakistan–Iran case: a PDF takes seconds to make."""
    return {}


@pytest.fixture
def pdf_of(reader_client, pakistan_iran, made_pdfs):
    """The PDF of the Pakistan–Iran case for a query, each distinct one made once in the module. The key
    holds the database, the case and the version and time of its data, so that a PDF is never served
    for other data: another database (an xdist worker, PostgreSQL), another load, or a test's change."""

    def pdf(**params):
        key = (
            connection.settings_dict["NAME"],
            pakistan_iran.pk,
            pakistan_iran.data_version,
            pakistan_iran.data_changed_at,
            tuple(sorted(params.items())),
        )
        if key not in made_pdfs:
            made_pdfs[key] = get_pdf(reader_client, pakistan_iran, **params)
        return made_pdfs[key]

    return pdf


def text_of(data):
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def squash(text):
    """Text without spaces or hyphens, so that a quote matches whatever lines the PDF broke it into."""
    return re.sub(r"[\s\-‐]+", "", text).replace("’", "'").replace("“", '"').replace("”", '"')


@pytest.fixture
def period():
    return {"as_of": "2024-01-31", "since": "2024-01-15"}


@pytest.mark.pdf
def test_pdf_download_is_named_after_the_case_and_the_date(pdf_of, period):
    response = pdf_of(**period)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pakistan-iran-2024-status-2024-01-31.pdf"'
    assert response.content.startswith(b"%PDF-")


@pytest.mark.pdf
def test_pdf_has_title_block_every_measure_every_quote_and_the_bibliography(pdf_of, pakistan_iran, period):
    response = pdf_of(**period)
    pages = text_of(response.content)
    text = " ".join(pages)
    flat = squash(text)

    assert "Pakistan–Iran crisis, January 2024" in pages[0]
    assert "Status as of 31 Jan 2024" in pages[0]
    assert "Generated" in pages[0] and "By reader" in pages[0]
    for measure in pakistan_iran.measures.all():
        assert squash(f"{measure.number}. {measure.title}") in flat
    report = response.context["report"]
    # Each measure's requirement is printed once, from the recommendation, with the note of its source;
    # every other passage of evidence is quoted in full. Measure 11 (the return of envoys) comes from
    # what the sources report, not from the recommendations: it has no requirement.
    for section in report.sections:
        assert squash(section.measure.description) in flat
        if section.measure.requirement_id is None:
            assert section.requirement_notes == []
            continue
        (note,) = section.requirement_notes
        assert squash(f"What it requires [{note.number}]") in flat
    assert [s.measure.number for s in report.sections if not s.requirement_notes] == [11]
    requirement = {note.citation.quote for section in report.sections for note in section.requirement_notes}
    quotes = set(Evidence.objects.filter(measure__case=pakistan_iran).values_list("citation__quote", flat=True))
    for quote in quotes - requirement:
        assert squash(unquoted(quote)) in flat, quote  # its own double marks nested as single ones
    assert report.bibliography
    for entry in report.bibliography:
        assert squash(f"[{entry.source.short_label}]") in flat
        assert squash(entry.source.title) in flat
    notes = [note for section in report.sections for note in section.footnotes]
    last = notes[-1]
    assert squash(f"{last.number}. [{last.citation.source.short_label}]") in flat


@pytest.mark.pdf
def test_every_page_but_the_first_carries_case_date_and_page_x_of_y(pdf_of, period):
    pages = text_of(pdf_of(**period).content)

    assert 5 <= len(pages) <= 40
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Pakistan–Iran crisis, January 2024" in page
        assert "Status as of 31 Jan 2024" in page


@pytest.mark.pdf
def test_pdf_renders_to_images(pdf_of, period, tmp_path, artifacts_dir):
    data = pdf_of(**period).content
    path = tmp_path / "report.pdf"
    path.write_bytes(data)

    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "3", path, tmp_path / "page"], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 3
    assert all(image.read_bytes().startswith(b"\x89PNG") and image.stat().st_size > 5000 for image in images)
    (artifacts_dir / "report-page-1.png").write_bytes(images[0].read_bytes())


@pytest.mark.pdf
def test_paper_letter_gives_letter_pages(reader_client, case_for_pdf):
    a4 = PdfReader(io.BytesIO(get_pdf(reader_client, case_for_pdf, as_of="2024-01-31").content))
    letter = PdfReader(io.BytesIO(get_pdf(reader_client, case_for_pdf, as_of="2024-01-31", paper="letter").content))

    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]
    assert [round(float(v)) for v in letter.pages[0].mediabox[2:]] == [612, 792]


@pytest.fixture
def case_for_pdf(db):
    measure = factories.MeasureFactory(title="Return ambassadors")
    factories.AssessmentFactory(measure=measure)
    factories.EvidenceFactory(measure=measure)
    return measure.case


@pytest.mark.pdf
def test_as_of_and_since_change_what_the_pdf_says(pdf_of):
    early = " ".join(text_of(pdf_of(as_of="2024-01-17", since="2024-01-10").content))
    late = " ".join(text_of(pdf_of(as_of="2024-01-31", since="2024-01-24").content))

    assert "Status as of 17 Jan 2024" in early
    effective = re.findall(r"Effective (\d{1,2}) Jan 2024", early)
    assert effective and all(int(day) <= 17 for day in effective)
    assert "24 Jan 2024 to 31 Jan 2024" in late
    assert "both days included" in late
    assert squash("29 Jan 2024") in squash(late)


@pytest.mark.pdf
def test_command_writes_the_same_pdf_content(pdf_of, pakistan_iran, period, tmp_path):
    target = tmp_path / "weekly.pdf"
    call_command(
        "status_report",
        pakistan_iran.slug,
        "--as-of",
        "2024-01-31",
        "--since",
        "2024-01-15",
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    from_command = text_of(target.read_bytes())
    from_page = text_of(pdf_of(**period).content)

    assert len(from_command) == len(from_page)
    # Only the title block differs: when, and by whom, the report was made (the summary may begin on
    # the second page, after a long title block).
    after_title = lambda pages: "\n".join(pages).split("1. Summary", 1)[1]  # noqa: E731
    assert after_title(from_command) == after_title(from_page)
    assert "By manage.py status_report" in from_command[0]


def test_url_fetcher_serves_our_static_files_and_refuses_everything_else(settings):
    fetcher = static_files_fetcher("https://tracker.example/")
    static = f"https://tracker.example{settings.STATIC_URL}css/report.css"

    response = fetcher(static)
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    for url in [
        "https://evil.example/x.png",
        "http://127.0.0.1:8000/static/css/report.css",
        "file:///etc/passwd",
        f"https://tracker.example{settings.STATIC_URL}../tracker/settings.py",
        f"https://tracker.example{settings.STATIC_URL}%2e%2e/manage.py",
        f"https://tracker.example{settings.STATIC_URL}css/missing.css",
        "data:text/plain,hello",
    ]:
        with pytest.raises(ValueError, match="only use our static files"):
            fetcher(url)


@pytest.mark.pdf
def test_pdf_of_hostile_source_text_fetches_nothing(reader_client, case_for_pdf, monkeypatch):
    source = factories.SourceFactory(title='<img src="https://evil.example/t.png">', full_text="")
    citation = factories.CitationFactory(
        case=case_for_pdf, source=source, quote='<link rel="stylesheet" href="https://evil.example/s.css">'
    )
    Evidence.objects.create(citation=citation, measure=case_for_pdf.measures.get(), stance=Evidence.Stance.CONTEXT)
    made, fetched = [], []
    original = static_files_fetcher

    def recording(*args, **kwargs):
        fetcher = original(*args, **kwargs)
        made.append(fetcher)
        fetch = fetcher.fetch
        fetcher.fetch = lambda url, headers=None: fetched.append(url) or fetch(url, headers)
        return fetcher

    monkeypatch.setattr(render, "static_files_fetcher", recording)
    response = reader_client.get(reverse("measures:report_pdf", args=[case_for_pdf.slug]) + "?as_of=2024-01-31")

    assert response.status_code == 200
    # The document is rendered with our fetcher, and asks it for nothing: the stylesheet comes parsed
    # in advance, and the hostile markup stays text.
    assert made
    assert fetched == []
    assert squash('<link rel="stylesheet" href="https://evil.example/s.css">') in squash(
        " ".join(text_of(response.content))
    )


def test_the_stylesheet_is_parsed_once_and_reused_for_every_pdf():
    assert pdf_stylesheet() is pdf_stylesheet()


def _structure_types(node, found):
    """The structure types (/H1, /P, /Table…) under a node of a PDF's structure tree."""
    node = node.get_object()
    if not hasattr(node, "get"):
        return found
    if "/S" in node:
        found.add(str(node["/S"]))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if isinstance(kid, int):
            continue  # a marked-content reference, not a structure element
        _structure_types(kid, found)
    return found


@pytest.mark.pdf
def test_the_pdf_is_tagged_for_accessibility(pdf_of):
    """WeasyPrint's PDF/UA-1 variant: marked, with a structure tree of headings, paragraphs and tables,
    the document's language and its title."""
    data = pdf_of(as_of="2024-01-29", since="2024-01-16").content
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).startswith("en")
    types = _structure_types(root["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/P", "/Table", "/TH", "/TD"} <= types
    assert PdfReader(io.BytesIO(data)).metadata.title.startswith("Pakistan–Iran crisis")


@pytest.mark.pdf
def test_the_pdf_opens_with_key_judgements(pdf_of):
    first_page = text_of(pdf_of(as_of="2024-01-29", since="2024-01-16").content)[0]
    assert "Key judgements" in first_page and "Overall progress" in first_page


@pytest.mark.pdf
def test_the_pdf_prints_every_quote_once_with_its_source_label(pdf_of):
    """Done when: the PDF prints every quote once (later measures point back to its note), each note
    naming its source by the label the bibliography gives it."""
    response = pdf_of(as_of="2024-01-29", since="2024-01-16")
    flat = squash(" ".join(text_of(response.content)))
    report = response.context["report"]
    printed = {note.citation for section in report.sections for note in section.footnotes if not note.quoted_in_text}
    printed |= {quoted.evidence.citation for section in report.sections for quoted in section.quotes}
    assert printed
    for citation in printed:
        assert flat.count(squash(unquoted(citation.quote))) == 1, citation.quote
    labels = {entry.source.short_label for entry in report.bibliography}
    assert labels == {"Morning Sun Time", "Regional mediation op-ed", "Hocker", "TDI", "Infostani"}
    for note in (note for section in report.sections for note in section.footnotes):
        assert note.citation.source.short_label in labels


@pytest.mark.pdf
def test_each_fact_of_the_title_block_reads_as_one_line(pdf_of):
    """A title-block value whose template text began on a new line broke after its first word in the
    PDF ("The" / "whole case, from its start on …"): every value starts on its label's line."""
    reader = PdfReader(io.BytesIO(pdf_of(as_of="2024-01-29", since="2024-01-16").content))
    lines = reader.pages[0].extract_text().splitlines()
    assert any(line.startswith("Period covered 16–29 Jan 2024, both days included") for line in lines), lines[:12]


@pytest.mark.pdf
def test_each_source_label_stands_on_its_own_line_above_its_entry(pdf_of, pakistan_iran):
    """The bibliography's labels sat in a 3.2em column: "[Regional mediation op-ed]" wrapped over four
    lines and "[Hocker]" printed over its entry's first words. Each label is one line, its entry next."""

    report = build_report(pakistan_iran, as_of=datetime.date(2024, 1, 29), since=datetime.date(2024, 1, 16))
    reader = PdfReader(io.BytesIO(pdf_of(as_of="2024-01-29", since="2024-01-16").content))
    lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]
    sources = lines[lines.index("6. Sources") + 1 :]
    assert len(report.bibliography) == 5
    for entry in report.bibliography:
        source = entry.source
        label = f"[{source.short_label}]"
        assert label in sources, (label, sources)
        following = sources[sources.index(label) + 1]
        start = f"{source.publisher}. “" if source.publisher else f"“{source.title[:20]}"
        assert following.startswith(start), (label, following)
