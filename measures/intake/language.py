"""Which language a text is written in, detected when it comes in (a source's text at intake, a
passage quoted without a language, a rationale): lingua-language-detector, whose statistical models
of 75 languages ship inside its package (nothing is downloaded), completed by the script for the
languages it does not cover (Khmer, Lao, Burmese, Sinhala, Tibetan…), which one language writes.

A detected language is a proposal: every form shows it and the analyst corrects it.
"""

import functools
import unicodedata
from collections import Counter

from measures.lib import words

# How much of a text is read: enough for a sure answer, and a long source costs no more.
SAMPLE_CHARS = 3000
# lingua's confidence in the best language (0 to 1, summing to 1 over all): it is proposed when it is
# more likely than all the others together, or clearly ahead of the next (twice as likely, and at least
# SURE_ENOUGH); otherwise the text is too short or too mixed to say ("Pakistan Iran": 0.06 for Yoruba),
# and no language is proposed. Hindi and Marathi share a script and many words: a short Hindi sentence
# scores about 0.6 against 0.4.
SURE = 0.5
SURE_ENOUGH = 0.3
# Scripts that one language of ours writes, for the languages lingua does not know.
_SCRIPT_LANGUAGES = {
    "KHMER": "km",
    "LAO": "lo",
    "MYANMAR": "my",
    "SINHALA": "si",
    "TIBETAN": "bo",
    "ETHIOPIC": "am",
    "THAANA": "dv",
    "MALAYALAM": "ml",
    "KANNADA": "kn",
    "ORIYA": "or",
}


@functools.cache
def _detector():
    from lingua import LanguageDetectorBuilder

    # High accuracy, models loaded lazily: only those of the languages a text's script allows are
    # read (about 170 MB for English text, measured).
    return LanguageDetectorBuilder.from_all_languages().build()


def main_script(text):
    """The Unicode script name (first word of the character names) of most of `text`'s letters."""
    scripts = Counter(
        unicodedata.name(char, "").split(" ", 1)[0] for char in text if unicodedata.category(char).startswith("L")
    )
    return scripts.most_common(1)[0][0] if scripts else ""


def detect_language(text):
    """The BCP 47 tag of the language `text` is written in ("en", "ur", "km"), or "" when it cannot
    be told reliably (too short, mixed, or in a language neither lingua nor the script table knows)."""
    sample = (text or "")[:SAMPLE_CHARS]
    if not words.words(sample):
        return ""
    script_language = _SCRIPT_LANGUAGES.get(main_script(sample))
    if script_language:
        return script_language
    ranked = _detector().compute_language_confidence_values(sample)
    if not ranked:
        return ""
    best = ranked[0]
    runner_up = ranked[1].value if len(ranked) > 1 else 0.0
    if best.value >= SURE or (best.value >= SURE_ENOUGH and best.value >= 2 * runner_up):
        return best.language.iso_code_639_1.name.lower()
    return ""
