"""Folding: the equivalences under which a quote matches its source (see the package's docstring)."""

import functools
import re
import unicodedata
from array import array
from dataclasses import dataclass

ELISION_MAX_GAP = 1000
INSERTION_MAX_SPAN = 80

# A hyphen at a line break, in folded text: matches "-" or nothing in a quote. A private-use code
# point, so it can never come from a real text.
SOFT_BREAK = "\ue000"

_ARABIC_VARIANTS = {
    "\u0643": "\u06a9",  # ARABIC LETTER KAF -> KEHEH (Persian/Urdu keyboards)
    "\u064a": "\u06cc",  # ARABIC LETTER YEH -> FARSI YEH
    "\u0649": "\u06cc",  # ARABIC LETTER ALEF MAKSURA -> FARSI YEH
    "\u06c1": "\u0647",  # ARABIC LETTER HEH GOAL -> HEH
    "\u06be": "\u0647",  # ARABIC LETTER HEH DOACHASHMEE -> HEH
    "\u06d5": "\u0647",  # ARABIC LETTER AE -> HEH
    "\u06c3": "\u0629",  # ARABIC LETTER TEH MARBUTA GOAL -> TEH MARBUTA
}
_TATWEEL = "\u0640"
# Quote marks that are not in the Unicode categories Pi/Pf (initial/final quotation punctuation).
_QUOTE_MARKS = frozenset(
    "'\"`\u00b4\u201a\u201e\u2032\u2033\u2035\u2036\u300c\u300d\u300e\u300f\u301d\u301e\u301f\uff02\uff07"
)
_MINUS = "\u2212"

# A hyphen (or soft hyphen) between letters, followed by a line break: the word was hyphenated there.
_LINE_BREAK_HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011\u00ad][ \t]*(?:\r\n|\r|\n)\s*(?=\w)")

# In a folded quote: an elision mark, or a bracketed insertion.
_ELISION = re.compile(r"\[\s*\.(?:\s?\.){2,}\s*\]|\(\s*\.(?:\s?\.){2,}\s*\)|\.(?:\s?\.){2,}")
_INSERTION = re.compile(rf"\[[^\[\]]{{1,{INSERTION_MAX_SPAN}}}\]")


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the span of the original it comes from."""

    text: str
    starts: array  # of int
    ends: array  # of int

    def original_span(self, start, end):
        """The (start, end) offsets in the original text of folded[start:end]."""
        return self.starts[start], self.ends[end - 1]


# ASCII letters, digits and punctuation that _fold_char leaves as they are and emit() appends as they
# are, and single spaces between them (emit() keeps a space that follows one of them).
_PLAIN_RUN = re.compile(r"[A-Za-z0-9.,;:!?()]+(?: [A-Za-z0-9.,;:!?()]+)*")


# Signs after which the next consonant is written below or beside the one before, in one cluster:
# Khmer COENG and Myanmar's invisible stacking virama.
_STACKERS = frozenset("\u17d2\u1039")


def _cluster_end(text, i):
    """The end of the character cluster starting at i: a base character and its combining marks (and,
    in Khmer and Myanmar, the consonants stacked under it)."""
    n = len(text)
    j = i + 1
    # Every combining mark and Hangul jamo is at or above U+0300: below it, no category lookup.
    while j < n and text[j] >= "\u0300":
        char = text[j]
        if not (unicodedata.category(char).startswith("M") or "\u1160" <= char <= "\u11ff" or text[j - 1] in _STACKERS):
            break
        j += 1
    return j


# Orders of the same cluster that render alike but are not canonically equivalent (so NFKC leaves
# them apart): Khmer subscripts typed in either order around COENG RO (ស្ត្រី, ស្រ្តី, ស្រី្ត are one
# word, "woman"), a vowel typed before a subscript, a two-part vowel typed as its parts; Myanmar
# medials in any order; an Indic nukta typed after the vowel sign. Each cluster is put in one order:
# Khmer subscripts (COENG RO last), then consonant shifters and robat, then vowels, then other signs;
# Myanmar medials in code point order (ya, ra, wa, ha); a nukta right after its consonant.
_KHMER_COENG, _KHMER_RO = "\u17d2", "\u179a"
_KHMER_TWO_PART_VOWELS = {"\u17c1\u17b8": "\u17be", "\u17c1\u17b6": "\u17c4"}
_MYANMAR_MEDIALS = frozenset("\u103b\u103c\u103d\u103e")
_NUKTAS = frozenset("\u093c\u09bc\u0a3c\u0abc\u0b3c\u0c3c\u0cbc")


def _khmer_class(item):
    if item[0] == _KHMER_COENG:
        return 1 if item[1:] == _KHMER_RO else 0
    if item in ("\u17c9", "\u17ca", "\u17cc"):
        return 2
    if "\u17b6" <= item <= "\u17c5" or item == "\u17d1":
        return 3
    return 4


def _reorder_cluster(cluster):
    """`cluster` (NFKC-normalised, two characters or more) in the one order its script's rendering
    cannot tell apart from the others (see above)."""
    base, rest = cluster[0], cluster[1:]
    if "\u1780" <= base <= "\u17ff":
        for parts, whole in _KHMER_TWO_PART_VOWELS.items():
            rest = rest.replace(parts, whole)
        items, k = [], 0
        while k < len(rest):
            step = 2 if rest[k] == _KHMER_COENG and k + 1 < len(rest) else 1
            items.append(rest[k : k + step])
            k += step
        return base + "".join(sorted(items, key=_khmer_class))
    if "\u1000" <= base <= "\u109f":
        medials = sorted(char for char in rest if char in _MYANMAR_MEDIALS)
        if not medials:
            return cluster
        first = min(rest.index(char) for char in medials)
        others = [char for char in rest if char not in _MYANMAR_MEDIALS]
        return base + "".join(others[:first]) + "".join(medials) + "".join(others[first:])
    nuktas = [char for char in rest if char in _NUKTAS]
    if nuktas and not rest.startswith(nuktas[0]):
        return base + "".join(nuktas) + "".join(char for char in rest if char not in _NUKTAS)
    return cluster


# Default-ignorable code points outside category Cf (Unicode's DerivedCoreProperties): variation
# selectors (as after most emoji), the combining grapheme joiner, Hangul fillers, Mongolian and Khmer
# invisible signs, tags.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),
)
# Marks that are an apostrophe when they stand between two letters ("it’s", "Shiʼa").
_APOSTROPHES = frozenset("'\u2019\u02bc\u2018\u2032`\u00b4")
QUOTE_MARK = "\ue001"  # _fold_char's answer for a quote mark: fold() decides apostrophe or nothing


def _is_ignorable(char, category):
    if category == "Cf" or char == _TATWEEL:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


@functools.lru_cache(maxsize=8192)
def _fold_char(char):
    """What one NFKC-normalised character becomes: '' (ignored), ' ', '-', QUOTE_MARK or a character."""
    category = unicodedata.category(char)
    if char in _APOSTROPHES:
        return QUOTE_MARK
    if _is_ignorable(char, category):
        return ""
    if char.isspace() or category in ("Zs", "Zl", "Zp"):
        return " "
    if category == "Pd" or char == _MINUS:
        return "-"
    if category in ("Pi", "Pf") or char in _QUOTE_MARKS:
        return QUOTE_MARK
    if category == "Mn" and unicodedata.name(char, "").startswith("ARABIC"):
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(char))
    return _ARABIC_VARIANTS.get(char, char)


# fold() walks the text a character at a time in Python (runs of plain ASCII prose go in one step), so
# folding a source's text costs milliseconds (docs/performance.md, “Figures behind the code”). A page
# that checks several citations folds each source text and each quote, in turn, on every request: with
# one cache for both, a form with more texts than the cache holds (an event's six citations: six sources
# and six quotes) evicted every source text before its next use and folded them all again each time.
# Quotes and source texts are therefore cached apart: many short texts, and a few long ones (a folded
# text takes many bytes a character).
SHORT_TEXT = 500  # characters: quotes, locators, inserted words
SHORT_CACHED = 1024
LONG_CACHED = 16


def fold(text):
    """Fold `text` by the matching rule (module docstring). Returns a `Folded`; '' for None.

    Results are cached (SHORT_CACHED texts of at most SHORT_TEXT characters, LONG_CACHED longer ones)."""
    text = text or ""
    return _fold_short(text) if len(text) <= SHORT_TEXT else _fold_long(text)


@functools.lru_cache(maxsize=SHORT_CACHED)
def _fold_short(text):
    return _fold(text)


@functools.lru_cache(maxsize=LONG_CACHED)
def _fold_long(text):
    return _fold(text)


def _fold(text, plain_run=_PLAIN_RUN):
    """fold() itself, uncached; `plain_run` None folds every character the general way (tests
    compare both)."""
    out, starts, ends = [], [], []

    def emit(char, start, end):
        if char == " ":
            if not out or out[-1] in (" ", "-", SOFT_BREAK):
                return
        elif char == "-":
            if out and out[-1] == " ":
                out.pop(), starts.pop(), ends.pop()
            if out and out[-1] == "-":
                ends[-1] = end
                return
        out.append(char)
        starts.append(start)
        ends.append(end)

    breaks = {match.start(): match.end() for match in _LINE_BREAK_HYPHEN.finditer(text)}
    i, n = 0, len(text)
    while i < n:
        if i in breaks:
            if out and out[-1] == " ":
                out.pop(), starts.pop(), ends.pop()
            emit(SOFT_BREAK, i, breaks[i])
            i = breaks[i]
            continue
        run = plain_run.match(text, i) if plain_run is not None else None
        if run is not None:
            # Characters that fold to themselves, one cluster each, and single spaces between them,
            # copied in one step: the same result as the general way below, several times faster on
            # ordinary prose. The last one goes the general way when combining marks may follow it.
            # (No line break starts inside a run: a run holds no hyphen.)
            end = run.end()
            if end < n and text[end] >= "\u0300":
                end -= 1
            if end > i:
                out.extend(text[i:end])
                starts.extend(range(i, end))
                ends.extend(range(i + 1, end + 1))
                i = end
                continue
        j = _cluster_end(text, i)
        cluster = text[i:j]
        normalised = cluster if cluster.isascii() else unicodedata.normalize("NFKC", cluster)
        if len(normalised) > 1 and "\u0900" <= normalised[0] <= "\u17ff":
            normalised = _reorder_cluster(normalised)
        for index, char in enumerate(normalised):
            folded = _fold_char(char)
            if folded == QUOTE_MARK:
                # An apostrophe between two letters is kept (as '); any other quote mark is ignored.
                following = normalised[index + 1 : index + 2] or text[j : j + 1]
                if char in _APOSTROPHES and out and out[-1].isalpha() and following.isalpha():
                    emit("'", i, j)
                continue
            for piece in folded:
                emit(piece, i, j)
        i = j
    while out and out[-1] == " ":
        out.pop(), starts.pop(), ends.pop()
    return Folded("".join(out), array("q", starts), array("q", ends))


def normalise_text(text):
    """The folded form of `text` as a plain string, for comparing texts by the matching rule."""
    return fold(text).text.replace(SOFT_BREAK, "-")
