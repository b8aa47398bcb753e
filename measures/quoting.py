"""How a quoted passage is found in its source's text: the one matching rule of the tracker.

A quote is compared with its source after both are *folded* (see `fold`); the stored quote is
never changed. The rule, as the analysts' guide states it:

- Unicode compatibility normalisation (NFKC, from `unicodedata`): composed and decomposed letters
  (ü, ज़), ligatures (ﬁ), full-width forms and the ellipsis character compare equal to their plain
  forms. Digits of every script (Arabic-Indic ٣, Devanagari ३) compare as ASCII digits.
- Whitespace of every kind (no-break, thin, line and paragraph breaks) is one space.
- Dashes of every kind (Unicode category Pd and the minus sign) are one hyphen, spaces around a dash
  and doubled dashes ignored: "rivers - Kabul", "rivers—Kabul" and "rivers--Kabul" are equal.
- Quote marks and apostrophes of every kind are ignored, so a quote may be typed with or without
  its surrounding marks.
- Invisible characters (Unicode category Cf: soft hyphen, zero-width space and joiners,
  bidirectional controls, byte-order mark) and the Arabic tatweel are ignored, and so are Arabic
  vowel marks (harakat), which sources and keyboards use inconsistently.
- A hyphen at a line break in the source ("de-⏎escalate", "reaffir-⏎med") matches the word with or
  without the hyphen.
- Arabic-script letters that differ only between Arabic, Persian and Urdu keyboards are one letter:
  kaf/keheh, yeh/farsi yeh/alef maksura, heh/heh goal/heh doachashmee/ae, teh marbuta/teh marbuta goal.
  No library covers these keyboard variants, hence the small table below.
- Letters of other scripts that merely look alike (a Cyrillic а for a Latin a) are NOT folded: such a
  quote is refused and `mismatch_hint` names the characters.
- Letter case is compared exactly; write a changed capital as "[T]he".
- An elision mark (`[…]`, `[...]`, `(…)`, `…`, `...`) stands for up to ELISION_MAX_GAP folded
  characters of the source, and the parts around it must occur in order. A bracketed insertion
  (`[the army chief]`) stands for up to INSERTION_MAX_SPAN characters (or none). An elision or
  insertion at either end of the quote is simply dropped.

Positions reported by `find_passages` are offsets in the *original* source text (Python string
indices), one (start, end) pair per literal part of the quote.
"""

import bisect
import functools
import re
import unicodedata
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
    starts: tuple
    ends: tuple

    def original_span(self, start, end):
        """The (start, end) offsets in the original text of folded[start:end]."""
        return self.starts[start], self.ends[end - 1]

    def folded_position(self, original_offset):
        """The index of the first folded character coming from at or after `original_offset`."""
        return bisect.bisect_left(self.starts, original_offset)


def _cluster_end(text, i):
    """The end of the character cluster starting at i: a base character and its combining marks."""
    n = len(text)
    j = i + 1
    while j < n and (unicodedata.category(text[j]).startswith("M") or "\u1160" <= text[j] <= "\u11ff"):
        j += 1
    return j


def _fold_char(char):
    """What one NFKC-normalised character becomes: '' (ignored), ' ', '-' or a character."""
    category = unicodedata.category(char)
    if category == "Cf" or char == _TATWEEL:
        return ""
    if char.isspace() or category in ("Zs", "Zl", "Zp"):
        return " "
    if category == "Pd" or char == _MINUS:
        return "-"
    if category in ("Pi", "Pf") or char in _QUOTE_MARKS:
        return ""
    if category == "Mn" and unicodedata.name(char, "").startswith("ARABIC"):
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(char))
    return _ARABIC_VARIANTS.get(char, char)


@functools.lru_cache(maxsize=64)
def fold(text):
    """Fold `text` by the matching rule (module docstring). Returns a `Folded`; '' for None."""
    text = text or ""
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
        j = _cluster_end(text, i)
        cluster = text[i:j]
        normalised = cluster if cluster.isascii() else unicodedata.normalize("NFKC", cluster)
        for char in normalised:
            for folded in _fold_char(char):
                emit(folded, i, j)
        i = j
    while out and out[-1] == " ":
        out.pop(), starts.pop(), ends.pop()
    return Folded("".join(out), tuple(starts), tuple(ends))


def normalise_text(text):
    """The folded form of `text` as a plain string, for comparing texts by the matching rule."""
    return fold(text).text.replace(SOFT_BREAK, "-")


@dataclass(frozen=True)
class QuoteParts:
    """A folded quote split at its elisions and insertions: `parts` in order, and `gaps[k]`, the
    most folded characters allowed between parts[k] and parts[k + 1]."""

    parts: tuple
    gaps: tuple
    elided: bool


def split_quote(quote):
    """Split `quote` (as typed) into literal parts around its elision marks and bracketed insertions."""
    text = normalise_text(quote).replace(SOFT_BREAK, "-")
    parts, gaps = [], []
    pending_gap = None
    elided = False
    position = 0
    marks = sorted(
        [(m.start(), m.end(), ELISION_MAX_GAP) for m in _ELISION.finditer(text)]
        + [
            (m.start(), m.end(), INSERTION_MAX_SPAN)
            for m in _INSERTION.finditer(text)
            if not _ELISION.fullmatch(m.group())
        ]
    )
    for start, end, gap in marks:
        if start < position:
            continue
        elided = True
        literal = text[position:start].strip()
        if literal:
            if parts:
                gaps.append(pending_gap or 0)
            parts.append(literal)
            pending_gap = gap
        elif parts:
            pending_gap = (pending_gap or 0) + gap
        position = end
    literal = text[position:].strip()
    if literal:
        if parts:
            gaps.append(pending_gap or 0)
        parts.append(literal)
    return QuoteParts(tuple(parts), tuple(gaps), elided)


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
    if not folded.text or not quote_parts.parts:
        return []
    chains = _chains(folded.text, quote_parts)
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
    """For each occurrence of the first part, the earliest in-order chain of the other parts."""
    found = [_occurrences(part, text) for part in quote_parts.parts]
    starts = [[start for start, _ in occurrences] for occurrences in found]
    memo = {}

    def chain_from(k, index):
        if k == len(found) - 1:
            return [found[k][index]]
        key = (k, index)
        if key not in memo:
            memo[key] = None
            end = found[k][index][1]
            limit = end + quote_parts.gaps[k] + 1  # +1: the space beside the gap
            lo = bisect.bisect_left(starts[k + 1], end)
            hi = bisect.bisect_right(starts[k + 1], limit)
            for candidate in range(lo, hi):
                rest = chain_from(k + 1, candidate)
                if rest is not None:
                    memo[key] = [found[k][index], *rest]
                    break
        return memo[key]

    chains = []
    for index in range(len(found[0])):
        chain = chain_from(0, index)
        if chain is not None:
            chains.append(chain)
    return chains


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


def _char_name(char):
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def _word_at(text, position):
    """The word of `text` around `position` (up to the next space), for a message."""
    start = text.rfind(" ", 0, position) + 1
    end = text.find(" ", position)
    return text[start : end if end != -1 else len(text)].replace(SOFT_BREAK, "-")


def _longest_prefix(wanted, text):
    """The longest beginning of `wanted` found in `text` (by bisection), and where it is."""
    low, high = 0, len(wanted)
    while low < high:
        middle = (low + high + 1) // 2
        if _occurrences(wanted[:middle], text):
            low = middle
        else:
            high = middle - 1
    if not low:
        return 0, -1
    return low, _occurrences(wanted[:low], text)[0][1]


def _differing_characters(quote_word, source_word):
    """Name the differing characters of two words that look alike (same length, few differences)."""
    if len(quote_word) != len(source_word):
        return ""
    pairs = [(q, s) for q, s in zip(quote_word, source_word, strict=True) if q != s]
    if not pairs or len(pairs) > 2:
        return ""
    named = "; ".join(f"{_char_name(q)} in the quote against {_char_name(s)} in the source" for q, s in pairs)
    return f" The words look alike but differ in their characters: {named}."


def _snippet(text, length=30):
    text = text.replace(SOFT_BREAK, "-")
    return text[:length].strip() + ("…" if len(text) > length else "")


def mismatch_hint(source_text, quote):
    """A message saying why `quote` is not found in `source_text`, or None when it is found.

    For an elided quote, says which part is missing or that the parts occur out of order (or too
    far apart); otherwise where the quote stops matching, the differing words, and, when they look
    alike, the differing characters by name and code point.
    """
    folded = fold(source_text).text
    quote_parts = split_quote(quote)
    if not folded or not quote_parts.parts or find_passages(source_text, quote):
        return None
    if len(quote_parts.parts) > 1:
        for part in quote_parts.parts:
            if not _occurrences(part, folded):
                return f"The part “{_snippet(part, 60)}” does not occur in the source. " + _part_hint(folded, part)
        return (
            "Each part of the quote occurs in the source, but not in this order "
            f"(or more than {ELISION_MAX_GAP} characters apart): an elision mark […] stands only for "
            "words left out between the parts, in the source's order."
        )
    return _part_hint(folded, quote_parts.parts[0])


def _part_hint(folded, wanted):
    if wanted.lower() in folded.lower():
        return (
            "The quote occurs in the source, but with other capital letters. Only capital letters differ: "
            "mark a changed capital with brackets, as in “[T]he”."
        )
    matched_length, source_end = _longest_prefix(wanted, folded)
    if not matched_length:
        return f"Not even its first character, “{wanted[0]}” ({_char_name(wanted[0])}), occurs in the source text."
    if matched_length == len(wanted):
        return ""
    if source_end >= len(folded):
        return (
            f"The source matches the quote up to “{_snippet(wanted[:matched_length][-40:], 40)}”, then the text ends; "
            f"the quote goes on with “{_snippet(wanted[matched_length:])}” (end of text)."
        )
    # Restart at the beginning of the word where the texts part.
    word_start = wanted.rfind(" ", 0, matched_length) + 1
    source_word_start = source_end - (matched_length - word_start)
    quote_word = _word_at(wanted, word_start)
    source_word = _word_at(folded, max(source_word_start, 0))
    matched = wanted[:word_start].strip()
    lead = (
        f"The source matches the quote up to “{('…' if len(matched) > 40 else '') + matched[-40:].lstrip()}”; "
        if matched
        else ""
    )
    message = (
        f"{lead}it stops matching at “{quote_word}”: the quote reads “{_snippet(wanted[word_start:])}” "
        f"but the source reads “{_snippet(folded[source_word_start:]) or '(end of text)'}”."
    )
    return message + _differing_characters(quote_word, source_word)


def relocate(old_text, new_text, quote, spans):
    """Where a citation's passage is in `new_text` after its source changed from `old_text`.

    `spans` are the citation's offsets in `old_text` (may be empty). Returns the `Passage` in
    `new_text` nearest to where the old passage went (positions carried through a diff of the two
    texts), or None when the quote no longer occurs.
    """
    passages = find_passages(new_text, quote)
    if not passages:
        return None
    if len(passages) == 1 or not spans:
        return passages[0]
    import difflib

    old_start = spans[0][0]
    target = old_start
    for tag, i1, i2, j1, _j2 in difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).get_opcodes():
        if i1 <= old_start < i2 or (i1 == i2 == old_start):
            target = j1 + (old_start - i1 if tag == "equal" else 0)
            break
    return min(passages, key=lambda passage: abs(passage.start - target))


@dataclass
class Segment:
    """A run of a paragraph's text: `numbers` of the citations whose passage covers it, `anchor`
    (a citation's fragment id) on the first run of each passage, `starts` the numbers of the
    citations whose passage begins here."""

    text: str
    numbers: tuple = ()
    anchor: str = ""
    starts: tuple = ()


@dataclass
class Paragraph:
    number: int
    start: int
    end: int
    segments: list


def mark_passages(text, cited):
    """The paragraphs of `text` with the cited passages marked, for the source reader.

    `cited` is [(number, anchor, spans)]: the citation's number on the page, its fragment id and
    its [[start, end], …] offsets in `text`. Returns [Paragraph]; the template escapes every
    segment (source text is never trusted as HTML).
    """
    edges_by_number = []
    for number, anchor, spans in cited:
        for index, (start, end) in enumerate(spans):
            edges_by_number.append((max(0, start), min(len(text), end), number, anchor if index == 0 else ""))
    result = []
    for number, start, end in paragraphs(text):
        inside = [
            (max(s, start), min(e, end), n, a if s >= start else "")
            for s, e, n, a in edges_by_number
            if s < end and e > start
        ]
        cuts = sorted({start, end, *(s for s, _, _, _ in inside), *(e for _, e, _, _ in inside)})
        segments = []
        for left, right in zip(cuts, cuts[1:], strict=False):
            covering = [(n, a, s) for s, e, n, a in inside if s <= left and right <= e]
            anchors = [a for n, a, s in covering if a and s == left]
            segments.append(
                Segment(
                    text=text[left:right],
                    numbers=tuple(sorted({n for n, _, _ in covering})),
                    anchor=anchors[0] if anchors else "",
                    starts=tuple(sorted({n for n, a, s in covering if a and s == left})),
                )
            )
        result.append(Paragraph(number, start, end, segments))
    return result
