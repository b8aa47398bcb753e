"""export_case writes a case file that loads back into an empty database and exports identically."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from measures import services
from measures.importing import export, import_case, import_user, validate_case_data
from measures.models import Assessment, Case, Event, Source
from tests import factories

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
    services.record_assessment(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level="intermediate",
        effective_date=D(2024, 1, 31),
        rationale="Ambassadors restored.",
        citations=[citation],
        recorded_by=import_user(),
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
    assert len(data["assessments"]) == len(case_data["assessments"]) + 1
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
