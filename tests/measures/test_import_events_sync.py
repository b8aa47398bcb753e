"""import_events keeps a case's imported events in step with their dataset: matched by ACLED's
event_id_cnty, updated when the dataset changed them (its timestamp kept), removed when it deleted them
(a deletion list, or --sync over a complete export), never removed while a citation reports them."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from measures import services
from measures.importing.events_csv import EventFileError, import_events
from measures.models import Case, Event, Source
from tests.helpers import HEADER, ROWS, csv_bytes

TIMESTAMPED = [*HEADER, "timestamp"]
JANUARY_20 = "1705708800"  # 2024-01-20T00:00:00Z, as ACLED writes its timestamp (Unix seconds)
JANUARY_25 = "1706140800"  # 2024-01-25T00:00:00Z


def export(rows, stamp=JANUARY_20):
    """The test rows as an ACLED export with a timestamp column (`stamp`, or each row's own last cell)."""
    return csv_bytes([row if len(row) == len(TIMESTAMPED) else [*row, stamp] for row in rows], TIMESTAMPED)


def deletion_list(*ids):
    return csv_bytes([[i, "1706140800"] for i in ids], ["event_id_cnty", "deleted_timestamp"])


@pytest.fixture
def case(pakistan_iran):
    import_events(pakistan_iran, export(ROWS))
    return pakistan_iran


def changed_rows():
    """PAK2 revised by the dataset (more fatalities, a new timestamp); the others as they were."""
    revised = list(ROWS[1])
    revised[7] = "11"
    return [ROWS[0], [*revised, JANUARY_25], ROWS[2], ROWS[3]]


def test_a_first_import_keeps_the_id_and_the_datasets_timestamp(case):
    strike = case.events.get(external_id="PAK1")
    assert strike.key == "acled-PAK1"
    assert strike.external_timestamp == datetime.datetime(2024, 1, 20, tzinfo=datetime.UTC)


def test_a_re_import_updates_what_changed_and_keeps_the_new_timestamp(case):
    version = Case.objects.get(pk=case.pk).data_version
    result = import_events(case, export(changed_rows()))
    assert [update.event.external_id for update in result.updated] == ["PAK2"]
    assert result.updated[0].changes == [
        ("fatalities", 9, 11),
        (
            "external_timestamp",
            datetime.datetime(2024, 1, 20, tzinfo=datetime.UTC),
            datetime.datetime(2024, 1, 25, tzinfo=datetime.UTC),
        ),
    ]
    assert result.new == [] and len(result.existing) == 3
    event = case.events.get(external_id="PAK2")
    assert event.fatalities == 11 and event.external_timestamp == datetime.datetime(2024, 1, 25, tzinfo=datetime.UTC)
    assert event.history.first().history_change_reason == "Imported from a conflict-event dataset"
    assert Case.objects.get(pk=case.pk).data_version > version  # pages and the API see it at once


def test_an_older_or_same_timestamp_keeps_the_analysts_edit(case):
    event = case.events.get(external_id="PAK2")
    event.title = "Pakistani strikes near Saravan"
    event.save()
    result = import_events(case, export(ROWS))  # the same version of the dataset: its timestamp is not newer
    assert result.updated == [] and len(result.existing) == 4
    assert case.events.get(external_id="PAK2").title == "Pakistani strikes near Saravan"


def test_a_row_without_a_timestamp_updates_when_its_content_differs(case):
    revised = list(ROWS[3])
    revised[6] = "Quetta city"
    result = import_events(case, csv_bytes([revised]))
    (update,) = result.updated
    assert [name for name, *_ in update.changes] == ["title", "location"]
    event = case.events.get(external_id="PAK4")
    assert event.location == "Quetta city" and event.external_timestamp is not None  # its timestamp stays


def test_changed_actors_are_updated(case):
    revised = list(ROWS[1])
    revised[5] = "Government of Iran"
    result = import_events(case, export([[*revised, JANUARY_25]]))
    assert result.updated[0].changes[-1] == ("actors", "PAK", "IRN, PAK")
    assert sorted(case.events.get(external_id="PAK2").actors.values_list("code", flat=True)) == ["IRN", "PAK"]


def test_a_deletion_list_removes_those_events(case):
    count = Event.objects.count()
    result = import_events(case, export(ROWS[:3]), deletions=deletion_list("PAK4", "NOWHERE9"))
    assert [event.external_id for event in result.removed] == ["PAK4"]
    assert result.unknown_deletions == [(3, "NOWHERE9")]
    assert Event.objects.count() == count - 1 and not case.events.filter(external_id="PAK4").exists()
    deleted = Event.history.filter(history_type="-", external_id="PAK4").get()
    assert deleted.history_change_reason == "Deleted from its conflict-event dataset"


def test_sync_removes_the_imported_events_a_complete_export_no_longer_holds(case):
    own = case.events.exclude(key__startswith="acled-").count()  # the analysts' events
    result = import_events(case, export(ROWS[:2]), sync=True)
    assert sorted(event.external_id for event in result.removed) == ["PAK3", "PAK4"]
    assert sorted(case.events.exclude(external_id="").values_list("external_id", flat=True)) == ["PAK1", "PAK2"]
    assert case.events.exclude(key__startswith="acled-").count() == own


def test_without_sync_an_export_missing_events_removes_nothing(case):
    result = import_events(case, export(ROWS[:2]))
    assert result.removed == [] and case.events.filter(external_id="PAK4").exists()


def test_an_event_a_citation_reports_is_never_removed_but_reported(case):
    event = case.events.get(external_id="PAK4")
    source = Source.objects.create(title="Quetta report", kind="news", full_text="Protesters gathered in Quetta.")
    services.create_citation(case=case, source=source, quote="Protesters gathered in Quetta.", event=event)
    result = import_events(case, export(ROWS[:3]), sync=True)
    assert result.removed == [] and result.kept == [(event, 1)]
    assert case.events.filter(external_id="PAK4").exists()
    with pytest.raises(services.ServiceError, match="Events that citations report are evidence and stay"):
        services.save_imported_events(case=case, removals=[event])


def test_an_id_both_exported_and_deleted_is_refused(case):
    with pytest.raises(EventFileError, match="deletion list, line 2: “PAK1” is also a row of the export"):
        import_events(case, export(ROWS), deletions=deletion_list("PAK1"))


def test_a_bad_timestamp_or_deletion_list_is_refused_naming_its_line(case):
    with pytest.raises(EventFileError, match="line 2, timestamp: “yesterday” is not a timestamp"):
        import_events(case, export([ROWS[0]], stamp="yesterday"))
    with pytest.raises(EventFileError, match="deletion list, header: missing the column “event_id_cnty”"):
        import_events(case, export(ROWS), deletions=csv_bytes([["PAK1"]], ["id"]))


def test_dry_run_lists_additions_updates_and_removals_and_writes_nothing(case, tmp_path):
    new_row = ["PAK5", "2024-01-26", "1", "Strategic developments", "Government of Pakistan", "", "", "", "", ""]
    (tmp_path / "export.csv").write_bytes(export([*changed_rows()[:3], new_row]))
    (tmp_path / "deleted.csv").write_bytes(deletion_list("PAK4"))
    count = Event.objects.count()
    out = io.StringIO()
    call_command(
        "import_events",
        case.slug,
        str(tmp_path / "export.csv"),
        "--deleted",
        str(tmp_path / "deleted.csv"),
        "--dry-run",
        stdout=out,
    )
    report = out.getvalue()
    assert "Would add 1 events to “Pakistan–Iran crisis, January 2024”, update 1, remove 1; 2 already there." in report
    assert "  + line 5: 26 Jan 2024: Strategic developments: Government of Pakistan (PAK)" in report
    assert "  ~ line 3: event" in report and "      fatalities: 9 → 11" in report
    assert "  - event" in report and "(PAK4): Protests: Government of Pakistan, Quetta" in report
    assert "Dry run: nothing was written." in report
    assert Event.objects.count() == count and case.events.get(external_id="PAK2").fatalities == 9


def test_an_acled_re_import_with_one_changed_and_one_deleted_event_updates_and_removes_them(case, tmp_path):
    """What the issue asks: the command, the changed event updated, the deleted one removed."""
    (tmp_path / "export.csv").write_bytes(export(changed_rows()[:3]))
    out = io.StringIO()
    call_command("import_events", case.slug, str(tmp_path / "export.csv"), "--sync", stdout=out)
    assert "Added 0 events to “Pakistan–Iran crisis, January 2024”, updated 1, removed 1; 2 already there." in (
        out.getvalue()
    )
    assert case.events.get(external_id="PAK2").fatalities == 11
    assert not case.events.filter(external_id="PAK4").exists()
    out = io.StringIO()
    call_command("import_events", case.slug, str(tmp_path / "export.csv"), "--sync", stdout=out)
    assert "Added 0 events to “Pakistan–Iran crisis, January 2024”, updated 0, removed 0; 3 already there." in (
        out.getvalue()
    )


def test_the_command_reports_a_kept_event_and_names_a_missing_deletion_list(case, tmp_path):
    event = case.events.get(external_id="PAK4")
    source = Source.objects.create(title="Quetta report", kind="news", full_text="Protesters gathered in Quetta.")
    services.create_citation(case=case, source=source, quote="Protesters gathered in Quetta.", event=event)
    (tmp_path / "export.csv").write_bytes(export(ROWS[:3]))
    (tmp_path / "deleted.csv").write_bytes(deletion_list("PAK4"))
    out = io.StringIO()
    call_command(
        "import_events", case.slug, str(tmp_path / "export.csv"), "--deleted", str(tmp_path / "deleted.csv"), stdout=out
    )
    assert "deleted by the dataset, kept here: 1 citation report it (evidence)" in out.getvalue()
    with pytest.raises(CommandError, match="missing.csv: cannot read"):
        call_command(
            "import_events", case.slug, str(tmp_path / "export.csv"), "--deleted", str(tmp_path / "missing.csv")
        )


def test_a_sync_of_a_large_export_runs_a_fixed_number_of_queries(case, django_assert_max_num_queries):
    rows = [
        [f"Q{i}", f"2024-02-{1 + i % 28:02d}", "1", "Protests", "Government of Pakistan", "", f"Town {i}", "", "", ""]
        for i in range(200)
    ]
    import_events(case, export(rows))
    with django_assert_max_num_queries(12):
        result = import_events(case, export(rows[:150]), sync=True, dry_run=True)
    assert len(result.removed) == 54 and len(result.existing) == 150  # 50 rows and the 4 first imported
