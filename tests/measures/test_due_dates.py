"""Due dates suggested from the date expressions of a passage (measures.lib.due_dates, read by dateparser),
on a table of real expressions, relative to the source's date."""

import datetime

import pytest

from measures.lib.due_dates import DAY, MONTH, RANGE, suggest_due_dates

D = datetime.date
MONDAY_22_JAN = D(2024, 1, 22)

TABLE = [
    # (language, passage, expression found, precision, first day, last day)
    (
        "en",
        "Consequently, ambassadors Tipu and the Iranian envoy are set to resume duties on Jan. 26-27, respectively.",
        "on Jan. 26-27",
        RANGE,
        D(2024, 1, 26),
        D(2024, 1, 27),
    ),
    (
        "en",
        "Ambassadors will resume their duties by 26 January 2024.",
        "by 26 January 2024",
        DAY,
        D(2024, 1, 26),
        D(2024, 1, 26),
    ),
    ("en", "Talks will resume next week.", "next week", RANGE, D(2024, 1, 29), D(2024, 2, 4)),
    ("en", "Troops are to withdraw within a month.", "a month", DAY, D(2024, 2, 22), D(2024, 2, 22)),
    ("en", "Elections are promised by the end of February.", "of February", MONTH, D(2024, 2, 1), D(2024, 2, 29)),
    ("en", "The ministers meet on 26–27 January.", "26–27 January", RANGE, D(2024, 1, 26), D(2024, 1, 27)),
    (
        "en",
        "Iran's foreign minister will visit Pakistan on January 29.",
        "on January 29",
        DAY,
        D(2024, 1, 29),
        D(2024, 1, 29),
    ),
    (
        "fr",
        "Les ambassadeurs reprendront leurs fonctions le 26 janvier.",
        "le 26 janvier",
        DAY,
        D(2024, 1, 26),
        D(2024, 1, 26),
    ),
    ("ur", "وزیر خارجہ 29 جنوری کو پاکستان کا دورہ کریں گے", "29 جنوری", DAY, D(2024, 1, 29), D(2024, 1, 29)),
    ("ar", "سيزور وزير الخارجية باكستان في 29 يناير", "في 29 يناير", DAY, D(2024, 1, 29), D(2024, 1, 29)),
    ("de", "Die Botschafter kehren bis zum 26. Januar zurück.", "26. Januar", DAY, D(2024, 1, 26), D(2024, 1, 26)),
    ("ru", "Министр посетит Пакистан 29 января.", "29 января", DAY, D(2024, 1, 29), D(2024, 1, 29)),
]


@pytest.mark.parametrize("language, text, expression, precision, start, end", TABLE, ids=[row[2] for row in TABLE])
def test_a_date_expression_becomes_a_due_window_relative_to_the_source(
    language, text, expression, precision, start, end
):
    suggestions = suggest_due_dates(text, relative_to=MONDAY_22_JAN, language=language)
    assert suggestions, f"nothing found in {text!r}"
    first = suggestions[0]
    assert (first.text, first.precision, first.start, first.end) == (expression, precision, start, end)


def test_relative_expressions_move_with_the_source_date():
    later = suggest_due_dates("Troops are to withdraw within a month.", relative_to=D(2024, 3, 10))
    assert (later[0].start, later[0].precision) == (D(2024, 4, 10), DAY)


def test_the_announcement_date_comes_after_the_due_date_it_announces():
    text = "A joint statement released on 22 January 2024 announced that ambassadors would resume by 26 January 2024."
    found = suggest_due_dates(text, relative_to=MONDAY_22_JAN)
    assert [s.start for s in found] == [D(2024, 1, 26), D(2024, 1, 22)]


def test_a_passage_without_a_date_suggests_nothing():
    assert suggest_due_dates("Both sides assured their commitment to peace.", relative_to=MONDAY_22_JAN) == []
    assert suggest_due_dates("   ", relative_to=MONDAY_22_JAN) == []


def test_an_unknown_language_is_refused_with_a_message():
    with pytest.raises(ValueError, match="xx"):
        suggest_due_dates("on 3 May", relative_to=MONDAY_22_JAN, language="xx")
