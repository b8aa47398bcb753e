"""Search terms: the words a text is found by, in every script, by the matching rule of quotes.

A text and a query are turned into terms the same way, so that whatever the rule of quotes folds
together is found together: the text is folded (measures.lib.quoting.fold: Unicode compatibility
forms, composed and decomposed letters, ligatures, invisible characters, dashes, Arabic-script
keyboard variants such as ك/ک and ي/ی, Arabic vowel marks, Khmer and other Brahmic cluster orders,
digits of every script), cut into words by Unicode's rules with ICU's dictionaries for scripts
written without spaces (measures.lib.words), and each word is case-folded and cut at its
apostrophes ("Pakistan's" is found by "Pakistan", "it's" by the phrase "it's"). Letter case is the
one difference the rule of quotes keeps and search ignores.

The databases' full-text engines index these terms as they are (measures.search): neither engine
cuts or changes them again, so SQLite and PostgreSQL find the same documents.
"""

import re
import unicodedata
from dataclasses import dataclass

from measures.lib import words
from measures.lib.quoting import SOFT_BREAK, fold

MAX_TERM_CHARS = 100  # longer "words" (a run of digits, an unsegmented run of letters) are not indexed
MAX_QUERY_TERMS = 20
_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|(\S+)')


def _clean(folded_text):
    """The folded text without its line-break hyphens (a word split at a line end is one word), and
    for each character kept its index in the folded text."""
    kept = [(char, index) for index, char in enumerate(folded_text) if char != SOFT_BREAK]
    return "".join(char for char, _ in kept), [index for _, index in kept]


def _word_terms(clean, start, end):
    """The terms of the word clean[start:end], with their offsets in `clean`: its runs of letters,
    marks and digits (an apostrophe or a mid-word full stop, "3.14", parts them), case-folded."""
    found, run = [], None
    for position in range(start, end + 1):
        inside = position < end and unicodedata.category(clean[position])[0] in "LMN"
        if inside and run is None:
            run = position
        elif not inside and run is not None:
            term = clean[run:position].casefold()
            if len(term) <= MAX_TERM_CHARS:
                found.append((term, run, position))
            run = None
    return found


def term_spans(text):
    """[(term, start, end)]: each term of `text` with the offsets in `text` of the characters it comes from."""
    folded = fold(text or "")
    clean, index = _clean(folded.text)
    return [
        (term, folded.starts[index[first]], folded.ends[index[last - 1]])
        for start, end in words.words(clean)
        for term, first, last in _word_terms(clean, start, end)
    ]


def terms(text):
    """The terms of `text`, in order, repeated as often as they occur (for ranking)."""
    folded = fold(text or "")
    clean, _ = _clean(folded.text)
    return [term for start, end in words.words(clean) for term, _, _ in _word_terms(clean, start, end)]


@dataclass(frozen=True)
class Query:
    """A parsed query: `groups` are the terms of each word or "quoted phrase" typed, every group must
    be found, the terms of one group next to each other in order (a word of a script without spaces
    may give several terms). `terms` holds them all, for highlighting."""

    groups: tuple

    @property
    def terms(self):
        return frozenset(term for group in self.groups for term in group)

    def __bool__(self):
        return bool(self.groups)


def parse_query(query):
    """The Query for what a reader typed; words without letters or digits are left out, and at most
    MAX_QUERY_TERMS terms are kept."""
    groups, count = [], 0
    for match in _QUOTED.finditer(query or ""):
        chunk = next(group for group in match.groups() if group is not None)
        found = tuple(terms(chunk))
        if not found or found in groups:
            continue
        found = found[: MAX_QUERY_TERMS - count]
        if not found:
            break
        groups.append(found)
        count += len(found)
    return Query(tuple(groups))


@dataclass(frozen=True)
class Snippet:
    """A part of a text around the places a query's terms occur: `parts` are (text, marked) pairs;
    `start` is the offset in the text where it begins; `cut_before`/`cut_after` whether text was left
    out there."""

    parts: tuple
    start: int
    cut_before: bool
    cut_after: bool

    @property
    def text(self):
        return "".join(text for text, _ in self.parts)


# Arabic-script keyboard variants, as folding unifies them: for the quick look at a long text below.
_QUICK_FOLD = str.maketrans({"\u0643": "\u06a9", "\u064a": "\u06cc", "\u0649": "\u06cc", "\u06c1": "\u0647"})


def _likely_paragraph(text, query_terms):
    """(start, end) of the paragraph (line) of a long `text` that most likely holds the most of
    `query_terms`, by a quick look (compatibility forms, case and Arabic-script letter forms
    unified; no cutting into words), or None when the quick look finds none of them."""
    best, best_count, start = None, 0, 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            quick = unicodedata.normalize("NFKC", line).casefold().translate(_QUICK_FOLD)
            count = sum(1 for term in query_terms if term in quick)
            if count > best_count:
                best, best_count = (start, end), count
        start = end + 1
    return best


def snippet(text, query_terms, *, width=240):
    """The `width` characters (about) of `text` holding the most occurrences of `query_terms`, with
    each occurrence marked; the beginning of the text when none occurs. Cuts fall between words.

    In a long text, only the paragraph a quick look finds most of the terms in is cut into words
    (cutting a whole source's text into words took most of a page of results: docs/performance.md)."""
    text = text or ""
    if len(text) > 4 * width:
        paragraph = _likely_paragraph(text, query_terms)
        if paragraph is not None:
            start, end = paragraph
            found = snippet(text[start:end], query_terms, width=width)
            if any(marked for _, marked in found.parts):
                return Snippet(
                    found.parts,
                    start + found.start,
                    start + found.start > 0,
                    start + found.start + len(found.text) < len(text),
                )
    spans = term_spans(text)
    hits = []
    for term, start, end in spans:
        if term not in query_terms:
            continue
        if hits and not text[hits[-1][1] : start].strip():
            hits[-1] = (hits[-1][0], end)  # words found side by side are marked as one
        else:
            hits.append((start, end))
    if hits:
        best_start, best_count, later = hits[0][0], 0, 0
        for i, (start, _) in enumerate(hits):
            while later < len(hits) and hits[later][0] < start + width:
                later += 1
            if later - i > best_count:
                best_start, best_count = start, later - i
        begin = max(0, best_start - width // 4)
    else:
        begin = 0
    end = min(len(text), begin + width)
    # Whole words at both ends.
    word_starts = [start for _, start, _ in spans]
    if begin > 0:
        begin = next((start for start in word_starts if start >= begin), begin)
    if end < len(text):
        ends = [finish for _, _, finish in spans if finish <= end]
        end = ends[-1] if ends and ends[-1] > begin else end
    parts, position = [], begin
    for start, finish in hits:
        if start < begin or finish > end:
            continue
        if start > position:
            parts.append((text[position:start], False))
        parts.append((text[start:finish], True))
        position = finish
    if position < end:
        parts.append((text[position:end], False))
    return Snippet(tuple(parts), begin, begin > 0, end < len(text))
