"""Data packages: a case (or every case) as a Frictionless Data Package whose descriptor is the codebook,
valid by the frictionless library, as of and as known on the dates asked, readable in a spreadsheet in
any script."""

import csv
import datetime
import io
import json
import subprocess
import zipfile

import openpyxl
import pytest
from frictionless import Package, validate

from measures import services
from measures.importing.datapackage import TABLES, build_package, default_as_of
from measures.importing.datapackage.tables import case_rows
from measures.models import Assessment, Source
from measures.state import case_state
from tests.scenarios import build_case

D = datetime.date
URDU = "دونوں ممالک نے سرحد پر کشیدگی کم کرنے پر اتفاق کیا۔"
HINDI = "दोनों देशों ने सीमा पर तनाव कम करने पर सहमति जताई।"


def package_of(case, as_of=None, known_on=None):
    day, rule = default_as_of(case, as_of)
    return build_package([(case, day, rule)], known_on=known_on, name=case.slug, title=case.name)


def tables(data):
    """{table name: [row dict]} of a package's CSV files, read as a program reading UTF-8 would."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            table.name: list(csv.DictReader(io.StringIO(archive.read(table.path).decode("utf-8-sig"))))
            for table in TABLES
        }


def report(path):
    result = validate(str(path))
    return result.valid, result.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])


def test_the_pakistan_iran_package_validates(pakistan_iran, tmp_path):
    path = tmp_path / "pakistan-iran-2024.zip"
    path.write_bytes(package_of(pakistan_iran))
    assert report(path) == (True, [])
    rows = tables(path.read_bytes())
    assert len(rows["measures"]) == 11 and len(rows["state"]) == 22
    assert len(rows["assessments"]) == Assessment.objects.filter(measure__case=pakistan_iran).count()
    assert rows["cases"][0]["as_of"] == "2024-01-29"


def test_the_validation_catches_a_broken_reference(pakistan_iran, tmp_path):
    """The frictionless check is no formality: an evidence row naming a missing citation fails it."""
    data = package_of(pakistan_iran)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            content = original.read(item)
            if item.filename == "data/evidence.csv":
                content += b"99999,pakistan-iran-2024,1,424242,progress,,2024-01-20T00:00:00Z\r\n"
            copy.writestr(item, content)
    path = tmp_path / "broken.zip"
    path.write_bytes(broken.getvalue())
    valid, errors = report(path)
    assert not valid and [error[3] for error in errors] == ["foreign-key"]


def test_the_descriptor_is_the_codebook(pakistan_iran):
    with zipfile.ZipFile(io.BytesIO(package_of(pakistan_iran))) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        readme = archive.read("README.md").decode()
    assert descriptor["profile"] == "tabular-data-package"
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert list(resources) == [table.name for table in TABLES]
    for resource in resources.values():
        assert resource["encoding"] == "utf-8" and resource["description"]
        for field in resource["schema"]["fields"]:
            assert field["description"] and field["type"], (resource["name"], field["name"])
    level = next(f for f in resources["state"]["schema"]["fields"] if f["name"] == "level")
    assert level["constraints"]["enum"] == list(Assessment.Level.values)
    assert "Peace Accords Matrix 3: the step is done in full." in level["description"]
    assert {c["value"] for c in level["categories"]} == set(Assessment.Level.values)
    score = next(f for f in resources["state"]["schema"]["fields"] if f["name"] == "score")
    assert score["unit"] == "Peace Accords Matrix points (0–3)"
    fatalities = next(f for f in resources["events"]["schema"]["fields"] if f["name"] == "fatalities")
    assert fatalities["unit"] == "people"
    assert "| `level` | string |" in readme and "Peace Accords Matrix" in readme


def test_state_rows_are_the_dashboards_levels(pakistan_iran):
    rows = tables(package_of(pakistan_iran, as_of=D(2024, 1, 20)))
    state = case_state(pakistan_iran, as_of=D(2024, 1, 20), details=False)
    expected = {(str(row.measure.number), cell.party.code): cell.level for row in state.rows for cell in row.cells}
    assert {(row["measure"], row["party"]): row["level"] for row in rows["state"]} == expected
    assert {row["number"]: row["joint_level"] for row in rows["measures"]} == {
        str(row.measure.number): row.joint_level for row in state.rows
    }


def test_as_of_and_as_known_on_leave_out_what_came_later(pakistan_iran):
    full = tables(package_of(pakistan_iran))
    early = tables(package_of(pakistan_iran, as_of=D(2024, 1, 18), known_on=D(2024, 1, 18)))
    assert len(early["events"]) < len(full["events"])
    assert all(row["date"] <= "2024-01-18" for row in early["events"])
    assert all(
        row["recorded_at"][:10] <= "2024-01-18" for table in ("assessments", "citations") for row in early[table]
    )
    assert early["cases"][0]["known_on"] == "2024-01-18" and early["cases"][0]["as_of_rule"] == "given"


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # Gnumeric's files have none
def test_urdu_and_hindi_open_readable_in_a_spreadsheet(pakistan_iran, tmp_path):
    measure = pakistan_iran.measures.get(number=1)
    for title, text in (("Urdu report", URDU), ("Hindi report", HINDI)):
        source = Source.objects.create(title=title, kind="news", published_on=D(2024, 1, 19), full_text=text)
        citation = services.create_citation(case=pakistan_iran, source=source, quote=text)
        services.attach_evidence(citation=citation, measure=measure, stance="progress", note="")
    data = package_of(pakistan_iran)
    (tmp_path / "package.zip").write_bytes(data)
    assert report(tmp_path / "package.zip") == (True, [])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = archive.read("data/citations.csv")
        (tmp_path / "citations.csv").write_bytes(raw)
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: spreadsheet programs then read UTF-8
    # Gnumeric's converter opens the CSV as a spreadsheet program does; its cells hold the scripts intact.
    subprocess.run(["ssconvert", str(tmp_path / "citations.csv"), str(tmp_path / "citations.xlsx")], check=True)
    sheet = openpyxl.load_workbook(tmp_path / "citations.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "id"  # the mark is not read as part of the first heading
    quotes = [row[header.index("quote")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert URDU in quotes and HINDI in quotes
    read = Package(str(tmp_path / "package.zip")).get_resource("citations").read_rows()
    assert {URDU, HINDI} <= {row["quote"] for row in read}


def test_every_case_in_one_package(db, tmp_path):
    first, second = build_case(1, slug="first"), build_case(2, slug="second")
    cases = [(case, *default_as_of(case, D(2024, 1, 29))) for case in (first, second)]
    data = build_package(cases, name="all-cases", title="All cases")
    (tmp_path / "all.zip").write_bytes(data)
    assert report(tmp_path / "all.zip") == (True, [])
    rows = tables(data)
    assert [row["slug"] for row in rows["cases"]] == ["first", "second"]
    assert len(rows["measures"]) == 3 + 6
    assert len({row["code"] for row in rows["parties"]}) == len(rows["parties"])  # shared rows once


def test_a_formula_like_text_is_made_inert(pakistan_iran):
    event = pakistan_iran.events.order_by("pk").first()
    event.title = '=HYPERLINK("http://x")'
    event.save()
    row = next(r for r in tables(package_of(pakistan_iran))["events"] if r["id"] == str(event.pk))
    assert row["title"] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("scale", [1, 10])
def test_a_package_runs_a_fixed_number_of_queries(db, django_assert_num_queries, scale):
    case = build_case(scale, slug=f"crisis-{scale}")
    with django_assert_num_queries(15):  # the same at every size; "contested" reads its newest cited date in SQL
        package_of(case, as_of=D(2024, 1, 29))


def test_the_commitments_table_has_the_calendars_outcomes_as_of_and_as_known_on(pakistan_iran):
    from measures.models import CommitmentOutcome

    rows = case_rows(pakistan_iran, as_of=D(2024, 1, 29), as_of_rule="given", known_on=None)["commitments"]
    assert sorted(row["standing"] for row in rows) == ["kept", "kept", "undated"]
    ambassadors = next(row for row in rows if row["what"].startswith("Ambassadors return"))
    assert (ambassadors["due_from"], ambassadors["due_by"], ambassadors["parties"]) == (
        D(2024, 1, 26),
        D(2024, 1, 27),
        "IRN;PAK",
    )
    assert ambassadors["occurred_on"] == D(2024, 1, 27) and ambassadors["outcome_confidence"] == "low"
    assert ambassadors["stated_by"] and ambassadors["outcome_citations"]
    # Announced by the as-of date only; outcomes known on the as-known-on date only.
    before = min(pakistan_iran.commitments.values_list("announced_on", flat=True)) - datetime.timedelta(days=1)
    assert case_rows(pakistan_iran, as_of=before, as_of_rule="given", known_on=None)["commitments"] == []
    outcome = CommitmentOutcome.objects.get(commitment_id=ambassadors["id"])
    CommitmentOutcome.objects.filter(pk=outcome.pk).update(recorded_at=outcome.recorded_at + datetime.timedelta(days=3))
    known_on = (outcome.recorded_at + datetime.timedelta(days=1)).date()
    rows = case_rows(pakistan_iran, as_of=D(2024, 1, 29), as_of_rule="given", known_on=known_on)["commitments"]
    earlier = next(row for row in rows if row["id"] == ambassadors["id"])
    assert (earlier["standing"], earlier["occurred_on"], earlier["outcome_rationale"]) == ("overdue", None, None)
