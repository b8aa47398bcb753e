"""Languages (sources, citations, rationales, a case's working language, parties' names in other
scripts), translations of cited passages, and each citation's passage as its source has it.

Existing citations are converted and checked against their source: each is found again in its
source's text by the matching rule (measures.lib.quoting), its offsets kept when they are still one
of the places the quote occurs (else moved to the nearest such place), and `passage_parts` set to the
source's characters between them. A citation whose quote the rule no longer places (a quote starting
inside a word of a script without spaces, which the rule accepted before) keeps its offsets, and its
passage is still the source's characters between them; such citations are listed when migrating.
Sources get the language lingua-language-detector finds in their text (empty when it cannot tell).

On SQLite, adding a NOT NULL column remakes the table, which SQLite refuses while the triggers of 0003
and 0012 name the tables, and which drops the triggers on the table remade (0020's guards): they are
dropped first and created again at the end, as those migrations write them (0013 and 0020 do the same).
"""

import importlib

from django.db import migrations, models

import measures.lib.languages
import measures.lib.text
from measures.lib import quoting

_ASSESSMENT_TRIGGERS = importlib.import_module("measures.migrations.0003_assessment_triggers")
_INTEGRITY_TRIGGERS = importlib.import_module("measures.migrations.0012_integrity_triggers")
_REQUIREMENT_GUARDS = importlib.import_module("measures.migrations.0020_measure_requirement_plausible_dates")


def _drop_triggers_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _REQUIREMENT_GUARDS._drop_guards(apps, schema_editor)
        _INTEGRITY_TRIGGERS.backwards(apps, schema_editor)
        _ASSESSMENT_TRIGGERS.backwards(apps, schema_editor)


def _create_triggers_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _ASSESSMENT_TRIGGERS.forwards(apps, schema_editor)
        _INTEGRITY_TRIGGERS.forwards(apps, schema_editor)
        _REQUIREMENT_GUARDS._guards(apps, schema_editor)


def _placed(text, quote, spans):
    """(spans, paragraph, found): where the quote is in `text` by the matching rule, as near as can be
    to the stored `spans`; the stored ones, with found False, when the rule finds it nowhere."""
    passages = quoting.find_passages(text, quote)
    if not passages:
        return spans, None, False
    if spans:
        same = [p for p in passages if [list(span) for span in p.spans] == spans]
        chosen = same[0] if same else min(passages, key=lambda p: abs(p.start - spans[0][0]))
    else:
        chosen = passages[0]
    return [list(span) for span in chosen.spans], quoting.paragraph_number(text, chosen.start), True


def convert_citations(apps, schema_editor):
    Citation = apps.get_model("measures", "Citation")
    unplaced = []
    for citation in Citation.objects.select_related("source").order_by("pk").iterator(chunk_size=500):
        text = citation.source.full_text
        if not text:
            continue
        spans, paragraph, found = _placed(text, citation.quote, citation.spans)
        if not found:
            unplaced.append(citation.pk)
            if not spans:
                continue
            paragraph = citation.paragraph
        parts = [list(part) for part in quoting.passage_parts(text, spans, citation.quote)]
        Citation.objects.filter(pk=citation.pk).update(spans=spans, paragraph=paragraph, passage_parts=parts)
    if unplaced:
        print(
            f"\n  Citations whose quote the matching rule no longer places in its source (offsets kept, "
            f"passage shown from them; check them): {', '.join(map(str, unplaced))}"
        )


def detect_source_languages(apps, schema_editor):
    from measures.intake.language import detect_language

    Source = apps.get_model("measures", "Source")
    for source in Source.objects.filter(language="").exclude(full_text="").only("pk", "full_text").iterator():
        language = detect_language(source.full_text)
        if language:
            Source.objects.filter(pk=source.pk).update(language=language)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0027_commitment_plausible_dates"),
    ]

    operations = [
        migrations.RunPython(_drop_triggers_on_sqlite, _create_triggers_on_sqlite),
        migrations.AddField(
            model_name="assessment",
            name="rationale_language",
            field=models.CharField(
                blank=True,
                help_text="The language of the rationale (a BCP 47 tag); empty: the case's working language.",
                max_length=35,
                validators=[measures.lib.languages.LanguageTagValidator()],
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="working_language",
            field=models.CharField(
                default="en",
                help_text=(
                    "The language the case's analysis is written in (a BCP 47 tag: en, fr, ar…): rationales, "
                    "event summaries and the report. A passage quoted in another language can carry a "
                    "translation into it."
                ),
                max_length=35,
                validators=[measures.lib.languages.LanguageTagValidator()],
            ),
        ),
        migrations.AddField(
            model_name="citation",
            name="language",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="The language of the passage (a BCP 47 tag); empty: its source's language.",
                max_length=35,
                validators=[measures.lib.languages.LanguageTagValidator()],
            ),
        ),
        migrations.AddField(
            model_name="citation",
            name="passage_parts",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="citation",
            name="translated_on",
            field=models.DateField(blank=True, help_text="When it was translated.", null=True),
        ),
        migrations.AddField(
            model_name="citation",
            name="translation",
            field=models.TextField(
                blank=True,
                help_text=(
                    "For a passage in another language than the case's: its translation into the case's language."
                ),
                validators=[measures.lib.text.NoControlCharacters(multi_line=True)],
            ),
        ),
        migrations.AddField(
            model_name="citation",
            name="translator",
            field=models.CharField(
                blank=True,
                help_text="Who translated it (a person, or a service such as “machine translation, checked by …”).",
                max_length=200,
                validators=[measures.lib.text.NoControlCharacters()],
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="working_language",
            field=models.CharField(
                default="en",
                help_text=(
                    "The language the case's analysis is written in (a BCP 47 tag: en, fr, ar…): rationales, "
                    "event summaries and the report. A passage quoted in another language can carry a "
                    "translation into it."
                ),
                max_length=35,
                validators=[measures.lib.languages.LanguageTagValidator()],
            ),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="language",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="The language of the passage (a BCP 47 tag); empty: its source's language.",
                max_length=35,
                validators=[measures.lib.languages.LanguageTagValidator()],
            ),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="passage_parts",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="translated_on",
            field=models.DateField(blank=True, help_text="When it was translated.", null=True),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="translation",
            field=models.TextField(
                blank=True,
                help_text=(
                    "For a passage in another language than the case's: its translation into the case's language."
                ),
                validators=[measures.lib.text.NoControlCharacters(multi_line=True)],
            ),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="translator",
            field=models.CharField(
                blank=True,
                help_text="Who translated it (a person, or a service such as “machine translation, checked by …”).",
                max_length=200,
                validators=[measures.lib.text.NoControlCharacters()],
            ),
        ),
        migrations.AddField(
            model_name="historicalparty",
            name="other_names",
            field=models.TextField(
                blank=True,
                help_text=(
                    "The names sources in other languages and scripts give it, one per line (ایران, ईरान, "
                    "อิหร่าน): suggested passages name the party when they use one of them."
                ),
                validators=[measures.lib.text.NoControlCharacters(multi_line=True)],
            ),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="language",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text=(
                    "The language of the text, as a BCP 47 tag (en, ur, hi, th, km…): detected when the text "
                    "comes in, correct it if needed. Empty: not known."
                ),
                max_length=35,
                validators=[measures.lib.languages.LanguageTagValidator()],
            ),
        ),
        migrations.AddField(
            model_name="party",
            name="other_names",
            field=models.TextField(
                blank=True,
                help_text=(
                    "The names sources in other languages and scripts give it, one per line (ایران, ईरान, "
                    "อิหร่าน): suggested passages name the party when they use one of them."
                ),
                validators=[measures.lib.text.NoControlCharacters(multi_line=True)],
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="language",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text=(
                    "The language of the text, as a BCP 47 tag (en, ur, hi, th, km…): detected when the text "
                    "comes in, correct it if needed. Empty: not known."
                ),
                max_length=35,
                validators=[measures.lib.languages.LanguageTagValidator()],
            ),
        ),
        migrations.AddConstraint(
            model_name="citation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("translation", ""),
                    models.Q(models.Q(("translator", ""), _negated=True), ("translated_on__isnull", False)),
                    _connector="OR",
                ),
                name="citation_translation_has_translator_and_date",
            ),
        ),
        migrations.RunPython(convert_citations, migrations.RunPython.noop),
        migrations.RunPython(detect_source_languages, migrations.RunPython.noop),
        migrations.RunPython(_create_triggers_on_sqlite, _drop_triggers_on_sqlite),
    ]
