"""The one way user input names a record or a position: ASCII digits within the 64-bit range.

Every page, form, query parameter and API argument that takes an id reads it with `parse_id` (URL
paths with the `id` converter of reading/converters.py, the same rule as a pattern). `str.isdigit()`
is not the test: "²" and "١" pass it, then `int()` raises or reads a number no link sends; 20 digits
overflow the databases' 64-bit integers (SQLite cannot even compare them).

`query_key` is the one way a request's query names a cached answer (page stamps, ETags, fragments).
"""

from urllib.parse import urlencode

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


def query_key(params, *, leave_out=()):
    """A request's query (a QueryDict, or any mapping with `lists()`) as one string: the same for the
    same meaning, different for a different one. The names are sorted (their order means nothing), a
    name's repeated values keep their order (Django reads the last one, so `?a=1&a=2` and `?a=2&a=1`
    differ), and every value is percent-encoded (so `?a=1%26b%3D2` is not `?a=1&b=2`). `leave_out`:
    names that do not change the answer (a page number, for a fragment shared by every page)."""
    return urlencode(
        [(name, value) for name, values in sorted(params.lists()) if name not in leave_out for value in values]
    )
