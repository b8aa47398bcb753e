"""export_case writes a case file that loads back into an empty database and exports identically."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from measures import services
from measures.importing import CaseFileError, export, import_case, import_user, validate_case_data
from measures.models import Assessment, Case, Event, Source
from tests import factories
from tests.helpers import ROOT

D = datetime.date


class _Rollback(Exception):
    pass


def _grow(case):
    """What analysts add in the admin: an event without a key, a source dated by month, history."""
    event = factories.EventFactory(
        case=case, date=D(2024, 1, 24), end_date=D(2024, 1, 25), title="Talks in Ankara", fatalities=0
    )
    event.actors.set(case.assessed_parties.all())
    source = Source(
        title="Monthly review",
        kind="analysis",
        published_on=D(2024, 1, 5),
        date_precision="month",
        full_text="Both sides restored ambassadors by the end of the month.",
    )
    source.full_clean()
    source.save()
    citation = services.create_citation(case=case, source=source, quote="restored ambassadors", event=event)
    measure = case.measures.get(number=2)
    services.attach_evidence(citation=citation, measure=measure, stance="progress", note="")
    pakistan = case.assessed_parties.get(code="PAK")
    first = services.record_assessment(
        measure=measure,
        party=pakistan,
        level="intermediate",
        effective_date=D(2024, 1, 31),
        rationale="Ambassadors restored.",
        citations=[citation],
        recorded_by=import_user(),
    )
    # A colleague corrects it: the correction, its author and what it corrects go out and come back.
    services.record_assessment(
        measure=measure,
        party=pakistan,
        level="minimal",
        effective_date=D(2024, 1, 31),
        rationale="Only one ambassador was back by then.",
        citations=[citation],
        recorded_by=factories.analyst(username="second.analyst"),
        corrects=first,
    )


def test_export_load_export_gives_the_same_file(db, case_data):
    with pytest.raises(_Rollback), transaction.atomic():
        case = import_case(case_data).case
        _grow(case)
        first = export.dumps(export.export_case(case))
        raise _Rollback
    assert not Case.objects.exists() and not Assessment.objects.exists()

    data = json.loads(first)
    validate_case_data(data)
    case = import_case(data).case
    second = export.dumps(export.export_case(case))
    assert second == first
    assert len(data["assessments"]) == len(case_data["assessments"]) + 2
    correction = next(item for item in data["assessments"] if item.get("corrects"))
    corrected = next(item for item in data["assessments"] if item["rationale"] == "Ambassadors restored.")
    assert correction["recorded_by"] == "second.analyst" and corrected["recorded_by"] == "case-import"
    assert correction["corrects"] == {
        "effective_date": corrected["effective_date"],
        "recorded_at": corrected["recorded_at"],
    }
    loaded = Assessment.objects.get(rationale="Only one ambassador was back by then.")
    assert loaded.corrects.rationale == "Ambassadors restored."
    assert (loaded.recorded_by.username, loaded.recorded_by.is_active) == ("second.analyst", False)
    assert not loaded.recorded_by.has_usable_password()
    assert all(item["recorded_at"].endswith("Z") for item in data["assessments"])
    grown = next(item for item in data["events"] if item["title"] == "Talks in Ankara")
    assert grown["key"].startswith("event-") and grown["end_date"] == "2024-01-25"
    assert Event.objects.get(title="Talks in Ankara").key == grown["key"]
    monthly = next(item for item in data["sources"] if item["title"] == "Monthly review")
    assert (monthly["published_on"], monthly["date_precision"]) == ("2024-01-31", "month")


def test_updating_a_case_with_its_own_export_changes_nothing(pakistan_iran):
    _grow(pakistan_iran)
    data = export.export_case(pakistan_iran)
    result = import_case(data, update=True)
    assert sum(result.added.values()) == 0
    assert result.conflicts == []


def test_export_keeps_the_assessment_history_and_recorded_times(pakistan_iran, case_data):
    data = export.export_case(pakistan_iran)
    exported = {(a["measure"], a["party"], a["effective_date"], a["recorded_at"]) for a in data["assessments"]}
    original = {
        (a["measure"], a["party"], a["effective_date"], a["recorded_at"].replace("+00:00", "Z"))
        for a in case_data["assessments"]
    }
    assert exported == original


def test_export_case_command_writes_the_file(pakistan_iran, tmp_path):
    path = tmp_path / "out.json"
    out = io.StringIO()
    call_command("export_case", "pakistan-iran-2024", "-o", str(path), stdout=out)
    assert "Wrote" in out.getvalue()
    assert json.loads(path.read_text(encoding="utf-8"))["case"]["slug"] == "pakistan-iran-2024"
    out = io.StringIO()
    call_command("export_case", "pakistan-iran-2024", stdout=out)
    assert out.getvalue() == path.read_text(encoding="utf-8")


def test_export_case_names_unknown_slugs(pakistan_iran):
    with pytest.raises(CommandError, match="No case with the slug “nope” \\(cases: pakistan-iran-2024\\)"):
        call_command("export_case", "nope")


def test_export_runs_a_fixed_number_of_queries(pakistan_iran, django_assert_max_num_queries):
    # 12 for the case's items, 5 for its commitments (their parties, passages, judgements and their passages).
    with django_assert_max_num_queries(17):
        export.export_case(pakistan_iran)


def _export_load_export(build):
    """(first export, second export): `build()` makes a case (returned) in a transaction rolled back
    after its export, so that the export loads into an empty database; the second is the export of that
    load."""
    with pytest.raises(_Rollback), transaction.atomic():
        first = export.dumps(export.export_case(build()))
        raise _Rollback
    assert not Case.objects.exists() and not Assessment.objects.exists()
    data = json.loads(first)
    validate_case_data(data)
    return first, export.dumps(export.export_case(import_case(data).case))


def test_a_generated_case_round_trips_byte_for_byte_with_a_correction_and_an_imported_event(db):
    from measures.importing import demo_data

    def build():
        demo_data.generate(scale=1)
        case = Case.objects.get()
        original = Assessment.objects.filter(measure__case=case).exclude(level="not_assessed").earliest("pk")
        services.record_assessment(
            measure=original.measure,
            party=original.party,
            level="reversed",
            effective_date=original.effective_date,
            rationale="Corrected: the step was undone.",
            citations=list(original.citations.all()),
            recorded_by=factories.analyst(username="corrector"),
            corrects=original,
        )
        event = case.events.earliest("pk")
        event.external_id, event.external_timestamp = "DEM1", datetime.datetime(2024, 2, 1, 9, 30, tzinfo=datetime.UTC)
        event.save()
        return case

    first, second = _export_load_export(build)
    assert second == first
    data = json.loads(first)
    assert {item["recorded_by"] for item in data["assessments"]} == {"demo-data-generator", "corrector"}
    # The generator's own corrections, and the one recorded here.
    assert sum(1 for item in data["assessments"] if "corrects" in item) == demo_data.Plan(1).corrections_per_case + 1
    assert len(data["commitments"]) == demo_data.Plan(1).commitments_per_case
    assert [(e["external_id"], e["external_timestamp"]) for e in data["events"] if "external_id" in e] == [
        ("DEM1", "2024-02-01T09:30:00Z")
    ]
    assert Assessment.objects.get(rationale="Corrected: the step was undone.").corrects is not None


def test_the_commands_round_trip_through_the_staged_load(transactional_db, tmp_path):
    """load_case (staged on SQLite: the authors it creates are copied in with the case) → export_case →
    an emptied database → load_case → export_case: the same bytes."""
    call_command("load_case", str(ROOT / "fixtures" / "pakistan-iran-2024.json"), stdout=io.StringIO())
    case = Case.objects.get()
    first_assessment = Assessment.objects.filter(measure__case=case, measure__number=3).earliest("pk")
    services.record_assessment(
        measure=first_assessment.measure,
        party=first_assessment.party,
        level="not_initiated",
        effective_date=first_assessment.effective_date,
        rationale="Corrected after a second reading.",
        citations=list(first_assessment.citations.all()),
        recorded_by=factories.analyst(username="reviewer.two"),
        corrects=first_assessment,
    )
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_case", "pakistan-iran-2024", "-o", str(first), stdout=io.StringIO())
    call_command("flush", "--no-input", verbosity=0)
    assert not Case.objects.exists()
    call_command("load_case", str(first), stdout=io.StringIO())
    call_command("export_case", "pakistan-iran-2024", "-o", str(second), stdout=io.StringIO())
    assert second.read_bytes() == first.read_bytes()
    author = Assessment.objects.get(rationale="Corrected after a second reading.").recorded_by
    assert (author.username, author.is_active, author.groups.exists()) == ("reviewer.two", False, False)


def _same_source_other_text(case_data, text):
    """A new case file naming the Pakistan–Iran case's first source (same title, publisher, date) with
    `text` as its full text, and quoting nothing from it."""
    source = dict(case_data["sources"][0], key="same", full_text=text)
    return {
        "format": case_data["format"],
        "parties": case_data["parties"],
        "case": dict(case_data["case"], slug="another-case", name="Another case"),
        "measures": [],
        "sources": [source],
    }


def test_a_stored_source_with_another_text_is_refused_naming_the_first_difference(pakistan_iran, case_data):
    stored = case_data["sources"][0]["full_text"]
    changed = stored[:40] + "X" + stored[41:]
    with pytest.raises(CaseFileError) as refused:
        import_case(_same_source_other_text(case_data, changed))
    message = str(refused.value)
    assert "sources[0].full_text: the source" in message and "already stored with another text" in message
    assert "first differ at character 41 (line 1, column 41)" in message
    # Thirty characters either side of the difference, from each text.
    assert f"stored “…{stored[10:70]}…”" in message and f"file “…{changed[10:40]}X{changed[41:70]}…”" in message
    assert "--update" in message
    assert not Case.objects.filter(slug="another-case").exists()


def test_the_same_text_binds_to_the_stored_source(pakistan_iran, case_data):
    data = _same_source_other_text(case_data, case_data["sources"][0]["full_text"])
    case = import_case(data).case
    assert case.slug == "another-case" and Source.objects.filter(title=case_data["sources"][0]["title"]).count() == 1


def test_update_never_changes_the_text_of_a_quoted_source(pakistan_iran, case_data):
    stored = case_data["sources"][0]["full_text"]
    with pytest.raises(CaseFileError, match="can no longer change: .* citations quote it") as refused:
        import_case(_same_source_other_text(case_data, stored + "\n\nA paragraph added."), update=True)
    assert "first differ at character" in str(refused.value)
    assert Source.objects.get(title=case_data["sources"][0]["title"]).full_text == stored


def test_update_replaces_the_text_of_a_source_no_citation_quotes(db):
    source = Source(title="Draft", publisher="Desk", kind="news", full_text="First wording.")
    source.save()
    data = {
        "format": "deescalation-tracker/case@1",
        "parties": [{"code": "AA", "name": "Alpha", "kind": "state"}, {"code": "BB", "name": "Beta", "kind": "state"}],
        "case": {"slug": "drafts", "name": "Drafts", "start_date": "2024-01-01", "assessed_parties": ["AA", "BB"]},
        "sources": [{"key": "s", "title": "Draft", "publisher": "Desk", "kind": "news", "full_text": "Final wording."}],
    }
    differ = r"first differ at character 3 \(line 1, column 3\): stored “First wording.”, file “Final wording.”"
    with pytest.raises(CaseFileError, match=differ):
        import_case(data)
    import_case(data, update=True)
    source.refresh_from_db()
    assert source.full_text == "Final wording." and Source.objects.count() == 1
