"""Case files are strict: the JSON Schema, duplicate keys, party names, byte-order marks, paths in messages."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from measures.importing import CaseFileError, import_case, parse_case_file, read_case_file, validate_case_data
from measures.importing.schema import SCHEMA_PATH, schema, schema_version
from measures.models import Assessment, Case, Citation, Event, Evidence, Measure, Party, Source
from tests import factories
from tests.helpers import ROOT, without_judgements

MODELS = (Party, Case, Measure, Source, Event, Citation, Evidence, Assessment)


def nothing_stored():
    return all(not model.objects.exists() for model in MODELS)


def problems_of(data):
    with pytest.raises(CaseFileError) as caught:
        import_case(data)
    return caught.value.problems


def test_the_pakistan_iran_file_is_valid(case_data):
    validate_case_data(case_data)


def test_misspelt_key_is_refused_with_a_hint(db, case_data):
    case_data["events"][3]["date_precison"] = "month"
    (problem,) = problems_of(case_data)
    assert problem.startswith(
        "events[3].date_precison: unknown key (did you mean “date_precision”?); allowed here: actors, date, "
        "date_precision, direction,"
    )
    assert nothing_stored()


def test_unknown_key_far_from_any_gets_no_hint(db, case_data):
    case_data["case"]["zzz"] = 1
    (problem,) = problems_of(case_data)
    assert problem.startswith("case.zzz: unknown key; allowed here:")


def test_unknown_top_level_key_is_refused(db, case_data):
    case_data["event"] = []
    (problem,) = problems_of(case_data)
    assert problem.startswith("event: unknown key (did you mean “events”?)")


@pytest.mark.parametrize(
    ("section", "field"),
    [("events", "key"), ("sources", "key"), ("citations", "key"), ("measures", "number"), ("parties", "code")],
)
def test_two_items_with_the_same_key_are_refused(db, case_data, section, field):
    clash = copy.deepcopy(case_data[section][1])
    clash[field] = case_data[section][0][field]
    if section == "measures":
        clash["slug"] = "another-slug"
    if section == "parties":
        clash["name"] = "Another name"
    case_data[section].append(clash)
    last = len(case_data[section]) - 1
    problems = problems_of(case_data)
    value = case_data[section][0][field]
    assert f"{section}[{last}].{field}: “{value}” is already used by {section}[0]" in problems
    assert nothing_stored()


def test_same_key_twice_in_one_object_is_refused():
    text = (
        '{"format": "deescalation-tracker/case@1", '
        '"events": [{"key": "a", "date": "2024-01-01", "date": "2024-01-02"}]}'
    )
    with pytest.raises(CaseFileError, match=r"events\[0\]: the key “date” appears more than once"):
        parse_case_file(text)


def test_byte_order_mark_is_accepted(db, case_data, tmp_path):
    without_judgements(case_data)
    path = tmp_path / "with-bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(case_data, ensure_ascii=False).encode("utf-8"))
    assert read_case_file(path)["case"]["slug"] == "pakistan-iran-2024"
    call_command("load_case", str(path))
    assert Case.objects.filter(slug="pakistan-iran-2024").exists()


def test_file_that_is_not_utf8_is_refused(db, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"format": "deescalation-tracker/case@1", "case": {"name": "Côte"}}'.encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8 text"):
        call_command("load_case", str(path))


def test_party_stored_under_another_name_is_refused(db, case_data):
    factories.PartyFactory(code="PAK", name="Islamic Republic of Pakistan")
    problems = problems_of(case_data)
    assert problems == [
        "parties[0].name: the party “PAK” is stored as “Islamic Republic of Pakistan”, the file calls it "
        '“Pakistan”: use the stored name, or add "rename": true to rename it'
    ]
    assert Party.objects.get(code="PAK").name == "Islamic Republic of Pakistan"
    assert not Case.objects.exists()


def test_party_is_renamed_when_the_file_says_so(db, case_data):
    factories.PartyFactory(code="PAK", name="Islamic Republic of Pakistan")
    case_data["parties"][0]["rename"] = True
    import_case(without_judgements(case_data))
    assert Party.objects.get(code="PAK").name == "Pakistan"
    assert Party.objects.filter(code="PAK").count() == 1


def test_party_name_held_by_another_code_is_refused(db, case_data):
    factories.PartyFactory(code="PK", name="Pakistan")
    problems = problems_of(case_data)
    assert "parties[0].name: “Pakistan” is already the name of the party “PK”" in problems


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["events"][2].update(date_precision="week"), 'events[2].date_precision: "week" is not one of'),
        (lambda d: d["events"][2].update(date="2024-02-31"), "events[2].date: “2024-02-31” is not a date"),
        (lambda d: d["events"][2].update(title=5), "events[2].title: expected string, found 5"),
        (lambda d: d["measures"][1].update(number="2"), 'measures[1].number: expected integer, found "2"'),
        (lambda d: d.update(events={}), "events: expected array, found {}"),
        (lambda d: d["events"][2].update(actors=["pak"]), "events[2].actors[0]: “pak” is not a party code"),
        (lambda d: d["events"][2].update(actors=["XYZ"]), "events[2].actors[0]: unknown party “XYZ”"),
        (lambda d: d["citations"][1].update(event="nope"), "citations[1].event: unknown event “nope”"),
        (
            lambda d: d["citations"][10]["evidence"][0].update(measure=99),
            "citations[10].evidence[0].measure: unknown measure 99",
        ),
        (lambda d: d["assessments"][4].update(measure=99), "assessments[4].measure: unknown measure 99"),
        (
            lambda d: d["assessments"][4].update(recorded_at="2024-01-23 12:00"),
            "assessments[4].recorded_at: “2024-01-23 12:00” is not a date-time with a time zone",
        ),
        (lambda d: d["assessments"][4].update(level="great"), 'assessments[4].level: "great" is not one of'),
        (lambda d: d["sources"][1].update(kind=None), "sources[1].kind: null is not one of"),
        (
            lambda d: d.update(format="deescalation-tracker/case@9"),
            'format: "deescalation-tracker/case@9" is not a supported format',
        ),
    ],
)
def test_each_problem_names_the_item_by_its_path(db, case_data, mutate, expected):
    mutate(case_data)
    problems = problems_of(case_data)
    assert any(problem.startswith(expected) for problem in problems), problems
    assert nothing_stored()


def test_every_problem_is_reported_at_once(db, case_data):
    case_data["events"][0]["date_precison"] = "day"
    case_data["events"][1].pop("title")
    case_data["sources"][2]["kind"] = "blog"
    problems = problems_of(case_data)
    assert [p.split(":")[0] for p in problems] == ["events[0].date_precison", "events[1]", "sources[2].kind"]


def test_errors_found_while_writing_name_the_item_and_undo_everything(db, case_data):
    case_data["citations"][3]["quote"] = "A sentence that no source contains."
    problems = problems_of(case_data)
    assert len(problems) == 1 and problems[0].startswith("citations[3].quote: This quote does not occur")
    assert nothing_stored()


def test_load_case_lists_every_problem(db, case_data, tmp_path):
    case_data["events"][0]["date_precison"] = "day"
    case_data["events"][1]["kind"] = "war"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(case_data), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_case", str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: nothing was loaded:\n  events[0].date_precison: unknown key")
    assert "\n  events[1].kind:" in message
    assert nothing_stored()


def test_schema_choices_match_the_models():
    defs = schema()["$defs"]
    assert defs["party"]["properties"]["kind"]["enum"] == Party.Kind.values
    assert defs["source"]["properties"]["kind"]["enum"] == Source.Kind.values
    assert defs["event"]["properties"]["kind"]["enum"] == Event.Kind.values
    assert defs["event"]["properties"]["direction"]["enum"] == Event.Direction.values
    assert defs["event"]["properties"]["date_precision"]["enum"] == Event.Precision.values
    assert defs["evidence"]["properties"]["stance"]["enum"] == Evidence.Stance.values
    assert defs["assessment"]["properties"]["level"]["enum"] == Assessment.Level.values
    assert defs["assessment"]["properties"]["confidence"]["enum"] == Assessment.Confidence.values


def test_the_published_schema_is_the_one_the_loader_uses():
    published = ROOT / "docs" / "case-file.schema.json"
    assert published.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")
    assert f"version {schema_version()}" in (ROOT / "docs" / "case-files.md").read_text(encoding="utf-8")


def test_deeply_nested_file_is_refused():
    with pytest.raises(CaseFileError, match="nested too deeply"):
        parse_case_file(b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["measures"][0].update(requirement="c-nope"),
            "measures[0].requirement: unknown citation “c-nope”",
        ),
        (
            lambda d: d["citations"][0].update(evidence=[{"measure": 1, "stance": "context"}]),
            "measures[0].requirement: the citation “c-rec-m1” defines measure 1 and is also listed as its evidence",
        ),
        (
            lambda d: d["events"][2].update(date="2568-07-28"),
            "events[2].date: the date cannot be more than a year after today; 2568-07-28 was given. The year 2568 "
            "reads as a Buddhist-era year (as Thai dates are written): in the Gregorian calendar it is 2025, so "
            "enter 2025-07-28.",
        ),
        (lambda d: d["sources"][1].update(published_on="1066-10-14"), "sources[1].published_on: the date cannot"),
    ],
)
def test_a_requirement_and_dates_are_checked_before_anything_is_written(case_data, mutate, message):
    mutate(case_data)
    with pytest.raises(CaseFileError) as caught:
        validate_case_data(case_data)
    assert any(problem.startswith(message) for problem in caught.value.problems), caught.value.problems
