"""How a quoted passage is found in its source's text: the one matching rule of the tracker.

A quote is compared with its source after both are *folded* (see `fold`); the stored quote is
never changed. The rule, as the analysts' guide states it:

- Unicode compatibility normalisation (NFKC, from `unicodedata`): composed and decomposed letters
  (ü, ज़), ligatures (ﬁ), full-width forms and the ellipsis character compare equal to their plain
  forms. Digits of every script (Arabic-Indic ٣, Devanagari ३) compare as ASCII digits.
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
  quote is refused and `mismatch_hint` names the characters.
- Letter case is compared exactly; write a changed capital as "[T]he".
- A quote starts and ends on word boundaries ("lawful" is not in "unlawful"), except next to a
  bracketed insertion and in scripts written without spaces (Chinese, Japanese, Thai…).
- An elision mark (`[…]`, `[...]`, `(…)`, `…`, `...`) stands for up to ELISION_MAX_GAP folded
  characters of the source, and the parts around it must occur in order (at most MAX_GAPS marks).
  A bracketed insertion (`[the army chief]`) replaces 1 to INSERTION_MAX_SPAN characters (`[sic]`
  none), and cannot contain the words it replaces and more ("[will]" for "will not"). An elision or
  insertion at either end of the quote is dropped.

Positions reported by `find_passages` are offsets in the *original* source text (Python string
indices), one (start, end) pair per literal part of the quote.
"""

import bisect
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


def _cluster_end(text, i):
    """The end of the character cluster starting at i: a base character and its combining marks."""
    n = len(text)
    j = i + 1
    # Every combining mark and Hangul jamo is at or above U+0300: below it, no category lookup.
    while (
        j < n
        and text[j] >= "\u0300"
        and (unicodedata.category(text[j]).startswith("M") or "\u1160" <= text[j] <= "\u11ff")
    ):
        j += 1
    return j


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


# fold() walks the text a character at a time in Python: about 4 µs a character, 15 ms for a 4,000-
# character source (runs of plain ASCII prose go in one step, about 0.5 µs a character). A page that
# checks several citations folds each source text and each quote, in turn, on every request: with one
# cache for both, a form with more texts than the cache holds (an event's six citations: six sources
# and six quotes) evicted every source text before its next use and folded them all again each time.
# Quotes and source texts are therefore cached apart: many short texts, and a few long ones (a folded
# text takes about 17 bytes a character).
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
    """Name the differing characters of two words that look alike (at most three differences)."""
    import difflib

    pairs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, quote_word, source_word, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        pairs.append((quote_word[i1:i2], source_word[j1:j2]))
    if not pairs or sum(max(len(q), len(s)) for q, s in pairs) > 3:
        return ""

    def named(chars, where):
        return " ".join(_char_name(c) for c in chars) + f" in the {where}" if chars else f"nothing in the {where}"

    listed = "; ".join(f"{named(q, 'quote')} against {named(s, 'source')}" for q, s in pairs)
    return f" The words look alike but differ in their characters: {listed}."


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
    if not folded:
        return None
    if problem := quote_problem(quote):
        return problem
    if find_passages(source_text, quote):
        return None
    for part in quote_parts.parts:
        if len(_occurrences(part, folded)) > MAX_OCCURRENCES:
            return f"“{_snippet(part, 40)}” occurs in too many places of the source: quote more words around it."
    if len(quote_parts.parts) > 1:
        for part in quote_parts.parts:
            if not _occurrences(part, folded):
                return f"The part “{_snippet(part, 60)}” does not occur in the source. " + _part_hint(folded, part)
        return (
            "Each part of the quote occurs in the source, but not in this order, or more than "
            f"{ELISION_MAX_GAP} characters apart, or a part starts or ends inside a word, or a bracketed "
            "insertion hides words: […] stands only for words left out between the parts, in the source's "
            "order, and [brackets] only for words that replace others."
        )
    return _part_hint(folded, quote_parts.parts[0])


def _inside_a_word_hint(folded, wanted):
    """When `wanted` occurs only as part of longer words: say so, naming the word of the source."""
    occurrences = _occurrences(wanted, folded)
    if not occurrences:
        return None
    start, end = occurrences[0]
    left = start
    while left > 0 and _wordy(folded[left - 1]):
        left -= 1
    right = end
    while right < len(folded) and _wordy(folded[right]):
        right += 1
    context = folded[left:right].replace(SOFT_BREAK, "-")
    return (
        f"The quote starts or ends inside a word: the source reads “{_snippet(context, 80)}”. "
        "Quote whole words (mark a changed part of a word with brackets, as in “[T]he”)."
    )


def _part_hint(folded, wanted):
    if hint := _inside_a_word_hint(folded, wanted):
        return hint
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

    `spans` are the citation's offsets in `old_text` (may be empty: then the first occurrence).
    Returns the `Passage` of `new_text` where the old passage went (its position carried through a
    diff of the two texts, within 20 characters or a tenth of its length), or None when the passage
    is gone, even if the same words occur elsewhere.
    """
    passages = find_passages(new_text, quote)
    if not passages:
        return None
    if not spans:
        return passages[0]
    import difflib

    old_start = spans[0][0]
    target = old_start
    for tag, i1, i2, j1, _j2 in difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).get_opcodes():
        if i1 <= old_start < i2 or (i1 == i2 == old_start):
            target = j1 + (old_start - i1 if tag == "equal" else 0)
            break
    nearest = min(passages, key=lambda passage: abs(passage.start - target))
    # The cited passage itself must still be there: the same words elsewhere are another passage.
    tolerance = max(20, (spans[-1][1] - old_start) // 10)
    return nearest if abs(nearest.start - target) <= tolerance else None


@dataclass
class Segment:
    """A run of a paragraph's text: `numbers` of the citations whose passage covers it, `anchors`
    (fragment ids) of the citations whose passage begins here, `starts` their numbers."""

    text: str
    numbers: tuple = ()
    anchors: tuple = ()
    starts: tuple = ()

    @property
    def anchor(self):
        return self.anchors[0] if self.anchors else ""

    @property
    def more_anchors(self):
        """Fragment ids of other citations of the same passage, beginning here too."""
        return self.anchors[1:]


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
            anchors = sorted({(n, a) for n, a, s in covering if a and s == left})
            segments.append(
                Segment(
                    text=text[left:right],
                    numbers=tuple(sorted({n for n, _, _ in covering})),
                    anchors=tuple(a for _, a in anchors),
                    starts=tuple(sorted({n for n, a, s in covering if a and s == left})),
                )
            )
        result.append(Paragraph(number, start, end, segments))
    return result
