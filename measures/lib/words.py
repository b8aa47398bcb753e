"""Words and characters as readers see them, in every script: the one place the tracker asks where a
word or a user-perceived character (a grapheme cluster) begins and ends.

Boundaries come from ICU's break iterators (through icu4py, whose wheels carry ICU itself): Unicode's
rules (UAX #29) for every script, and ICU's dictionaries for the scripts written without spaces
between words (Thai, Lao, Khmer, Burmese, Chinese, Japanese), where no character marks a boundary.
Quote matching (measures.lib.quoting), shortening (measures.lib.text.shorten), timeline labels,
search terms (measures.lib.terms) and suggested passages all use these functions, so that a word is
the same word everywhere.

Offsets are Python string indices (ICU counts UTF-16 units; the segments are measured again here, so
a character outside the Basic Multilingual Plane counts once).
"""

import bisect
import functools
import unicodedata

from icu4py.breakers import CharacterBreaker, WordBreaker

# ICU picks the dictionary for a script without spaces by the script itself; the locale only tunes
# rules that no text here depends on. The root locale is used unless a language is known.
ROOT_LOCALE = "und"

# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, Tai Tham, New Tai Lue,
# hiragana, katakana, CJK ideographs (and their extensions and compatibility forms).
_SPACELESS_RANGES = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x1980, 0x19DF),
    (0x19E0, 0x19FF),
    (0x1A20, 0x1AAF),
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA9E0, 0xA9FF),
    (0xAA60, 0xAA7F),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0x20000, 0x3FFFF),
)  # ascending: is_spaceless() bisects them
_SPACELESS_STARTS = [low for low, _ in _SPACELESS_RANGES]


def is_spaceless(char):
    """Whether `char` belongs to a script written without spaces between words."""
    code = ord(char)
    index = bisect.bisect_right(_SPACELESS_STARTS, code) - 1
    return index >= 0 and code <= _SPACELESS_RANGES[index][1]


def has_spaceless(text):
    return any(char >= "\u0e00" and is_spaceless(char) for char in text)


def is_wordy(char):
    """A letter, a combining mark or a digit: a character that belongs to a word."""
    return unicodedata.category(char)[0] in "LNM"


def _locale(language):
    return (language or ROOT_LOCALE).replace("-", "_")


def _boundaries(breaker):
    position, found = 0, [0]
    for piece in breaker:
        position += len(piece)
        found.append(position)
    return tuple(found)


@functools.lru_cache(maxsize=64)
def word_boundaries(text, language=None):
    """The offsets of `text` where a word may begin or end (0 and len(text) included), ascending,
    as a tuple. `language` (a BCP 47 tag) may refine the rules; None uses the root locale."""
    if not text:
        return (0,)
    return _boundaries(WordBreaker(text, _locale(language)))


@functools.lru_cache(maxsize=64)
def grapheme_boundaries(text):
    """The offsets of `text` between user-perceived characters (extended grapheme clusters: a
    letter with its marks, a Khmer or Devanagari cluster, an emoji sequence), as a tuple."""
    if not text:
        return (0,)
    if text.isascii():
        return tuple(range(len(text) + 1))
    return _boundaries(CharacterBreaker(text, ROOT_LOCALE))


def words(text, language=None):
    """The words of `text` as [(start, end)] offsets: the segments between word boundaries that hold
    a letter or a digit (spaces and punctuation are not words)."""
    bounds = word_boundaries(text, language)
    return [
        (start, end)
        for start, end in zip(bounds, bounds[1:], strict=False)
        if any(unicodedata.category(char)[0] in "LN" for char in text[start:end])
    ]


def word_count(text, language=None):
    """How many words `text` holds (words())."""
    return len(words(text, language))


def is_boundary(text, offset, language=None):
    """Whether a word may begin or end at `offset` of `text`."""
    bounds = word_boundaries(text, language)
    index = bisect.bisect_left(bounds, offset)
    return index < len(bounds) and bounds[index] == offset


def last_boundary_at_most(bounds, offset):
    """The greatest of the ascending `bounds` that is at most `offset` (0 if none)."""
    index = bisect.bisect_right(bounds, offset) - 1
    return bounds[index] if index >= 0 else 0


def first_words(text, count, language=None):
    """The beginning of `text` up to the end of its `count`-th word, and whether words were left
    out: for recalling a passage by its first words in any script."""
    found = words(text, language)
    if len(found) <= count:
        return text, False
    return text[: found[count - 1][1]], True
