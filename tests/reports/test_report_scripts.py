"""Reports in every script: quotes in Urdu and Hindi render with real glyphs, isolated from the Latin text."""

import datetime
import io
import logging
import re
import subprocess

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from measures import services
from reports.build import build_report
from reports.render import font_config, render_report_html, render_report_pdf
from tests import factories
from tests.helpers import HINDI, URDU


def render(case, caplog):
    report = build_report(case, as_of=datetime.date(2024, 1, 31), since=datetime.date(2024, 1, 1))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        return render_report_pdf(report)


def missing_glyphs(caplog):
    return [record.getMessage() for record in caplog.records if ".notdef" in record.getMessage()]


@pytest.mark.pdf
def test_urdu_and_hindi_quotes_render_with_every_glyph_in_the_embedded_fonts(multilingual_case, caplog, tmp_path):
    data = render(multilingual_case, caplog)
    # WeasyPrint warns for each character no font of the stack (or fontconfig's fallback) can draw.
    assert missing_glyphs(caplog) == []
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-Devanagari" in fonts or "Noto-Serif-Devanagari" in fonts
    assert "Noto-Naskh-Arabic" in fonts
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Jang" in text and "Dainik Jagran" in text


@pytest.mark.pdf
def test_the_glyph_check_catches_a_character_no_font_has(multilingual_case, caplog):
    # The control: the same check fails for a private-use character that no installed font draws.
    citation = multilingual_case.citations.first()
    citation.source.full_text += " \ue123 marker"
    citation.source.save()
    extra = services.create_citation(case=multilingual_case, source=citation.source, quote="\ue123 marker")
    services.attach_evidence(citation=extra, measure=multilingual_case.measures.get(), stance="context")
    render(multilingual_case, caplog)
    assert missing_glyphs(caplog)


def test_report_isolates_right_to_left_quotes_so_note_numbers_stay_in_place(multilingual_case, rf):
    report = build_report(multilingual_case, as_of=datetime.date(2024, 1, 31), since=datetime.date(2024, 1, 1))
    html = render_report_html(report)
    # Isolated in its language and direction (detected in the quote: the source gives none).
    assert f'“<bdi lang="ur" dir="rtl">{URDU}</bdi>”&#8239;[' in html


def test_timeline_labels_in_scripts_svg_text_cannot_shape_are_html_in_the_pdf(multilingual_case):
    report = build_report(multilingual_case, as_of=datetime.date(2024, 1, 31), since=datetime.date(2024, 1, 1))
    (marker,) = [m for m in report.timeline.markers if m.lane is not None]
    prefix, title, cut = marker.label_parts
    assert marker.needs_shaping and cut and title.startswith("وزیر") and not title.endswith("…")

    pdf_html = render_to_string("measures/report.html", {"report": report, "pdf": True})
    label = re.search(r'<span class="svg-label" style="left: [\d.]+%; top: [\d.]+%; [^"]*">(.*?)</span>', pdf_html)
    assert label and label[1] == f"{prefix}<bdi>{title}…</bdi>"
    svg_texts = re.findall(r"<text[^>]*>(.*?)</text>", pdf_html.split('class="timeline-svg"')[1].split("</svg>")[0])
    assert svg_texts and not any("وزیر" in text for text in svg_texts)

    # On screen, the browser shapes SVG text: the label stays in the chart, its title isolated.
    screen_html = render_report_html(report)
    assert "svg-label" not in screen_html
    assert f"&#x2068;{title}<tspan" in screen_html


def embedded_fonts(data):
    """The base names of the fonts a PDF embeds, without their subset prefixes (ABCDEF+)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.mark.pdf
def test_the_font_configuration_kept_between_pdfs_carries_nothing_from_one_to_the_next(multilingual_case, caplog):
    # The thread's FontConfiguration is reused (font_config): a report in Latin script only,
    # made after one in Urdu and Hindi, embeds the same fonts as when it is made first.
    latin = factories.CaseFactory(name="Latin only", start_date=datetime.date(2024, 1, 1))
    measure = factories.MeasureFactory(case=latin, number=1, title="Crisis communication channels")
    source = factories.SourceFactory(title="Dawn", full_text="Both sides agreed to talk.", publisher="Dawn")
    citation = services.create_citation(case=latin, source=source, quote="Both sides agreed to talk.")
    services.attach_evidence(citation=citation, measure=measure, stance="progress")

    first = embedded_fonts(render(latin, caplog))
    render(multilingual_case, caplog)
    again = embedded_fonts(render(latin, caplog))

    assert font_config() is font_config()
    assert first and first == again
    assert not any("Noto" in name for name in again)


# An Urdu passage typed with Arabic letter forms and a Hindi one, each with its English translation.
URDU_SOURCE = f"پاکستان اور ایران نے رابطہ افسروں پر اتفاق کیا۔ {URDU}۔"
URDU_TYPED = "وزير خارجه نے كها كه امن و آشتي ضروري هے"  # ي ك ه where the source has ی ک ہ
URDU_TRANSLATION = "The foreign minister said that peace and harmony are essential."
HINDI_TRANSLATION = "The foreign minister stressed that peace is essential."


@pytest.fixture
def translated_case(db):
    case = factories.CaseFactory(name="Translated passages", start_date=datetime.date(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1, title="Crisis communication channels")
    translated_on = datetime.date(2024, 2, 1)
    for title, text, quote, translation in (
        ("Jang", URDU_SOURCE, URDU_TYPED, URDU_TRANSLATION),
        ("Dainik Jagran", f"{HINDI}।", HINDI, HINDI_TRANSLATION),
    ):
        source = services.create_source(
            title=title, kind="news", full_text=text, publisher=title, published_on=datetime.date(2024, 1, 20)
        )
        citation = services.create_citation(
            case=case,
            source=source,
            quote=quote,
            translation=translation,
            translator="A. Translator",
            translated_on=translated_on,
        )
        services.attach_evidence(citation=citation, measure=measure, stance="progress")
    return case


@pytest.mark.pdf
def test_the_pdf_prints_urdu_and_hindi_passages_in_their_fonts_with_their_translations(
    translated_case, caplog, tmp_path, artifacts_dir
):
    from PIL import Image

    data = render(translated_case, caplog)
    assert missing_glyphs(caplog) == []
    path = tmp_path / "translated.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Nastaliq-Urdu" in fonts  # Urdu set in Nastaliq (lang="ur")
    assert "Noto-Serif-Devanagari" in fonts or "Noto-Sans-Devanagari" in fonts
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]
    text = " ".join(pages)
    assert URDU_TRANSLATION in text and HINDI_TRANSLATION in text
    assert "Translation (by A. Translator, 1 Feb 2024):" in text
    # The pages as images, for people to look at (test-artifacts/), and not blank where the passages are.
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(artifacts_dir / "report-urdu-hindi")], check=True)
    images = sorted(artifacts_dir.glob("report-urdu-hindi-*.png"))
    assert len(images) == len(pages)
    quoted = next(i for i, page in enumerate(pages) if URDU_TRANSLATION in page)
    with Image.open(images[quoted]) as image:
        ink = sum(image.convert("L").histogram()[:128])  # pixels darker than mid-grey
    assert ink > 2000


def test_the_report_prints_the_urdu_passage_in_the_sources_spelling_beside_its_translation(translated_case):
    report = build_report(translated_case, as_of=datetime.date(2024, 1, 31), since=datetime.date(2024, 1, 1))
    html = render_report_html(report)
    assert f'“<bdi lang="ur" dir="rtl">{URDU}</bdi>”' in html  # the source's ی ک ہ, not the typed ي ك ه
    assert URDU_TYPED not in html
    passage, translation = html.index(URDU), html.index(URDU_TRANSLATION)
    assert passage < translation < passage + 800
    assert not report.key_judgements.untranslated
