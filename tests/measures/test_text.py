"""One set of control characters (measures.lib.text), refused or removed alike on every path that takes text."""

import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from measures.importing.schema import CaseFileError, parse_case_file
from measures.lib import text
from reading.exports import clean_text

EVERY_CHARACTER = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
CONTROLS = [char for char in EVERY_CHARACTER if unicodedata.category(char) == "Cc"]


def test_the_control_characters_are_unicode_category_cc_and_nothing_else():
    assert sorted(text.CONTROL_CHARACTERS) == CONTROLS
    assert [char for char in EVERY_CHARACTER if text.control_character(char, multi_line=False)] == CONTROLS


def _case_file_problems(field, value):
    """What the case-file loader says of `value` as the case's `field` (a multi-line field or not)."""
    try:
        parse_case_file(json.dumps({"case": {field: value}}))
    except CaseFileError as exc:
        return exc.problems
    return []


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_a_control_character_is_refused_or_removed_the_same_way_on_every_path(char):
    value = f"Both sides{char}agreed."
    refused_in_a_line = True
    refused_in_a_text = char not in "\t\n\r"

    # Model fields (hence model clean, every admin and site form, and the services through full_clean).
    for validator, refused in ((text.single_line, refused_in_a_line), (text.multi_line, refused_in_a_text)):
        if refused:
            with pytest.raises(ValidationError, match=rf"control character \(U\+{ord(char):04X}\)"):
                validator(value)
        else:
            validator(value)

    # The case-file loader: a single-line field (the case's name), a multi-line one (its summary).
    assert bool(_case_file_problems("name", value)) is refused_in_a_line
    assert bool(_case_file_problems("summary", value)) is refused_in_a_text

    # A document taken in: what the stored text would refuse is gone (a page break ends a paragraph).
    tidied = text.tidy_text(value)
    text.multi_line(tidied)
    assert tidied.startswith("Both sides") and tidied.endswith("agreed.")

    # The exports: no control character at all, the words still two.
    assert clean_text(value) == "Both sides agreed."


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("“\x00” is not a page number.", "“<U+0000>” is not a page number."),
        ("“2\r\nSet-Cookie: x” is not a column.", "“2<U+000D><U+000A>Set-Cookie: x” is not a column."),
        ("“\u202e1abc” is not a level.", "“<U+202E>1abc” is not a level."),
        ("“a\u2028b\x85\x7f\ufeff”", "“a<U+2028>b<U+0085><U+007F><U+FEFF>”"),
    ],
)
def test_a_message_quotes_what_nobody_sees_as_its_code_point(message, shown):
    assert text.printable(message) == shown


@pytest.mark.parametrize(
    "message",
    [
        "There is no page 9 of the assessment history (the last is 1): showing the first page.",
        "“٢” is not a page number: “کہا” and “मंत्री” are shown as typed.",
        "Level of: “Iran” or the Persian name “می\u200cخواهم” with its non-joiner, and “\u05e9\u05dc\u200f”.",
    ],
)
def test_a_message_of_visible_text_joiners_and_bidi_marks_is_unchanged(message):
    assert text.printable(message) == message


def test_every_control_character_is_written_as_its_code_point():
    assert text.printable(text.CONTROL_CHARACTERS) == "".join(f"<U+{ord(char):04X}>" for char in CONTROLS)
