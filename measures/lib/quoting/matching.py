"""Finding a quote in its source: splitting it at elisions and insertions, placing its parts on word
boundaries, paragraphs."""

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

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
    the source) or a bracketed insertion (`text`, standing for 1 to INSERTION_MAX_SPAN characters,
    or for none when it is [sic])."""

    elision: bool
    text: str = ""

    @property
    def most(self):
        return ELISION_MAX_GAP if self.elision else INSERTION_MAX_SPAN

    @property
    def least(self):
        return 0 if self.elision or self.text.lower() == "sic" else 1


@dataclass(frozen=True)
class QuoteParts:
    """A folded quote split at its elisions and insertions: `parts` in order, `gaps[k]` (a `Gap`)
    between parts[k] and parts[k + 1]; `leading`/`trailing`: whether an insertion stands before the
    first part or after the last (then that edge may fall inside a word, as in "[T]he")."""

    parts: tuple
    gaps: tuple
    marks: int
    leading: bool = False
    trailing: bool = False


def split_quote(quote):
    """Split `quote` (as typed) into literal parts around its elision marks and bracketed insertions.
    Two marks in a row count as one elision if either is one."""
    text = normalise_text(quote)
    marks = sorted(
        [(m.start(), m.end(), None) for m in _ELISION.finditer(text)]
        + [
            (m.start(), m.end(), m.group()[1:-1].strip())
            for m in _INSERTION.finditer(text)
            if not _ELISION.fullmatch(m.group())
        ]
    )
    parts, gaps, pending, leading, position, count = [], [], None, False, 0, 0
    for start, end, inserted in marks:
        if start < position:
            continue
        count += 1
        gap = Gap(elision=inserted is None, text=inserted or "")
        literal = text[position:start].strip()
        if literal:
            if parts:
                gaps.append(pending)
            parts.append(literal)
            pending = gap
        elif parts:
            pending = gap if pending is None or gap.elision else pending
        else:
            leading = leading or not gap.elision
        position = end
    literal = text[position:].strip()
    trailing = False
    if literal:
        if parts:
            gaps.append(pending)
        parts.append(literal)
    elif pending is not None:
        trailing = not pending.elision
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


def _spaceless(char):
    """Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Chinese, Japanese):
    a word boundary cannot be seen there, so none is required."""
    code = ord(char)
    return (
        0x0E00 <= code <= 0x0EFF
        or 0x1000 <= code <= 0x109F
        or 0x1780 <= code <= 0x17FF
        or 0x3040 <= code <= 0x30FF
        or 0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or code >= 0x20000
    )


def _splits_a_word(text, left, right):
    """Whether a boundary between text[left] and text[right] would fall inside a word."""
    if left < 0 or right >= len(text):
        return False
    a, b = text[left], text[right]
    return _wordy(a) and _wordy(b) and not (_spaceless(a) or _spaceless(b))


def _placed_occurrences(part, text, *, whole_start, whole_end):
    """The occurrences of `part` in folded `text` whose edges fall between words where required:
    a quote cannot start or end inside a word ("lawful" is not in "unlawful")."""
    return [
        (start, end)
        for start, end in _occurrences(part, text)
        if not (whole_start and _splits_a_word(text, start - 1, start))
        and not (whole_end and _splits_a_word(text, end - 1, end))
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
    folded = fold(source_text)
    quote_parts = split_quote(quote)
    if not folded.text or quote_problem(quote):
        return []
    try:
        chains = _chains(folded.text, quote_parts)
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


def _chains(text, quote_parts):
    """For each occurrence of the first part, the earliest in-order chain of the other parts, each
    gap within its bounds (an insertion must not hide the words it claims to replace); computed from
    the last part back, without recursion. Raises QuoteTooCommon when a part occurs too often."""
    parts, gaps = quote_parts.parts, quote_parts.gaps
    last = len(parts) - 1
    found = []
    for k, part in enumerate(parts):
        occurrences = _placed_occurrences(
            part,
            text,
            whole_start=(not quote_parts.leading) if k == 0 else gaps[k - 1].elision,
            whole_end=(not quote_parts.trailing) if k == last else gaps[k].elision,
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
                if _gap_fits(text[end:start], gap):
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


def _gap_fits(between, gap):
    """Whether the source text `between` two parts may stand behind `gap`."""
    replaced = between.strip()
    if len(replaced) < gap.least:
        return False
    if gap.elision:
        return True
    # "[will]" cannot stand for "will not": an insertion that contains what it replaces, and more,
    # is an elision in disguise.
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
