"""import_events: events from a conflict-event CSV export, with dry run, re-import and bad input."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from measures.importing.events_csv import MAX_FIELD, EventFileError, Mapping, import_events
from measures.models import Event
from tests import factories
from tests.helpers import HEADER, ROWS, csv_bytes


@pytest.fixture
def case(pakistan_iran):
    return pakistan_iran


def test_events_are_imported_with_precision_actors_and_fatalities(case):
    before = case.events.count()
    result = import_events(case, csv_bytes(ROWS))
    assert len(result.new) == 4 and case.events.count() == before + 4
    strike = case.events.get(key="acled-PAK1")
    assert strike.date_text == "16 Jan 2024"
    assert (strike.kind, strike.direction, strike.fatalities) == ("military", "escalatory", 2)
    assert sorted(strike.actors.values_list("code", flat=True)) == ["IRN", "JAA"]
    assert strike.title == "Explosions/Remote violence: Military Forces of Iran (1979-) – Jaish al-Adl, Panjgur"
    assert "Reported by: Dawn" in strike.summary
    talks = case.events.get(key="acled-PAK3")
    assert talks.date_text == "c. 22 Jan 2024"
    assert sorted(talks.actors.values_list("code", flat=True)) == ["IRN", "PAK"]
    protest = case.events.get(key="acled-PAK4")
    assert protest.date_text == "February 2024"
    assert protest.fatalities == 0


def test_reimporting_the_same_rows_adds_nothing(case):
    import_events(case, csv_bytes(ROWS))
    count = Event.objects.count()
    result = import_events(case, csv_bytes(ROWS))
    assert Event.objects.count() == count
    assert result.new == [] and len(result.existing) == 4


def test_rows_without_an_id_are_recognised_by_their_content(case):
    header = HEADER[1:]
    rows = [row[1:] for row in ROWS]
    import_events(case, csv_bytes(rows, header))
    count = Event.objects.count()
    assert len(import_events(case, csv_bytes(rows, header)).existing) == 4
    assert Event.objects.count() == count


def test_dry_run_writes_nothing(case):
    count = Event.objects.count()
    result = import_events(case, csv_bytes(ROWS), dry_run=True)
    assert len(result.new) == 4
    assert Event.objects.count() == count


def test_command_dry_run_then_import(case, tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(csv_bytes(ROWS))
    out = io.StringIO()
    call_command("import_events", case.slug, str(path), "--dry-run", stdout=out)
    assert "Would add 4 events" in out.getvalue() and "Dry run: nothing was written." in out.getvalue()
    assert not case.events.filter(key__startswith="acled-").exists()
    out = io.StringIO()
    call_command("import_events", case.slug, str(path), stdout=out)
    assert "Added 4 events" in out.getvalue()
    out = io.StringIO()
    call_command("import_events", case.slug, str(path), stdout=out)
    assert "Added 0 events" in out.getvalue() and "4 already there" in out.getvalue()


def refused(case, content, mapping=None):
    count = Event.objects.count()
    with pytest.raises(EventFileError) as caught:
        import_events(case, content, mapping=mapping)
    assert Event.objects.count() == count
    return caught.value.problems


def test_impossible_date_is_refused_naming_the_row(case):
    rows = [*ROWS[:2], ["X", "31/02/2024", "1", "Battles", "Government of Pakistan", "", "", "", "", ""]]
    problems = refused(case, csv_bytes(rows))
    assert problems == [
        "line 4, event_date: “31/02/2024” is not a date (2024-01-16, 16 January 2024 or 16/01/2024, a day that exists)"
    ]


def test_another_encoding_is_refused_naming_the_line(case):
    rows = [*ROWS, ["X", "2024-02-02", "1", "Protests", "Government of Pakistan", "", "Peshâwar", "", "", ""]]
    problems = refused(case, csv_bytes(rows, encoding="latin-1"))
    assert len(problems) == 1 and problems[0].startswith("line 6: not UTF-8 text (byte 0xe2)")


def test_a_field_over_the_csv_limit_is_refused_naming_the_line_that_holds_it(case):
    """The header is line 1 and three good rows take lines 2–4: the oversized field is on line 5."""
    rows = [*ROWS[:3], ["X", "2024-01-20", "1", "Battles", "Pakistan", "", "L" * 140_000, "", "", ""]]
    problems = refused(case, csv_bytes(rows))
    assert len(problems) == 1 and problems[0].startswith("line 5: not valid CSV: field larger than field limit")


def test_a_field_over_the_limit_is_refused_whatever_limit_another_library_set(case):
    """csv's field limit is one for the process, and frictionless raises it when imported: the import
    keeps its own (events_csv.MAX_FIELD)."""
    rows = [*ROWS[:1], ["X", "2024-01-20", "1", "Battles", "Pakistan", "", "L" * 140_000, "", "", ""]]
    before = csv.field_size_limit(10**9)
    try:
        problems = refused(case, csv_bytes(rows))
    finally:
        csv.field_size_limit(before)
    assert problems == [f"line 3: not valid CSV: field larger than field limit ({MAX_FIELD})"]


def test_a_row_with_a_line_break_in_a_quoted_cell_is_named_by_the_line_it_starts_on(case):
    """The first row takes lines 2 and 3 (a line break in its notes); the next row starts on line 4."""
    rows = [
        ["X", "31/02/2024", "1", "Battles", "Pakistan", "", "Panjgur", "", "", "Shelling.\nTwo wounded."],
        ["Y", "2024-02-30", "1", "Battles", "Pakistan", "", "", "", "", ""],
    ]
    problems = refused(case, csv_bytes(rows))
    assert [problem.split(":")[0] for problem in problems] == ["line 2, event_date", "line 4, event_date"]


def test_a_row_after_blank_lines_is_named_by_its_own_line(case):
    """Spreadsheets export empty rows: the header is line 1, a good row line 2, two blank lines 3–4, so
    the bad date is on line 5 and the row with a cell too many after one more blank line on line 7."""
    header = "event_date,event_type,actor1,location\n"
    content = header + "2024-01-20,Battles,Iran,Panjgur\n\n\n2024-13-45,Battles,Iran,Panjgur\n"
    problems = refused(case, content.encode())
    assert [problem.split(":")[0] for problem in problems] == ["line 5, event_date"]
    content = header + "2024-01-20,Battles,Iran,Panjgur\n\n\n\n\n2024-01-21,Battles,Iran,Panjgur,EXTRA\n"
    assert refused(case, content.encode()) == ["line 7: more cells than the header has columns"]


def test_blank_lines_before_the_header_are_skipped_and_counted(case):
    content = "\n\nevent_date,event_type,actor1,location\n2024-13-45,Battles,Iran,Panjgur\n"
    assert [problem.split(":")[0] for problem in refused(case, content.encode())] == ["line 4, event_date"]


def test_a_line_break_in_the_location_is_named_once_by_its_column(case):
    """The title is built from the actors and the location: a control character in the location is
    reported once, on the location column, not also on "title", which the file has no column for."""
    rows = [["X", "2024-01-20", "1", "Battles", "Pakistan", "", "Panjgur\r\nDistrict", "", "", ""]]
    problems = refused(case, csv_bytes(rows))
    assert len(problems) == 1 and problems[0].startswith("line 2, location: "), problems


def test_actor_matching_two_parties_is_refused(case):
    rows = [["X", "2024-01-20", "1", "Battles", "Joint forces of Pakistan and Iran", "", "", "", "", ""]]
    (problem,) = refused(case, csv_bytes(rows))
    assert problem.startswith("line 2, actor1: “Joint forces of Pakistan and Iran” matches two parties (Iran (IRN), ")


def test_unknown_actors_are_listed_and_can_be_mapped(case):
    rows = [
        ["X1", "2024-01-20", "1", "Battles", "Unidentified Armed Group", "Police of Balochistan", "", "", "", ""],
        ["X2", "2024-01-21", "1", "Battles", "Unidentified Armed Group", "", "", "", "", ""],
    ]
    problems = refused(case, csv_bytes(rows))
    assert problems == [
        "actor “Police of Balochistan” (line 2) matches no party: create the party, or map the actor under "
        '“actors” in the mapping file (to a party code, or to "" if it is not a party)',
        "actor “Unidentified Armed Group” (lines 2, 3) matches no party: create the party, or map the actor under "
        '“actors” in the mapping file (to a party code, or to "" if it is not a party)',
    ]
    mapping = Mapping.parse(json.dumps({"actors": {"Unidentified Armed Group": "", "Police of Balochistan": "PAK"}}))
    result = import_events(case, csv_bytes(rows), mapping=mapping)
    assert [e.actor_codes for e in result.new] == [["PAK"], []]
    assert result.not_parties == {"Unidentified Armed Group": [2, 3]}


def test_mapping_file_renames_columns_and_event_types(case):
    header = ["Date", "Precision", "Type", "Actor A", "Actor B", "Place", "Deaths", "Source", "Notes"]
    rows = [["2024-01-25", "1", "Ceasefire talks", "Pakistan", "Iran", "Islamabad", "", "", ""]]
    mapping = Mapping.parse(
        json.dumps(
            {
                "columns": {
                    "event_date": "Date",
                    "time_precision": "Precision",
                    "event_type": "Type",
                    "actor1": "Actor A",
                    "actor2": "Actor B",
                    "location": "Place",
                    "fatalities": "Deaths",
                },
                "event_types": {"Ceasefire talks": {"kind": "diplomatic", "direction": "deescalatory"}},
            }
        )
    )
    (event,) = import_events(case, csv_bytes(rows, header), mapping=mapping).new
    assert (event.kind, event.direction, event.location) == ("diplomatic", "deescalatory", "Islamabad")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["X", "2024-01-20", "5", "Battles", "Pakistan", "", "", "", "", ""], "line 2, time_precision: “5” is not a"),
        (["X", "2024-01-20", "1", "Battles", "Pakistan", "", "", "many", "", ""], "line 2, fatalities: “many” is not"),
        (["X", "2024-01-20", "1", "Picnic", "Pakistan", "", "", "", "", ""], "line 2, event_type: “Picnic” is not an"),
        (["X", "", "1", "Battles", "Pakistan", "", "", "", "", ""], "line 2, event_date: “” is not a date"),
    ],
)
def test_bad_cells_are_refused_naming_row_and_column(case, row, message):
    problems = refused(case, csv_bytes([row]))
    assert problems[0].startswith(message), problems


def test_missing_column_is_named_with_a_hint(case):
    header = ["event_date", "time_precision", "event_typ", "actor1"]
    problems = refused(case, csv_bytes([["2024-01-20", "1", "Battles", "Pakistan"]], header))
    assert problems[0].startswith("header: missing the column “event_type” (is it “event_typ”?)")


def test_a_column_twice_in_the_header_is_refused(case):
    header = ["event_date", "event_type", "actor1", "actor1"]
    problems = refused(case, csv_bytes([["2024-01-20", "Battles", "Pakistan", "Iran"]], header))
    assert problems == ["header: the column “actor1” appears more than once"]


def test_too_large_file_is_refused(case, monkeypatch):
    from measures.importing import events_csv

    monkeypatch.setattr(events_csv, "MAX_BYTES", 100)
    problems = refused(case, csv_bytes(ROWS))
    assert problems[0].startswith("file: ") and "MB taken" in problems[0]


def test_bad_mapping_file_is_refused():
    with pytest.raises(EventFileError, match="mapping file: unknown key “column” \\(did you mean “columns”\\?\\)"):
        Mapping.parse('{"column": {}}')
    with pytest.raises(EventFileError, match="mapping file: columns.date: not a column we read"):
        Mapping.parse('{"columns": {"date": "Date"}}')


def test_command_names_the_file_and_problems(case, tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(csv_bytes([["X", "31/02/2024", "1", "Battles", "Pakistan", "", "", "", "", ""]]))
    with pytest.raises(CommandError, match=r"events.csv: nothing was imported:\n  line 2, event_date"):
        call_command("import_events", case.slug, str(path))


def test_two_hundred_rows_import_in_a_fixed_number_of_queries(case, django_assert_max_num_queries):
    factories.PartyFactory(code="QAT", name="Qatar")
    rows = [
        [f"R{i}", f"2024-02-{1 + i % 28:02d}", "1", "Protests", "Government of Qatar", "", f"Town {i}", "", "", ""]
        for i in range(200)
    ]
    with django_assert_max_num_queries(10):
        result = import_events(case, csv_bytes(rows), dry_run=True)
    assert len(result.new) == 200


def test_an_actor_is_matched_as_unique_names_are_compared(case):
    # A Persian name with a ZWNJ (which the line rule keeps between joining letters) is
    # the party's name: names are compared without joiners and bidi marks (measures.lib.text.name_key).
    factories.PartyFactory(code="IRF", name="ایران")
    rows = [["X", "2024-01-20", "1", "Battles", "ای\u200cران", "Pakistan", "", "", "", ""]]
    result = import_events(case, csv_bytes(rows))
    assert [e.actor_codes for e in result.new] == [["IRF", "PAK"]]
