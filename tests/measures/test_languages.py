"""Languages and translations: BCP 47 tags on sources, citations and rationales, detected when a text
comes in and correctable; translations with translator and date; pages and the report mark each passage
with its language and direction, show the translation as such, and warn about untranslated passages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures import services
from measures.intake.language import detect_language
from measures.lib import languages
from measures.models import Citation
from reports.build import build_report
from reports.render import render_report_html
from tests import factories

URDU = "وزیر خارجہ نے کہا کہ امن و آشتی ضروری ہے"
HINDI = "विदेश मंत्री ने ज़ोर देकर कहा कि शांति आवश्यक है"
TRANSLATION = {"translation": "The foreign minister said that peace is essential.", "translator": "A. Translator"}


@pytest.mark.parametrize(
    ("tag", "written"),
    [("UR-pk", "ur-PK"), ("pa_arab", "pa-Arab"), ("zh-hant-tw", "zh-Hant-TW"), ("", ""), ("en", "en")],
)
def test_tags_are_written_as_bcp_47_recommends(tag, written):
    assert languages.normalise_tag(tag) == written


@pytest.mark.parametrize("tag", ["engl1sh", "u", "ur--pk", "ur PK", "12", "en-"])
def test_a_malformed_tag_is_refused_with_a_message(tag):
    with pytest.raises(ValidationError) as refused:
        languages.language_tag(tag)
    assert "is not a language tag" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("tag", "direction"),
    [("ur", "rtl"), ("fa-IR", "rtl"), ("pa-Arab", "rtl"), ("pa", "ltr"), ("hi", "ltr"), ("", "ltr")],
)
def test_the_direction_follows_the_language_or_the_script_it_names(tag, direction):
    assert languages.direction(tag) == direction


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The foreign ministers of both countries agreed to talk again.", "en"),
        (URDU, "ur"),
        (HINDI, "hi"),
        ("นายกรัฐมนตรีเดินทางไปกรุงพนมเปญ", "th"),
        ("នាយករដ្ឋមន្ត្រីបានថ្លែងថា", "km"),  # a script one language writes, which lingua does not know
        ("Pakistan Iran", ""),  # too short to tell
        ("12 34", ""),
    ],
)
def test_the_language_of_a_text_is_detected_or_left_unknown(text, language):
    assert detect_language(text) == language


def test_a_new_source_gets_the_language_of_its_text_and_its_passages_inherit_it(db):
    source = services.create_source(title="Jang", kind="news", full_text=f"{URDU}۔")
    assert source.language == "ur"
    citation = services.create_citation(case=factories.CaseFactory(), source=source, quote=URDU)
    assert citation.language == "" and citation.lang == "ur" and citation.dir == "rtl"
    corrected = services.create_source(title="Dawn", kind="news", full_text=f"{URDU}۔ ", language="pa-Arab")
    assert corrected.language == "pa-Arab"


def test_a_passage_of_a_source_without_language_gets_its_own(db):
    source = factories.SourceFactory(full_text=f"{HINDI}।", language="")
    citation = services.create_citation(case=factories.CaseFactory(), source=source, quote=HINDI)
    assert citation.language == "hi"


def test_a_translation_needs_its_translator_and_date(db):
    source = factories.SourceFactory(full_text=URDU, language="ur")
    case = factories.CaseFactory()
    with pytest.raises(services.ServiceError) as refused:
        services.create_citation(case=case, source=source, quote=URDU, translation="Peace is essential.")
    assert set(refused.value.message_dict) == {"translator", "translated_on"}
    assert not Citation.objects.exists()
    citation = services.create_citation(
        case=case, source=source, quote=URDU, translated_on=datetime.date(2024, 2, 1), **TRANSLATION
    )
    assert citation.translator == "A. Translator" and not citation.needs_translation


def test_a_translation_can_be_given_later_and_the_language_corrected(db):
    source = factories.SourceFactory(full_text=URDU, language="")
    citation = services.create_citation(case=factories.CaseFactory(), source=source, quote=URDU, language="fa")
    assert citation.needs_translation
    citation = services.translate_citation(
        citation=citation, translated_on=datetime.date(2024, 2, 1), language="ur", **TRANSLATION
    )
    assert (citation.language, citation.translation, citation.version) == ("ur", TRANSLATION["translation"], 2)
    with pytest.raises(services.ServiceError):
        services.translate_citation(citation=citation, translation="Other words.", translator="", translated_on=None)


def test_a_rationales_language_is_detected_or_given(db):
    measure = factories.MeasureFactory()
    citation = factories.CitationFactory(case=measure.case)
    common = {
        "measure": measure,
        "party": measure.case.assessed_parties.first(),
        "level": "minimal",
        "citations": [citation],
        "evidence_stance": "progress",
        "recorded_by": factories.analyst(username="a"),
        "effective_date": measure.case.start_date,
    }
    detected = services.record_assessment(rationale="Les deux pays ont rappelé leurs ambassadeurs hier.", **common)
    assert detected.rationale_language == "fr"
    given = services.record_assessment(rationale="Short.", rationale_language="EN-gb", **common)
    assert given.rationale_language == "en-GB"
    with pytest.raises(services.ServiceError) as refused:
        services.record_assessment(rationale="Short.", rationale_language="not a tag", **common)
    assert "rationale_language" in refused.value.message_dict


@pytest.fixture
def urdu_case(db):
    case = factories.CaseFactory(slug="urdu", start_date=datetime.date(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    source = factories.SourceFactory(title="Jang", publisher="Jang", full_text=f"{URDU}۔", language="ur")
    translated = services.create_citation(
        case=case, source=source, quote=URDU, translated_on=datetime.date(2024, 2, 1), **TRANSLATION
    )
    hindi = factories.SourceFactory(title="Jagran", publisher="Jagran", full_text=f"{HINDI}।", language="hi")
    untranslated = services.create_citation(case=case, source=hindi, quote=HINDI)
    for citation in (translated, untranslated):
        services.attach_evidence(citation=citation, measure=measure, stance="progress")
    return case


def test_pages_show_the_original_in_its_direction_then_the_translation_marked_as_such(urdu_case, reader_client):
    html = reader_client.get(reverse("measures:measure_detail", args=[urdu_case.slug, 1])).content.decode()
    original = html.index(f'lang="ur" dir="rtl"><p>{URDU}</p>')
    translation = html.index("Translation into English by <bdi>A. Translator</bdi>, 1 Feb 2024")
    assert original < translation
    assert f'lang="en" dir="ltr"><p>{TRANSLATION["translation"]}</p>' in html
    assert "Not translated into English yet (the passage is in Hindi)." in html


def test_the_report_marks_languages_shows_translations_and_warns_about_untranslated_passages(urdu_case):
    report = build_report(urdu_case, as_of=datetime.date(2024, 2, 5), since=datetime.date(2024, 1, 1))
    html = render_report_html(report)
    assert f'“<bdi lang="ur" dir="rtl">{URDU}</bdi>”' in html
    assert f'“<bdi lang="hi" dir="ltr">{HINDI}</bdi>”' in html
    assert "Translation (by <bdi>A. Translator</bdi>, 1 Feb 2024):" in html
    assert f'<bdi lang="en" dir="ltr">{TRANSLATION["translation"]}</bdi>' in html
    (note,) = report.key_judgements.untranslated
    assert note.citation.quote == HINDI
    assert "Not translated:</strong> 1 quoted passage in another language than this report's has no" in html
    assert f"[{note.number}] (Hindi)" in html


def test_a_working_language_other_than_english_marks_its_own_passages_as_needing_no_translation(db):
    case = factories.CaseFactory(working_language="ur")
    source = factories.SourceFactory(full_text=URDU, language="ur")
    citation = services.create_citation(case=case, source=source, quote=URDU)
    assert not citation.needs_translation


def test_the_forms_offer_the_language_fields(db, analyst_client):
    source = factories.SourceFactory(full_text=URDU, language="ur")
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk])).content.decode()
    assert 'name="language"' in page
    citation = services.create_citation(case=factories.CaseFactory(), source=source, quote=URDU)
    page = analyst_client.get(reverse("admin:measures_citation_change", args=[citation.pk])).content.decode()
    for name in ("language", "translation", "translator", "translated_on"):
        assert f'name="{name}"' in page
    assert "Passage as the source has it" in page
