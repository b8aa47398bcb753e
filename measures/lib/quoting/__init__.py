"""How a quoted passage is found in its source's text: the one matching rule of the tracker.

A quote is compared with its source after both are *folded* (see `fold`); the stored quote is
never changed. The rule, as the analysts' guide states it:

- Unicode compatibility normalisation (NFKC, from `unicodedata`): composed and decomposed letters
  (ü, ज़), ligatures (ﬁ), full-width forms and the ellipsis character compare equal to their plain
  forms. Digits of every script (Arabic-Indic ٣, Devanagari ३) compare as ASCII digits.
- Orders of a Brahmic cluster that render alike but that Unicode does not make equivalent compare
  equal: Khmer subscripts typed in any order around COENG RO (ស្ត្រី, ស្រ្តី, ស្រី្ត), a vowel typed
  before a subscript, a two-part vowel typed as its parts (េ + ី for ើ); Myanmar medials in any
  order; an Indic nukta typed after the vowel sign. Each cluster is put in one order (folding.py).
- Whitespace of every kind (no-break, thin, line and paragraph breaks) is one space.
- Dashes of every kind (Unicode category Pd and the minus sign) are one hyphen, spaces around a dash
  and doubled dashes ignored: "rivers - Kabul", "rivers—Kabul" and "rivers--Kabul" are equal.
- Quote marks of every kind are ignored, so a quote may be typed with or without its surrounding
  marks; an apostrophe between two letters (’ ' ʼ) is kept, as one apostrophe.
- Invisible characters (Unicode category Cf: soft hyphen, zero-width space and joiners,
  bidirectional controls, byte-order mark; and the other default-ignorable code points: variation
  selectors, the combining grapheme joiner…) and the Arabic tatweel are ignored, and so are Arabic
  vowel marks (harakat), which sources and keyboards use inconsistently.
- A hyphen at a line break in the source ("de-⏎escalate", "reaffir-⏎med") matches the word with or
  without the hyphen.
- Arabic-script letters that differ only between Arabic, Persian and Urdu keyboards are one letter:
  kaf/keheh, yeh/farsi yeh/alef maksura, heh/heh goal/heh doachashmee/ae, teh marbuta/teh marbuta goal.
  No library covers these keyboard variants, hence the small table below.
- Letters of other scripts that merely look alike (a Cyrillic а for a Latin a) are NOT folded: such a
  quote is refused and `mismatch_hint` names the characters by code point, as it does for two words
  holding the same characters in another order.
- Letter case is compared exactly; write a changed capital as "[T]he".
- A quote starts and ends on word boundaries, in every script ("lawful" is not in "unlawful"), except
  next to a bracketed insertion ("[T]he"). Between two letters of scripts written with spaces there
  is never a boundary; in scripts written without them (Thai, Lao, Khmer, Burmese, Chinese,
  Japanese) the boundaries are those of ICU's dictionary segmentation of the source
  (measures.lib.words), so a Thai quote cannot start inside a word, and the refusal names the word.
- An elision mark (`[…]`, `[...]`, `(…)`, `…`, `...`) stands for up to ELISION_MAX_GAP folded
  characters of the source, and the parts around it must occur in order (at most MAX_GAPS marks).
  A bracketed insertion replaces up to INSERTION_MAX_SPAN characters of the source
  ("[the army chief] said" for "he said"), or nothing when it stands between two whole words
  ("She [the foreign secretary] thanked" for "She thanked": the analyst's words, never source
  text); it cannot contain the words it replaces and more ("[will]" for "will not"). An elision or
  insertion at either end of the quote is left out of the matching ("[T]he" matches "he").

A cited passage is shown as the source has it (`passage_parts`): the source's own characters between
its offsets, whatever spelling the quote was typed in, with "[…]" for the words left out and the
analyst's bracketed words, marked as theirs, between them.

Positions reported by `find_passages` are offsets in the *original* source text (Python string
indices), one (start, end) pair per literal part of the quote.
"""

from measures.lib.quoting.folding import (
    ELISION_MAX_GAP,
    INSERTION_MAX_SPAN,
    LONG_CACHED,
    QUOTE_MARK,
    SHORT_CACHED,
    SHORT_TEXT,
    SOFT_BREAK,
    Folded,
    fold,
    normalise_text,
)
from measures.lib.quoting.hints import (
    mismatch_hint,
)
from measures.lib.quoting.marking import (
    ELISION,
    ELISION_MARK,
    INSERTION,
    SOURCE,
    Paragraph,
    Segment,
    mark_passages,
    passage_parts,
    passage_text,
)
from measures.lib.quoting.matching import (
    MAX_GAPS,
    MAX_OCCURRENCES,
    Gap,
    Passage,
    QuoteParts,
    QuoteTooCommon,
    SourceWords,
    find_passages,
    paragraph_number,
    paragraphs,
    quote_problem,
    split_quote,
)

__all__ = [
    "ELISION",
    "ELISION_MARK",
    "ELISION_MAX_GAP",
    "Folded",
    "Gap",
    "INSERTION",
    "INSERTION_MAX_SPAN",
    "LONG_CACHED",
    "MAX_GAPS",
    "MAX_OCCURRENCES",
    "Paragraph",
    "Passage",
    "QUOTE_MARK",
    "QuoteParts",
    "QuoteTooCommon",
    "SHORT_CACHED",
    "SHORT_TEXT",
    "SOFT_BREAK",
    "SOURCE",
    "Segment",
    "SourceWords",
    "find_passages",
    "fold",
    "mark_passages",
    "mismatch_hint",
    "normalise_text",
    "paragraph_number",
    "paragraphs",
    "passage_parts",
    "passage_text",
    "quote_problem",
    "split_quote",
]
