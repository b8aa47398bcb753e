"""The one way user input names a record or a position: ASCII digits within the 64-bit range.

Every page, form, query parameter and API argument that takes an id reads it with `parse_id` (URL
paths with the `id` converter of reading/converters.py, the same rule as a pattern). `str.isdigit()`
is not the test: "²" and "١" pass it, then `int()` raises or reads a number no link sends; 20 digits
overflow the databases' 64-bit integers (SQLite cannot even compare them).
"""

ID_MAX = 2**63 - 1  # the largest value of a 64-bit signed integer column (SQLite and PostgreSQL)


def _number(value):
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def parse_id(value):
    """The record id that user input `value` (str, int or None) names: an int from 1 to ID_MAX, or
    None when it names none (not ASCII digits, zero, signed, decimal, or beyond 64 bits). Raises nothing."""
    number = _number(value)
    return number if number else None


def parse_offset(value):
    """A position or count that user input `value` gives (a character offset, an occurrence): an int
    from 0 to ID_MAX, or None when it gives none. Raises nothing."""
    return _number(value)
