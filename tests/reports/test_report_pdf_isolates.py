"""The PDF's HTML without the <bdi> isolates that change nothing on paper, and with every one that does."""

import datetime
import gc

import pytest

from reports import render
from reports.build import build_report
from reports.render import pdf_html
from tests.helpers import URDU


def test_an_isolate_around_english_text_is_dropped_with_its_text_kept():
    html = (
        '<p>“<bdi lang="en" dir="ltr">Talks resumed &amp; ambassadors returned.</bdi>”&#8239;[3]</p>'
        "<p>1. [<bdi>Morning Sun Time</bdi>], para. 4.</p>"
        '<p><bdi lang="en-GB" dir="auto">Infostani International</bdi>.</p>'
    )

    assert pdf_html(html) == (
        "<p>“Talks resumed &amp; ambassadors returned.”&#8239;[3]</p>"
        "<p>1. [Morning Sun Time], para. 4.</p>"
        "<p>Infostani International.</p>"
    )


@pytest.mark.parametrize(
    "isolate",
    [
        f'<bdi lang="ur" dir="rtl">{URDU}</bdi>',  # right to left, in its own font
        f"<bdi>{URDU}</bdi>",  # a right-to-left name without a language
        "<bdi>Jang جنگ</bdi>",  # right-to-left letters after Latin ones
        '<bdi lang="fr" dir="ltr">Les pourparlers reprennent.</bdi>',  # another language
        '<bdi lang="en" dir="rtl">Talks</bdi>',  # a direction of its own
        "<bdi>2024 report</bdi>",  # digits first take their direction from what precedes them
        "<bdi>“Talks”</bdi>",  # so does punctuation
        "<bdi>Talks\u202bresumed</bdi>",  # an explicit embedding
        "<bdi>Al-Jazeera ٢٠٢٤</bdi>",  # Arabic digits
        '<bdi lang="en" dir="ltr">Talks <span class="insertion" lang="en">[resumed]</span></bdi>',  # markup
    ],
)
def test_an_isolate_that_changes_the_line_is_kept(isolate):
    html = f"<p>[{isolate}], para. 4.</p>"

    assert pdf_html(html) == html


@pytest.mark.pdf
def test_the_pdf_keeps_the_isolate_of_an_urdu_passage(multilingual_case, monkeypatch):
    laid_out = []
    original = render.pdf_html
    monkeypatch.setattr(render, "pdf_html", lambda html: laid_out.append(original(html)) or laid_out[-1])
    report = build_report(multilingual_case, as_of=datetime.date(2024, 1, 31), since=datetime.date(2024, 1, 1))

    assert render.render_report_pdf(report).startswith(b"%PDF-")
    assert f'“<bdi lang="ur" dir="rtl">{URDU}</bdi>”' in laid_out[0]
    assert "[<bdi>Jang</bdi>]" not in laid_out[0] and "[Jang]" in laid_out[0]


@pytest.mark.pdf
def test_the_warm_up_freezes_what_it_loaded_out_of_the_collectors_reach():
    before = gc.get_freeze_count()
    try:
        render.warm_up_pdf()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
