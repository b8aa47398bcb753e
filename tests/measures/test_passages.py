"""Passages as the source has them: a citation shows the source's characters between its offsets
(`passage_parts`), whatever spelling the quote was typed in; the typed quote is kept for the record;
existing citations were converted by migration 0025, checked against their source."""

import datetime
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from measures import services
from measures.importing.casefile import import_case
from measures.lib.quoting import SOURCE
from measures.models import Citation
from tests import factories

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "fixtures").glob("*.json"))
conversion = importlib.import_module("measures.migrations.0028_languages_translations_passages")

URDU_SOURCE = "پاکستان اور ایران نے رابطہ افسروں پر اتفاق کیا۔ وزیر خارجہ نے کہا کہ امن و آشتی ضروری ہے۔"
URDU_TYPED = "وزير خارجه نے كها كه امن و آشتي ضروري هے"  # Arabic letter forms: ي ك ه for ی ک ہ/ه
URDU_AS_THE_SOURCE_HAS_IT = "وزیر خارجہ نے کہا کہ امن و آشتی ضروری ہے"


def source_characters(citation):
    text = citation.source.full_text
    return [text[start:end] for start, end in citation.spans]


def assert_passage_is_the_sources(citation):
    parts = [text for kind, text in citation.passage_parts if kind == SOURCE]
    assert parts == source_characters(citation), citation.pk


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_every_citation_of_every_loaded_case_shows_the_sources_text_between_its_offsets(db, path):
    case = import_case(json.loads(path.read_text(encoding="utf-8"))).case
    citations = list(Citation.objects.filter(case=case).select_related("source"))
    assert citations
    for citation in citations:
        assert citation.passage_parts, citation.pk
        assert_passage_is_the_sources(citation)


def test_a_quote_typed_with_arabic_letter_forms_is_shown_in_the_sources_spelling(db):
    case = factories.CaseFactory()
    source = factories.SourceFactory(full_text=URDU_SOURCE, language="ur")
    citation = services.create_citation(case=case, source=source, quote=URDU_TYPED)
    assert citation.quote == URDU_TYPED  # as typed, for the record
    assert citation.passage == URDU_AS_THE_SOURCE_HAS_IT
    assert_passage_is_the_sources(citation)


def test_pages_show_the_passage_as_the_source_has_it_in_its_language(db, reader_client):
    case = factories.CaseFactory(slug="urdu-case")
    measure = factories.MeasureFactory(case=case, number=1)
    source = factories.SourceFactory(full_text=URDU_SOURCE, language="ur")
    citation = services.create_citation(case=case, source=source, quote=URDU_TYPED)
    services.attach_evidence(citation=citation, measure=measure, stance="progress")
    for url in (
        reverse("measures:source_detail", args=[case.slug, source.pk]),
        reverse("measures:measure_detail", args=[case.slug, 1]),
    ):
        html = reader_client.get(url).content.decode()
        shown = f'<blockquote class="passage" lang="ur" dir="rtl"><p>{URDU_AS_THE_SOURCE_HAS_IT}</p></blockquote>'
        assert shown in html
        assert URDU_TYPED not in html


def test_the_migration_converts_each_citation_and_checks_it_against_its_source(db, capsys):
    case = factories.CaseFactory()
    plain = services.create_citation(
        case=case, source=factories.SourceFactory(full_text="Both sides agreed to talk."), quote="agreed to talk"
    )
    urdu = services.create_citation(case=case, source=factories.SourceFactory(full_text=URDU_SOURCE), quote=URDU_TYPED)
    # A Thai quote starting inside a word, which the rule accepted before this change: offsets kept.
    thai_text = "รัฐมนตรีว่าการกระทรวงการต่างประเทศแถลง"
    thai = Citation.objects.create(
        case=case, source=factories.SourceFactory(full_text=thai_text), quote="มนตรีว่าการ", spans=[[3, 14]]
    )
    no_text = Citation.objects.create(case=case, source=factories.SourceFactory(full_text=""), quote="As said.")
    Citation.objects.update(passage_parts=[])

    conversion.convert_citations(apps, None)

    for citation in (plain, urdu):
        citation.refresh_from_db()
        assert_passage_is_the_sources(citation)
    assert Citation.objects.get(pk=urdu.pk).passage == URDU_AS_THE_SOURCE_HAS_IT
    thai.refresh_from_db()
    assert thai.spans == [[3, 14]] and thai.passage == thai_text[3:14]
    assert f"no longer places in its source (offsets kept, passage shown from them; check them): {thai.pk}" in (
        capsys.readouterr().out
    )
    no_text.refresh_from_db()
    assert no_text.passage_parts == [] and no_text.passage == "As said."


def test_exports_and_the_api_give_the_passage_as_the_source_has_it_and_the_quote_as_typed(db, reader_client):
    from measures.importing.datapackage.tables import citation_row

    case = factories.CaseFactory(slug="urdu-exports", working_language="en")
    source = factories.SourceFactory(full_text=URDU_SOURCE, language="ur")
    citation = services.create_citation(case=case, source=source, quote=URDU_TYPED)
    citation = services.translate_citation(
        citation=citation,
        translation="The foreign minister said that peace is necessary",
        translator="A. Translator",
        translated_on=datetime.date(2024, 2, 3),
    )
    row = citation_row(case, citation)
    assert (row["passage"], row["quote"]) == (URDU_AS_THE_SOURCE_HAS_IT, URDU_TYPED)
    assert (row["translator"], row["translated_on"]) == ("A. Translator", datetime.date(2024, 2, 3))

    answer = reader_client.get(f"/api/v1/cases/{case.slug}/citations/").json()
    (item,) = answer["results"]
    assert (item["passage"], item["quote"]) == (URDU_AS_THE_SOURCE_HAS_IT, URDU_TYPED)
    assert item["translation"] == "The foreign minister said that peace is necessary"
    assert item["translated_on"] == "2024-02-03"
