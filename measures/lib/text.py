"""One rule for control characters in stored text, used by the model fields (hence model clean and every
admin and site form) and by the case-file loader.

Unicode category Cc holds the C0 controls, DEL and the C1 controls (U+0080–U+009F). None of them is
text a reader can see: a vertical tab or a form feed prints as a box in the PDF, U+0085 (next line) ends
a row in many CSV readers. A single-line field (a name, a title, a label) takes none of them; a
multi-line field takes tab, line feed and carriage return only.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

MULTI_LINE_ALLOWED = frozenset("\t\n\r")


def control_character(value, *, multi_line):
    """The first control character `value` may not hold, or None."""
    allowed = MULTI_LINE_ALLOWED if multi_line else frozenset()
    for char in value:
        if char not in allowed and unicodedata.category(char) == "Cc":
            return char
    return None


def describe(char):
    return f"U+{ord(char):04X}"


@deconstructible
class NoControlCharacters:
    """Refuses control characters; `multi_line` allows tab, line feed and carriage return."""

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

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and self.multi_line == other.multi_line


single_line = NoControlCharacters()
multi_line = NoControlCharacters(multi_line=True)


def shorten(text, limit):
    """`text` cut to at most `limit` characters, ending in "…" when it was cut (the one shortening rule
    of labels, names and snippets; trailing spaces before the "…" dropped)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# What a spreadsheet runs as a formula when a cell starts with it (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Make a cell that a spreadsheet would run as a formula inert, by prefixing an apostrophe; other
    values (numbers, None, harmless text) are returned unchanged. For every CSV and XLSX we write."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Every control character (Unicode category Cc: C0, DEL, C1), with the spaces around it. XML 1.0 (hence
# XLSX) cannot hold most C0 controls, and CSV readers split rows at line breaks, U+0085 among them. The
# inputs refuse them; this is for data stored before they did, and for multi-line texts put in one cell.
_CONTROL = re.compile(r" *[\x00-\x1f\x7f-\x9f][\x00-\x20\x7f-\x9f]*")


def spreadsheet_cell(value):
    """A text cell on one line, without control characters and inert as a formula (`escape_formula`);
    other values unchanged. Each control character becomes a space, never nothing (but at either end),
    so that the words either side stay two words. For every CSV and XLSX we write."""
    if isinstance(value, str):
        spaced = _CONTROL.sub(lambda m: "" if m.start() == 0 or m.end() == len(value) else " ", value)
        return escape_formula(spaced)
    return value
