"""The one id parser (measures.lib.ids): ASCII digits within the 64-bit range, anything else None."""

import pytest

from measures.lib.ids import ID_MAX, parse_id, parse_offset


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "²",
        "١",
        "99999999999999999999",
        str(ID_MAX + 1),
        "-1",
        "1.5",
        "0x10",
        "",
        None,
        "0",
        " ",
        "\x00",
        "1\x00",
        "+1",
        "1_000",
    ],
)
def test_what_is_no_id(value):
    assert parse_id(value) is None


@pytest.mark.parametrize(("value", "number"), [("1", 1), (" 42 ", 42), (7, 7), (str(ID_MAX), ID_MAX), ("007", 7)])
def test_ids(value, number):
    assert parse_id(value) == number


def test_an_offset_may_be_zero_and_is_otherwise_read_as_an_id():
    assert parse_offset("0") == 0 and parse_offset("12") == 12
    assert parse_offset("²") is None and parse_offset("-1") is None and parse_offset("") is None
    assert parse_offset(str(ID_MAX + 1)) is None
