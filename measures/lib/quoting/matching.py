"""Finding a quote in its source: splitting it at elisions and insertions, placing its parts on word
boundaries, paragraphs."""

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

from measures.lib import words as word_rules
from measures.lib.quoting.folding import (
    _ELISION,
    _INSERTION,
    _QUOTE_MARKS,
    ELISION_MAX_GAP,
    INSERTION_MAX_SPAN,
    SOFT_BREAK,
    fold,
    normalise_text,
)

MAX_GAPS = 20  # elisions and insertions in one quote
MAX_OCCURRENCES = 20_000  # places one part of a quote may occur before it is too common to place


@dataclass(frozen=True)
class Gap:
    """What stands between two parts of a quote: an elision (up to ELISION_MAX_GAP characters of
    the source) or a bracketed insertion (`text`, folded, standing for up to INSERTION_MAX_SPAN
    characters of the source: words it replaces, or none when it only adds words between two of the
    source's). `shown` is the mark as the analyst typed it, brackets included ("[the army chief]")."""

    elision: bool
    text: str = ""
    shown: str = ""

    @property
    def most(self):
        return ELISION_MAX_GAP if self.elision else INSERTION_MAX_SPAN


@dataclass(frozen=True)
class QuoteParts:
    """A folded quote split at its elisions and insertions: `parts` in order, `gaps[k]` (a `Gap`)
    between parts[k] and parts[k + 1]; `leading`/`trailing`: the insertion (a `Gap`) standing before
    the first part or after the last, or None (then that edge may fall inside a word, as in "[T]he")."""

    parts: tuple
    gaps: tuple
    marks: int
    leading: Gap | None = None
    trailing: Gap | None = None


@functools.lru_cache(maxsize=1024)
def split_quote(quote):
    """Split `quote` (as typed) into literal parts around its elision marks and bracketed insertions.
    Two marks in a row count as one elision if either is one. Returns QuoteParts."""
    quote = quote or ""
    folded = fold(quote)
    text = normalise_text(quote)
    marks = sorted(
        [(m.start(), m.end(), None) for m in _ELISION.finditer(text)]
        + [
            (m.start(), m.end(), m.group()[1:-1].strip())
            for m in _INSERTION.finditer(text)
            if not _ELISION.fullmatch(m.group())
        ]
    )
    parts, gaps, pending, leading, position, count = [], [], None, None, 0, 0
    for start, end, inserted in marks:
        if start < position:
            continue
        count += 1
        typed_start, typed_end = folded.original_span(start, end)
        gap = Gap(elision=inserted is None, text=inserted or "", shown=quote[typed_start:typed_end].strip())
        literal = text[position:start].strip()
        if literal:
            if parts:
                gaps.append(pending)
            parts.append(literal)
            pending = gap
        elif parts:
            pending = gap if pending is None or gap.elision else pending
        elif not gap.elision:
            leading = gap
        position = end
    literal = text[position:].strip()
    trailing = None
    if literal:
        if parts:
            gaps.append(pending)
        parts.append(literal)
    elif pending is not None and not pending.elision:
        trailing = pending
    return QuoteParts(tuple(parts), tuple(gaps), count, leading, trailing)


def quote_problem(quote):
    """Why `quote` cannot be matched at all, as a message, or None: it has no letters or digits of
    its own, or more than MAX_GAPS elisions and insertions."""
    quote_parts = split_quote(quote)
    if not any(char.isalnum() for part in quote_parts.parts for char in part):
        return "A quote needs words of the source: this one has no letters or digits outside its brackets."
    if quote_parts.marks > MAX_GAPS:
        return f"A quote may leave out or replace words in at most {MAX_GAPS} places; this one has {quote_parts.marks}."
    return None


@functools.lru_cache(maxsize=256)
def _part_pattern(part):
    """A regex finding a literal part in folded text, where the text may hold line-break hyphens."""
    pieces = []
    for index, char in enumerate(part):
        if index:
            pieces.append(SOFT_BREAK + "?" if char != " " and part[index - 1] != " " else "")
        if char == "-":
            pieces.append("[-" + SOFT_BREAK + "]")
        else:
            pieces.append(re.escape(char))
    # A lookahead with a group finds overlapping occurrences too.
    return re.compile("(?=(" + "".join(pieces) + "))")


def _occurrences(part, text):
    return [(m.start(1), m.end(1)) for m in _part_pattern(part).finditer(text)]


def _wordy(char):
    return char == SOFT_BREAK or unicodedata.category(char)[0] in "LNM"


class SourceWords:
    """Where words begin and end in a source's folded text, for placing a quote on whole words.

    Between two letters, digits or marks of scripts written with spaces, there is never a word
    boundary (Unicode's rule for letters: "lawful" is not a word of "unlawful"); next to a space or
    punctuation, always. Where a script written without spaces (Thai, Khmer, Chinese…) meets a
    letter, the boundaries of ICU's dictionary segmentation of the source decide
    (measures.lib.words.word_boundaries, computed on the source as stored and mapped onto its
    folded text; only when such a script is met)."""

    def __init__(self, source_text):
        self.original = source_text or ""
        self.folded = fold(self.original)
        self.text = self.folded.text
        self._dictionary = None

    def is_boundary(self, position):
        """Whether a word may begin or end at `position` of the folded text."""
        text = self.text
        if position <= 0 or position >= len(text):
            return True
        before, after = text[position - 1], text[position]
        if not (_wordy(before) and _wordy(after)):
            return True
        if not (word_rules.is_spaceless(before) or word_rules.is_spaceless(after)):
            return False
        if self._dictionary is None:
            self._dictionary = word_rules.word_boundaries(self.original)
        # The characters on either side come from original[..low] and original[high..]: a boundary of
        # the original between them (invisible characters in between count for nothing).
        low, high = self.folded.ends[position - 1], self.folded.starts[position]
        index = bisect.bisect_left(self._dictionary, low)
        return index < len(self._dictionary) and self._dictionary[index] <= high

    def word_around(self, start, end):
        """The (start, end) of the whole word(s) of the folded text that [start, end) falls in."""
        while start > 0 and not self.is_boundary(start):
            start -= 1
        while end < len(self.text) and not self.is_boundary(end):
            end += 1
        return start, end


def _placed_occurrences(part, words, *, whole_start, whole_end):
    """The occurrences of `part` in the folded source text of `words` (SourceWords) whose edges fall
    between words where required: a quote cannot start or end inside a word ("lawful" is not in
    "unlawful", in any script)."""
    return [
        (start, end)
        for start, end in _occurrences(part, words.text)
        if not (whole_start and not words.is_boundary(start)) and not (whole_end and not words.is_boundary(end))
    ]


@dataclass(frozen=True)
class Passage:
    """One place a quote occurs: `spans` are (start, end) offsets in the original source text, one
    per literal part of the quote, in order."""

    spans: tuple

    @property
    def start(self):
        return self.spans[0][0]

    @property
    def end(self):
        return self.spans[-1][1]


def find_passages(source_text, quote):
    """Every non-overlapping place where `quote` occurs in `source_text`, in text order.

    Returns a list of `Passage` (empty when the quote does not occur, or when either is empty).
    """
    words = SourceWords(source_text)
    folded = words.folded
    quote_parts = split_quote(quote)
    if not folded.text or quote_problem(quote):
        return []
    try:
        chains = _chains(words, quote_parts)
    except QuoteTooCommon:
        return []
    stripped = (quote or "").strip()
    opens, closes = stripped[:1] and _is_quote_mark(stripped[0]), stripped[-1:] and _is_quote_mark(stripped[-1])
    passages, last_end = [], -1
    for chain in chains:
        if chain[0][0] < last_end:
            continue
        last_end = chain[-1][1]
        spans = [list(folded.original_span(start, end)) for start, end in chain]
        # Quote marks are ignored in matching; the marks the analyst quoted around the passage are
        # still part of it, so that the highlight covers them.
        if opens and spans[0][0] > 0 and _is_quote_mark(source_text[spans[0][0] - 1]):
            spans[0][0] -= 1
        if closes and spans[-1][1] < len(source_text) and _is_quote_mark(source_text[spans[-1][1]]):
            spans[-1][1] += 1
        passages.append(Passage(tuple(tuple(span) for span in spans)))
    return passages


def _is_quote_mark(char):
    return unicodedata.category(char) in ("Pi", "Pf") or char in _QUOTE_MARKS


def _chains(words, quote_parts):
    """For each occurrence of the first part, the earliest in-order chain of the other parts, each
    gap within its bounds (an insertion must not hide the words it claims to replace); computed from
    the last part back, without recursion. Raises QuoteTooCommon when a part occurs too often."""
    parts, gaps = quote_parts.parts, quote_parts.gaps
    last = len(parts) - 1
    found = []
    for k, part in enumerate(parts):
        occurrences = _placed_occurrences(
            part,
            words,
            whole_start=(quote_parts.leading is None) if k == 0 else gaps[k - 1].elision,
            whole_end=(quote_parts.trailing is None) if k == last else gaps[k].elision,
        )
        if len(occurrences) > MAX_OCCURRENCES:
            raise QuoteTooCommon(part)
        found.append(occurrences)
    # next_of[k][i]: the index of the occurrence of part k + 1 that continues occurrence i of part k.
    feasible = [None] * len(parts)
    feasible[last] = list(range(len(found[last])))
    next_of = [dict() for _ in parts]
    for k in range(last - 1, -1, -1):
        gap = gaps[k]
        later = [(found[k + 1][j][0], j) for j in feasible[k + 1]]
        starts = [start for start, _ in later]
        feasible[k] = []
        for i, (_, end) in enumerate(found[k]):
            lo = bisect.bisect_left(starts, end)
            hi = bisect.bisect_right(starts, end + gap.most + 2)  # +2: the spaces beside the gap
            for start, j in later[lo:hi]:
                if _gap_fits(words, end, start, gap):
                    feasible[k].append(i)
                    next_of[k][i] = j
                    break
    chains = []
    for i in feasible[0]:
        chain, index = [found[0][i]], i
        for k in range(last):
            index = next_of[k][index]
            chain.append(found[k + 1][index])
        chains.append(chain)
    return chains


def _gap_fits(words, end, start, gap):
    """Whether the folded source text between two parts, words.text[end:start], may stand behind `gap`.

    An elision stands for anything up to its length. An insertion replaces the source's words
    between the parts ("[the army chief] said" for "he said"), or replaces nothing and only adds the
    analyst's words between two whole words of the source ("She [the foreign secretary] thanked" for
    "She thanked"); it cannot contain the words it replaces and more ("[will]" for "will not": an
    elision in disguise)."""
    replaced = words.text[end:start].strip()
    if gap.elision:
        return True
    if not replaced:
        return words.is_boundary(end) and words.is_boundary(start)
    inserted = normalise_text(gap.text)
    return not (inserted and inserted in replaced and inserted != replaced)


class QuoteTooCommon(ValueError):
    """A part of a quote occurs in too many places of the source to be placed."""


def paragraph_number(text, offset):
    """The paragraph (1-based) holding `offset` of `text`: each non-blank line is a paragraph."""
    before = (text or "")[:offset]
    count = sum(1 for line in before.split("\n")[:-1] if line.strip())
    return count + 1


def paragraphs(text):
    """The paragraphs of `text` as [(number, start, end)], offsets in `text`: each non-blank line."""
    result, position = [], 0
    for line in (text or "").split("\n"):
        if line.strip():
            result.append((len(result) + 1, position, position + len(line)))
        position += len(line) + 1
    return result
