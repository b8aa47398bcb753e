"""What a refused quote is told: the first place it departs from the source, with the characters named."""

import unicodedata

from measures.lib import words as word_rules
from measures.lib.quoting.folding import ELISION_MAX_GAP, SOFT_BREAK
from measures.lib.quoting.matching import (
    MAX_OCCURRENCES,
    SourceWords,
    _occurrences,
    find_passages,
    quote_problem,
    split_quote,
)
from measures.lib.text import shorten


def _char_name(char):
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def _word_start(text, position):
    """Where the word of (folded) `text` holding `position` begins: after the last space, or, in a
    script written without spaces, at its last word boundary (measures.lib.words)."""
    start = text.rfind(" ", 0, position) + 1
    if word_rules.has_spaceless(text[start : position + 1]):
        start = max(start, word_rules.last_boundary_at_most(word_rules.word_boundaries(text), position))
    return start


def _word_at(text, position):
    """The word of `text` that begins at `position` (up to the next space or word boundary), for a message."""
    end = text.find(" ", position)
    end = end if end != -1 else len(text)
    if word_rules.has_spaceless(text[position:end]):
        bounds = word_rules.word_boundaries(text)
        end = min(end, next((b for b in bounds if b > position), end))
    return text[position:end].replace(SOFT_BREAK, "-")


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


def _code_points(text):
    return " ".join(f"U+{ord(char):04X}" for char in text)


def _differing_characters(quote_word, source_word):
    """Name the differing characters of two words that look alike: the same characters in another
    order (as Brahmic clusters typed in another order render alike), or at most three differences."""
    import difflib

    if quote_word != source_word and sorted(quote_word) == sorted(source_word):
        return (
            " The words look alike but hold the same characters in another order: the quote has "
            f"{_code_points(quote_word)}, the source {_code_points(source_word)}."
        )
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
    words = SourceWords(source_text)
    folded = words.text
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
                return f"The part “{_snippet(part, 60)}” does not occur in the source. " + _part_hint(words, part)
        return (
            "Each part of the quote occurs in the source, but not in this order, or more than "
            f"{ELISION_MAX_GAP} characters apart, or a part starts or ends inside a word, or a bracketed "
            "insertion hides words: […] stands only for words left out between the parts, in the source's "
            "order, and [brackets] only for words that replace others."
        )
    return _part_hint(words, quote_parts.parts[0])


def _inside_a_word_hint(words, wanted):
    """When `wanted` occurs only as part of longer words: say so, naming the whole word(s) of the
    source it falls in (in scripts written without spaces, the words of the dictionary segmentation)."""
    occurrences = _occurrences(wanted, words.text)
    if not occurrences:
        return None
    start, end = occurrences[0]
    left, right = words.word_around(start, end)
    context = words.text[left:right].replace(SOFT_BREAK, "-")
    return (
        f"The quote starts or ends inside a word: the source reads “{_snippet(context, 80)}”. "
        "Quote whole words (mark a changed part of a word with brackets, as in “[T]he”)."
    )


def _part_hint(words, wanted):
    folded = words.text
    if hint := _inside_a_word_hint(words, wanted):
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
    word_start = _word_start(wanted, matched_length)
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
