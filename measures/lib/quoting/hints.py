"""What a refused quote is told: the first place it departs from the source, with the characters named."""

import unicodedata

from measures.lib.quoting.folding import ELISION_MAX_GAP, SOFT_BREAK, fold
from measures.lib.quoting.matching import (
    MAX_OCCURRENCES,
    _occurrences,
    _wordy,
    find_passages,
    quote_problem,
    split_quote,
)
from measures.lib.text import shorten


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
    return shorten(text, length + 1).lstrip()


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
