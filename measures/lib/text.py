"""One rule for control characters in stored text, used by the model fields (hence model clean and every
admin and site form), the case-file loader, the intake of documents (tidy_text) and the exports; and
one for invisible characters in a single line (a name, a title, a label: `invisible_character`).

Unicode category Cc holds the C0 controls, DEL and the C1 controls (U+0080–U+009F). None of them is
text a reader can see: a vertical tab or a form feed prints as a box in the PDF, U+0085 (next line) ends
a row in many CSV readers. A single-line field (a name, a title, a label) takes none of them; a
multi-line field takes tab, line feed and carriage return only. A document's page and section breaks
end a paragraph when its text is taken in (tidy_text); the exports write every control as a space.

A single line also refuses the other characters nobody sees, by Unicode category: format characters
(Cf: the zero-width space U+200B, the byte order mark, the bidi embeddings, overrides and isolates
U+202A–U+202E and U+2066–U+2069, which reverse or hide the text around them: "Safe \u202egnp.exe"
reads "Safe exe.png") and the line and paragraph separators (Zl, Zp). Two kinds of format character
are writing, not tricks, and stay where they do something (`look_alike_mark`): the zero-width
non-joiner and joiner (U+200C, U+200D), which Persian, Urdu and the Indic scripts need inside a word
(a title copied from a Persian headline has them), only where RFC 5892's CONTEXTJ rules (Appendix A,
the rules of internationalised domain names, checked by the idna package) say they change how letters
are drawn: after a virama (Indic scripts; a ZWJ also before one, as Bengali's ya-phala "র‍্য" is
written), or a ZWNJ between letters that join (Arabic, Syriac, N'Ko, Mongolian: Unicode's joining
types); and the bidi marks LRM, RLM and ALM (U+200E, U+200F, U+061C), zero-width letters of one
direction that reverse nothing, only next to right-to-left text (the nearest letter either side, past
spaces, digits and punctuation, is Hebrew, Arabic or another right-to-left script) and never two in a
row. Anywhere else they change nothing a reader sees, so "Iran" + LRM or "Ir" ZWNJ "an" would pass as a
second "Iran": they are refused, and names are compared for uniqueness with them set aside
(`name_key`). A line must also hold at least one visible character: a label of one zero-width space
printed "[]" in every footnote. Multi-line text (a passage, a rationale) keeps the Unicode it has:
quotes are checked against a document's own text; a list of names, one per line (a party's other
names), takes the single-line rule line by line (`OnePerLine`).
"""

import re
import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from measures.lib import words

# Every character of Unicode category Cc (tests/measures/test_text.py checks it against unicodedata).
CONTROL_CHARACTERS = "".join(map(chr, [*range(0x00, 0x20), *range(0x7F, 0xA0)]))
MULTI_LINE_ALLOWED = "\t\n\r"
# A document's page and section breaks: vertical tab, form feed, and the file, group and record
# separators (str.splitlines() counts them as line ends); U+0085 "next line" ends a line.
PAGE_BREAKS = "\v\f\x1c\x1d\x1e"
NEXT_LINE = "\x85"


def control_class(*, but="", plus=""):
    """A regular expression character class of every control character except those in `but`, with
    the characters of `plus` added: control_class(but=MULTI_LINE_ALLOWED) is what a multi-line field
    refuses."""
    return _character_class([char for char in CONTROL_CHARACTERS if char not in but] + list(plus))


def _character_class(chars):
    return "[" + "".join(f"\\x{ord(char):02x}" for char in chars) + "]"


_REFUSED = {False: re.compile(control_class()), True: re.compile(control_class(but=MULTI_LINE_ALLOWED))}


def control_character(value, *, multi_line):
    """The first control character `value` may not hold, or None."""
    found = _REFUSED[bool(multi_line)].search(value)
    return found.group() if found else None


def describe(char):
    """ "U+202E RIGHT-TO-LEFT OVERRIDE": the code point and, where Unicode gives one, the name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


# Unicode categories of the characters nobody sees that a single line refuses (module docstring).
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})
JOINERS = "\u200c\u200d"
BIDI_MARKS = "\u200e\u200f\u061c"
# Blank characters outside those categories: the Default_Ignorable_Code_Point characters of Unicode's
# DerivedCoreProperties.txt that are letters or marks (the Hangul fillers U+115F, U+1160, U+3164,
# U+FFA0, the combining grapheme joiner U+034F, the Khmer inherent vowels U+17B4–U+17B5, the Mongolian
# free variation selectors U+180B–U+180D and U+180F), and the braille blank U+2800, a symbol that
# prints nothing. A name of one Hangul filler looked empty and passed.
BLANK_CHARACTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0")
# The variation selectors VS1–VS16 (U+FE00–U+FE0F) and VS17–VS256 (U+E0100–U+E01EF): also
# Default_Ignorable_Code_Points, of category Mn, so counted visible above. They choose a glyph (text or
# emoji style) and nothing a name needs: "Iran" + U+FE0F read as a second "Iran". A line refuses them.
VARIATION_SELECTORS = frozenset(map(chr, [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]))
REFUSED_MARKS = BLANK_CHARACTERS | VARIATION_SELECTORS


def _visible(char):
    # Letters, marks, numbers, punctuation and symbols (categories L, M, N, P, S) but the blank ones; not
    # spaces (Z*) nor controls, format characters, surrogates, private-use or unassigned code points (C*).
    return unicodedata.category(char)[0] not in "ZC" and char not in REFUSED_MARKS


def invisible_character(value):
    """The first character of a single line `value` that nobody would see and that it may not hold
    (module docstring: Cf, Zl, Zp but the joiners and bidi marks where they do something;
    BLANK_CHARACTERS, VARIATION_SELECTORS), or None.
    Control characters (Cc) are `control_character`'s."""
    at = _invisible_at(value)
    return None if at is None else value[at]


def _invisible_at(value):
    for i, char in enumerate(value):
        if char in REFUSED_MARKS:
            return i
        if unicodedata.category(char) not in INVISIBLE_CATEGORIES:
            continue
        if char in IGNORED_IN_NAMES and not look_alike_mark(value, i):
            continue
        return i
    return None


def clean_line(value):
    """`value` (a str, or None for "") made a line the single-line rule takes, for a value taken from a
    document to fill in a form (a Word file's title, a page's publisher), so that the form can be saved
    and the analyst sees what will be stored: each control character (line breaks too) a space, each
    invisible character the rule refuses removed (one at a time, since removing one can leave a joiner
    or mark beside it doing nothing), runs of spaces one, the ends trimmed; "" when nothing visible is
    left."""
    line = " ".join(re.sub(control_class(), " ", value or "").split())
    while (at := _invisible_at(line)) is not None:
        line = line[:at] + line[at + 1 :]
    line = " ".join(line.split())
    return line if has_visible_character(line) else ""


# The zero-width joiners and bidi marks: kept in a line where they do something (look_alike_mark),
# set aside when names are compared (name_key; the models' uniqueness constraints remove the same).
IGNORED_IN_NAMES = JOINERS + BIDI_MARKS
_WITHOUT_IGNORED = str.maketrans(dict.fromkeys(IGNORED_IN_NAMES))
_VIRAMA = 9  # the canonical combining class of a virama (halant, pulli, al-lakuna…)
# Bidi classes of letters with a direction (UAX #9): left-to-right, right-to-left, Arabic letter.
_STRONG = {"L", "R", "AL"}
# idna refuses longer labels; the joining context is read within this distance either side.
_CONTEXT = 64


def look_alike_mark(value, i):
    """Whether the joiner or bidi mark at `value[i]` does nothing a reader would see, so that it only
    makes a name look like another (module docstring): True for a ZWNJ or ZWJ outside RFC 5892's
    CONTEXTJ rules (idna.valid_contextj) and not before a virama (ZWJ); for a bidi mark repeating the
    mark before it or with no right-to-left letter as its nearest letter either side. False for any
    other character."""
    char = value[i]
    if char in JOINERS:
        start = max(0, i - _CONTEXT)
        window = value[start : i + _CONTEXT]
        try:
            if idna.valid_contextj(window, i - start):
                return False
        except ValueError:  # an unassigned neighbour (idna cannot read its combining class)
            return True
        following = value[i + 1 : i + 2]
        return not (char == "\u200d" and following and unicodedata.combining(following) == _VIRAMA)
    if char in BIDI_MARKS:
        if i > 0 and value[i - 1] in BIDI_MARKS:
            return True
        before = next((c for c in reversed(value[:i]) if unicodedata.bidirectional(c) in _STRONG), "")
        after = next((c for c in value[i + 1 :] if unicodedata.bidirectional(c) in _STRONG), "")
        return not any(c and unicodedata.bidirectional(c) in {"R", "AL"} for c in (before, after))
    return False


def printable(message):
    """`message` (a sentence quoting what someone typed: a parameter of an address, an option) with
    each character nobody sees written as its code point in angle brackets, so that
    `?page=%00` says "“<U+0000>” is not a page number": the control characters (Cc), the line and
    paragraph separators (Zl, Zp) and the format characters (Cf), but the joiners and bidi marks a
    stored name may hold (IGNORED_IN_NAMES), which reverse and hide nothing. A NUL or a line break thus
    never reaches a page, a plain-text answer or a terminal as itself, and a right-to-left override
    typed into an address cannot reverse the words after it. Our own words and stored names hold none
    of these (the single-line rule), so a whole message can go through it."""
    return "".join(f"<U+{ord(char):04X}>" if _unseen(char) else char for char in message)


def _unseen(char):
    return unicodedata.category(char) in _UNSEEN_CATEGORIES and char not in IGNORED_IN_NAMES


_UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def name_key(value):
    """`value` as names are compared for uniqueness: in Unicode normalization form C (NFC: "Tu" + U+0308
    COMBINING DIAERESIS + "rkiye" and "Türkiye" are one name) and without the joiners and bidi marks
    (IGNORED_IN_NAMES), which draw nothing, so that "Iran" + U+200E and "Iran" are one name. The one
    rule of every unique name (a party's, a theme's, a measure type's, a source's label): the models
    store these names in NFC (`nfc`, in their save()), their constraints remove the same marks in the
    database (measures.models.base.name_key_expression) and their checks compare with this, so the
    forms, the case-file loader, the imports and the API apply it alike."""
    return nfc(value).translate(_WITHOUT_IGNORED)


def nfc(value):
    """`value` (a str; None and "" unchanged) in Unicode normalization form C, as unique names are
    stored (name_key): a letter and its combining accent become the one precomposed letter."""
    return unicodedata.normalize("NFC", value) if value else value


def has_visible_character(value):
    return any(_visible(char) for char in value)


@deconstructible
class NoControlCharacters:
    """Refuses control characters; `multi_line` allows tab, line feed and carriage return. A single
    line (not `multi_line`) also refuses invisible characters (`invisible_character`) and a value
    with no visible character (module docstring)."""

    def __init__(self, *, multi_line=False):
        self.multi_line = multi_line

    def __call__(self, value):
        char = control_character(value, multi_line=self.multi_line)
        if char is not None:
            allowed = " other than tab and line breaks" if self.multi_line else ""
            raise ValidationError(
                "Contains a control character (%(char)s); remove it: this field takes no control "
                "characters%(allowed)s.",
                code="control_character",
                params={"char": describe(char), "allowed": allowed},
            )
        if self.multi_line or not value:
            return
        char = invisible_character(value)
        if char is not None and char in IGNORED_IN_NAMES:
            raise ValidationError(
                "Contains an invisible character (%(char)s) where it changes nothing a reader sees; remove "
                "it: it would make this name look the same as another. Joiners are kept inside words of "
                "the scripts that need them (Persian, Urdu, Indic), bidi marks next to right-to-left text.",
                code="invisible_character",
                params={"char": describe(char)},
            )
        if char is not None:
            raise ValidationError(
                "Contains an invisible character (%(char)s); remove it: a name, title or label takes no "
                "invisible characters, which can hide or reverse the text around them (bidi marks next to "
                "right-to-left text, and joiners inside a word, are kept).",
                code="invisible_character",
                params={"char": describe(char)},
            )
        if not has_visible_character(value):
            raise ValidationError(
                "Has no visible character: write the name, title or label itself.", code="no_visible_character"
            )

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and self.multi_line == other.multi_line


single_line = NoControlCharacters()
multi_line = NoControlCharacters(multi_line=True)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@deconstructible
class OnePerLine:
    """A list of names, one per line (a party's other names): line breaks are allowed, and each line
    that is not blank takes the single-line rule (`single_line`), as the case-file loader applies it to
    each item of the list. The message names the line (from 1)."""

    def __call__(self, value):
        for number, line in enumerate(_LINE_BREAK.split(value), start=1):
            if not line.strip():
                continue
            try:
                single_line(line)
            except ValidationError as exc:
                raise ValidationError(
                    "Line %(number)s: %(problem)s", code=exc.code, params={"number": number, "problem": exc.messages[0]}
                ) from None

    def __eq__(self, other):
        return isinstance(other, OnePerLine)


one_per_line = OnePerLine()


_PAGE_BREAK = re.compile(_character_class(PAGE_BREAKS))
_NOT_TEXT = re.compile(control_class(but="\t\n"))


def tidy_text(text):
    """Line endings to \\n, trailing spaces off, at most one blank line between paragraphs; a page or
    section break (PAGE_BREAKS) ends a paragraph and every other control character but tab goes, as
    the stored text takes none. Nothing else is changed: the words and their characters stay as the
    document has them, so that quotes can be checked against the text. For text taken in from a
    document or pasted (measures.intake, services.create_source)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace(NEXT_LINE, "\n")
    text = _NOT_TEXT.sub("", _PAGE_BREAK.sub("\n\n", text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n").strip()


def shorten(text, limit):
    """`text` cut to at most `limit` characters, ending in "…" when it was cut (the one shortening rule
    of labels, names and snippets; trailing spaces before the "…" dropped).

    The cut never falls inside a user-perceived character (a letter and its marks, a Devanagari or
    Khmer cluster: measures.lib.words.grapheme_boundaries), nor inside a word of a script written
    without spaces (Thai, Khmer…: it goes back to the word's start, unless the first word alone is
    too long)."""
    if len(text) <= limit:
        return text
    return text[: cut_point(text, limit - 1)].rstrip() + "…"


def cut_point(text, at_most):
    """The offset, at most `at_most`, where `text` may be cut (see shorten)."""
    if text[: at_most + 1].isascii():
        return at_most
    cut = words.last_boundary_at_most(words.grapheme_boundaries(text), at_most)
    if (
        0 < cut < len(text)
        and words.is_wordy(text[cut])
        and (words.is_spaceless(text[cut - 1]) or words.is_spaceless(text[cut]))
    ):
        start_of_word = words.last_boundary_at_most(words.word_boundaries(text), cut)
        if start_of_word > 0:
            cut = start_of_word
    return cut


# What a spreadsheet runs as a formula when a cell starts with it (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Make a cell that a spreadsheet would run as a formula inert, by prefixing an apostrophe; other
    values (numbers, None, harmless text) are returned unchanged. For every CSV and XLSX we write."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def first_difference(a, b, *, context=30):
    """Where two texts first differ, for a message: None when they are equal, else (offset, line,
    column, a's words there, b's words there), the offset a character index from 0, line and column
    from 1, and each excerpt up to `context` characters either side, "…" where cut, line breaks as ⏎."""
    if a == b:
        return None
    offset = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    line = a.count("\n", 0, offset) + 1
    column = offset - (a.rfind("\n", 0, offset) + 1) + 1

    def excerpt(text):
        start, end = max(0, offset - context), min(len(text), offset + context)
        shown = text[start:end].replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")
        return ("…" if start else "") + shown + ("…" if end < len(text) else "") if shown else "(nothing)"

    return offset, line, column, excerpt(a), excerpt(b)


# Every control character (CONTROL_CHARACTERS, line breaks and tabs too), with the spaces around it.
# XML 1.0 (hence XLSX) cannot hold most C0 controls, and CSV readers split rows at line breaks, U+0085
# among them. The inputs refuse most of them; this is for line breaks and for data stored before they did.
_CONTROL = re.compile(f" *{control_class()}{control_class(plus=' ')}*")


def spreadsheet_cell(value):
    """A text cell on one line, without control characters and inert as a formula (`escape_formula`);
    other values unchanged. Each run of control characters becomes a space, never nothing (but at
    either end), so that the words either side stay two words. For every CSV and XLSX we write."""
    if isinstance(value, str):
        spaced = _CONTROL.sub(lambda m: "" if m.start() == 0 or m.end() == len(value) else " ", value)
        return escape_formula(spaced)
    return value
